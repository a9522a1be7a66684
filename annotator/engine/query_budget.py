"""What one query may cost: caps on its expansions, and a way to stop it.

A prefix, wildcard or fuzzy term stands for every indexed word it matches; pasted
text (`aa* ba* …`, 400 of them) or a wide fuzzy term (`river~5`) can stand for the
whole vocabulary, and a search of it ran for minutes. As search engines do (Lucene
caps the edit distance at 2 and the number of clauses, Elasticsearch a term's
"max expansions"), a query here is cut down before it is run:

- at most MAX_CLAUSES words (or phrases) are searched; the rest are dropped;
- a fuzzy term's edit distance is at most MAX_EDIT_DISTANCE;
- a prefix, wildcard or fuzzy term expands to at most MAX_TERM_EXPANSIONS words, and all
  of a query's such terms together to at most MAX_QUERY_EXPANSIONS: each gets an equal
  share. Past its share a term keeps its most frequent words, as the as-you-type prefix
  (search.TypingPrefix) does.

Whatever was cut is said in the result (`SearchResult.notices`), so a user knows the
answer is partial. Both Whoosh's own search and the NumPy scorer (annotator.engine.fast.fastscore)
expand the same capped terms, so they still agree.

A search runs with a `Budget` made current for its thread (`running`); `check()`,
called between segments and expansion steps, raises SearchCancelled once the caller's
`cancelled()` says a newer keystroke has replaced the search.
"""

from __future__ import annotations

import copy
import re
import threading
from contextlib import contextmanager
from typing import Callable, Iterator

from whoosh import query as wq
from whoosh.matching import NullMatcher
from whoosh.searching import SearchContext

from annotator.engine.hits import NOTICE_PREFIX, notice_line  # noqa: F401 - the budget's line, with the records
from annotator.engine.schema import text_analyzer
from annotator.errors import AnnotatorError

MAX_CLAUSES = 256
MAX_EDIT_DISTANCE = 2
MAX_TERM_EXPANSIONS = 256
MAX_QUERY_EXPANSIONS = 2048
CHECK_EVERY = 256  # expansion steps between two cancellation checks

_TOKEN = re.compile(r'"[^"]*"?|\S+')
_OPERATORS = {"AND", "OR", "NOT", "ANDNOT", "ANDMAYBE", "(", ")"}


class SearchCancelled(AnnotatorError):
    """A newer search replaced this one before it finished (nothing to show)."""


class Budget:
    """One search's cancellation check and the notices of what was cut from it."""

    def __init__(self, cancelled: Callable[[], bool] | None = None):
        self.cancelled = cancelled
        self._notices: dict[str, None] = {}  # insertion-ordered, without repeats
        self._cut_terms: dict[str, tuple[int, int]] = {}  # term as typed -> (its place in the query, words searched)

    def check(self) -> None:
        if self.cancelled is not None and self.cancelled():
            raise SearchCancelled("search replaced by a newer one")

    def note(self, notice: str) -> None:
        self._notices.setdefault(notice, None)

    def note_cut(self, shown: str, kept: int, place: int = 0) -> None:
        self._cut_terms.setdefault(shown, (place, kept))

    @property
    def notices(self) -> list[str]:
        """What was cut, one short phrase each (many cut terms make one phrase)."""
        found = list(self._notices)
        # In the order typed: the search's paths (Whoosh's, the NumPy scorer's) expand them in different orders
        cut = [(shown, kept) for shown, (_, kept) in sorted(self._cut_terms.items(), key=lambda item: item[1][0])]
        if len(cut) == 1:
            found.append(f"{cut[0][0]} matched too many words; its {cut[0][1]} most frequent were searched")
        elif cut:
            names = ", ".join(name for name, _ in cut[:3]) + (", …" if len(cut) > 3 else "")
            most = max(kept for _, kept in cut)
            found.append(f"{len(cut)} terms ({names}) matched too many words; each searched at most its {most} most frequent")
        return found


_local = threading.local()


def current() -> Budget | None:
    return getattr(_local, "budget", None)


@contextmanager
def running(budget: Budget) -> Iterator[Budget]:
    """Make `budget` the current thread's for the duration of one search."""
    previous = current()
    _local.budget = budget
    try:
        yield budget
    finally:
        _local.budget = previous


def check() -> None:
    """Stop the current search if it was cancelled (a no-op outside a budgeted search)."""
    budget = current()
    if budget is not None:
        budget.check()


def note(notice: str) -> None:
    budget = current()
    if budget is not None:
        budget.note(notice)


# -- cutting a query down ----------------------------------------------------------------


def limit_clauses(words: str) -> str:
    """The query text with no more than MAX_CLAUSES words or phrases (operators are not counted)."""
    tokens = _TOKEN.findall(words)
    counted = 0
    for n, token in enumerate(tokens):
        if token.strip("()") and token.strip("()").upper() not in _OPERATORS:
            counted += 1
            if counted > MAX_CLAUSES:
                note(f"only the first {MAX_CLAUSES} words were searched")
                return " ".join(tokens[:n])
    return words


class Expansions(list):
    """A term's expansions in one segment; `cut` when its cap left some words out."""

    cut = False


def most_frequent(terms: list, ixreader, fieldname: str, limit: int) -> list:
    """The `limit` most frequent of these terms (the earlier in term order on a tie), sorted."""
    frequency = {term: ixreader.doc_frequency(fieldname, term) for term in terms}
    return sorted(sorted(terms, key=lambda term: (-frequency[term], term))[:limit])


class _Capped:
    """A multi-term query expanding to at most `max_expansions` words, its most frequent.

    In an index of several segments the words are chosen once, across the whole index
    (`pin_across_segments`): chosen segment by segment, by each segment's own frequencies,
    a document's score would depend on which segment its passage was written to.
    """

    max_expansions = MAX_TERM_EXPANSIONS
    shown = ""  # the term as the user typed it, for the notice
    place = 0  # its place among the query's capped terms, for the notice
    says_cut = True  # the as-you-type prefix is cut without a notice: the word is not typed out yet
    pinned: frozenset[bytes] | None = None  # the words kept, chosen across the whole index
    pinned_cut = False

    def every_btext(self, ixreader) -> list[bytes]:
        """Every word this term expands to in `ixreader`, as bytes, sorted, uncapped."""
        terms = []
        for n, term in enumerate(super()._btexts(ixreader)):
            if n % CHECK_EVERY == 0:
                check()
            terms.append(term.encode("utf-8") if isinstance(term, str) else term)
        return sorted(terms)

    def kept(self, terms) -> Expansions:
        """Of a segment's expansions, those chosen across the index."""
        found = Expansions(term for term in terms if term in self.pinned)
        found.cut = self.pinned_cut
        return found

    def matcher(self, searcher, context=None):
        # Whoosh's MultiTerm.matcher drops the boost where a segment holds a single expansion: a
        # word inside German compounds (boost 0.1) scored ten times more in such a segment.
        # The rest as Whoosh's, from the words found once (calling it would expand the term again).
        terms = [term for term in self._btexts(searcher.reader()) if term]
        if not terms:
            return NullMatcher()
        if len(terms) == 1:
            return wq.Term(self.field(), terms[0], boost=self.boost).matcher(searcher, context)
        if self.constantscore:  # Whoosh's way of saying the words' scores do not matter
            context = context.set(weighting=None) if context else SearchContext(weighting=None)
        return wq.Or([wq.Term(self.field(), term) for term in terms], boost=self.boost).matcher(searcher, context)

    def _btexts(self, ixreader):
        terms = self.every_btext(ixreader)
        if self.pinned is not None:
            found = self.kept(terms)
        elif len(terms) > self.max_expansions:
            found = Expansions(most_frequent(terms, ixreader, self.fieldname, self.max_expansions))
            found.cut = True
        else:
            found = Expansions(terms)
        if found.cut:
            note_cut(self)
        return found


UNLIMITED = 1 << 30


def capped_leaves(q: wq.Query) -> list:
    return [leaf for leaf in q.leaves() if isinstance(leaf, _Capped)] if q is not wq.NullQuery else []


def unlimited(leaf):
    """A capped term's copy that expands to every word it matches."""
    found = copy.copy(leaf)
    found.max_expansions, found.pinned, found.pinned_cut = UNLIMITED, None, False
    return found


def pin_across_segments(q: wq.Query, segments: list[Callable]) -> None:
    """Choose each capped term's words once for the whole index: the `max_expansions` most
    frequent of all segments' expansions together (earlier in term order on a tie), as one
    segment holding every passage would. `segments` gives, for a term, each segment's
    expansions with their document frequencies."""
    if len(segments) < 2:
        return
    for leaf in capped_leaves(q):
        if leaf.pinned is not None:
            continue
        frequency: dict[bytes, int] = {}
        for expanded in segments:
            for term, doc_frequency in expanded(leaf):
                frequency[term] = frequency.get(term, 0) + doc_frequency
        if len(frequency) > leaf.max_expansions:
            leaf.pinned = frozenset(sorted(frequency, key=lambda term: (-frequency[term], term))[:leaf.max_expansions])
            leaf.pinned_cut = True


class CappedPrefix(_Capped, wq.Prefix):
    pass


class CappedWildcard(_Capped, wq.Wildcard):
    def every_btext(self, ixreader) -> list[bytes]:
        # A word inside others (`*schuld*`, German compounds): found in the segment's term table,
        # not by Whoosh matching every word of the segment in Python (annotator.engine.fast.infix).
        from annotator.engine.fast import infix

        terms = infix.expansions(self, ixreader)
        return super().every_btext(ixreader) if terms is None else sorted(terms)


class CappedFuzzy(_Capped, wq.FuzzyTerm):
    pass


def note_cut(q) -> None:
    budget = current()
    if budget is not None and q.says_cut:
        budget.note_cut(q.shown or q.text, q.max_expansions, getattr(q, "place", 0))


_TYPED_FUZZY = re.compile(r"(\w[\w'-]*)~(\d*)", re.UNICODE)


def _typed_fuzzy(words: str) -> dict[str, str]:
    """The fuzzy terms as typed (`lonely~2`), by the word the parser made of them (stemmed: `lone`)."""
    typed = {}
    for raw, _ in _TYPED_FUZZY.findall(words):
        for token in text_analyzer()(raw, mode="query", removestops=False, tokenize=False):
            typed.setdefault(token.text, raw.lower())
    return typed


def _shown(q, typed: dict[str, str]) -> str:
    if isinstance(q, wq.FuzzyTerm):
        word = typed.get(q.text, q.text)
        return f"{word}~{q.maxdist}" if q.maxdist != 1 else f"{word}~"
    if isinstance(q, wq.Prefix):
        return f"{q.text}*"
    return q.text


def _expanding(q) -> bool:
    return isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)) and q.field() == "text"


def apply(q: wq.Query, words: str = "") -> wq.Query:
    """The query with every prefix, wildcard and fuzzy term capped (new nodes: `q` may be cached);
    `words`, the query as typed, names the terms in notices as the user wrote them."""
    if q is wq.NullQuery:
        return q
    count = sum(1 for leaf in q.leaves() if _expanding(leaf))
    if not count:
        return q
    share = max(1, min(MAX_TERM_EXPANSIONS, MAX_QUERY_EXPANSIONS // count))
    typed = _typed_fuzzy(words) if "~" in words else {}
    places = iter(range(count))

    def cap(node: wq.Query) -> wq.Query:
        if not node.is_leaf():
            return node.apply(cap)
        if not _expanding(node):
            return node
        place = next(places)
        own = getattr(node, "max_expansions", None)  # the as-you-type prefix has a smaller cap of its own
        if isinstance(node, wq.Prefix) and own is not None and own <= share:
            return node
        capped = _capped(node, share, _shown(node, typed))
        capped.place = place
        return capped

    return cap(q)


def _capped(node, share: int, shown: str):
    """The capped term, scored: each expansion by BM25F and summed, in every segment alike. (Whoosh's
    constant score is 1.0 only where a segment has more than two expansions and under 5,000
    documents, BM25F elsewhere: a passage's score then hung on the segment it was written to.)"""
    if isinstance(node, wq.FuzzyTerm):
        maxdist = node.maxdist
        if maxdist > MAX_EDIT_DISTANCE:
            shown_capped = shown.rsplit("~", 1)[0] + f"~{MAX_EDIT_DISTANCE}"
            note(f"{shown} searched as {shown_capped} (fuzzy distance at most {MAX_EDIT_DISTANCE})")
            shown = shown_capped
            maxdist = MAX_EDIT_DISTANCE
        capped = CappedFuzzy(node.fieldname, node.text, boost=node.boost, maxdist=maxdist,
                             # Whoosh's automaton fails on a prefix longer than the word (`a~1/2`)
                             prefixlength=min(node.prefixlength, len(node.text)), constantscore=False)
    elif isinstance(node, wq.Prefix):
        capped = CappedPrefix(node.fieldname, node.text, boost=node.boost, constantscore=False)
    else:
        capped = CappedWildcard(node.fieldname, node.text, boost=node.boost, constantscore=False)
    capped.max_expansions = share
    capped.shown = shown
    return capped
