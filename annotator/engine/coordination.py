"""Plain words ranked by how many of them a passage holds, then by BM25F (strict tiers).

DESIGN.md's contract: plain words match any of the words, the passages holding more of
them ranked first. Whoosh's coordination bonus (OrGroup's `scale`) adds under one point
for each extra word (and the parser's group loses its `scale`: none at all), far less
than one rare word's BM25F weight, so on a novel a short
passage with one rare word twice outranked the only passage holding every word. Here
each word of the query is a *slot*; a passage's score is

    words matched  +  S / (S + 1)        (S: the BM25F sum of everything it matched)

so a passage holding more of the words always ranks first, and among passages holding
as many, BM25F decides (S / (S + 1) keeps its order and stays under 1).

The word still being typed (search as you type) is a slot whose completions (`hands*`
for `hands`) count half a word: a passage holding only "handsome" never outranks one
holding "hands" itself, and where the word itself matches, its completions add nothing to
the score. They are marked by wrapping them in `Completion`.

Both Whoosh's own path (the `matcher` below) and annotator's NumPy scorer
(annotator.engine.fast.fastscore) compute this, summing the parts' scores in the same order, so
the two give the same scores.
"""

from __future__ import annotations

from whoosh import matching, query as wq

COMPLETION_COVERAGE = 0.5


def tiered_score(coverage, bm25):
    """The final score from the words matched (coverage) and the BM25F sum (works on NumPy arrays too)."""
    return coverage + bm25 / (bm25 + 1.0)


class Completion(wq.WrappingQuery):
    """Completions of the word being typed: they match and score, but count as half a word."""

    def _rewrap(self, child):
        return self.__class__(child)

    def __repr__(self):
        return f"Completion({self.child!r})"


class TypedWord(wq.Or):
    """One slot of a Coordinated query with several parts: the word as typed, and its Completion."""

    JOINT = " TW "


class Coordinated(wq.Or):
    """Plain words, OR-ed, scored in strict tiers by how many of them match (module docstring)."""

    JOINT = " COORD "

    def parts(self) -> list[tuple[int, wq.Query, float]]:
        """(slot number, query, coverage) for every part, in the order their scores are summed."""
        found = []
        for slot, sub in enumerate(self.subqueries):
            pieces = sub.subqueries if isinstance(sub, TypedWord) else [sub]
            for piece in pieces:
                if isinstance(piece, Completion):
                    found.append((slot, piece.child, COMPLETION_COVERAGE))
                else:
                    found.append((slot, piece, 1.0))
        return found

    def matcher(self, searcher, context=None):
        parts = [(slot, q.matcher(searcher, context), coverage) for slot, q, coverage in self.parts()]
        parts = [(slot, m, coverage) for slot, m, coverage in parts if m.is_active()]
        if not parts:
            return matching.NullMatcher()
        return CoverageMatcher(parts, len(self.subqueries))


class CoverageMatcher(matching.Matcher):
    """The union of the parts' matchers, each document scored by `tiered_score`."""

    def __init__(self, parts, slots: int):
        self._parts = parts
        self._slots = slots

    def is_active(self):
        return any(m.is_active() for _, m, _ in self._parts)

    def id(self):
        return min(m.id() for _, m, _ in self._parts if m.is_active())

    def next(self):
        current = self.id()
        for _, m, _ in self._parts:
            if m.is_active() and m.id() == current:
                m.next()

    def skip_to(self, target):
        for _, m, _ in self._parts:
            if m.is_active() and m.id() < target:
                m.skip_to(target)

    def score(self):
        current = self.id()
        covered = [0.0] * self._slots
        slot_score = [0.0] * self._slots
        for slot, m, coverage in self._parts:
            if m.is_active() and m.id() == current:
                if coverage > covered[slot]:  # the word itself: its completions' scores no longer count
                    covered[slot], slot_score[slot] = coverage, m.score()
                elif coverage == covered[slot]:
                    slot_score[slot] += m.score()
        return tiered_score(sum(covered), sum(slot_score))

    def weight(self):
        return self.score()

    def supports_block_quality(self):
        return False

    def max_quality(self):
        return float(self._slots + 1)  # every word matched (coverage <= slots), and S / (S + 1) < 1

    def supports(self, astype):
        return False

    def children(self):
        return [m for _, m, _ in self._parts]

    def term_matchers(self):
        for _, m, _ in self._parts:
            yield from m.term_matchers()

    def copy(self):
        return CoverageMatcher([(slot, m.copy(), coverage) for slot, m, coverage in self._parts], self._slots)

    def replace(self, minquality=0):
        if not self.is_active():
            return matching.NullMatcher()
        return self


def _holds_typing(q: wq.Query, typing_class) -> bool:
    return isinstance(q, typing_class) or (not q.is_leaf() and any(_holds_typing(c, typing_class) for c in q.children()))


def _words_of(q: wq.Query) -> set[str]:
    """The text terms a word query (a Term, or a Phrase for a hyphenated word) is made of."""
    found = set()
    for leaf in q.leaves():
        if isinstance(leaf, wq.Phrase):
            found.update(leaf.words)
        elif isinstance(leaf, wq.Term):
            found.add(leaf.text)
    return found


def _is_typed_word(node: wq.Query, typing_class, exact_words: set[str]) -> bool:
    """The node search.prepare made of the word being typed: its prefix, with nothing but that word's own parts."""
    if isinstance(node, typing_class):
        return True
    if not isinstance(node, (wq.Or, wq.And)) or not _holds_typing(node, typing_class):
        return False
    others = [leaf for leaf in node.leaves() if not isinstance(leaf, typing_class)]
    return all(isinstance(leaf, wq.Term) and leaf.text in exact_words for leaf in others)


def typed_word(node: wq.Query, typing_class, exact: wq.Query | None) -> wq.Query:
    """The word being typed, as the word itself (`exact`) or, counting half, its completions."""
    completion = node
    if isinstance(node, wq.Or):  # `hands*` read as (prefix "hands" OR the stem "hand"): the stem is the word
        rest = [c for c in node.subqueries if c != exact]
        completion = rest[0] if len(rest) == 1 else wq.Or(rest)
    if exact is None or exact is wq.NullQuery:
        return TypedWord([Completion(completion)])
    return TypedWord([exact, Completion(completion)])


def coordinate(q: wq.Query, typing_class=None, exact: wq.Query | None = None) -> wq.Query:
    """Words OR-ed at the top of a query (plain words, or `a OR b`) as a Coordinated query; other shapes keep theirs.

    With `typing_class` (the class of the typed word's prefix) the word being typed becomes a
    TypedWord: `exact` (the word as typed, already parsed) or its completions. A query that
    is only that word is a one-slot Coordinated query, so completions rank below the word.
    """
    if typing_class is not None:
        words = _words_of(exact) if exact is not None else set()

        def mark(node):
            if _is_typed_word(node, typing_class, words):
                return typed_word(node, typing_class, exact)
            return node if node.is_leaf() else node.apply(mark)

        q = mark(q)
    return _coordinate(q)


def _coordinate(q: wq.Query) -> wq.Query:
    if isinstance(q, wq.AndNot):
        inner = _coordinate(q.a)
        return q if inner is q.a else wq.AndNot(inner, q.b)
    if isinstance(q, TypedWord):
        return Coordinated([q])
    if type(q) is wq.Or and q.boost == 1.0:  # words, OR-ed by the parser's group or by OR typed
        return Coordinated(list(q.subqueries))
    return q
