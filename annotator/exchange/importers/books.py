"""Which book format a file is, and the one call that reads any of them into a `Book`."""

from __future__ import annotations

from pathlib import Path

from annotator.errors import ImportFailure
from annotator.exchange.importers.chapters import Book

BOOK_SUFFIXES = {".epub": "epub", ".pdf": "pdf", ".docx": "docx", ".odt": "odt",
                 ".html": "html", ".htm": "html", ".xhtml": "html"}
BOOK_KINDS = {*BOOK_SUFFIXES.values(), "gutenberg"}


def book_kind(path: Path) -> str | None:
    """The kind of a file read as a book (not as text) by its name, or None."""
    return BOOK_SUFFIXES.get(path.suffix.lower())


def read_book(path: Path, kind: str, source_id: str, text: str = "", progress=None) -> Book:
    """The file's title (empty if it names none), author and passages; a file that cannot be read
    raises ImportFailure (one line)."""
    from annotator.exchange.importers.textio import MAX_INPUT_BYTES

    try:
        size = path.stat().st_size
    except OSError:
        size = 0  # a missing or unreadable file is reported by the reader, in its words
    if size > MAX_INPUT_BYTES:
        raise ImportFailure(f"{path}: {size // (1024 * 1024)} MB is larger than the {MAX_INPUT_BYTES // (1024 * 1024)} MB an import takes")
    try:
        book = _read(path, kind, source_id, text, progress)
    except RecursionError:
        raise ImportFailure(f"{path}: the file nests its elements too deeply to read") from None
    if not book.passages:
        where = "between its START and END markers" if kind == "gutenberg" else "in it (only pictures, or an empty document?)"
        raise ImportFailure(f"{path}: no text found {where}")
    return book  # without a title of its own, the import names it after the file


def _read(path: Path, kind: str, source_id: str, text: str, progress=None) -> Book:
    if kind == "epub":
        from annotator.exchange.importers.epub import read_epub

        return read_epub(path, source_id)
    if kind == "pdf":
        from annotator.exchange.importers.pdf import read_pdf

        return read_pdf(path, source_id, progress)  # the slow one: page by page
    if kind in ("docx", "odt"):
        from annotator.exchange.importers.office import read_docx, read_odt

        return (read_docx if kind == "docx" else read_odt)(path, source_id)
    if kind == "html":
        from annotator.exchange.importers.webpage import read_web_page

        return read_web_page(path, source_id)
    from annotator.exchange.importers.gutenberg import parse_gutenberg

    return parse_gutenberg(text, source_id)
