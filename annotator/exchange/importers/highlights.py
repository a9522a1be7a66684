"""E-reader highlights (KOReader, Kobo, Readwise) -> one source per book, notes as comments.

Each format's module reads its file into `HighlightBook`s; this module does the rest the
same way for all of them, as the Kindle importer does for clippings:

* one source per book (or every book into `--source ID`), `--book TITLE` takes one book;
* a highlight's passage id is made from its words (`<source>-kr1a2b3c4d` for KOReader), so
  importing a newer export of the same book keeps ids, and so tags;
* the same words highlighted twice, or a highlight inside a longer one at the same place,
  collapse into one passage, keeping every note;
* notes become comments on the passage as a whole (memos), by the importing annotator.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from annotator.corpus.model import slugify, unique_id
from annotator.errors import ImportFailure

MAX_BOOKS_NAMED = 5  # a --book that matches nothing lists at most this many titles


@dataclass
class Highlight:
    text: str
    location: str = ""  # a human citation: "p. 12", "Chapter 3", "loc. 1710"
    notes: list[str] = field(default_factory=list)
    order: tuple = ()  # where it stands in the book, for the passages' order


@dataclass
class HighlightBook:
    title: str
    author: str = ""
    highlights: list[Highlight] = field(default_factory=list)


@dataclass
class HighlightOptions:
    """What the user asked for on the command line (or in the TUI's import dialog)."""

    source_id: str | None = None
    title: str | None = None
    author: str | None = None
    book: str | None = None
    replace: bool = False
    annotator: str = "me"


def normalised(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def collapse_duplicates(highlights: list[Highlight]) -> tuple[list[Highlight], int]:
    """The highlights without repeats: the same words twice, or words inside a longer highlight at
    the same location, become one highlight (the longer) holding every note. Returns (kept, dropped)."""
    kept: list[Highlight] = []
    by_words: dict[str, Highlight] = {}
    by_place: dict[str, list[Highlight]] = {}
    for item in highlights:
        words = normalised(item.text)
        if not words:
            continue
        same = by_words.get(words) or _containing(by_place.get(item.location, []), words)
        if same is not None:
            _merge_notes(same, item)
            continue
        inside = [other for other in by_place.get(item.location, []) if normalised(other.text) in words]
        if inside:  # this one extends an earlier one: it takes the earlier's place
            kept[kept.index(inside[0])] = item
            for other in inside:
                _merge_notes(item, other)
                if other is not inside[0]:
                    kept.remove(other)
                by_place[item.location].remove(other)
                by_words[normalised(other.text)] = item  # a later repeat of the shorter words lands here
        else:
            kept.append(item)
        by_words[words] = item
        by_place.setdefault(item.location, []).append(item)
    return kept, len(highlights) - len(kept)


def _containing(candidates: list[Highlight], words: str) -> Highlight | None:
    return next((other for other in candidates if words in normalised(other.text)), None)


def _merge_notes(into: Highlight, other: Highlight) -> None:
    for note in other.notes:
        if note not in into.notes:
            into.notes.append(note)


def select_book(books: list[HighlightBook], wanted: str | None, path: Path) -> list[HighlightBook]:
    """The books a `--book TITLE` names (its title whole, else the one title holding it); all without one."""
    if not wanted:
        return books
    key = wanted.strip().casefold()
    exact = [b for b in books if b.title.casefold() == key]
    if exact:
        return exact
    partial = [b for b in books if key in b.title.casefold()]
    if len({b.title for b in partial}) == 1:
        return partial
    if partial:
        names = "; ".join(sorted({b.title for b in partial})[:MAX_BOOKS_NAMED])
        raise ImportFailure(f"{path}: --book '{wanted}' matches several books ({names}); give more of the title")
    names = "; ".join(sorted({b.title for b in books})[:MAX_BOOKS_NAMED])
    raise ImportFailure(f"{path}: no book titled '{wanted}' in this file (it holds: {names})")


def check_one_book_for_title(books: list, options: HighlightOptions, path: Path) -> None:
    """--title and --author name one work: a file of several books needs --book (or --source) first."""
    if (options.title or options.author) and len(books) > 1 and not options.source_id:
        raise ImportFailure(
            f"{path}: --title and --author name one book, and this file holds {len(books)}; pick one with --book TITLE"
        )


def passage_anchor(prefix: str, text: str) -> str:
    """`kr1a2b3c4d`: the format's prefix and a hash of the highlight's words (stable across exports)."""
    return prefix + hashlib.blake2b(normalised(text).encode("utf-8"), digest_size=4).hexdigest()


def id_pattern(prefix: str) -> re.Pattern:
    """What the passage ids of a source this format wrote look like, after the source id."""
    return re.compile(rf"^-{re.escape(prefix)}[0-9a-f]{{8}}(?:-\d+)?$")


# -- into the workspace ---------------------------------------------------------------------


def import_highlight_books(store, path: Path, report, books: list[HighlightBook], *, prefix: str,
                           options: HighlightOptions, progress=None) -> None:
    """Write each book as a source (or all into `options.source_id`), notes as comments."""
    from annotator.corpus.model import Passage, now_iso
    from annotator.exchange.importers.checks import check_annotation_files, check_sources
    from annotator.exchange.importers.saving import add_memos, replace_source
    from annotator.exchange.importers.source_ids import claim_source_id

    books = [b for b in select_book(books, options.book, path) if b.highlights]
    if not books:
        raise ImportFailure(f"{path}: no highlights found")
    check_one_book_for_title(books, options, path)
    pattern = id_pattern(prefix)
    memos: list[tuple[str, str]] = []
    with store.locked():
        groups: dict[str, list[HighlightBook]] = {}
        for book in books:
            wanted = options.source_id or slugify(book.title, "highlights")
            sid, notice = claim_source_id(store, wanted, path, explicit=bool(options.source_id), replace=options.replace,
                                          ours=lambda existing: _all_ids_match(existing, pattern))
            if notice and sid not in groups:
                report.warnings.append(notice)
            groups.setdefault(sid, []).append(book)
        sources = []
        for sid, members in groups.items():
            passages, taken = [], set()
            for book in members:
                kept, dropped = collapse_duplicates(sorted(book.highlights, key=lambda h: h.order))
                if dropped:
                    report.warnings.append(f"{book.title}: {dropped} repeated highlight(s) collapsed")
                for item in kept:
                    pid = unique_id(f"{sid}-{passage_anchor(prefix, item.text)}", taken)
                    taken.add(pid)
                    passages.append(Passage(pid, item.text.strip(), item.location, sid))
                    memos += [(pid, note) for note in item.notes]
            sources.append((_source_for(store, sid, members, path, options, now_iso()), passages))
        check_sources(store, path, sources)  # every book checked before the first is written
        check_annotation_files(store, [options.annotator] if memos else [])
        for number, (source, passages) in enumerate(sources, start=1):
            replace_source(store, source, passages, path, report)
            if progress:
                progress(number, len(sources))
        add_memos(store, options.annotator, memos)
    report.source_id = ", ".join(groups)


def _source_for(store, sid: str, members: list[HighlightBook], path: Path, options: HighlightOptions, stamp: str):
    from annotator.corpus.model import Source

    old = store.load_source(sid)
    if len(members) == 1:
        title = members[0].title
    else:
        title = (old.source.title if old else "") or "Highlights"
    author = members[0].author if len({b.author for b in members}) == 1 else ""
    return Source(sid, options.title or title, options.author or author, path.name, stamp)


def _all_ids_match(existing, pattern: re.Pattern) -> bool:
    sid = existing.source.id
    return bool(existing.passages) and all(pattern.match(p.id[len(sid):]) for p in existing.passages)

