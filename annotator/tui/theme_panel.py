"""The theme panel: the codebook in order, numbered 1-9, coloured, with live counts."""

from __future__ import annotations

from collections import Counter

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from annotator.tui.render import DIM, ThemeLook, literal

NO_THEMES = "No themes yet: ctrl+p, Import theme notes… or Codebook: add a theme"


class ThemePanel(OptionList):
    """Typing here searches: `/` and any letter go to the search box, as the help says."""

    BINDINGS = [
        Binding("enter", "select", "Evidence"),
        Binding("slash", "app.focus_search", "Search"),
        Binding("escape", "app.focus_search", "Back", show=False),
    ]
    _shown: tuple[ThemeLook, Counter] | None = None

    def on_key(self, event: events.Key) -> None:
        # `/` is a key of its own (its binding selects the query, as elsewhere), not a letter to type;
        # `?` shows the help, as everywhere but in a text box
        if event.is_printable and event.character and not event.character.isspace() and event.key not in ("slash", "question_mark"):
            event.prevent_default()
            event.stop()
            self.app.action_focus_search()  # the query selected: the letter replaces it, as after `/`
            self.app.main.search_box.post_message(events.Key(event.key, event.character))

    def show_themes(self, look: ThemeLook, counts: Counter) -> None:
        self._shown = (look, counts)
        keep = self.highlighted
        width = max(12, (self.scrollable_content_region.width or 22) - 1)
        self.set_options(
            Option(self._row(look, theme.id, counts.get(theme.id, 0), width), id=theme.id) for theme in look.themes
        )
        if not look.themes:  # an empty codebook: where themes come from, not an empty box
            self.add_option(Option(Text(NO_THEMES, style=DIM), disabled=True))
        if keep is not None and keep < len(look.themes):
            self.highlighted = keep

    @staticmethod
    def _row(look: ThemeLook, theme_id: str, count: int, width: int) -> Text:
        """`1 ● Hope          3`, the name cut to fit one line."""
        number = look.numbers.get(theme_id)
        row = Text(f"{number if number else ' '} ", style=Style(bold=True))
        row.append("● ", style=Style(color=look.colors[theme_id]))
        tally = f" {count}"
        name = literal(look.name(theme_id))
        name.truncate(width - len(row) - len(tally), overflow="ellipsis", pad=True)
        row.append_text(name)
        row.append(tally, style=Style(dim=True))
        return row

    @property
    def selected_id(self) -> str | None:
        if self.highlighted is None:
            return None
        return self.get_option_at_index(self.highlighted).id

    def on_resize(self) -> None:
        if self._shown:
            self.show_themes(*self._shown)  # names are cut to the panel's width

    def _on_focus(self, event) -> None:
        if self.highlighted is None and self.option_count and not self.get_option_at_index(0).disabled:
            self.highlighted = 0
