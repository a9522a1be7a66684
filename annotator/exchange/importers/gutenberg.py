"""Project Gutenberg plain-text e-books (`pg1400.txt`) -> the book's own text.

Everything outside the `*** START OF THE PROJECT GUTENBERG EBOOK … ***` and `*** END OF …`
markers (the header, the licence) is dropped; title and author come from the header's
`Title:` and `Author:` lines (or the older "The Project Gutenberg EBook of X, by Y" line).
Before the first chapter, a front matter of short lines and bracketed notes only (the title
again, "by …", a contents list, "[Transcriber's Note: …]") is dropped too; a preface with real
paragraphs is kept. `Chapter XI`
headings become chapter locations, as in any text file.
"""

from __future__ import annotations

import re

from annotator.corpus.model import Passage
from annotator.exchange.importers.blocks import split_blocks
from annotator.exchange.importers.chapters import Book, clean
from annotator.exchange.importers.plaintext import heading_location, parse_plain_text

_START = re.compile(r"^\*{3}\s*START OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$", re.IGNORECASE | re.MULTILINE)
_END = re.compile(r"^\*{3}\s*END OF (?:THE|THIS) PROJECT GUTENBERG E-?BOOK\b.*$", re.IGNORECASE | re.MULTILINE)
_OLD_HEADER = re.compile(r"Project Gutenberg'?s? E-?Book,? of (.+?), by (.+?)\s*$", re.IGNORECASE | re.MULTILINE)
FRONT_MATTER_WORDS = 15  # a front-matter block (title, byline, contents line) is shorter than this


def looks_like_gutenberg(text: str) -> bool:
    return bool(_START.search(text[:100_000]))


def parse_gutenberg(text: str, source_id: str) -> Book:
    start = _START.search(text)
    header, body = text[: start.start()], text[start.end():]
    end = _END.search(body)
    if end:
        body = body[: end.start()]
    title, author = _header_field(header, "Title"), _header_field(header, "Author")
    old = _OLD_HEADER.search(header)
    if old:
        title, author = title or clean(old.group(1)), author or clean(old.group(2))
    _, passages = parse_plain_text(_without_front_matter(body), source_id)
    passages = _without_chapter_titles(passages)
    return Book(title, author, [Passage(p.id, p.text, p.location, p.source) for p in passages])


_TITLE_WORDS = 8  # a chapter's title line ("The Period") is a heading's length
_SENTENCE_MARKS = tuple(".!?:;,\"'”’»…)")


def _without_chapter_titles(passages: list) -> list:
    """The title line under a chapter heading ("CHAPTER I." / "The Period") is the heading's, not
    a passage: dropped. Only a short line with no sentence's punctuation, first in its chapter and
    followed there by text, so a chapter opening on a short line of speech ("Yes.") stays. The
    other passages keep their ids: a book imported before keeps its tags."""
    kept = []
    for i, passage in enumerate(passages):
        opens_chapter = passage.location.startswith(("ch. ", "book ", "part ")) and (
            i == 0 or passages[i - 1].location != passage.location)
        text = passage.text.strip()
        title_like = ("\n" not in text and len(text.split()) <= _TITLE_WORDS and not text.endswith(_SENTENCE_MARKS)
                      and not text.startswith(("\"", "'", "“", "‘", "«", "—", "-")))
        followed = i + 1 < len(passages) and passages[i + 1].location == passage.location
        if not (opens_chapter and title_like and followed):
            kept.append(passage)
    return kept


def _header_field(header: str, name: str) -> str:
    """`Title: Great Expectations` (continued on indented lines, as long titles are)."""
    found = re.search(rf"^{name}:[ \t]*(.+(?:\n[ \t]+\S.*)*)", header, re.MULTILINE)
    return clean(found.group(1)) if found else ""


def _without_front_matter(body: str) -> str:
    blocks = split_blocks(body)
    lines = body.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    for i, block in enumerate(blocks):
        if heading_location(block.lines[0]) is None or not _starts_a_chapter(blocks, i):
            continue
        if all(_front_matter(b.text) for b in blocks[:i]):
            return "\n".join(lines[block.first_line_number - 1:])
        return body
    return body


def _front_matter(text: str) -> bool:
    """A title, a byline, an edition line, a contents entry, or a bracketed transcriber's note."""
    return len(text.split()) < FRONT_MATTER_WORDS or (text.startswith("[") and text.endswith("]"))


def _starts_a_chapter(blocks, i: int) -> bool:
    """A heading followed by a paragraph of text, not by another heading (as in a contents list);
    the chapter's own title line may stand between them ("CHAPTER I." / "The Period")."""
    following = blocks[i + 1].lines if i + 1 < len(blocks) else []
    rest = blocks[i].lines[1:] or following
    if rest is not following and len(rest) == 1 and _front_matter(rest[0]) and heading_location(rest[0]) is None:
        rest = following
    elif rest is following and len(rest) == 1 and _front_matter(rest[0]) and heading_location(rest[0]) is None:
        rest = blocks[i + 2].lines if i + 2 < len(blocks) else []  # the title line stands apart
    return bool(rest) and heading_location(rest[0]) is None and len(" ".join(rest).split()) >= FRONT_MATTER_WORDS
