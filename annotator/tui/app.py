"""The annotator terminal UI: search as you type, read, tag, undo.

Every change goes through the Session (the same core the CLI uses) and is on disk
before the screen shows it. The index is opened and the corpus files are watched
in worker threads so the UI never waits on the disk.
"""

from __future__ import annotations

import importlib
import threading
import time
from collections import Counter
from functools import partial
from typing import TYPE_CHECKING, Callable, Iterable

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.worker import get_current_worker

from annotator.display import clip
from annotator.errors import AnnotatorError, PassageRemoved
from annotator.history import is_comment, passage_of
from annotator.tui.collector import resume_collector
from annotator.tui.locked_session import LockedSession
from annotator.tui.meaning_mode import MeaningMode
from annotator.tui.main_screen import MainScreen
from annotator.textsafe import show_controls
from annotator.tui.render import ThemeLook

if TYPE_CHECKING:  # the caller has imported the session module already
    from annotator.session import CommentChange, SearchResult, Session, TagChange

POLL_SECONDS = 1.0
WARM_REST_SECONDS = 0.005  # the least pause between two warm-up steps
WARM_REST_MAX_SECONDS = 0.1
WARM_IDLE_SECONDS = 0.3  # warm up only this long after the last search: while the user reads, not types
PALETTE_TITLE_CHARS = 60
FAILED = object()  # what `change` returns when the write did not happen
WARMED = object()  # what the warm-up's steps give when there are no more


def _seen_after_write(seen: dict | None, before: dict, after: dict) -> dict | None:
    """The file signatures the UI has caught up with, after a write of its own: the files the write
    changed count as seen; a file another process changed before it stays unseen, for the next poll."""
    if seen is None:
        return None
    updated = dict(seen)
    for path in before.keys() | after.keys():
        if before.get(path) != after.get(path):
            if path in after:
                updated[path] = after[path]
            else:
                updated.pop(path, None)
    return updated


def _import_ahead() -> None:
    """Modules a search may need, imported before the keystroke that needs them would wait
    ~40 ms for each (did-you-mean's rapidfuzz, the codebook for `theme:`)."""
    for module in ("rapidfuzz.distance", "rapidfuzz.process", "annotator.corpus.codebook"):
        importlib.import_module(module)


# The app's actions on the selected passage (annotator.tui.bindings): not offered without one.
PASSAGE_ACTIONS = frozenset({"toggle_theme", "pick_theme", "suggest", "comment", "copy_quote"})


class AnnotatorApp(App):
    CSS_PATH = "app.tcss"
    TITLE = "annotator"
    BINDINGS = [
        Binding("f1", "help", "Help"),
        # Everywhere a key is not text being typed (a text box types it): the report, the grid, the theme panel…
        Binding("question_mark", "help", "Help", show=False),
        Binding("k", "concordance", "Concordance", show=False),
        Binding("f2", "toggle_meaning", "Words/meaning", show=False),
    ]

    def __init__(self, session: "Session"):
        super().__init__()
        self.session = LockedSession(session)
        self.look = ThemeLook([])  # the codebook is read just after the first frame (_first_frame)
        self.start_error: AnnotatorError | None = None  # the codebook could not be read: run_tui reports it
        self.counts: Counter = Counter()
        self.index_ready = False
        self.last_paint: tuple[str, float] | None = None  # (query, time) of the last results frame
        self.first_frame_at: float | None = None  # when the first frame was painted (benchmarks read these)
        self.search_ms: dict[str, float] = {}  # query -> how long the core's search took, last time
        self.warmed_at: float | None = None  # when the search warm-up finished
        self.last_search_at = 0.0  # the warm-up steps aside while searches come in
        self._busy = threading.Lock()  # one writer or sync at a time: the index is not shared-write safe
        self._signatures: dict | None = None
        self._failed_signatures: dict | None = None  # the files as they were when they could not be read
        self._blind = session.blind()  # blind coding as shown: the header says so, only my tags are shown
        self.meaning = MeaningMode(self)  # the search box by words or by meaning (f2)

    def get_default_screen(self) -> Screen:
        return MainScreen()

    @property
    def main(self) -> MainScreen:
        return self.screen_stack[0]  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.call_after_refresh(self._first_frame)
        self.set_interval(POLL_SECONDS, self.poll_corpus)

    # -- the index and the corpus on disk ---------------------------------------------------

    @work(thread=True, exclusive=True, group="sync")
    def open_index(self) -> None:
        """Bring the index up to date (building it on first use) and load the counts."""

        def progress(done: int, total: int) -> None:
            self.call_from_thread(self.main.set_status, f"Building the index: {done:,} / {total:,} passages…")

        with self._busy:
            try:
                # Before the sync reads them: a file changed while it runs differs at the next poll.
                signatures = self.session.signatures()
                self.session.unlocked.notify_rebuilds(self._index_rebuilt)
                self.session.sync(progress=progress)
                counts = self.session.theme_counts()
            except AnnotatorError as error:
                self.call_from_thread(self._open_failed, str(error), signatures)
                return
        self.call_from_thread(self._corpus_changed, counts, signatures)

    def _open_failed(self, message: str, signatures: dict) -> None:
        """A corpus file cannot be read: the counter says so, and (once for these files) a toast says it
        whole, which the counter cuts at 80 columns; the poll tries again when a file changes."""
        self.main.set_status(message)
        if signatures != self._failed_signatures:
            self.notify(message, title="Cannot read the corpus", severity="error", timeout=15, markup=False)
        self._failed_signatures = signatures
        # Seen as they are, broken: the next change opens it again, even one that puts the files back
        # as they were before (a broken file added, then deleted), which compared equal to the last good read.
        self._signatures = signatures

    @work(thread=True, exclusive=True, group="warm", exit_on_error=False)
    def warm_up(self) -> None:
        """Read ahead what a fresh process's first searches would read (annotator.engine.search.warm_up).

        Only while no search has come for a moment (the user reads rather than types), one
        small step at a time under the session lock, so a search waits for a step at most;
        after each step the thread rests twice as long as the step took, so painting keeps
        most of the interpreter meanwhile.
        """
        worker = get_current_worker()
        steps = self.session.unlocked.warm_up()
        imported = False
        while not worker.is_cancelled and self.is_running:
            if time.perf_counter() - self.last_search_at < WARM_IDLE_SECONDS:
                time.sleep(WARM_REST_SECONDS)  # the user is typing: the searches come first
                continue
            if not imported:  # outside the session lock: a search need not wait for an import
                _import_ahead()
                imported = True
                continue
            started = time.perf_counter()
            with self.session.lock:
                if worker.is_cancelled or not self.is_running:
                    return
                try:
                    finished = next(steps, WARMED) is WARMED
                except Exception:  # an optimisation only: searches read on demand what is not warm
                    return
            if finished:
                self.warmed_at = time.perf_counter()
                return
            rest_until = time.perf_counter() + min(WARM_REST_MAX_SECONDS, max(WARM_REST_SECONDS, 2 * (time.perf_counter() - started)))
            while time.perf_counter() < rest_until and not worker.is_cancelled and self.is_running:
                time.sleep(WARM_REST_SECONDS)  # in slices: quitting must not wait for a long rest

    def _index_rebuilt(self, reason: str) -> None:
        """A search found the index damaged and rebuilt it (from any thread: notify is thread-safe)."""
        self.notify(f"Rebuilt the index ({reason}).", severity="warning", markup=False)

    def poll_corpus(self) -> None:
        """Another process (the CLI, git) may have changed the corpus: sync when a file signature moved."""
        if self._busy.locked():
            return
        if not self.index_ready:  # the first opening failed: once a file is mended, open again
            if self._failed_signatures is not None and self.session.signatures() != self._failed_signatures:
                self.open_index()
            return
        blind = self.session.blind()  # `annotator config blind` in another shell: the header and tags follow
        if blind != self._blind:
            self._blind = blind
            self.meaning.show()
            self.open_index()
        elif self.session.signatures() != self._signatures or self.session.themes() != self.look.themes:
            self.open_index()  # the codebook compared by content too: digits must mean what the file says

    def _corpus_changed(self, counts: Counter, signatures: dict) -> None:
        if self._failed_signatures is not None:  # mended: the error's toast no longer says how things are
            self._failed_signatures = None
            self.clear_notifications()
        self.counts = counts
        self._signatures = signatures
        self.look = ThemeLook(self.session.themes())
        self.index_ready = True
        self.main.refresh_after_change(None)
        self.warm_up()
        for screen in self.screen_stack[1:]:
            if hasattr(screen, "reload"):
                screen.reload()

    # -- searching ---------------------------------------------------------------------------

    def search(self, query: str, limit: int, is_cancelled: Callable[[], bool] = lambda: False) -> "SearchResult | None":
        """Run a query for the results list (from a worker thread); None when a newer one replaced it."""
        kind = None if "kind:" in query.lower() else "passage"
        self.last_search_at = time.perf_counter()
        with self.session.lock:
            if is_cancelled():
                return None
            started = time.perf_counter()
            # A newer keystroke (or quitting) stops it between steps (None), freeing the lock.
            if self.meaning.on:
                result = self.meaning.search(query, limit)
            else:
                result = self.session.unlocked.search_unless_cancelled(query, limit=limit, kind=kind, as_you_type=True,
                                                                       cancelled=is_cancelled)
            if result is None:
                return None
            self.search_ms[query] = (time.perf_counter() - started) * 1000
            return result

    def _first_frame(self) -> None:
        self.first_frame_at = time.perf_counter()
        resume_collector()
        try:  # not before the first frame: reading YAML imports PyYAML (~30 ms)
            self.look = ThemeLook(self.session.themes())
        except AnnotatorError as error:
            self.start_error = error
            self.exit(return_code=error.exit_code)
            return
        # Only now: importing Whoosh and opening the index in a thread would hold the
        # GIL against the first paint; the search box takes keys meanwhile.
        self.open_index()

    def painted(self, query: str) -> None:
        self.last_paint = (query, time.perf_counter())

    def notify(self, message: str, *, title: str = "", **options) -> None:
        """Every toast passes through the sanitiser: they name passages, themes and errors from files."""
        super().notify(show_controls(str(message)), title=show_controls(title), **options)

    # -- the selected passage -------------------------------------------------------------

    def selected_passage_id(self) -> str | None:
        for screen in reversed(self.screen_stack):
            finder = getattr(screen, "selected_passage_id", None)
            if finder is not None:
                return finder()
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The keys that act on a passage (1-9, t, s, c, y) are in the footer only while one is selected."""
        if action in PASSAGE_ACTIONS and self.selected_passage_id() is None:
            return False
        return True

    async def _run_command(self, action: str) -> None:
        """A palette command: one that needs a passage says so when none is selected (its key is hidden)."""
        if self.check_action(action.partition("(")[0], ()) is False:
            self._passage_or_warn()
            return
        await self.run_action(action)

    def _passage_or_warn(self) -> str | None:
        passage_id = self.selected_passage_id()
        if passage_id is None:
            self.notify("Select a passage first (down from the search box).", severity="warning", markup=False)
        return passage_id

    # -- tag changes ---------------------------------------------------------------------------

    def change(self, passage_id: str, do: Callable[[], object]) -> object:
        """Run one write through the session, then show it everywhere; FAILED if it could not.

        `do` writes the YAML only (index_later): a search holding the session lock is not
        waited for; the index catches up in a worker (catch_up_index).
        """
        if not self._busy.acquire(blocking=False):
            self.notify("The corpus is being re-read; try again in a moment.", severity="warning", markup=False)
            return FAILED
        try:
            # Every annotator's file is read after a write (counts, the index): read them first,
            # so that a malformed one stops the change before anything is written.
            self.session.check_annotations()
            before = self.session.signatures()
            result = do()
            self.counts = self.session.theme_counts()
            self._signatures = _seen_after_write(self._signatures, before, self.session.signatures())
        except AnnotatorError as error:
            self.notify(str(error), severity="error", markup=False)
            if isinstance(error, PassageRemoved):
                self.call_after_refresh(self.open_index)  # after _busy is free: the list shows the corpus as it is
            return FAILED
        finally:
            self._busy.release()
        self.catch_up_index()
        self.main.refresh_after_change(passage_id)
        for screen in self.screen_stack[1:]:
            if hasattr(screen, "reload"):
                screen.reload()
        return result

    @work(thread=True, group="catch-up", exit_on_error=False)
    def catch_up_index(self) -> None:
        """Tell the index about the tag changes just written (after any search under way)."""
        try:
            self.session.catch_up()
        except AnnotatorError as error:
            self.call_from_thread(self.main.set_status, str(error))

    def describe(self, change: "TagChange | CommentChange", undone: bool = False) -> str:
        if is_comment(change):
            where = "the passage" if change.on_passage else self.look.name(change.theme)
            return f"Comment {change.what}: {change.passage}, {where}"
        added = change.added != undone
        verb = "Tagged" if added else "Untagged"
        span = change.span or (change.tag.spans[0] if len(change.tag.spans) == 1 else None)
        words = f" on “{clip(' '.join(span.quote.split()))}”" if span else ""
        return f"{verb} {change.tag.passage}: {self.look.name(change.tag.theme)}{words}"

    def _selection_screen(self):
        """The screen the selected passage is on, when words of it are selected (the passage view)."""
        for screen in reversed(self.screen_stack):
            if getattr(screen, "selected_passage_id", None) is not None:
                return screen if getattr(screen, "selected_span", None) and screen.selected_span() else None
        return None

    def toggle(self, passage_id: str, theme_id: str) -> None:
        """Toggle the theme on the passage, or on the words selected in it (a span tag)."""
        screen = self._selection_screen()
        span, text = (screen.selected_span(), screen.passage_text()) if screen else (None, None)
        change = self.change(passage_id, lambda: self.session.unlocked.toggle(
            passage_id, theme_id, index_later=True, span=span, passage_text=text))
        if change is not FAILED and change is not None:  # the session recorded it for undo
            self.notify(self.describe(change), timeout=2, markup=False)
            if screen:
                screen.drop_word_selection()  # the words now show in the theme's colour

    def add_tag(self, passage_id: str, theme_id: str, comment: str | None = None) -> None:
        changes = self.change(passage_id, lambda: self.session.unlocked.tag(passage_id, [theme_id], comment=comment,
                                                                              index_later=True))
        if changes is FAILED:
            return
        name = self.look.name(theme_id)  # worded as describe() words a digit's tag and a comment
        said = f"Comment saved: {passage_id}, {name}" if comment is not None else f"Tagged {passage_id}: {name}"
        self.notify(said, timeout=2, markup=False)

    def action_toggle_theme(self, number: int) -> None:
        if number > len(self.look.themes):
            self.notify(f"There is no theme {number}; 't' picks any theme.", severity="warning", markup=False)
            return
        passage_id = self._passage_or_warn()
        if passage_id:
            self.toggle(passage_id, self.look.themes[number - 1].id)

    # Through `unlocked` with index_later: the YAML only, so no wait behind a search.
    def action_undo(self) -> None:
        change = self.session.history.next_undo()
        if change is None:
            self.notify("Nothing to undo.", timeout=2, markup=False)
            return
        if self.change(passage_of(change), lambda: self.session.unlocked.undo(index_later=True)) is not FAILED:
            self.notify("Undone: " + self.describe(change), timeout=2, markup=False)

    def action_redo(self) -> None:
        change = self.session.history.next_redo()
        if change is None:
            self.notify("Nothing to redo.", timeout=2, markup=False)
            return
        if self.change(passage_of(change), lambda: self.session.unlocked.redo(index_later=True)) is not FAILED:
            self.notify("Redone: " + self.describe(change), timeout=2, markup=False)

    # -- screens ------------------------------------------------------------------------------

    def open_passage(self, passage_id: str) -> None:
        from annotator.tui.passage_screen import PassageScreen  # a screen: loaded when first opened

        found = next((hit for hit in self.main.results.hits if hit.id == passage_id), None)
        self.push_screen(PassageScreen(passage_id, found.matches if found else None))

    def open_theme(self, theme_id: str) -> None:
        from annotator.tui.theme_screen import ThemeScreen  # a screen: loaded when first opened

        self.push_screen(ThemeScreen(theme_id))

    def action_open_passage(self) -> None:
        passage_id = self._passage_or_warn()
        if passage_id:
            self.open_passage(passage_id)

    def action_pick_theme(self) -> None:
        from annotator.tui.theme_picker import ThemePicker  # a screen: loaded when first opened

        passage_id = self._passage_or_warn()
        if passage_id:
            applied = {t.theme for t in self.session.tags_on(passage_id)}
            self.push_screen(ThemePicker(self.look, applied), partial(self._picked, passage_id))

    def _picked(self, passage_id: str, theme_id: str | None) -> None:
        from annotator.tui.theme_picker import ADD  # a screen: loaded when first opened

        if theme_id and theme_id.startswith(ADD):
            theme_id = self.add_theme(theme_id[len(ADD):])
        if theme_id:
            self.toggle(passage_id, theme_id)

    def add_theme(self, name: str) -> str | None:
        """Add a theme to the codebook (the picker's "Add theme …"); its id, or None after an error shown."""
        try:
            theme = self.session.add_theme(name)  # under the session lock: its note joins the index
        except AnnotatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return None
        self.refresh_themes()
        number = self.look.numbers.get(theme.id)
        self.notify(f"Added theme {clip(theme.name)}" + (f" (key {number})" if number else ""), timeout=3, markup=False)
        return theme.id

    def action_suggest(self) -> None:
        from annotator.tui.suggest_screen import SuggestScreen  # a screen: loaded when first opened

        passage_id = self._passage_or_warn()
        if passage_id:
            self.push_screen(SuggestScreen(passage_id), partial(self._accepted, passage_id))

    def _accepted(self, passage_id: str, theme_id: str | None) -> None:
        if theme_id:
            self.add_tag(passage_id, theme_id)

    def action_comment(self) -> None:
        from annotator.tui.comment_screen import CommentScreen  # a screen: loaded when first opened

        passage_id = self._passage_or_warn()
        if not passage_id:
            return
        me = self.session.default_annotator()
        mine = {t.theme: t.comment or "" for t in self.session.tags_on(passage_id) if t.annotator == me}
        memo = " / ".join(m.text for m in self.session.memos_on(passage_id) if m.annotator == me)
        recent = self.session.history.last_tagged(passage_id)
        self.push_screen(CommentScreen(passage_id, self.look, mine, recent, memo), partial(self._commented, passage_id, set(mine)))

    def _commented(self, passage_id: str, tagged: set[str], answer: tuple[str, str] | None) -> None:
        from annotator.tui.comment_screen import PASSAGE  # a screen: loaded when first opened

        if answer is None:
            return
        target, text = answer
        if target != PASSAGE and target not in tagged:
            if text:
                self.add_tag(passage_id, target, text)  # commenting on a theme not on the passage tags it
            return
        session = self.session.unlocked  # the YAML only (index_later): no wait behind a search
        if target == PASSAGE:
            edit = lambda: session.replace_passage_comment(passage_id, text, index_later=True)  # noqa: E731
        else:
            edit = lambda: session.set_tag_comment(passage_id, target, text or None, index_later=True)  # noqa: E731
        self.comment_change(passage_id, edit)

    def comment_change(self, passage_id: str, edit: Callable[[], "CommentChange"]) -> None:
        """Write a comment change (a Session comment method) through `change`; the session records it for undo."""
        change = self.change(passage_id, edit)
        if change is not FAILED:
            self.notify(self.describe(change), timeout=2, markup=False)

    def action_copy_quote(self) -> None:
        passage_id = self._passage_or_warn()
        if not passage_id:
            return
        screen = self._selection_screen()
        try:
            quotation = self.session.quote(passage_id, span=screen.selected_span() if screen else None)
        except AnnotatorError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        self.copy_to_clipboard(quotation)
        shown = quotation if len(quotation) <= 80 else quotation[:77] + "…"
        self.notify(shown, title="Copied", timeout=3, markup=False)

    def action_help(self) -> None:
        from annotator.tui.help_screen import HelpScreen  # a screen: loaded when first opened

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen())

    def action_toggle_meaning(self) -> None:
        self.meaning.toggle()

    def action_focus_search(self) -> None:
        while len(self.screen_stack) > 1:
            self.pop_screen()
        box = self.main.search_box
        self.main.set_focus(box)
        box.select_all()

    def action_focus_results(self) -> None:
        results = self.main.results
        if results.hits:
            self.main.set_focus(results)  # at once, so a key typed right after `down` goes to the results
            results.highlighted = 0

    # -- command palette ---------------------------------------------------------------------

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # Textual's fuzzy matcher takes time exponential in a title's length (minutes at 150
        # characters): every title is cut, whatever name went into it.
        for command in self._system_commands(screen):
            if len(command.title) > PALETTE_TITLE_CHARS:
                command = SystemCommand(clip(command.title, PALETTE_TITLE_CHARS), command.help, command.callback)
            yield command

    def _system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        from annotator.tui.commands import COMMANDS  # a screen: loaded when first opened

        for command in super().get_system_commands(screen):
            if command.title == "Theme":  # Textual's colours, not the codebook's themes
                command = SystemCommand("Colour scheme", "Change the colours of the whole screen (dark, light, …)", command.callback)
            yield command
        for command in COMMANDS:
            yield SystemCommand(command.title, command.help, partial(self._run_command, command.action))
        for number, theme in enumerate(self.look.themes, start=1):
            key = f" ({number})" if number <= 9 else ""
            yield SystemCommand(
                f"Toggle theme: {clip(theme.name)}{key}",  # whole, a long name stalls the fuzzy matcher
                "Tag or untag the selected passage with this theme",
                partial(self._toggle_from_palette, theme.id),
            )
        yield SystemCommand("Themes panel", "Move to the theme panel", self._focus_themes)
        yield SystemCommand("Export", "Write the evidence sheet (.md), or .csv, .json, .qdpx, to a file", self._export)
        yield SystemCommand("Import a file…", "Passages from a text, book or highlights file, with a progress bar", self._import)
        yield SystemCommand("Import theme notes…", "Themes from a study guide's page: a theme per paragraph (import --themes)",
                            partial(self._import, True))
        yield SystemCommand("Concordance (k)", "Every occurrence of the search words in context, aligned and sortable",
                            self.action_concordance)
        yield SystemCommand("Book at a glance", "Chapters down, themes across: where each theme runs (report --grid)",
                            self.action_grid)
        from annotator.tui.tutor_commands import tutor_commands  # its screens: loaded when the palette opens
        yield from tutor_commands(self, self.session)

    tag_view = None  # whose tags the results show (annotator.tag_view.TagView); None: everyone's

    def set_tag_view(self, view) -> None:
        """Show only mine, one other annotator's, or everyone's tags (the palette's "Whose tags are shown")."""
        self.tag_view = view
        self.main.refresh_after_change(None)

    def refresh_themes(self) -> None:
        """The codebook changed (a palette edit): re-read it and redraw."""
        self.look = ThemeLook(self.session.themes())
        self.counts = self.session.theme_counts()
        self.main.refresh_after_change(None)

    def _toggle_from_palette(self, theme_id: str) -> None:
        passage_id = self._passage_or_warn()
        if passage_id:
            self.toggle(passage_id, theme_id)

    def action_concordance(self) -> None:
        """Every occurrence of the search box's words in context (annotator kwic)."""
        from annotator.tui.concordance_screen import ConcordanceScreen

        term = self.main.query_one("#search").value.strip()
        if not term:
            self.notify("Type a word or \"phrase\" in the search box first; k then shows each occurrence in context.",
                        severity="warning", markup=False)
            return
        self.push_screen(ConcordanceScreen(term))

    def action_grid(self) -> None:
        from annotator.tui.grid_screen import GridScreen

        self.push_screen(GridScreen())

    def _export(self) -> None:
        from annotator.tui.export_command import ask_and_export  # a screen: loaded when first opened

        ask_and_export(self)

    def _import(self, themes: bool = False) -> None:
        from annotator.tui.import_screen import ImportScreen

        self.push_screen(ImportScreen(themes))

    def _focus_themes(self) -> None:
        self.action_focus_search()
        self.main.set_focus(self.main.query_one("#themes"))
