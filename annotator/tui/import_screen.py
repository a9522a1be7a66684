"""The palette's *Import a file…*: a file's path (and, if the file does not say, its title and
author), then the import in a worker thread with a progress bar. *Import theme notes…* is the
same dialog for a study guide's page of themes (`annotator import --themes`): the path alone.

The import is `Session.import_files`, the very call the CLI's `annotator import` makes; the
dialog only asks, shows progress and reports. It stays open after an import, for the next file.
"""

from __future__ import annotations

import threading
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, ProgressBar, Static

from annotator.errors import AnnotatorError
from annotator.textsafe import show_controls
from annotator.tui.text_box import TextBox

HELP = "enter import · tab next box · esc close"
KINDS = "Books (EPUB, PDF, Word, ODT, HTML, text, Markdown, YAML); highlights (Kindle, KOReader, Kobo, Readwise)"
NOTES = "Theme notes (.txt, .md): each paragraph becomes a theme, named by the short line above it"


class ImportScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape", "close", "Close")]

    def __init__(self, themes: bool = False) -> None:
        super().__init__()
        self.themes = themes  # the file is theme notes: it adds themes, not passages
        self.running = False
        self.reports: list = []
        self.error: str | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="import", classes="dialog"):
            yield Static(f"{HELP}\n{NOTES if self.themes else KINDS}", id="import-help", markup=False)
            yield TextBox(placeholder="File to import (its path; ~ works)", id="import-path")
            if not self.themes:  # a title and an author name a source; theme notes make none
                yield TextBox(placeholder="Title (optional: else the file's own)", id="import-title")
                yield TextBox(placeholder="Author (optional)", id="import-author")
            yield ProgressBar(total=1, show_eta=False, id="import-progress")  # empty, not the moving "waiting" bar
            yield Static("", id="import-status", markup=False)

    def on_mount(self) -> None:
        self.query_one("#import", Vertical).border_title = "Import theme notes" if self.themes else "Import a file"
        self.query_one("#import-path", Input).focus()

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        event.stop()
        if self.running:
            return
        name = self.query_one("#import-path", Input).value.strip()
        if not name:
            self.query_one("#import-path", Input).focus()
            self.status("Type the path of a file to import.")
            return
        title = author = None
        if not self.themes:
            title = self.query_one("#import-title", Input).value.strip() or None
            author = self.query_one("#import-author", Input).value.strip() or None
        self.running = True
        self.status(f"Importing {name}…")
        self.run_import(str(Path(name).expanduser()), title, author)

    def status(self, text: str) -> None:
        self.query_one("#import-status", Static).update(show_controls(text))

    def progress(self, what: str, done: int, total: int) -> None:
        """From the worker thread: the stage under way and how far it is."""
        self.app.call_from_thread(self._show_progress, what, done, total)

    def _show_progress(self, what: str, done: int, total: int) -> None:
        self.query_one("#import-progress", ProgressBar).update(total=max(total, 1), progress=done)
        self.status(f"{what.capitalize()}: {done:,} of {total:,}")

    @work(thread=True, exclusive=True, group="import", exit_on_error=False)
    def run_import(self, name: str, title: str | None, author: str | None) -> None:
        from annotator.session import ImportRequest

        app = self.app
        request = ImportRequest([name], themes=self.themes, title=title, author=author)
        busy: threading.Lock | None = getattr(app, "_busy", None)
        try:
            if busy is not None:
                busy.acquire()  # no poll's sync or tag write meanwhile: one writer at a time
            try:
                with app.session.lock:
                    reports = app.session.unlocked.import_files(request, progress=self.progress)
            finally:
                if busy is not None:
                    busy.release()
        except AnnotatorError as error:
            app.call_from_thread(self._failed, str(error))
            return
        app.call_from_thread(self._finished, reports)

    def _failed(self, message: str) -> None:
        self.running = False
        self.error = message
        self.query_one("#import-progress", ProgressBar).update(total=1, progress=0)
        self.status(message)
        self.app.notify(message, severity="error", timeout=8, markup=False)

    def _finished(self, reports: list) -> None:
        self.running = False
        self.reports = reports
        lines = [summary(report) for report in reports] + [w for report in reports for w in report.warnings]
        self.status("\n".join(lines))
        self.app.notify(lines[0], title="Imported", timeout=6, markup=False)
        self.query_one("#import-path", Input).value = ""
        self.query_one("#import-path", Input).focus()
        refresh = getattr(self.app, "open_index", None)
        if refresh:
            refresh()  # counts, the theme panel and the results catch up with the new passages

    def action_close(self) -> None:
        if not self.running:  # an import under way finishes first: it is never left half-written
            self.dismiss(None)


def summary(report) -> str:
    """`keeper.md: source 'keeper', 12 passages (12 new)` or, for several books, one line with the count;
    for theme notes `guide.txt: 7 theme(s) added`."""
    if report.kind == "theme-notes":
        return notes_summary(report)
    counts = ", ".join(f"{n} {what}" for n, what in ((report.added, "new"), (report.changed, "changed"),
                                                      (report.unchanged, "unchanged"), (report.removed, "removed")) if n)
    name = Path(report.path).name
    where = f"source '{report.source_id}'" if len(report.sources) == 1 else f"{len(report.sources)} sources"
    return f"{name}: {where}, {report.passages} passage(s)" + (f" ({counts})" if counts else "")


def notes_summary(report) -> str:
    name = Path(report.path).name
    parts = [f"{len(ids)} theme(s) {what}"  # which ones: the theme panel shows them at once
             for ids, what in ((report.themes_added, "added"), (report.themes_updated, "updated")) if ids]
    return f"{name}: " + ("; ".join(parts) if parts else "every theme already there, unchanged")
