"""The concordance screen (`annotator kwic`): every occurrence of the search words in context, the
matches aligned in one column; a strip above shows where in each book they fall.

`o` orders by place in the book, or by the words before or after the match; `enter` opens the
passage at the match; digits and `t` tag the passage, as everywhere a passage is selected.
"""

from __future__ import annotations

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.worker import get_current_worker
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from annotator.concordance import SORTS, Concordance, KwicLine, joined_context, sort_lines
from annotator.errors import AnnotatorError
from annotator.tui.bindings import PASSAGE_BINDINGS
from annotator.tui.render import DIM, HIGHLIGHT, literal, one_line

STRIP_LABEL = 18
WHERE_CHARS = 16  # the location column, at most
MIN_SIDE = 8
# How the lines are ordered, in words (the CLI's --sort names them position, left, right).
SORT_NAMES = {"position": "In book order", "left": "Sorted by the words before", "right": "Sorted by the words after"}
TUI_LIMIT = 300  # passages read: a common word's lines come in well under a second at 100k passages


class KwicList(OptionList):
    BINDINGS = [Binding("enter", "select", "Open"), Binding("o", "screen.sort", "Order"), *PASSAGE_BINDINGS]


class ConcordanceScreen(Screen):
    DEFAULT_CSS = """
    ConcordanceScreen #kwic-head { margin: 0 1; }
    ConcordanceScreen #kwic-strip { margin: 0 1 1 1; height: auto; max-height: 6; }
    ConcordanceScreen #kwic-lines { height: 1fr; }
    """
    BINDINGS = [Binding("escape", "app.pop_screen", "Back", show=False)]

    def __init__(self, term: str):
        super().__init__()
        self.term = term
        self.sort = "position"
        self.found: Concordance | None = None
        # passage id -> source title, index, passages in it; None until the corpus has been read
        self.places: dict[str, tuple[str, int, int]] | None = None

    @property
    def shown_term(self) -> str:
        """The term as typed, a quoted phrase without its straight quotes: the head quotes it already."""
        term = self.term.strip()
        return term[1:-1] if len(term) > 2 and term[0] == term[-1] == '"' and '"' not in term[1:-1] else self.term

    def compose(self) -> ComposeResult:
        yield Static(literal(f"Concordance of “{self.shown_term}”: finding…"), id="kwic-head", markup=False)
        yield Static(id="kwic-strip", markup=False)
        yield KwicList(id="kwic-lines")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(KwicList).focus()
        self._find()

    @work(thread=True, exclusive=True, group="kwic")
    def _find(self) -> None:
        worker = get_current_worker()  # cancelled when the screen closes: a long reading stops, searches go on
        try:
            found = self.app.session.kwic(self.term, width=200, sort=self.sort, limit=TUI_LIMIT,
                                          cancelled=lambda: worker.is_cancelled)
        except AnnotatorError as error:
            self.app.call_from_thread(self.query_one("#kwic-head", Static).update, literal(str(error)))
            return
        if worker.is_cancelled:
            return
        self.app.call_from_thread(self.show, found)
        # The strip needs every book's passages, read from the corpus (seconds, the first time, at
        # 100k passages): the lines are shown first, the strip when they are known.
        try:
            places = self.app.session.reading_places()
        except AnnotatorError:
            return
        self.app.call_from_thread(self.show_places, places)

    def show(self, found: Concordance) -> None:
        self.found = found
        self.query_one(KwicList).display = bool(found.lines)  # no empty box: the head says why
        self._draw_head()
        self.query_one("#kwic-strip", Static).update(self._strip())
        self._fill()

    def show_places(self, places: dict) -> None:
        self.places = places
        if self.found is not None:
            self.query_one("#kwic-strip", Static).update(self._strip())

    def _draw_head(self) -> None:
        found = self.found
        if not found.lines:
            self.query_one("#kwic-head", Static).update(self._nothing_found())
            return
        head = Text()
        occurrences = f"{len(found.lines)} occurrence{'s' if len(found.lines) != 1 else ''}"
        if not found.complete:  # common words, read in book order until enough held them
            where = "the first passage that holds it" if found.read == 1 else f"the first {found.read} passages that hold it"
        else:
            where = f"{found.passages} passage{'s' if found.passages != 1 else ''}"
            where += f" (the {found.read} best read)" if found.read < found.passages else ""
        head.append_text(literal(f"Concordance of “{self.shown_term}”: {occurrences} in {where}"))
        head.append_text(literal(f"\n{SORT_NAMES[self.sort]} (o changes it) · enter opens the passage · esc back", DIM))
        if found.notice:
            head.append_text(literal(f"\n{found.notice}", DIM))
        if found.suggestion:
            head.append_text(literal(f"\ndid you mean: {found.suggestion.strip(chr(34))}", DIM))
        self.query_one("#kwic-head", Static).update(head)

    def _nothing_found(self) -> Text:
        """The head when no passage holds the term: what was looked for, and what to do next."""
        found = self.found
        head = literal(f"No passage holds “{self.shown_term}”.")
        if found.notice:
            head.append_text(literal(f"\n{found.notice}", DIM))
        if found.suggestion:
            head.append_text(literal(f"\ndid you mean: {found.suggestion.strip(chr(34))}"))
        if len(self.shown_term.split()) > 1:
            head.append_text(literal("\nSeveral words are found here as one phrase, in this order.", DIM))
        head.append_text(literal("\nesc goes back to the search; / there changes the words", DIM))
        return head

    def _strip(self) -> Text:
        """A line per book: where in it (from its first passage to its last) each match falls."""
        if self.places is None:
            return literal("Where in the book: reading the books…", DIM) if self.found.lines else Text()
        width = max(10, self.size.width - STRIP_LABEL - 4)
        by_source: dict[str, list[int]] = {}
        sizes: dict[str, int] = {}
        for line in self.found.lines:
            title, number, count = self.places.get(line.id, (line.source, 0, 1))
            by_source.setdefault(title, []).append(number * width // max(count, 1))
            sizes[title] = count
        out = Text()
        for title, columns in by_source.items():
            if out:
                out.append("\n")
            label = title if len(title) <= STRIP_LABEL else title[: STRIP_LABEL - 1] + "…"
            out.append_text(one_line(f"{label:<{STRIP_LABEL}} "))
            marks = set(columns)
            out.append("".join("┃" if c in marks else "·" for c in range(width)), Style(color="#e5c07b"))
        return out

    def _fill(self) -> None:
        lines = self.query_one(KwicList)
        keep = lines.highlighted
        found = self.found.lines
        where = min(WHERE_CHARS, max((len(line.location) for line in found), default=0))
        longest = max((cell_len(line.match) for line in found), default=0)  # columns: 時計 takes 4
        # The row fills the list: its width less the options' padding and a scrollbar's room.
        room = (lines.content_region.width or self.size.width) - 4
        side = max(MIN_SIDE, (room - longest - 2 - where) // 2 - 1)
        lines.set_options(Option(self._row(line, side, longest, where), id=f"{n}") for n, line in enumerate(found))
        if found:
            lines.highlighted = min(keep or 0, len(found) - 1)

    @staticmethod
    def _row(line: KwicLine, side: int, longest: int, where_chars: int) -> Text:
        left = joined_context(line, side)[0]
        right = joined_context(line, side + longest - cell_len(line.match))[1]  # the places line up
        where = line.location if len(line.location) <= where_chars else line.location[: max(where_chars - 1, 0)] + "…"
        row = literal(left)
        row.append_text(literal(line.match, HIGHLIGHT))
        row.append_text(literal(right + "  "))
        row.append_text(literal(where, DIM))
        return row

    def on_resize(self) -> None:
        if self.found is not None:
            self.query_one("#kwic-strip", Static).update(self._strip())
            self._fill()

    def _line(self) -> KwicLine | None:
        lines = self.query_one(KwicList)
        if self.found is None or lines.highlighted is None or not self.found.lines:
            return None
        return self.found.lines[lines.highlighted]

    def selected_passage_id(self) -> str | None:
        line = self._line()
        return line.id if line else None

    def action_sort(self) -> None:
        if self.found is None:
            return
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]
        self.found.lines = sort_lines(self.found.lines, self.sort)
        self._draw_head()
        self._fill()

    def reload(self) -> None:
        """A tag changed: the lines stay (they hold no tags)."""

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        from annotator.tui.passage_screen import PassageScreen

        line = self.found.lines[int(event.option.id)]
        self.app.push_screen(PassageScreen(line.id, [[line.start, line.end]]))
