"""The results list: one option per passage, citation and chips above a highlighted snippet."""

from __future__ import annotations

from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import Reactive
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotator.hits import Hit
from annotator.tui.bindings import PASSAGE_BINDINGS
from annotator.tui.handoff import KeyHandoff
from annotator.tui.render import ThemeLook, result_row


class ResultsList(KeyHandoff, OptionList):
    SWITCH_KEYS = {"slash": "focus_search"}

    BINDINGS = [
        Binding("enter", "select", "Open", show=True),
        Binding("slash", "app.focus_search", "Search", show=False),
        *PASSAGE_BINDINGS,
    ]

    # The list's height is fixed by the screen, so more or fewer result lines need a repaint,
    # not a layout of the whole screen (Textual's default re-lays out on every change).
    virtual_size = Reactive(Size(0, 0), layout=False)

    class NearEnd(Message):
        """The cursor reached the last loaded result: load more if there are."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hits: list[Hit] = []

    def show_hits(self, hits: list[Hit], look: ThemeLook, keep: str | None = None) -> None:
        """Replace the options; keep the cursor on passage `keep` if it is still listed."""
        self.hits = list(hits)
        self.set_options(Option(result_row(shown, look), id=shown.id) for shown in self._shown_all(hits))
        ids = [h.id for h in hits]
        if keep in ids:
            self.highlighted = ids.index(keep)
        elif not hits:
            self.highlighted = None

    def append_hits(self, hits: list[Hit], look: ThemeLook) -> None:
        known = {h.id for h in self.hits}
        fresh = [h for h in hits if h.id not in known]
        self.hits.extend(fresh)
        self.add_options(Option(result_row(shown, look), id=shown.id) for shown in self._shown_all(fresh))

    def update_hit(self, hit: Hit, look: ThemeLook) -> None:
        for n, old in enumerate(self.hits):
            if old.id == hit.id:
                hit.matches = old.matches
                self.hits[n] = hit
                self.replace_option_prompt(hit.id, result_row(self._shown(hit), look))
                return

    def _shown(self, hit: Hit) -> Hit:
        """The hit as the app's tag view shows it: whose tags, and a mark where annotators disagree."""
        from annotator.tui.annotator_switch import shown_hit

        return shown_hit(self.app, hit)

    def _shown_all(self, hits: list[Hit]) -> list[Hit]:
        from annotator.tui.annotator_switch import shown_hits

        return shown_hits(self.app, hits)

    @property
    def selected_id(self) -> str | None:
        if self.highlighted is None or not self.hits:
            return None
        return self.hits[self.highlighted].id

    def _on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        if event.option_index >= len(self.hits) - 3:
            self.post_message(self.NearEnd())
