"""The search box: results follow every keystroke; `down` moves into the results."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

from annotator.tui.handoff import KeyHandoff

PLACEHOLDER = "Search passages — words, \"phrases\", theme:ID, source:ID, untagged"


class SearchBox(KeyHandoff, Input):
    BINDINGS = [Binding("down", "app.focus_results", "Results", show=False)]
    SWITCH_KEYS = {"down": "focus_results"}

    def __init__(self, **kwargs):
        super().__init__(placeholder=PLACEHOLDER, **kwargs)
