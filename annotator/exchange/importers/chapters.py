"""What every book importer builds: a title, an author, and passages located by chapter (and page).

The format readers (EPUB, PDF, DOCX/ODT, HTML, Project Gutenberg) walk their files and call
`heading`, `paragraph` and `page` on a `BookBuilder`; it numbers the passages, splits a long
paragraph at sentence ends (each piece keeping its own id) and writes the location a citation
shows: the chapter ("ch. 3" or the chapter's title), the page in a PDF ("ch. 3, p. 45"), or
"para N" in a text with neither.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from annotator.corpus.model import Passage
from annotator.exchange.importers.plaintext import heading_location, split_long

MAX_LOCATION_CHARS = 80
_SPACES = re.compile(r"\s+")
_BARE_NUMBER = re.compile(r"^([0-9]{1,3}|[IVXLC]{1,7})\.?$")
# Typographic ligatures, as PDFs and some EPUBs carry them: "ﬁnd" must be found by "find".
_LIGATURES = str.maketrans({"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl",
                            "\ufb05": "st", "\ufb06": "st", "\u00ad": None, "\u200b": None, "\ufeff": None})


@dataclass
class Book:
    """A parsed book, ready to be saved as a source (`passages` already carry the source id)."""

    title: str = ""
    author: str = ""
    passages: list[Passage] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def clean(text: str) -> str:
    """Runs of white space (line breaks, tabs, no-break spaces) as one space; soft hyphens and
    zero-widths gone; ligatures spelled out."""
    return _SPACES.sub(" ", text.translate(_LIGATURES)).strip()


def chapter_label(heading: str) -> str:
    """A heading as a location: "Chapter 3: Home" and a bare "3" or "III" -> "ch. 3" / "ch. III";
    "The Cottages" stays as it is."""
    heading = clean(heading)
    found = heading_location(heading)
    if found:
        return found
    bare = _BARE_NUMBER.match(heading)
    if bare:
        return f"ch. {bare.group(1)}"
    if len(heading) > MAX_LOCATION_CHARS:
        heading = heading[: MAX_LOCATION_CHARS - 1].rsplit(" ", 1)[0] + "…"
    return heading


class BookBuilder:
    def __init__(self, source_id: str):
        self.source_id = source_id
        self.book = Book()
        self.chapter = ""
        self.page = ""
        self.paragraphs = 0

    def heading(self, text: str) -> None:
        label = chapter_label(text)
        if label:
            self.chapter = label

    def set_page(self, page: str) -> None:
        self.page = page

    def location(self) -> str:
        page = f"p. {self.page}" if self.page else ""
        if self.chapter and page:
            return f"{self.chapter}, {page}"
        return self.chapter or page or f"para {self.paragraphs}"

    def paragraph(self, text: str) -> None:
        text = clean(text)
        if not text:
            return
        self.paragraphs += 1
        where = self.location()
        pieces = split_long(text)
        for k, piece in enumerate(pieces):
            suffix = f"-{k + 1}" if len(pieces) > 1 else ""
            # Without a chapter or page, "para N" alone would cite every piece alike.
            located = f"{where}, part {k + 1}" if suffix and not (self.chapter or self.page) else where
            self.book.passages.append(Passage(f"{self.source_id}-p{self.paragraphs}{suffix}", piece, located, self.source_id))

    def done(self, title: str = "", author: str = "") -> Book:
        self.book.title = clean(title or self.book.title)
        self.book.author = clean(author or self.book.author)
        return self.book
