"""The theme view: a theme's note and every passage tagged with it, in corpus order."""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from annotator.errors import AnnotatorError
from annotator.tui.legend import digit_legend
from annotator.tui.bindings import PASSAGE_BINDINGS
from annotator.tui.render import DIM, literal, result_row


class ThemePassages(OptionList):
    BINDINGS = [Binding("enter", "select", "Open"), *PASSAGE_BINDINGS]


NOTE_LINES = 6  # #theme-note: max-height 8, padding 1 above and below


class ThemeScreen(Screen):
    # esc Back not in the footer: with the tagging keys and Open, f1 Help would not fit 80 columns
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", show=False), Binding("slash", "app.focus_search", "Search", show=False)]

    def __init__(self, theme_id: str):
        super().__init__()
        self.theme_id = theme_id

    def compose(self) -> ComposeResult:
        yield Static(id="theme-head", markup=False)
        yield Static(id="theme-note", markup=False)
        yield ThemePassages(id="theme-passages")
        yield Static(id="theme-legend", classes="digit-legend", markup=False)
        yield Footer(compact=True)

    _description = ""

    def on_resize(self) -> None:
        self.query_one("#theme-legend", Static).update(digit_legend(self.app.look, self.size.width - 2))  # broken between themes
        if self._description:
            self.query_one("#theme-note", Static).update(self._note(self._description))  # cut to the new width

    def on_mount(self) -> None:
        self.reload()
        self.query_one(ThemePassages).focus()

    def selected_passage_id(self) -> str | None:
        passages = self.query_one(ThemePassages)
        if passages.highlighted is None or not passages.option_count:
            return None
        return passages.get_option_at_index(passages.highlighted).id

    def reload(self) -> None:
        look = self.app.look
        self.query_one("#theme-legend", Static).update(digit_legend(look, self.size.width - 2))
        theme = look.by_id.get(self.theme_id)
        if theme is None:
            self.query_one("#theme-head", Static).update(literal(f"The theme '{self.theme_id}' is no longer in the codebook."))
            return
        try:
            tagged = self.app.session.evidence(self.theme_id)
        except AnnotatorError as error:
            self.query_one("#theme-head", Static).update(literal(str(error)))
            return
        count = len(tagged)
        head = look.chip(self.theme_id) + literal(f"  {count} passage{'s' if count != 1 else ''} · esc goes back", DIM)
        self.query_one("#theme-head", Static).update(head)
        self._description = theme.description or "(no note)"
        self.query_one("#theme-note", Static).update(self._note(self._description))
        passages = self.query_one(ThemePassages)
        keep = self.selected_passage_id()
        passages.set_options(Option(self._row(item), id=item.hit.id) for item in tagged)
        ids = [item.hit.id for item in tagged]
        if ids:
            passages.highlighted = ids.index(keep) if keep in ids else 0

    def _note(self, description: str) -> Text:
        """The note in the lines its box has (#theme-note's max-height less its padding), an ellipsis
        ending one that runs on: cut silently, a study guide's long note lost its end unseen
        (the passage view shows it whole)."""
        width = max(10, self.size.width - 4)
        lines = literal(description).wrap(self.app.console, width)
        if len(lines) <= NOTE_LINES:
            return literal(description)
        shown = lines[:NOTE_LINES]
        last = shown[-1]
        last.truncate(width - 1)
        last.rstrip()
        last.append("…")
        return Text("\n").join(shown)

    def _row(self, item) -> Text:
        row = result_row(item.hit, self.app.look)
        several = len(item.annotators) > 1  # whose comment is whose: unlabelled, two looked like one said twice
        for tag in item.tags:
            if tag.comment:
                row.append("\n")
                row.append_text(literal(f"{tag.annotator}: “{tag.comment}”" if several else f"“{tag.comment}”", DIM))
        return row

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.app.open_passage(event.option.id)
