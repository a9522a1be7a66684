"""The main screen: search box, results counter and list, theme panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, OptionList
from textual.worker import get_current_worker

from annotator.display import clip
from annotator.errors import AnnotatorError
from annotator.textsafe import show_controls, show_line
from annotator.tui.results_list import ResultsList
from annotator.tui.search_box import SearchBox
from annotator.tui.theme_panel import ThemePanel

if TYPE_CHECKING:  # the records the session hands out
    from annotator.session import SearchResult

# Results searched beyond the rows the list shows: the cursor reaches them before more load.
# (Each result costs a stored-document read and highlighting: a keystroke searches only what is seen.)
PAGE_SLACK = 3


NO_PASSAGES = "No passages yet: ctrl+p, Import a file…"
# A meaning query may wait for the passage being embedded: past this, the counter says it is searching
# rather than show the last query's count above its results as if they were this one's.
SEARCHING_AFTER_S = 0.3
SEARCHING = "searching by meaning…"


def counter_text(result: SearchResult) -> str:
    if not result.total and not result.query.strip():  # an empty box lists every passage: there are none
        return NO_PASSAGES
    noun = "passage" if result.total == 1 else "passages"
    text = f"{result.total:,} {noun}"
    if result.suggestion:
        text += f" — did you mean: {result.suggestion}"
    if result.notice:
        text += f" — {result.notice}"
    if result.notices:  # the query budget cut something (annotator.engine.query_budget)
        text += " — " + "; ".join(["query cut down: " + result.notices[0], *result.notices[1:]])
    return text


def workspace_label(ws) -> str:
    """The open workspace as the header names it: its folder's name, or 'your own workspace'."""
    if ws.found_by.startswith("your own"):
        return "your own workspace"
    return clip(show_controls(ws.root.name or str(ws.root)), 30)


class MainScreen(Screen):
    def __init__(self) -> None:
        super().__init__()
        self.loaded_limit = 0
        self.total = 0
        self.shown_query: str | None = None  # the query whose results the list shows
        self.status = "Opening the index…"  # the counter's text, shown above the results
        self._search_queued = False  # a search of the box's text waits behind the keys queued up

    def compose(self) -> ComposeResult:
        with Horizontal(id="main"):
            with Vertical(id="left"):
                yield SearchBox(id="search")
                yield ResultsList(id="results")
            yield ThemePanel(id="themes")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.query_one(ThemePanel).border_title = "Themes"
        self.show_title()
        self.set_status(self.status)
        self.query_one(SearchBox).focus()

    def show_title(self, mode: str | None = None) -> None:
        """Which workspace is open, on the search box's top edge (a folder opened by accident shows),
        whether blind coding is on (only my own tags are shown) and the box's `mode` (by default
        the meaning switch's: "by words" from the start, so the edge always says which, as F2's help says)."""
        blind = " · blind" if self.app.session.blind() else ""
        if self.app.session.ws.read_only:  # searched and read, never written: say so before a tag is refused
            blind += " · read-only"
        mode = self.app.meaning.label() if mode is None else mode
        mode = f" · {mode}" if mode else ""
        self.search_box.border_title = Text(f"annotator · {workspace_label(self.app.session.ws)}{blind}{mode}")

    @property
    def search_box(self) -> SearchBox:
        return self.query_one(SearchBox)

    @property
    def results(self) -> ResultsList:
        return self.query_one(ResultsList)

    def selected_passage_id(self) -> str | None:
        return self.results.selected_id

    def set_status(self, text: str) -> None:
        # The counter is the results list's title, not a widget of its own: a keystroke's
        # new count and new results then reach the screen as one update, in one frame.
        self.status = text
        self.results.border_title = Text(show_line(text))  # a Text: never read as markup; controls shown

    # -- searching -----------------------------------------------------------------------

    @on(SearchBox.Changed)
    def _query_changed(self, event: SearchBox.Changed) -> None:
        # One search after the keys already queued, not one for each: keys come faster than they are
        # handled when a terminal types a paste key by key (no bracketed paste) or a key is held, and
        # each new search worker cancels every earlier one still listed, so thousands of keys took
        # minutes (quadratic) with the screen frozen. Typed one at a time, each key still searches.
        if not self._search_queued:
            self._search_queued = True
            self.call_later(self._search_typed)

    def _search_typed(self) -> None:
        self._search_queued = False
        self.search(self.search_box.value)

    def search(self, query: str | None = None, *, keep: str | None = None, more: bool = False) -> None:
        if not self.app.index_ready:
            return
        query = self.search_box.value if query is None else query
        page = self.page_size()
        limit = self.loaded_limit + page if more else max(page, self.loaded_limit if keep else page)
        self._search(query, limit, keep, more)
        if self.app.meaning.on and query != self.shown_query:
            self.set_timer(SEARCHING_AFTER_S, lambda: self._say_searching(query))

    def _say_searching(self, query: str) -> None:
        if query != self.shown_query and query == self.search_box.value:
            self.set_status(SEARCHING)

    def page_size(self) -> int:
        return self.results.rows_shown() + PAGE_SLACK

    @work(thread=True, exclusive=True, group="search")
    def _search(self, query: str, limit: int, keep: str | None, more: bool) -> None:
        worker = get_current_worker()
        try:
            result = self.app.search(query, limit, lambda: worker.is_cancelled)
        except AnnotatorError as error:
            if not worker.is_cancelled:
                self.app.call_from_thread(self.set_status, str(error))
            return
        if result is not None and not worker.is_cancelled:
            self.app.call_from_thread(self._show, result, limit, keep, more)

    def _show(self, result: SearchResult, limit: int, keep: str | None, more: bool) -> None:
        boxes = self.query(SearchBox)
        if not boxes or result.query != boxes.first().value:
            return  # the app is closing (its widgets gone), or a newer keystroke is on its way
        self.loaded_limit = limit
        self.total = result.total
        self.shown_query = result.query
        view = getattr(self.app, "tag_view", None)  # whose tags are shown, once the user has switched
        self.set_status(counter_text(result) + (f" · {view.label} tags" if view else ""))
        self.call_after_refresh(self.app.painted, result.query)
        if more:
            self.results.append_hits(result.hits, self.app.look)
        else:
            self.results.show_hits(result.hits, self.app.look, keep=keep)
            if self.app.meaning.on:
                self.app.meaning.find_sentences(result.query, result.hits)

    def show_sentences(self, query: str, spans: dict) -> None:
        """The rows of a meaning search highlight the sentence that matched best (spans by passage id)."""
        if query == self.shown_query:
            self.results.mark(spans)

    @on(ResultsList.NearEnd)
    def _load_more(self) -> None:
        loaded = len(self.results.hits)
        if loaded < self.total and loaded >= self.loaded_limit:  # fewer than asked for: there are no more
            self.search(more=True)

    # -- opening -------------------------------------------------------------------------

    @on(ResultsList.Selected)
    def _open_passage(self, event: ResultsList.Selected) -> None:
        self.app.open_passage(event.passage_id)

    @on(OptionList.OptionSelected, "#themes")
    def _open_theme(self, event: OptionList.OptionSelected) -> None:
        self.app.open_theme(event.option.id)

    def refresh_after_change(self, passage_id: str | None) -> None:
        """A tag changed here or on disk: redraw the panel, and the passage's row or the whole list."""
        self.query_one(ThemePanel).show_themes(self.app.look, self.app.counts)
        if passage_id is None:
            self.search(keep=self.results.selected_id)
            return
        # The row's tags are read from the annotation files, not the index: a search under way
        # holds the index, and a tag never waits for it.
        listed = next((hit for hit in self.results.hits if hit.id == passage_id), None)
        if listed is not None:
            self.results.update_hit(listed, self.app.look)
