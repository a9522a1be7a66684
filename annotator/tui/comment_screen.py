"""The comment dialog (`c`): pick which of the passage's tags, write or edit its comment.

Commenting on a theme not yet on the passage tags it with that comment.
"""

from __future__ import annotations

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from annotator.tui.render import DIM, ThemeLook, literal, one_line


class CommentScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel")]

    def __init__(self, passage_id: str, look: ThemeLook, mine: dict[str, str], recent: str | None):
        super().__init__()
        self.passage_id = passage_id
        self.look = look
        self.mine = mine  # theme id -> my current comment on that tag
        self.theme_ids = sorted(mine, key=lambda t: look.order.get(t, 99)) + [t.id for t in look.themes if t.id not in mine]
        self.initial = recent if recent in mine else (self.theme_ids[0] if self.theme_ids else None)

    def compose(self) -> ComposeResult:
        with Vertical(id="comment", classes="dialog"):
            yield Static("Which tag? (up/down) — then type the comment and press enter", id="comment-help", markup=False)
            yield OptionList(id="comment-themes")
            yield Input(placeholder="Why this passage shows the theme…", id="comment-input")

    def on_mount(self) -> None:
        self.query_one("#comment", Vertical).border_title = one_line(f"Comment on a tag of {self.passage_id}")
        options = self.query_one("#comment-themes", OptionList)
        options.set_options(Option(self._row(t), id=t) for t in self.theme_ids)
        if self.initial:
            options.highlighted = self.theme_ids.index(self.initial)
        self.query_one("#comment-input", Input).focus()

    def _row(self, theme_id: str) -> Text:
        row = self.look.chip(theme_id)
        if theme_id in self.mine:
            comment = self.mine[theme_id]
            row.append_text(literal(f"  “{comment}”" if comment else "  (tagged, no comment)", DIM))
        else:
            row.append("  (not tagged: commenting tags it)", DIM)
        return row

    @property
    def chosen(self) -> str | None:
        options = self.query_one("#comment-themes", OptionList)
        return None if options.highlighted is None else self.theme_ids[options.highlighted]

    @on(OptionList.OptionHighlighted, "#comment-themes")
    def _theme_changed(self) -> None:
        box = self.query_one("#comment-input", Input)
        box.value = self.mine.get(self.chosen or "", "")

    def key_up(self) -> None:
        self.query_one("#comment-themes", OptionList).action_cursor_up()

    def key_down(self) -> None:
        self.query_one("#comment-themes", OptionList).action_cursor_down()

    @on(Input.Submitted, "#comment-input")
    def _save(self, event: Input.Submitted) -> None:
        if self.chosen:
            self.dismiss((self.chosen, event.value.strip()))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
