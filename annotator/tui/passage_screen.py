"""The passage view: the full text, its citation, every annotator's tags and comments, its themes' notes."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotator.corpus.model import Span
from annotator.errors import AnnotatorError
from annotator.tui.bindings import PASSAGE_BINDINGS
from annotator.tui.legend import digit_legend
from annotator.corpus.spans import placed_spans
from annotator.tui.render import DIM, HIGHLIGHT, literal
from annotator.tui.word_selection import WordSelection, drawn, text_offset, word_at

BOLD = Style(bold=True)


def marked(text: str, matches: list[list[int]]) -> Text:
    """The whole text, line breaks kept, the matched spans highlighted (each piece made inert alone,
    so a control character shown as `\x1b` cannot shift the spans after it)."""
    out = Text()
    cursor = 0
    for start, end in sorted(matches):
        start, end = max(start, cursor), min(end, len(text))
        if start >= end:
            continue
        out.append_text(literal(text[cursor:start]))
        out.append_text(literal(text[start:end], HIGHLIGHT))
        cursor = end
    out.append_text(literal(text[cursor:]))
    return out


class PassageText(Static):
    """The passage's words: dragging the mouse across them selects words for a span tag (the
    screen's selection), not Textual's own text selection."""

    ALLOW_SELECT = False


class PassageScreen(Screen):
    BINDINGS = [
        Binding("escape", "back", "Back"), Binding("slash", "app.focus_search", "Search", show=False), *PASSAGE_BINDINGS,
        # Words for a span tag (annotator.tui.word_selection): priority, or the scroll view would take the arrows.
        Binding("left", "word(-1)", "Word", show=False, priority=True),
        Binding("right", "word(1)", "Word", show=False, priority=True),
        Binding("shift+left", "word(-1, True)", "Select", show=False, priority=True),
        Binding("shift+right", "word(1, True)", "Select", show=False, priority=True),
        Binding("v", "selecting", "Select words", show=False),
        Binding("full_stop", "sentence", "Sentence", show=False),
    ]

    def __init__(self, passage_id: str, matches: list[list[int]] | None = None):
        super().__init__()
        self.passage_id = passage_id
        self.matches = matches or []  # the words that found it: highlighted, and scrolled to
        self.words = WordSelection.of("")
        self._drag_from: int | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="passage-scroll"):
            yield Static(id="passage-head", markup=False)
            yield PassageText(id="passage-text", markup=False)
            yield Static(id="passage-tags", markup=False)
            yield Static(id="passage-notes", markup=False)
        yield Static(id="passage-legend", classes="digit-legend", markup=False)
        yield Footer(compact=True)

    def on_resize(self) -> None:
        self.query_one("#passage-legend", Static).update(digit_legend(self.app.look, self.size.width - 2))  # broken between themes

    def on_mount(self) -> None:
        self.reload()
        self.query_one("#passage-scroll").focus()
        if self.matches:
            self.call_after_refresh(self._scroll_to_first_match)

    def _scroll_to_first_match(self) -> None:
        """A long passage opens at the words that found it, a few lines of context above them; one
        whose words show on the first screen opens at the top, its citation and id in view."""
        self._keep_visible(min(start for start, _ in self.matches))

    def selected_passage_id(self) -> str:
        return self.passage_id

    def reload(self) -> None:
        session = self.app.session
        try:
            hit = session.get(self.passage_id)
        except AnnotatorError as error:
            self.query_one("#passage-head", Static).update(literal(str(error)))
            return
        self.query_one("#passage-legend", Static).update(digit_legend(self.app.look, self.size.width - 2))
        head = literal(" · ".join(p for p in (hit.location, session.source_title(hit.source), hit.id) if p), BOLD)
        self.query_one("#passage-head", Static).update(head)
        if hit.text != self.words.text:
            self.words = WordSelection.of(hit.text)
            for problem in session.span_problems({hit.id: hit.text}):  # said once, when the passage opens
                self.app.notify(str(problem), severity="warning", timeout=8, markup=False)
        self._text = hit.text
        self._draw_text()
        self.query_one("#passage-tags", Static).update(self._tags(hit.id))
        self.query_one("#passage-notes", Static).update(self._notes(hit.themes))

    def _tags(self, passage_id: str) -> Text:
        session, look = self.app.session, self.app.look
        tags = sorted(session.tags_on(passage_id), key=lambda t: (look.order.get(t.theme, 99), t.annotator))
        out = Text("Tags", style=BOLD)
        if not tags:
            out.append("\n")
            out.append("none yet — press a number (the keys below), or t to pick a theme", DIM)
        for tag in tags:
            out.append("\n")
            out.append_text(look.chip(tag.theme))
            out.append_text(literal(f" {tag.annotator}", DIM))
            if tag.at:
                out.append_text(literal(f" {tag.at[:10]}", DIM))
            if tag.comment:
                out.append_text(literal(f"  “{tag.comment}”"))
            for span in placed_spans(tag, self._text):
                out.append("\n    ")
                out.append_text(literal(f"“{' '.join(span.quote.split())}”", look.span_style(tag.theme)))
        memos = session.memos_on(passage_id)
        for memo in memos:
            out.append("\n")
            out.append_text(literal(f"{memo.annotator}: {memo.text}"))
        return out

    def _notes(self, theme_ids: list[str]) -> Text:
        look = self.app.look
        out = Text()
        for theme_id in sorted(theme_ids, key=lambda t: look.order.get(t, 99)):
            theme = look.by_id.get(theme_id)
            if theme is None or not theme.description:
                continue
            if out:
                out.append("\n\n")
            out.append_text(look.chip(theme_id))
            out.append("\n")
            out.append_text(literal(theme.description))
        return Text("Theme notes\n", style=BOLD) + out if out else out

    # -- choosing words for a span tag ----------------------------------------------------------

    def _draw_text(self) -> None:
        session, look = self.app.session, self.app.look
        tagged = [(s.start, s.end, look.span_style(tag.theme))
                  for tag in session.tags_on(self.passage_id) for s in placed_spans(tag, self._text)]
        tagged.sort(key=lambda t: t[0] - t[1])  # the widest first: a narrower span shows over it
        self.query_one("#passage-text", Static).update(drawn(self._text, self.words, self.matches, tagged))

    def selected_span(self) -> Span | None:
        """The words selected for a span tag (None: the tag is on the whole passage)."""
        return self.words.span()

    def passage_text(self) -> str:
        return self._text

    def drop_word_selection(self) -> None:
        if self.words.clear():
            self._draw_text()

    def action_back(self) -> None:
        if self.words.clear():  # escape drops a selection first, then leaves
            self._draw_text()
        else:
            self.app.pop_screen()

    def action_word(self, step: int, extend: bool = False) -> None:
        if self.words.cursor is None:
            self.words.start_at(self._first_visible_offset())
        else:
            self.words.move(step, extend)
        self._after_move()

    def action_selecting(self) -> None:
        self.words.start_at(self._first_visible_offset())
        self.words.toggle_selecting()
        self._after_move()

    def action_sentence(self) -> None:
        self.words.start_at(self._first_visible_offset())
        self.words.select_sentence()
        self._after_move()

    def _first_visible_offset(self) -> int:
        return min((start for start, _ in self.matches), default=0)

    def _after_move(self) -> None:
        self._draw_text()
        offset = self.words.cursor_offset()
        if offset is not None:
            self.call_after_refresh(self._keep_visible, offset)

    def _keep_visible(self, offset: int) -> None:
        y = self._line_of(offset)
        scroll = self.query_one("#passage-scroll", VerticalScroll)
        if not scroll.scroll_y <= y < scroll.scroll_y + scroll.scrollable_content_region.height - 1:
            scroll.scroll_to(y=max(0, y - 3), animate=False)

    def _line_of(self, offset: int) -> int:
        text_widget = self.query_one("#passage-text", Static)
        width = text_widget.content_region.width
        lines = len(literal(self._text[:offset] + "x").wrap(self.app.console, max(width, 1)))
        return text_widget.virtual_region.y + lines - 1

    def _word_under(self, event: events.MouseEvent) -> int | None:
        """The word under the mouse, from the place in the text Textual's rendering marks each cell with."""
        widget, place = self.get_widget_and_offset_at(event.screen_x, event.screen_y)
        if place is None or widget is not self.query_one("#passage-text"):
            return None
        return word_at(self.words.words, text_offset(self._text, place.y, place.x))

    def on_mouse_down(self, event: events.MouseDown) -> None:
        index = self._word_under(event)
        if index is None:
            return
        self._drag_from = index
        self.words.click(index)
        self._draw_text()

    def on_mouse_move(self, event: events.MouseMove) -> None:
        if self._drag_from is None or not event.button:
            return
        index = self._word_under(event)
        if index is not None and (index != self.words.cursor or self.words.anchor is None):
            self.words.drag_to(index, self._drag_from)
            self._draw_text()

    def on_mouse_up(self, event: events.MouseUp) -> None:
        self._drag_from = None
