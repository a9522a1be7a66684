"""A concordance (keyword in context, as AntConc and Voyant show one): every occurrence of a word
(its stem-mates too: `hope` finds `hoped`, `hopes`) or a phrase in the passages, one line each
with the words before and after it, sortable by the left or right context or by position.

Several words typed are one phrase, quoted or not (`kwic Miss Lucy` is `kwic "Miss Lucy"`), as a
concordancer reads them; a query with AND, OR, NOT, `-word`, `*` or `~` is searched as written and
each word it matches is listed. `theme:`, `source:` and `untagged` filter the passages either way.

The passages come from the search engine (the same query language), so a word is matched as
search matches it; the occurrences in each are the words search highlights, a phrase's words
joined into one. Common words ("the", "to be") are not in the index: for them the passages'
texts are read one by one, in corpus order, and every occurrence is listed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from annotator.errors import AnnotatorError

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
    # False: common words, read passage by passage, and the limit stopped the reading: more
    # passages may hold them than `passages` (which then counts only those read)
    complete: bool = True
    suggestion: str | None = None  # nothing found: the words search would try instead ("Tommy" for "Tomy")

    def to_json(self) -> dict:
        return {"term": self.term, "lines": [line.to_json() for line in self.lines]}


def concordance(session, term: str, *, width: int = DEFAULT_WIDTH, sort: str = "position",
                limit: int | None = DEFAULT_LIMIT, cancelled=None) -> Concordance:
    """Every occurrence of `term` in (at most `limit`) passages, `width` characters of context a side;
    `cancelled()` turning true stops a reading of the passages for common words early."""
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {SORTS}")
    typed = read_term(term)
    if not _WORD.search(_FILTER.sub(" ", term)):
        raise NoWords("give a word or a phrase to find; theme:, source: and untagged only narrow the passages")
    if typed.phrase and _only_common_words(typed.phrase):
        lines, passages, complete = _scanned_lines(session, typed, width, limit, cancelled)
        return Concordance(term, sort_lines(lines, sort), passages, passages, complete=complete)
    return _indexed(session, term, typed, width, sort, limit)


class NoWords(AnnotatorError):
    """A term of filters alone: nothing to list."""

    exit_code = 2


@dataclass
class Term:
    """What a typed term asks for: `query` is given to search; `phrase` holds the words to find in
    a row ([] when the query is searched as written); `filters` are its theme:/source:/untagged words."""

    query: str
    phrase: list[str]
    filters: str = ""


_FILTER = re.compile(r'(?<!\S)(?:(?:theme|themes|source|kind):(?:"[^"]*"|\S+)|untagged)(?!\S)', re.IGNORECASE)
# A filter typed with no value (`source:`) is no word to find: search names it in its notice.
_EMPTY_FILTER = re.compile(r"(?<!\S)(?:theme|themes|source|kind):(?!\S)", re.IGNORECASE)
_AS_WRITTEN = re.compile(r'(?<!\S)(?:AND|OR|NOT)(?!\S)|(?<!\S)-\w|[*~()]|"')


def read_term(term: str) -> Term:
    """Several plain words (quoted or not) are one phrase; one word is itself (its stem-mates
    too); the query language's operators, or quotes around part of it, search it as written."""
    filters = " ".join(m.group() for pattern in (_FILTER, _EMPTY_FILTER) for m in pattern.finditer(term))
    words = " ".join(_EMPTY_FILTER.sub(" ", _FILTER.sub(" ", term)).split())
    quoted = re.fullmatch(r'"([^"]*)"?', words)  # one phrase in quotes (the closing one may be missing)
    if quoted:
        words = " ".join(quoted.group(1).split())
    elif _AS_WRITTEN.search(words):
        return Term(term, [], filters)
    phrase = _WORD.findall(words)
    if len(phrase) > 1:
        return Term(f'"{words}" {filters}'.strip(), phrase, filters)
    return Term(f"{words} {filters}".strip(), phrase, filters)


def _indexed(session, term: str, typed: Term, width: int, sort: str, limit: int | None) -> Concordance:
    """The passages search finds (the index narrows them), the occurrences in each."""
    from annotator.evidence import corpus_positions

    result = session.search(typed.query, kind="passage", limit=limit)
    hits = [hit for hit in result.hits if hit.kind == "passage"]
    order = session.index.read(lambda: corpus_positions(session.index, [hit.id for hit in hits]))
    exact = _phrase_pattern(typed.phrase) if len(typed.phrase) > 1 else None
    lines = []
    for hit in hits:
        found = [m.span() for m in exact.finditer(hit.text)] if exact else []
        for start, end in found or _occurrences(hit.text, hit.matches, len(typed.phrase) or 1):
            left, match, right = context(hit.text, start, end, width)
            lines.append(KwicLine(hit.id, hit.source, hit.location, order.get(hit.id, 0), start, end, left, match, right))
    # Every passage found read: those that hold an occurrence (a phrase search also finds its words
    # apart: "Ruth's" finds "Ruth"); else the count search gives, of which the first were read.
    passages = len({line.id for line in lines}) if len(hits) >= result.total else result.total
    return Concordance(term, sort_lines(lines, sort), passages, len(hits), result.notice,
                       suggestion=_finding(session, result.suggestion) if not lines else None)


def _finding(session, suggestion: str | None) -> str | None:
    """A did-you-mean only when it finds more than the query did (nothing): a corrected phrase may not."""
    if suggestion is None or session.search(suggestion, kind="passage", limit=1).total == 0:
        return None
    return suggestion


def _only_common_words(words: list[str]) -> bool:
    """Every word is one the index leaves out (a stop word, a single letter): it cannot narrow.
    (A run of Chinese or Japanese is several terms, not a common word: search finds it.)"""
    from annotator.engine.search import left_out  # loaded with search, which every concordance uses

    return all(left_out(word) for word in words)


def _scanned_lines(session, typed: Term, width: int, limit: int | None, cancelled=None) -> tuple[list[KwicLine], int, bool]:
    """Common words, which the index cannot find: the passages (those the filters allow, if any)
    read in corpus order until `limit` hold them; their lines, and whether every passage was read."""
    from annotator.engine.analysis import fold

    pattern = _phrase_pattern(typed.phrase)
    words = [fold(_folded(word)) for word in typed.phrase]

    def holds(text: str) -> bool:  # each word somewhere first (cheap), then the words in a row
        folded = fold(_folded(text))  # accents dropped too: an accented spelling is checked by the pattern
        return all(word in folded for word in words) and pattern.search(text) is not None

    if typed.filters:
        passages, complete = _filtered_passages(session, typed, holds, limit)
    else:
        from annotator.engine.text_scan import passages_holding

        passages, complete = passages_holding(session.index, holds, limit, cancelled, phrase=typed.phrase)
    lines = []
    for passage in passages:
        for m in pattern.finditer(passage.text):
            left, match, right = context(passage.text, m.start(), m.end(), width)
            lines.append(KwicLine(passage.id, passage.source, passage.location, passage.order, m.start(), m.end(), left, match, right))
    return lines, len(passages), complete


# `re` ignoring case takes the dotted capital I and the dotless i for an i (and the pattern lists
# what it matches); casefold() does not ("İ" folds to "i" and a combining dot): both are an i here.
_TURKISH_I = str.maketrans({"\u0130": "i", "\u0131": "i"})


def _folded(text: str) -> str:
    """`text` folded so that every two characters `re` matches ignoring case fold the same."""
    if "\u0130" in text or "\u0131" in text:
        text = text.translate(_TURKISH_I)
    return text.casefold()


def _filtered_passages(session, typed: Term, holds, limit: int | None) -> tuple[list, bool]:
    """The passages the filters allow (search lists them all when only common words come with a
    filter) that hold the words, in corpus order, the first `limit` of them."""
    from annotator.engine.text_scan import ScannedPassage
    from annotator.evidence import corpus_positions

    hits = [h for h in session.search(typed.query, kind="passage", limit=None).hits if h.kind == "passage" and holds(h.text)]
    order = session.index.read(lambda: corpus_positions(session.index, [hit.id for hit in hits]))
    hits.sort(key=lambda h: order.get(h.id, 0))
    complete = limit is None or len(hits) <= limit
    return [ScannedPassage(h.id, h.source, h.location, h.text, order.get(h.id, 0)) for h in hits[:limit]], complete


def sort_lines(lines: list[KwicLine], sort: str) -> list[KwicLine]:
    if sort == "left":  # by the words just before, nearest first (as concordancers sort "1L")
        return sorted(lines, key=lambda line: ([_nearest_first(w.casefold()) for w in reversed(_WORD.findall(line.left))], line.order, line.start))
    if sort == "right":
        return sorted(lines, key=lambda line: ([w.casefold() for w in _WORD.findall(line.right)], line.order, line.start))
    return sorted(lines, key=lambda line: (line.order, line.start))


_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")


def _nearest_first(word: str) -> str:
    """A run of Chinese or Japanese before a match is many words unspaced: it sorts by the
    characters nearest the match first (墓地で: で, 地, 墓), as a word sorts by the word nearest."""
    return word[::-1] if _CJK_RUN.fullmatch(word) else word


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
    """The left context right-aligned and the right one left-aligned in `side` + 1 columns, on
    one line, the space between them and the match kept only where the text has one ("Ruth's").
    Columns, not characters: a Chinese or Japanese character takes two."""
    from annotator.cell_width import fit_left, fit_right

    left = " ".join(line.left.split()) + (" " if line.left[-1:].isspace() else "")
    right = (" " if line.right[:1].isspace() else "") + " ".join(line.right.split())
    return fit_left(left, side + 1), fit_right(right, side + 1)


def _phrase_pattern(words: list[str]) -> re.Pattern:
    """The quoted phrase's words in a row, anything but letters between them (spaces, hyphens, either
    apostrophe: "Ruth's"), as search matches a phrase: search does not highlight common words ("the",
    "an", the "s" of "Ruth's"), so a phrase holding one is found in the text itself."""
    return re.compile(r"\b" + r"\W+".join(map(_word_pattern, words)) + r"\b", re.IGNORECASE)


@lru_cache(maxsize=1024)
def _word_pattern(word: str) -> str:
    """A word without accents also in every spelling that folds to it (`a`: `à`, `strasse`: `Straße`),
    one with them as written alone, as search takes them (annotator.engine.accent_forms)."""
    from annotator.engine.accent_forms import spelling_units

    def letter(spellings: str) -> str:
        return re.escape(spellings) if len(spellings) == 1 else "[" + "".join(map(re.escape, spellings)) + "]"

    parts = []
    for unit in spelling_units(word):
        letters = "".join(map(letter, unit.letters))
        parts.append(f"(?:{letters}|{letter(unit.ligatures)})" if unit.ligatures else letters)
    return "".join(parts)


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
