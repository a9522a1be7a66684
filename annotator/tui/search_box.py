"""The search box: results follow every keystroke; `down` moves into the results."""

from __future__ import annotations

from textual.binding import Binding
from textual.widgets import Input

PLACEHOLDER = "Search passages — words, \"phrases\", theme:ID, source:ID, untagged"


class SearchBox(Input):
    BINDINGS = [Binding("down", "app.focus_results", "Results", show=False)]

    def __init__(self, **kwargs):
        super().__init__(placeholder=PLACEHOLDER, **kwargs)
