"""Plain text and Markdown -> passages.

Blank-line paragraphs become passages (hard-wrapped lines are joined); Markdown
headings and "Chapter N" lines become the location of what follows; a very long
paragraph is split at sentence boundaries.
"""

from __future__ import annotations

import re

from annotator.exchange.importers.blocks import split_blocks
from annotator.corpus.model import Passage

MAX_PASSAGE_WORDS = 220
TARGET_CHUNK_WORDS = 120
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
_CHAPTER = re.compile(r"^\s*(chapter|ch\.?|part|book)\s+([0-9]+|[ivxlcdm]+|[a-z-]+)\b[\s.:-]*(.*)$", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]?\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}


def heading_location(line: str) -> str | None:
    """The location a heading line names ("ch. 7", "The Cottages"), or None if it is not a heading."""
    stripped = line.strip()
    md = _MD_HEADING.match(stripped)
    if md:
        inner = md.group(2).strip()
        return _chapter_location(inner) or inner
    if len(stripped.split()) <= 8:
        return _chapter_location(stripped)
    return None


def _chapter_location(text: str) -> str | None:
    match = _CHAPTER.match(text)
    if not match:
        return None
    kind, number = match.group(1).lower().rstrip("."), match.group(2).lower()
    if number in _NUMBER_WORDS:
        number = str(_NUMBER_WORDS[number])
    elif not number.isdigit() and not re.fullmatch(r"[ivxlcdm]+", number):
        return None
    label = {"chapter": "ch.", "ch": "ch.", "part": "part", "book": "book"}[kind]
    return f"{label} {number.upper() if not number.isdigit() else number}"


def split_sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        sentences.append(text[start:end])
        start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s.strip()]


def split_long(text: str) -> list[str]:
    words = text.split()
    if len(words) <= MAX_PASSAGE_WORDS:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in split_sentences(text):
        n = len(sentence.split())
        if current and count + n > TARGET_CHUNK_WORDS:
            chunks.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += n
    if current:
        chunks.append(" ".join(current))
    # A single sentence longer than the limit is cut at word boundaries.
    result = []
    for chunk in chunks:
        chunk_words = chunk.split()
        for start in range(0, len(chunk_words), MAX_PASSAGE_WORDS):
            result.append(" ".join(chunk_words[start : start + MAX_PASSAGE_WORDS]))
    return result


def parse_plain_text(text: str, source_id: str) -> tuple[str | None, list[Passage]]:
    """Returns (title from a leading '# ' heading, passages)."""
    title = None
    location = ""
    passages: list[Passage] = []
    paragraph = 0
    for block in split_blocks(text):
        first = block.lines[0]
        found = heading_location(first)
        if found is not None:
            md = _MD_HEADING.match(first.strip())
            # `# Never Let Me Go` names the work; `# Chapter 1` is a place in it, as a title it would
            # leave chapter 1 uncited and cite chapter 2 as "(Chapter 1, ch. 2)"
            if md and len(md.group(1)) == 1 and title is None and not passages and not _chapter_location(md.group(2).strip()):
                title = md.group(2).strip()
            else:
                location = found
            rest = block.lines[1:]
            if not rest:
                continue
            body = " ".join(line.strip() for line in rest)
        else:
            body = block.text
        paragraph += 1
        pieces = split_long(body)
        for k, piece in enumerate(pieces):
            suffix = f"-{k + 1}" if len(pieces) > 1 else ""
            # the pieces of a long paragraph are told apart: "para 2, part 3", not 91 times "para 2"
            where = location or f"para {paragraph}" + (f", part {k + 1}" if len(pieces) > 1 else "")
            passages.append(Passage(f"{source_id}-p{paragraph}{suffix}", piece, where, source_id))
    return title, passages
