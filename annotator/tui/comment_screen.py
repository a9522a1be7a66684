"""The comment dialog (`c`): the passage as a whole or one of its tags; write, edit or delete the comment.

Commenting on a theme not yet on the passage tags it with that comment. The dialog answers
(target, text): target PASSAGE or a theme id; an empty text deletes the comment.
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
from annotator.tui.text_box import TextBox


PASSAGE = ""  # the target "the passage as a whole" (theme ids are never empty)


class CommentScreen(ModalScreen[tuple[str, str] | None]):
    BINDINGS = [Binding("escape", "dismiss_none", "Cancel"), Binding("ctrl+d", "delete", "Delete comment", priority=True)]  # before the box's delete-right (the delete key does that)
    LIST_ROWS = 14  # the most rows of themes shown, as app.tcss's max-height for the dialogs' lists

    def __init__(self, passage_id: str, look: ThemeLook, mine: dict[str, str], recent: str | None, memo: str = ""):
        super().__init__()
        self.passage_id = passage_id
        self.look = look
        self.mine = {PASSAGE: memo, **mine}  # target -> my current comment there
        tagged = sorted(mine, key=lambda t: look.order.get(t, 99))
        self.theme_ids = [PASSAGE, *tagged, *(t.id for t in look.themes if t.id not in mine)]
        # A passage I have not tagged: its own comment first, not "Which tag?" with nothing to choose.
        self.initial = recent if recent in mine else (tagged[0] if tagged else PASSAGE)

    def compose(self) -> ComposeResult:
        with Vertical(id="comment", classes="dialog"):
            yield Static("↑↓ which comment · enter save · ctrl+d delete · esc cancel", id="comment-help", markup=False)
            yield OptionList(id="comment-themes")
            yield TextBox(placeholder="Why this passage shows the theme…", id="comment-input")

    def on_mount(self) -> None:
        self.query_one("#comment", Vertical).border_title = one_line(f"Comment on {self.passage_id} or one of its tags")
        options = self.query_one("#comment-themes", OptionList)
        options.set_options(Option(self._row(t), id=t) for t in self.theme_ids)
        if self.initial is not None:
            options.highlighted = self.theme_ids.index(self.initial)
        self.query_one("#comment-input", Input).focus()
        self.call_after_refresh(self._fit)

    def on_resize(self) -> None:
        self.call_after_refresh(self._fit)  # after the help line is wrapped to the new width

    def _fit(self) -> None:
        """The list no taller than the dialog leaves it: at a small terminal it scrolls, and the
        text box below it stays in view (the dialog cut it off, and the user typed blind)."""
        dialog = self.query_one("#comment", Vertical)
        room = int(self.size.height * 0.9) - dialog.styles.gutter.height  # the dialog's max-height: 90%
        room -= self.query_one("#comment-help", Static).outer_size.height + self.query_one("#comment-input", Input).outer_size.height
        options = self.query_one("#comment-themes", OptionList)
        options.styles.max_height = max(2, min(self.LIST_ROWS, room))
        self.call_after_refresh(options.scroll_to_highlight)

    def _row(self, theme_id: str) -> Text:
        if theme_id == PASSAGE:
            memo = self.mine[PASSAGE]
            return Text("The passage as a whole", style="bold") + literal(f"  “{memo}”" if memo else "  (no comment)", DIM)
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
        box.value = self.mine.get(self.chosen, "") if self.chosen is not None else ""
        box.placeholder = "A comment on the passage as a whole…" if self.chosen == PASSAGE else "Why this passage shows the theme…"

    def key_up(self) -> None:
        self.query_one("#comment-themes", OptionList).action_cursor_up()

    def key_down(self) -> None:
        self.query_one("#comment-themes", OptionList).action_cursor_down()

    @on(Input.Submitted, "#comment-input")
    def _save(self, event: Input.Submitted) -> None:
        if self.chosen is not None:
            self.dismiss((self.chosen, event.value.strip()))

    def action_delete(self) -> None:
        if self.chosen is not None and self.mine.get(self.chosen):
            self.dismiss((self.chosen, ""))
        else:
            self.notify("No comment of yours there to delete.", severity="warning", markup=False)

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
