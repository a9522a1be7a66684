"""KOReader's JSON export of highlights (the Exporter plugin) -> books of highlights.

One book is `{"title", "author", "entries": [...], "created_on", "version"}`; an export of
several is `{"documents": [<one book>, ...], "created_on", "version"}`. Each entry has `text`,
and may have `note`, `chapter`, `page` (a number or a page label) and `time`.
"""

from __future__ import annotations

import json
from pathlib import Path

from annotator.errors import ImportFailure
from annotator.exchange.importers.highlights import Highlight, HighlightBook

PREFIX = "kr"


def looks_like_koreader(data) -> bool:
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("documents"), list):
        return all(isinstance(d, dict) and "entries" in d for d in data["documents"])
    return isinstance(data.get("entries"), list) and ("title" in data or "version" in data)


def parse_koreader(text: str, path: Path) -> list[HighlightBook]:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as exc:
        raise ImportFailure(f"{path}: not valid JSON ({str(exc).splitlines()[0][:120]})") from None
    if not looks_like_koreader(data):
        raise ImportFailure(f"{path}: not a KOReader highlights export (expected 'entries' or 'documents')")
    documents = data["documents"] if "documents" in data else [data]
    return [_book(document, path) for document in documents]


def _book(document: dict, path: Path) -> HighlightBook:
    title = _text(document.get("title")) or Path(_text(document.get("file")) or path.stem).stem
    book = HighlightBook(title, _text(document.get("author")))
    entries = document.get("entries")
    if not isinstance(entries, list):
        raise ImportFailure(f"{path}: '{title}': 'entries' must be a list")
    for number, entry in enumerate(entries):
        if isinstance(entry, list) and entry:  # older exports wrap each entry in a list
            entry = entry[0]
        if not isinstance(entry, dict):
            raise ImportFailure(f"{path}: '{title}': entry {number + 1} is not an object")
        words = _text(entry.get("text")).strip()
        if not words:
            continue  # a bookmark: no text to quote
        note = _text(entry.get("note")).strip()
        book.highlights.append(Highlight(words, _location(entry), [note] if note else [], (_page_number(entry), number)))
    return book


def _location(entry: dict) -> str:
    chapter = " ".join(_text(entry.get("chapter")).split())
    page = _text(entry.get("page")).strip()
    return ", ".join(part for part in (chapter, f"p. {page}" if page else "") if part)


def _page_number(entry: dict) -> float:
    try:
        return float(entry.get("page"))
    except (TypeError, ValueError, OverflowError):
        return 0.0


def _text(value) -> str:
    """A field as text: numbers as written, anything else (a list, a mapping, null) as nothing."""
    if isinstance(value, bool) or value is None or isinstance(value, (list, dict)):
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
