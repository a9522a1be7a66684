"""The results list: a row per passage, citation and chips over a highlighted snippet.

Every row has the same height, so the list knows its size without laying out its
rows, and a frame draws only the rows on screen (from a cache of rendered lines).
Textual's OptionList measures and renders every option it holds on each change,
which on every keystroke cost more than the search itself.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import Reactive, reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from annotator.tui.bindings import PASSAGE_BINDINGS
from annotator.tui.handoff import KeyHandoff
from annotator.tui.render import ROW_LINES, ThemeLook, result_lines

if TYPE_CHECKING:  # the records the session hands out
    from annotator.session import Hit

ROW_PADDING = 1  # blank cells left and right of a row's text


class ResultsList(KeyHandoff, ScrollView, can_focus=True):
    SWITCH_KEYS = {"slash": "focus_search"}

    BINDINGS = [
        Binding("enter", "select", "Open", show=True),
        Binding("up", "cursor_up", "Up", show=False),
        Binding("down", "cursor_down", "Down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("pageup", "page_up", "Page up", show=False),
        Binding("pagedown", "page_down", "Page down", show=False),
        Binding("slash", "app.focus_search", "Search", show=False),
        *PASSAGE_BINDINGS,
    ]

    COMPONENT_CLASSES = {"results-list--cursor"}

    # The list's height is fixed by the screen, so more or fewer rows need a repaint,
    # not a layout of the whole screen (Textual's default re-lays out on every change).
    virtual_size = Reactive(Size(0, 0), layout=False)
    highlighted: reactive[int | None] = reactive(None, always_update=True)
    _selected_shown = False  # whether the footer was last told a passage is selected

    class Selected(Message):
        """A passage was chosen (enter or a click) to be opened."""

        def __init__(self, passage_id: str) -> None:
            super().__init__()
            self.passage_id = passage_id

    class NearEnd(Message):
        """The cursor reached the last loaded results: load more if there are."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.hits: list[Hit] = []
        self.look: ThemeLook | None = None
        self._rows: LRUCache[tuple, list[Strip]] = LRUCache(256)
        self._frame: tuple[Style, Style, int, dict] = (Style(), Style(), 1, {})  # styles, width, rows drawn

    # -- content -----------------------------------------------------------------------------

    def show_hits(self, hits: list[Hit], look: ThemeLook, keep: str | None = None) -> None:
        """Show these results from the top; keep the cursor on passage `keep` if it is still listed."""
        self.look = look
        self.hits = self._shown_all(hits)
        self._resize()
        ids = [hit.id for hit in self.hits]
        self.scroll_to(y=0, animate=False, immediate=True)
        self.highlighted = ids.index(keep) if keep in ids else None
        self.refresh()
        self._want_more()

    def append_hits(self, hits: list[Hit], look: ThemeLook) -> None:
        known = {hit.id for hit in self.hits}
        self.look = look
        self.hits.extend(self._shown_all([hit for hit in hits if hit.id not in known]))
        self._resize()
        self.refresh()
        self._want_more()

    def update_hit(self, hit: Hit, look: ThemeLook) -> None:
        """Redraw one passage's row (its tags changed), keeping its highlighted words."""
        self.look = look
        for n, old in enumerate(self.hits):
            if old.id == hit.id:
                hit.matches = old.matches
                self.hits[n] = self._shown(hit)
                self.refresh()
                return

    def mark(self, spans: dict) -> None:
        """Highlight these [start, end] spans instead of the rows' matches (spans by passage id)."""
        for hit in self.hits:
            if hit.id in spans:
                hit.matches = [spans[hit.id]]
        self.refresh()

    @property
    def selected_id(self) -> str | None:
        if self.highlighted is None or not self.hits:
            return None
        return self.hits[self.highlighted].id

    def rows_shown(self) -> int:
        """How many results fit on screen (a part-shown row counts)."""
        return max(1, -(-self.scrollable_content_region.height // ROW_LINES))

    def row_text(self, passage_id: str) -> str:
        """A listed passage's row as drawn, its lines joined by newlines."""
        index = [hit.id for hit in self.hits].index(passage_id)
        return "\n".join(strip.text.strip() for strip in self._row(index, self._text_width(), Style()))

    def _shown(self, hit: Hit) -> Hit:
        """The hit as the app's tag view shows it: whose tags, and a mark where annotators disagree."""
        from annotator.tui.annotator_switch import shown_hit  # screens: loaded when first used

        return shown_hit(self.app, hit)

    def _shown_all(self, hits: list[Hit]) -> list[Hit]:
        from annotator.tui.annotator_switch import shown_hits  # screens: loaded when first used

        return shown_hits(self.app, list(hits))

    def _resize(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, len(self.hits) * ROW_LINES)
        # Textual re-measures its scrollbars when the widget's size changes, not when only the virtual
        # size does: without this a list that first grew taller than its window could not be scrolled
        # (the mouse wheel did nothing) until the window was resized.
        self._scroll_update(self.virtual_size)

    # -- drawing -------------------------------------------------------------------------------

    def _text_width(self) -> int:
        return max(1, self.scrollable_content_region.width - 2 * ROW_PADDING)

    def _row(self, index: int, width: int, style: Style) -> list[Strip]:
        """The row's lines in `style`, cached by what they show: an unchanged result is not drawn again."""
        hit = self.hits[index]
        key = (hit.id, hash(hit.text), tuple(hit.themes), tuple(map(tuple, hit.matches)),
               getattr(hit, "disagree", False), width, id(self.look), style, index)
        lines = self._rows.get(key)
        if lines is None:
            pad = Segment(" " * ROW_PADDING)
            meta = {"row": index}
            lines = []
            for text in result_lines(hit, self.look, width):
                strip = Strip([pad, *text.render(self.app.console), pad]).extend_cell_length(width + 2 * ROW_PADDING)
                lines.append(strip.apply_style(style).apply_meta(meta))
            self._rows[key] = lines
        return lines

    def render_lines(self, crop: Region) -> list[Strip]:
        # Worked out once a frame, not once a line: a widget's style is looked up through its ancestors.
        self._frame = (self.rich_style, self.rich_style + self.get_component_rich_style("results-list--cursor"),
                       self._text_width(), {})
        return super().render_lines(crop)

    def render_line(self, y: int) -> Strip:
        base, cursor, width, rows = self._frame
        index, offset = divmod(self.scroll_offset.y + y, ROW_LINES)
        if index >= len(self.hits) or self.look is None:
            return Strip.blank(width + 2 * ROW_PADDING, base)
        lines = rows.get(index)
        if lines is None:
            lines = rows[index] = self._row(index, width, cursor if index == self.highlighted else base)
        return lines[offset]

    def on_resize(self) -> None:
        self._resize()
        self._want_more()

    def watch_scroll_y(self, old: float, new: float) -> None:
        super().watch_scroll_y(old, new)
        self._want_more()  # scrolled (the wheel, a scrollbar drag) towards the end of what is loaded

    def _want_more(self) -> None:
        """Ask for more results when the cursor nears the last loaded one, or the loaded rows do
        not reach past the bottom of the view."""
        bottom = self.scroll_offset.y + self.scrollable_content_region.height + ROW_LINES
        near_end = self.highlighted is not None and self.highlighted >= len(self.hits) - 3
        if self.hits and (near_end or len(self.hits) * ROW_LINES < bottom):
            self.post_message(self.NearEnd())

    # -- moving and choosing ---------------------------------------------------------------------

    def watch_highlighted(self, highlighted: int | None) -> None:
        selected = highlighted is not None and bool(self.hits)
        if selected != self._selected_shown:  # the footer's tag keys come and go with a selection
            self._selected_shown = selected
            self.app.refresh_bindings()
        if highlighted is None or not self.hits:
            return
        if not 0 <= highlighted < len(self.hits):
            self.highlighted = max(0, min(highlighted, len(self.hits) - 1))
            return
        self.scroll_to_region(Region(0, highlighted * ROW_LINES, self.scrollable_content_region.width, ROW_LINES),
                              animate=False, force=True, immediate=True)
        self.refresh()
        self._want_more()

    def _move(self, to: int) -> None:
        if self.hits:
            self.highlighted = max(0, min(to, len(self.hits) - 1))

    def _on_focus(self, event: events.Focus) -> None:
        # Reached by tab (or a click) with nothing selected: select the first, as `down` from the
        # search box does, so the keys the footer then offers (enter, the digits) act on a passage.
        super()._on_focus(event)
        if self.highlighted is None and self.hits:
            self.highlighted = 0

    def action_cursor_up(self) -> None:
        self._move(0 if self.highlighted is None else self.highlighted - 1)

    def action_cursor_down(self) -> None:
        self._move(0 if self.highlighted is None else self.highlighted + 1)

    def action_first(self) -> None:
        self._move(0)

    def action_last(self) -> None:
        self._move(len(self.hits) - 1)

    def _page(self) -> int:
        return max(1, self.scrollable_content_region.height // ROW_LINES)

    def action_page_up(self) -> None:
        self._move((self.highlighted or 0) - self._page())

    def action_page_down(self) -> None:
        self._move((self.highlighted or 0) + self._page())

    def action_select(self) -> None:
        passage_id = self.selected_id
        if passage_id is not None:
            self.post_message(self.Selected(passage_id))

    async def _on_click(self, event: events.Click) -> None:
        row = event.style.meta.get("row")
        if row is not None and row < len(self.hits):
            self.highlighted = row
            self.action_select()
