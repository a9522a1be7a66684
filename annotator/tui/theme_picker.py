"""The theme picker (`t`): every theme, filtered by fuzzy match as you type; enter toggles it."""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList
from textual.widgets.option_list import Option

from annotator.display import clip
from annotator.tui.render import DIM, ThemeLook, literal
from annotator.tui.text_box import TextBox


ADD = "+"  # what the "Add theme …" row answers before the new name (theme ids are slugs: never "+")


class ThemePicker(ModalScreen[str | None]):
    """Answers a theme id, ADD + a new theme's name, or None."""

    # One line per theme: the list's width is not known when it is first filled, and a note cut for
    # a wider list wrapped, leaving a second line holding just "…" under each theme at 80 columns.
    DEFAULT_CSS = """
    ThemePicker #picker-list { text-wrap: nowrap; text-overflow: ellipsis; }
    """
    BINDINGS = [
        Binding("escape", "dismiss_none", "Cancel"),
        Binding("down", "move(1)", show=False),
        Binding("up", "move(-1)", show=False),
    ]

    def __init__(self, look: ThemeLook, applied: set[str]):
        super().__init__()
        self.look = look
        self.applied = applied

    def compose(self) -> ComposeResult:
        with Vertical(id="picker", classes="dialog"):
            yield TextBox(placeholder="Theme name…", id="picker-input")
            yield OptionList(id="picker-list")

    def on_mount(self) -> None:
        self.query_one("#picker", Vertical).border_title = "Toggle a theme (enter); the numbers are its keys"
        self._fill("")

    def matches(self, text: str) -> list[str]:
        """Theme ids in codebook order when `text` is empty, else best fuzzy match first."""
        if not text.strip():
            return [theme.id for theme in self.look.themes]
        choices = {theme.id: f"{theme.name} {theme.id}" for theme in self.look.themes}
        found = process.extract(text, choices, scorer=fuzz.WRatio, limit=None, score_cutoff=50)
        return [key for _, _, key in found]

    def _fill(self, text: str) -> None:
        options = self.query_one("#picker-list", OptionList)
        rows = [Option(self._row(theme_id), id=theme_id) for theme_id in self.matches(text)]
        name = " ".join(text.split())
        if name and not any(name.casefold() in (t.name.casefold(), t.id) for t in self.look.themes):
            rows.append(Option(Text("+ Add theme ") + literal(f"“{clip(name)}”", "bold") + Text(" and tag with it"), id=ADD + name))
        options.set_options(rows)
        if options.option_count:
            options.highlighted = 0

    def _row(self, theme_id: str) -> Text:
        mark = "✓ " if theme_id in self.applied else "  "
        number = self.look.numbers.get(theme_id)
        row = Text(mark) + Text(f"{number} " if number else "  ", style="bold") + self.look.chip(theme_id)
        description = " ".join(self.look.by_id[theme_id].description.split())
        room = min(60, (self.query_one("#picker-list", OptionList).content_region.width or 60) - len(row) - 3)
        if description and room > 10:  # one line per theme: the note cut to what is left of it
            row.append("  ")
            row.append_text(literal(clip(description, room), DIM))
        return row

    @on(Input.Changed, "#picker-input")
    def _changed(self, event: Input.Changed) -> None:
        self._fill(event.value)

    @on(Input.Submitted, "#picker-input")
    def _submitted(self) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.highlighted is not None:
            self.dismiss(options.get_option_at_index(options.highlighted).id)

    @on(OptionList.OptionSelected, "#picker-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)

    def action_move(self, step: int) -> None:
        options = self.query_one("#picker-list", OptionList)
        if options.option_count:
            current = options.highlighted if options.highlighted is not None else -step
            options.highlighted = max(0, min(options.option_count - 1, current + step))

    def action_dismiss_none(self) -> None:
        self.dismiss(None)
