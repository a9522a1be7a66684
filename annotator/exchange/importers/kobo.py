"""Kobo's `KoboReader.sqlite` (copied from the e-reader's `.kobo` folder) -> books of highlights.

The database is opened read-only and immutable: nothing is written to it, not even a lock or
a journal, so importing straight from a mounted Kobo is safe. Highlights are the rows of its
`Bookmark` table with text (`Type` highlight or note; dog-ears carry none), their notes the
`Annotation` column; a book's title and author come from the `content` row of its volume,
and a highlight's chapter from the `content` row of the part it was made in.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path

from annotator.errors import ImportFailure
from annotator.exchange.importers.highlights import Highlight, HighlightBook

PREFIX = "kb"
SQLITE_MAGIC = b"SQLite format 3\x00"

_BOOKMARKS = """
    SELECT b.VolumeID, b.ContentID, b.Text, b.Annotation, b.ChapterProgress, b.DateCreated,
           v.Title, v.Attribution
    FROM Bookmark AS b LEFT JOIN content AS v ON v.ContentID = b.VolumeID
    WHERE b.Text IS NOT NULL AND TRIM(b.Text) != '' AND COALESCE(b.Hidden, 'false') != 'true'
"""
_CHAPTERS = "SELECT ContentID, Title, VolumeIndex FROM content WHERE Title IS NOT NULL AND Title != ''"


def looks_like_kobo(path: Path) -> bool:
    try:
        with open(path, "rb") as handle:
            return handle.read(len(SQLITE_MAGIC)) == SQLITE_MAGIC
    except OSError:
        return False


def read_kobo(path: Path) -> list[HighlightBook]:
    rows, chapters = _query(path)
    books: dict[str, HighlightBook] = {}
    for number, (volume, content_id, text, note, progress, created, title, author) in enumerate(rows):
        title = _clean(title) or _title_from_volume(_clean(volume)) or "Kobo book"
        book = books.setdefault(_clean(volume) or title, HighlightBook(title, _clean(author)))
        chapter, index = _chapter(_clean(content_id), chapters)
        chapter = "" if chapter == title else chapter  # a PDF's highlights sit in the volume's own row
        notes = [_clean(note).strip()] if _clean(note).strip() else []
        order = (index, _number(progress), _clean(created), number)
        book.highlights.append(Highlight(" ".join(_clean(text).split()), chapter, notes, order))
    return list(books.values())


def _query(path: Path) -> tuple[list, dict[str, tuple[str, float]]]:
    try:
        uri = Path(path).resolve().as_uri() + "?mode=ro&immutable=1"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            rows = connection.execute(_BOOKMARKS).fetchall()
            chapters = {_clean(cid): (_clean(title), _number(index)) for cid, title, index in connection.execute(_CHAPTERS)}
    except sqlite3.DatabaseError as exc:
        raise ImportFailure(f"{path}: not a readable Kobo database ({exc}); copy KoboReader.sqlite from the reader's .kobo folder") from None
    except (OSError, ValueError) as exc:
        raise ImportFailure(f"{path}: cannot read ({exc})") from None
    return rows, chapters


def _chapter(content_id: str, chapters: dict[str, tuple[str, float]]) -> tuple[str, float]:
    """The title of the part a highlight was made in, and its place in the book: its content row,
    or (kepubs) the row of its first section, `<id>-1`."""
    for candidate in (content_id, content_id + "-1"):
        if candidate in chapters:
            title, index = chapters[candidate]
            return " ".join(title.split()), index
    return "", 0.0


def _title_from_volume(volume: str) -> str:
    """`file:///mnt/onboard/Ishiguro - Never Let Me Go.kepub.epub` -> its file name, without extensions."""
    name = volume.rsplit("/", 1)[-1]
    for extension in (".epub", ".kepub", ".pdf"):
        name = name.removesuffix(extension)
    return name.strip()


def _clean(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bytes):
        return value.decode("utf-8", errors="replace")
    return str(value)


def _number(value) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return 0.0
