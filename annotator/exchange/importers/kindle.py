"""Kindle `My Clippings.txt` -> one source per book, one passage per highlight.

The file is a list of clippings separated by a line of ten `=`; each clipping is
a title line (`Title (Author)`), a metadata line (`- Your Highlight on page 112 |
Location 1710-1712 | Added on ...`), a blank line and the clipped text.

* Highlights become passages; the location is the page when the book has pages
  (`p. 112`), else the Kindle location (`loc. 1710`). The passage id comes from the
  book and the location, so importing the (ever-growing) file again keeps ids.
* Re-highlighting a passage leaves the old clipping in the file; a highlight
  whose text lies inside a later, overlapping one of the same book is dropped.
* Notes become memos, by the importing annotator, on the highlight they were
  written at; a note with no highlight there is reported and skipped.
* Bookmarks carry no text and are skipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from annotator.errors import ImportFailure
from annotator.exchange.importers.checks import check_annotation_files, check_sources
from annotator.exchange.importers.saving import add_memos, replace_source
from annotator.corpus.model import Passage, Source, now_iso, slugify, unique_id

SEPARATOR = re.compile(r"^\s*={10}\s*$", re.MULTILINE)
_PAGE = re.compile(r"\bpage\s+([0-9ivxlcdm]+(?:\s*-\s*[0-9ivxlcdm]+)?)", re.IGNORECASE)
_LOCATION = re.compile(r"\b(?:location|loc\.)\s+([0-9]+)(?:\s*-\s*([0-9]+))?", re.IGNORECASE)
_AUTHOR = re.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
MAX_LOCATION_DIGITS = 9
_LIMIT_MESSAGE = "<You have reached the clipping limit for this item>"


@dataclass
class Clipping:
    title: str
    author: str
    kind: str  # highlight | note | bookmark
    page: str | None
    start: int | None
    end: int | None
    text: str
    number: int  # position in the file, from 1
    passage_id: str = ""  # given when the highlight becomes a passage

    @property
    def location(self) -> str:
        if self.page:
            return f"p. {self.page}"
        if self.start is not None:
            return f"loc. {self.start}" + (f"-{self.end}" if self.end and self.end != self.start else "")
        return ""

    @property
    def anchor(self) -> str:
        """What the passage id is made from: the Kindle location, else the page, else the position."""
        if self.start is not None:
            return f"l{self.start}"
        if self.page:
            return "pg" + slugify(self.page, "x")
        return f"c{self.number}"


@dataclass
class Book:
    title: str
    author: str
    highlights: list[Clipping] = field(default_factory=list)
    notes: list[Clipping] = field(default_factory=list)


@dataclass
class KindleImport:
    books: list[Book]
    warnings: list[str] = field(default_factory=list)
    bookmarks: int = 0
    duplicates: int = 0


def looks_like_clippings(text: str) -> bool:
    first = SEPARATOR.split(text, maxsplit=1)
    if len(first) < 2:
        return False
    lines = [line for line in first[0].strip().splitlines() if line.strip()]
    return len(lines) >= 2 and lines[1].lstrip().startswith("- ") and "|" in lines[1]


def split_title(line: str) -> tuple[str, str]:
    """`Never Let Me Go (Kazuo Ishiguro)` -> (title, author); the last parenthesis is the author."""
    line = line.replace("\ufeff", "").strip()
    match = _AUTHOR.match(line)
    if match and match.group(1):
        return match.group(1).strip(), match.group(2).strip()
    return line, ""


def clipping_kind(meta: str) -> str:
    lowered = meta.lower()
    if "bookmark" in lowered or "lesezeichen" in lowered or "signet" in lowered:
        return "bookmark"
    if "note" in lowered or "notiz" in lowered:
        return "note"
    return "highlight"


def parse_clippings(text: str) -> KindleImport:
    result = KindleImport(books=[])
    books: dict[tuple[str, str], Book] = {}
    for number, chunk in enumerate(SEPARATOR.split(text.replace("\r\n", "\n").replace("\r", "\n")), start=1):
        lines = chunk.strip("\n").split("\n")
        while lines and not lines[0].strip():
            lines.pop(0)
        if len(lines) < 2:
            continue
        title, author = split_title(lines[0])
        meta = lines[1].strip()
        body = "\n".join(lines[2:]).strip()
        kind = clipping_kind(meta)
        page = _PAGE.search(meta)
        loc = _LOCATION.search(meta)
        start = _location_number(loc.group(1)) if loc else None
        end = _location_number(loc.group(2)) if start is not None and loc.group(2) else start
        if end is not None and start is not None and end < start:
            end = _expand_short_end(start, loc.group(2))
        clipping = Clipping(title, author, kind, page.group(1).replace(" ", "") if page else None, start, end, body, number)
        if kind == "bookmark":
            result.bookmarks += 1
            continue
        if not body:
            continue
        if body == _LIMIT_MESSAGE:
            result.warnings.append(f"{title}, {clipping.location}: Kindle withheld this clipping (the book's clipping limit); skipped")
            continue
        book = books.setdefault((title, author), Book(title, author))
        (book.notes if kind == "note" else book.highlights).append(clipping)
    for book in books.values():
        before = len(book.highlights)
        book.highlights = collapse_rehighlights(book.highlights)
        result.duplicates += before - len(book.highlights)
    result.books = list(books.values())
    return result


def _location_number(digits: str) -> int | None:
    # No book has a location of more digits; thousands of them would not even convert to an int.
    return int(digits) if len(digits) <= MAX_LOCATION_DIGITS else None


def _expand_short_end(start: int, end_digits: str) -> int:
    """Old Kindles write `Loc. 1710-12`: the end shares the start's leading digits."""
    prefix = str(start)[: len(str(start)) - len(end_digits)]
    expanded = int(prefix + end_digits) if prefix else int(end_digits)
    return expanded if expanded >= start else start


def _normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _overlap(a: Clipping, b: Clipping) -> bool:
    if a.start is None or b.start is None:
        return a.page == b.page
    return a.start <= (b.end or b.start) and b.start <= (a.end or a.start)


def collapse_rehighlights(highlights: list[Clipping]) -> list[Clipping]:
    """Drop a highlight that a later, overlapping highlight of the same book contains (or repeats)."""
    kept: list[Clipping] = []
    for clip in highlights:
        text = _normalised(clip.text)
        replaced = False
        for i, earlier in enumerate(kept):
            if not _overlap(earlier, clip):
                continue
            earlier_text = _normalised(earlier.text)
            if earlier_text in text:  # the new one repeats or extends the old: keep the new
                kept[i] = clip
                replaced = True
                break
            if text in earlier_text:  # the new one is a shorter re-highlight: keep the old
                replaced = True
                break
        if not replaced:
            kept.append(clip)
    return kept


def note_target(note: Clipping, highlights: list[Clipping]) -> Clipping | None:
    """The highlight a note was written at: the one whose location range holds the note's, else the nearest before it."""
    if note.start is None:
        same_page = [h for h in highlights if note.page and h.page == note.page]
        return same_page[-1] if same_page else None
    best = None
    for h in highlights:
        if h.start is None:
            continue
        if h.start <= note.start <= (h.end or h.start) + 1:
            return h
        if h.start <= note.start and note.start - (h.end or h.start) <= 3:
            best = h
    return best


def book_source_id(book: Book) -> str:
    return slugify(book.title, "kindle-book")


# -- into the workspace ---------------------------------------------------------------------


def import_kindle(store, path, text: str, report, *, source_id: str | None, annotator: str, options=None) -> None:
    """Write each book as a source (or every highlight into `source_id`), notes as memos.

    `options` (annotator.exchange.importers.highlights.HighlightOptions): --book, --title, --author, --replace."""
    from annotator.exchange.importers.highlights import HighlightOptions, check_one_book_for_title, select_book
    from annotator.exchange.importers.source_ids import claim_source_id

    options = options or HighlightOptions(source_id, annotator=annotator)
    parsed = parse_clippings(text)
    report.warnings += parsed.warnings
    books = [b for b in select_book(parsed.books, options.book, path) if b.highlights]
    if not books:
        raise ImportFailure(f"{path}: no highlights found in these Kindle clippings")
    check_one_book_for_title(books, options, path)
    if source_id:  # a source another file made is replaced only on purpose (--replace)
        claim_source_id(store, source_id, path, explicit=True, replace=options.replace,
                        ours=lambda existing: all(_KINDLE_ID.match(p.id[len(source_id):]) for p in existing.passages))
    memos: list[tuple[str, str]] = []
    with store.locked():
        groups: dict[str, list[Book]] = {}
        for book in books:
            groups.setdefault(source_id or kindle_source_id(store, book_source_id(book)), []).append(book)
        sources = []
        for sid, members in groups.items():
            passages, taken = [], set()
            for book in members:
                for clip in book.highlights:
                    pid = unique_id(f"{sid}-{clip.anchor}", taken)
                    taken.add(pid)
                    passages.append(Passage(pid, clip.text, clip.location, sid))
                    clip.passage_id = pid
                for note in book.notes:
                    target = note_target(note, book.highlights)
                    if target is None:
                        report.warnings.append(f"{book.title}, {note.location}: a note with no highlight there; skipped")
                    else:
                        memos.append((target.passage_id, note.text))
            first = members[0]
            old = store.load_source(sid)
            title = first.title if len(members) == 1 else (old.source.title if old else "") or "Kindle highlights"
            author = first.author if len({b.author for b in members}) == 1 else ""
            sources.append((Source(sid, options.title or title, options.author or author, path.name, now_iso()), passages))
        check_sources(store, path, sources)  # every book checked before the first is written
        check_annotation_files(store, [annotator] if memos else [])
        for source, passages in sources:
            replace_source(store, source, passages, path, report)
        add_memos(store, annotator, memos)
    report.source_id = ", ".join(groups)
    report.warnings += [f"{parsed.duplicates} re-highlighted duplicate(s) collapsed"] if parsed.duplicates else []


def kindle_source_id(store, wanted: str) -> str:
    """The book's source id, unless a source of that id came from elsewhere (a text import of the
    same book): then `<id>-kindle`, so that highlights never replace another import's passages."""
    candidate, n = wanted, 1
    while True:
        existing = store.load_source(candidate)
        if existing is None or all(_KINDLE_ID.match(p.id[len(candidate) :]) for p in existing.passages):
            return candidate
        n += 1
        candidate = f"{wanted}-kindle" if n == 2 else f"{wanted}-kindle-{n - 1}"


_KINDLE_ID = re.compile(r"^-(?:l\d+|pg[a-z0-9-]+|c\d+)(?:-\d+)?$")

