"""The help screen (`?`, `F1`): help.md beside this file, rendered as Markdown."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Markdown

HELP_FILE = Path(__file__).with_name("help.md")


def words_only_notice() -> str:
    """A line above the keys where search by meaning cannot run (no model on this machine, or switched off)."""
    from annotator.session import meaning_unavailable

    why = meaning_unavailable()
    if not why:
        return ""
    return f"> Search by meaning is off here: {why.replace('*', '')}.\n\n"


class HelpScreen(ModalScreen[None]):
    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("question_mark", "close", show=False),
        Binding("f1", "close", show=False),
        Binding("q", "close", show=False),
    ]

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="help", classes="dialog"):
            yield Markdown(words_only_notice() + HELP_FILE.read_text(encoding="utf-8"))

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Help — escape closes"
        self.query_one("#help").focus()

    def action_close(self) -> None:
        self.dismiss(None)
