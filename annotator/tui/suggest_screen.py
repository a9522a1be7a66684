"""Suggested themes (`s`): the core's ranked suggestions with their reasons; one key accepts one."""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from annotator.errors import AnnotatorError
from annotator.tui.render import DIM, literal, one_line

LIMIT = 5
STRENGTH_STYLES = {"strong": "bold", "possible": "", "weak": DIM}  # the why lines under it say what it rests on


class SuggestScreen(ModalScreen[str | None]):
    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel"),
        *(Binding(str(n), f"accept({n})", show=False) for n in range(1, LIMIT + 1)),
    ]

    def __init__(self, passage_id: str):
        super().__init__()
        self.passage_id = passage_id
        self.suggestions: list = []

    def compose(self) -> ComposeResult:
        with Vertical(id="suggest", classes="dialog"):
            yield Static("Looking for themes that fit…", id="suggest-status", markup=False)
            yield OptionList(id="suggest-list")

    def on_mount(self) -> None:
        self.query_one("#suggest", Vertical).border_title = one_line(f"Suggested themes for {self.passage_id}")
        self.query_one("#suggest-list").focus()
        self._load()

    @work(thread=True, exclusive=True)
    def _load(self) -> None:
        try:
            suggestions = self.app.session.suggest(self.passage_id, limit=LIMIT)
        except AnnotatorError as error:
            self.app.call_from_thread(self._status, str(error))
            return
        self.app.call_from_thread(self._show, suggestions)

    def _status(self, text: str) -> None:
        self.query_one("#suggest-status", Static).update(literal(text))

    def _show(self, suggestions: list) -> None:
        look = self.app.look
        self.suggestions = [s for s in suggestions if _theme_id(s) in look.by_id]
        if not self.suggestions:
            self._status("No suggestions: the passage shares few words with any theme's note or tagged passages.")
            return
        self._status("1-5 or enter tags the passage with that theme · escape closes")
        rows = []
        for n, suggestion in enumerate(self.suggestions, start=1):
            strength = getattr(suggestion, "strength", "")
            row = Text(f"{n} ") + look.chip(_theme_id(suggestion)) + Text(f"  {strength}", style=STRENGTH_STYLES.get(strength, DIM))
            for reason in list(suggestion.why)[:2]:
                row.append("\n   ")
                row.append_text(literal(str(reason), DIM))
            rows.append(Option(row, id=_theme_id(suggestion)))
        options = self.query_one("#suggest-list", OptionList)
        options.set_options(rows)
        options.highlighted = 0

    @on(OptionList.OptionSelected, "#suggest-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_accept(self, number: int) -> None:
        if number <= len(self.suggestions):
            self.dismiss(_theme_id(self.suggestions[number - 1]))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)


def _theme_id(suggestion) -> str:
    return getattr(suggestion.theme, "id", suggestion.theme)
