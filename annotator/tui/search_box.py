"""The search box: results follow every keystroke; `down` moves into the results."""

from __future__ import annotations

from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import Reactive

from annotator.tui.handoff import KeyHandoff
from annotator.tui.text_box import TextBox

# Whole in the box at 80 columns (48 cells): cut, it read "…theme:ID," and stopped; F1 has the rest.
PLACEHOLDER = "Search — words, \"phrases\", theme:ID, untagged"


class SearchBox(KeyHandoff, TextBox):
    BINDINGS = [Binding("down", "app.focus_results", "Results", show=False)]
    SWITCH_KEYS = {"down": "focus_results"}
    # Its width is fixed by the screen: a longer query scrolls the box, it needs no layout of the screen.
    virtual_size = Reactive(Size(0, 0), layout=False)

    def __init__(self, **kwargs):
        super().__init__(placeholder=PLACEHOLDER, **kwargs)
