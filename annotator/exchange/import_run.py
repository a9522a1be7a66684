"""`Session.import_files`: one or more files imported, as the CLI's `import` and the TUI's
*Import a file…* both ask for it.

A dry run imports for real, on a throwaway copy of the corpus (annotator.exchange.importers.dry_run),
so it reports exactly what the import would do, refusals included, and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from annotator.errors import ImportFailure

# (what is under way, how much of it is done, out of how much): "reading keeper.md", "indexing"
ImportProgress = Callable[[str, int, int], None]


@dataclass
class ImportRequest:
    paths: list[str | Path] = field(default_factory=list)
    themes: bool = False  # the files are theme notes
    source_id: str | None = None
    title: str | None = None
    author: str | None = None
    book: str | None = None
    replace: bool = False
    dry_run: bool = False
    annotator: str | None = None  # who tags and comments in the files are by; default: the session's
    language: str | None = None  # the text's language (a code); default: kept on re-import, else detected

    def check(self) -> None:
        """Options that name one source (or ask the impossible) refused before anything is read."""
        one_source = [flag for flag, value in (("--source", self.source_id), ("--title", self.title),
                                               ("--author", self.author), ("--book", self.book)) if value]
        if one_source and len(self.paths) > 1:
            raise ImportFailure(f"{one_source[0]} names one source; import one file at a time with it")
        if self.themes and (one_source or self.replace):
            raise ImportFailure(f"{(one_source or ['--replace'])[0]} is for passages; theme notes become themes")
        if self.replace and not self.source_id:
            raise ImportFailure("--replace needs --source ID: the source to replace")
        if not self.paths:
            raise ImportFailure("name a file to import")


def run_imports(session, request: ImportRequest, annotator: str, progress: ImportProgress | None = None) -> list:
    from annotator.exchange.importers import import_source, import_theme_notes

    reports = []
    for number, name in enumerate(request.paths):
        path = Path(name)
        if progress:
            progress(f"reading {path.name}", number, len(request.paths))
        if request.themes:
            check_theme_notes(path)
            report = import_theme_notes(session.store, path)
        else:
            # A reader may name its own stage ("reading" a PDF's pages); the rest is writing.
            per_source = ((lambda done, total, stage="writing": progress(f"{stage} {path.name}", done, total))
                          if progress else None)
            report = import_source(
                session.store, path, source_id=request.source_id, annotator=annotator, resolve_theme=session.resolve_theme,
                title=request.title, author=request.author, book=request.book, replace=request.replace,
                progress=per_source, language=request.language,
            )
        report.dry_run = request.dry_run
        reports.append(report)
    if progress:
        progress("read", len(request.paths), len(request.paths))
    return reports


def read_whole(session):
    """The session, every corpus file read: a malformed one stops a dry run as it stops the import."""
    session.store.themes()
    session.store.sources()
    session.store.all_annotations()
    return session


def check_theme_notes(path: Path) -> None:
    """Refuse chapter notes given as theme notes, before anything is written (annotator.exchange.notes_check)."""
    from annotator.exchange.importers.textio import read_text_file
    from annotator.exchange.importers.theme_notes import parse_theme_notes
    from annotator.exchange.notes_check import refuse_chapter_notes

    if path.is_file():  # the importer reports a missing or unreadable file itself
        refuse_chapter_notes(path, [note.name for note in parse_theme_notes(read_text_file(path).text)])
