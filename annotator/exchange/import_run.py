"""`Session.import_files`: one or more files imported, as the CLI's `import` and the TUI's
*Import a file…* both ask for it.

A dry run imports for real, on a throwaway copy of the corpus (annotator.exchange.importers.dry_run),
so it reports exactly what the import would do, refusals included, and writes nothing.

Several files are all or nothing: they are imported one after the other on such a copy, and only
when every one has gone in are the corpus files the copy changed put into the workspace (a bad
third file of five writes none of them). The files are read, parsed and written once: the copy's
changed files replace the workspace's, under its lock, if the workspace's corpus is as it was when
copied; if another process changed it meanwhile, they are imported again on a new copy.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from annotator.errors import ImportFailure

# (what is under way, how much of it is done, out of how much): "reading keeper.md", "indexing"
ImportProgress = Callable[[str, int, int], None]
IMPORT_ATTEMPTS = 3  # tries on a copy of the corpus when another process changes it meanwhile


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


def import_all_or_nothing(session, request: ImportRequest, annotator: str, progress: ImportProgress | None = None) -> list:
    """Import several files into `session`'s workspace, all or none of them; their reports.

    When another process changed the corpus while the files went in on the copy, they are imported
    again on a new copy (never straight into the workspace, where a file that now fails would leave
    the ones before it written); the last try holds the workspace lock throughout, so only an edit
    by hand can still change the corpus under it, and then nothing is written."""
    for attempt in range(IMPORT_ATTEMPTS):
        last = attempt == IMPORT_ATTEMPTS - 1
        with session.store.locked() if last else nullcontext():
            reports = _try_on_a_copy(session, request, annotator, progress)
        if reports is not None:
            return reports
    raise ImportFailure("the corpus was changed (by hand?) while the files were imported; nothing was imported: try again")


def _try_on_a_copy(session, request: ImportRequest, annotator: str, progress: ImportProgress | None) -> list | None:
    """The files imported on a copy of the corpus and its changes put into the workspace; their reports,
    or None (nothing written) when a workspace file changed meanwhile."""
    from annotator.exchange.importers.dry_run import corpus_copy

    before = corpus_signatures(session.ws.corpus)
    with corpus_copy(session.ws) as scratch:
        copied = corpus_signatures(scratch.corpus)
        tried = read_whole(type(session)(scratch))
        reports = run_imports(tried, request, annotator, progress)
        return reports if _move_changes(tried.store, session.store, before, copied) else None


def corpus_signatures(folder: Path) -> dict[str, tuple]:
    """Every YAML file the store reads under a corpus folder, by its path in the folder: what an import writes."""
    from annotator.corpus.store import file_signature
    from annotator.exchange.importers.dry_run import corpus_files

    found = {}
    for name in corpus_files(folder):
        signature = file_signature(folder / name)
        if signature is not None:
            found[name] = signature
    return found


def _move_changes(tried, store, before: dict, copied: dict) -> bool:
    """Put the files the import changed in the copy (`tried`'s corpus) into the workspace's, under its
    lock, if no file there changed since it was copied; False (nothing written) when one did."""
    from annotator.corpus.leftovers import remove_stale_temporaries
    from annotator.corpus.yamlio import atomic_write_all

    after = corpus_signatures(tried.ws.corpus)
    changed = sorted((name for name, signature in after.items() if copied.get(name) != signature), key=_write_order)
    removed = sorted(set(copied) - set(after))
    with store.locked():
        if corpus_signatures(store.ws.corpus) != before:
            return False
        for name in changed:  # what an import of these files killed while they went in left (we hold the lock)
            remove_stale_temporaries(store.ws.corpus / name)
        # All written before any is put in place: a full disk changes none of them.
        atomic_write_all([(store.ws.corpus / name, (tried.ws.corpus / name).read_bytes()) for name in changed])
        for name in removed:
            (store.ws.corpus / name).unlink(missing_ok=True)
        _adopt_reads(tried, store, after)
    return True


def _write_order(name: str) -> tuple:
    """Passages and themes before the annotations that name them, as an import itself writes them: a
    kill between two of these writes leaves no tag or memo on a passage that is not there yet."""
    return (name.startswith("annotations/"), name)


def _adopt_reads(tried, store, after: dict) -> None:
    """The corpus files the copy's store has read, given to the workspace's store: the workspace's
    files now hold the same bytes, so they are not parsed again (by the index update, for one)."""
    for name in after:
        copy_path, path = tried.ws.corpus / name, store.ws.corpus / name
        hit = tried._cache.get(copy_path)  # (signature, value): read from this very file, not the read cache
        if hit is not None and hit[0] == after[name] and copy_path not in tried._from_read_cache:
            store._remember(path, hit[1])


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
