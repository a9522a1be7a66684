"""The passage view: the full text, its citation, every annotator's tags and comments, its themes' notes."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static

from annotator.errors import AnnotatorError
from annotator.tui.bindings import PASSAGE_BINDINGS
from annotator.tui.legend import digit_legend
from annotator.tui.render import DIM, HIGHLIGHT, literal

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


class PassageScreen(Screen):
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("slash", "app.focus_search", "Search", show=False), *PASSAGE_BINDINGS]

    def __init__(self, passage_id: str, matches: list[list[int]] | None = None):
        super().__init__()
        self.passage_id = passage_id
        self.matches = matches or []  # the words that found it: highlighted, and scrolled to

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="passage-scroll"):
            yield Static(id="passage-head", markup=False)
            yield Static(id="passage-text", markup=False)
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
        """A long passage opens at the words that found it, a few lines of context above them."""
        text_widget = self.query_one("#passage-text", Static)
        width = text_widget.content_region.width
        first = min(start for start, _ in self.matches)
        before = literal(self._text[:first] + "x")  # the line the match starts on
        lines = len(before.wrap(self.app.console, max(width, 1)))
        y = text_widget.virtual_region.y + lines - 1
        self.query_one("#passage-scroll", VerticalScroll).scroll_to(y=max(0, y - 3), animate=False)

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
        self._text = hit.text
        self.query_one("#passage-text", Static).update(marked(hit.text, self.matches))
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
