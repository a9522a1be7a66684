"""Readwise's CSV export -> books of highlights.

The header names the columns: `Highlight`, `Book Title`, `Book Author`, `Note`, `Location
Type` (page, location, order, …), `Location`, and others (`Amazon Book ID`, `Color`, `Tags`,
`Highlighted at`, `Document tags`) that are not used.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from annotator.errors import ImportFailure
from annotator.exchange.importers.highlights import Highlight, HighlightBook

PREFIX = "rw"
REQUIRED = ("Highlight", "Book Title")
_LOCATION_WORDS = {"page": "p.", "location": "loc.", "order": "#"}


def looks_like_readwise(text: str) -> bool:
    try:
        header = next(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")), [])
    except csv.Error:
        return False
    return all(column in header for column in REQUIRED)


def parse_readwise(text: str, path: Path) -> list[HighlightBook]:
    if not looks_like_readwise(text):
        raise ImportFailure(f"{path}: not a Readwise export (its first line must name the columns Highlight and Book Title)")
    books: dict[tuple[str, str], HighlightBook] = {}
    try:
        for number, row in enumerate(csv.DictReader(io.StringIO(text.lstrip("\ufeff"), newline="")), start=2):
            words = " ".join((row.get("Highlight") or "").split())
            if not words:
                continue
            title = (row.get("Book Title") or "").strip() or "Readwise highlights"
            author = (row.get("Book Author") or "").strip()
            book = books.setdefault((title, author), HighlightBook(title, author))
            note = (row.get("Note") or "").strip()
            location, place = _location(row)
            book.highlights.append(Highlight(words, location, [note] if note else [], (place, number)))
    except csv.Error as exc:
        raise ImportFailure(f"{path}: not a readable CSV file ({exc})") from None
    return list(books.values())


def _location(row: dict) -> tuple[str, float]:
    """(`p. 12` / `loc. 1710` as a citation, the number to order by)."""
    value = (row.get("Location") or "").strip()
    kind = (row.get("Location Type") or "").strip().casefold()
    try:
        place = float(value)
    except ValueError:
        place = 0.0
    place = 0.0 if place != place else place  # NaN orders nowhere
    if not value or kind in ("", "none"):
        return "", place
    word = _LOCATION_WORDS.get(kind, kind)
    return (f"#{value}" if word == "#" else f"{word} {value}"), place
