"""A concordance (keyword in context, as AntConc and Voyant show one): every occurrence of a word
(its stem-mates too: `hope` finds `hoped`, `hopes`) or a phrase in the passages, one line each
with the words before and after it, sortable by the left or right context or by position.

The passages come from the search engine (the same query language), so a word is matched as
search matches it; the occurrences in each are the words search highlights, a phrase's words
joined into one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

SORTS = ("position", "left", "right")
DEFAULT_WIDTH = 40
DEFAULT_LIMIT = 1000  # passages read; the CLI's --limit changes it
_WORD = re.compile(r"\w+")


@dataclass
class KwicLine:
    id: str
    source: str
    location: str
    order: int  # the passage's place in corpus order
    start: int  # the match in the passage's text
    end: int
    left: str
    match: str
    right: str

    def to_json(self) -> dict:
        return {"id": self.id, "location": self.location, "left": self.left, "match": self.match, "right": self.right}


@dataclass
class Concordance:
    term: str
    lines: list[KwicLine]
    passages: int  # how many passages hold the term (all of them, read or not)
    read: int  # how many of them were read for these lines
    notice: str | None = None  # why nothing was searched (only common words, "the", were given)

    def to_json(self) -> dict:
        return {"term": self.term, "lines": [line.to_json() for line in self.lines]}


def concordance(session, term: str, *, width: int = DEFAULT_WIDTH, sort: str = "position",
                limit: int | None = DEFAULT_LIMIT) -> Concordance:
    """Every occurrence of `term` in (at most `limit`) passages, `width` characters of context a side."""
    from annotator.evidence import corpus_positions

    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    result = session.search(term, kind="passage", limit=limit)
    hits = [hit for hit in result.hits if hit.kind == "passage"]
    order = session.index.read(lambda: corpus_positions(session.index, [hit.id for hit in hits]))
    phrase_words = _phrase_words(term)
    exact = _phrase_pattern(term) if phrase_words > 1 else None
    lines = []
    for hit in hits:
        found = [m.span() for m in exact.finditer(hit.text)] if exact else []
        for start, end in found or _occurrences(hit.text, hit.matches, phrase_words):
            left, match, right = context(hit.text, start, end, width)
            lines.append(KwicLine(hit.id, hit.source, hit.location, order.get(hit.id, 0), start, end, left, match, right))
    return Concordance(term, sort_lines(lines, sort), result.total, len(hits), result.notice)


def sort_lines(lines: list[KwicLine], sort: str) -> list[KwicLine]:
    if sort == "left":  # by the words just before, nearest first (as concordancers sort "1L")
        return sorted(lines, key=lambda line: ([w.casefold() for w in reversed(_WORD.findall(line.left))], line.order, line.start))
    if sort == "right":
        return sorted(lines, key=lambda line: ([w.casefold() for w in _WORD.findall(line.right)], line.order, line.start))
    return sorted(lines, key=lambda line: (line.order, line.start))


def context(text: str, start: int, end: int, width: int) -> tuple[str, str, str]:
    """The match and up to `width` characters each side, on one line (line breaks as spaces)."""
    left = " ".join(text[max(0, start - width * 2):start].split())
    right = " ".join(text[end:end + width * 2].split())
    if text[max(0, start - 1):start].isspace():
        left += " "
    if text[end:end + 1].isspace():
        right = " " + right
    return left[-width:] if width else "", " ".join(text[start:end].split()), right[:width] if width else ""


def joined_context(line: KwicLine, side: int) -> tuple[str, str]:
    """The left context right-aligned and the right one left-aligned in `side` + 1 characters, on
    one line, the space between them and the match kept only where the text has one ("Ruth's")."""
    left = " ".join(line.left.split()) + (" " if line.left[-1:].isspace() else "")
    right = (" " if line.right[:1].isspace() else "") + " ".join(line.right.split())
    return left[-(side + 1):].rjust(side + 1), right[:side + 1].ljust(side + 1)


def _phrase_words(term: str) -> int:
    """How many words a quoted phrase has (1 for a word or words searched separately)."""
    quoted = re.findall(r'"([^"]+)"', term)
    if len(quoted) == 1 and quoted[0].strip() == term.strip().strip('"').strip():
        return len(_WORD.findall(quoted[0]))
    return 1


def _phrase_pattern(term: str) -> re.Pattern:
    """The quoted phrase's words in a row, anything but letters between them (spaces, hyphens, either
    apostrophe: "Ruth's"), as search matches a phrase: search does not highlight common words ("the",
    "an", the "s" of "Ruth's"), so a phrase holding one is found in the text itself."""
    words = _WORD.findall(term)
    return re.compile(r"\b" + r"\W+".join(map(re.escape, words)) + r"\b", re.IGNORECASE)


def _occurrences(text: str, matches: list[list[int]], phrase_words: int) -> list[tuple[int, int]]:
    """The highlighted words; for a phrase, runs of them joined across spaces and hyphens, kept when
    they hold the phrase's number of words (a lone word of it elsewhere is no occurrence)."""
    spans = sorted((s, e) for s, e in matches)
    if phrase_words <= 1:
        return spans
    runs: list[list[int]] = []
    for start, end in spans:
        if runs and re.fullmatch(r"[\s\-‐–]*", text[runs[-1][1]:start]):
            runs[-1][1] = end
        else:
            runs.append([start, end])
    return [(s, e) for s, e in runs if len(_WORD.findall(text[s:e])) >= phrase_words]
