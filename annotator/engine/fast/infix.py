"""Words holding a part (`*schuld*`), found in a segment's term table instead of its whole lexicon.

A German word is also looked for inside compounds (annotator.engine.analysis.InCompound, the
wildcard `*schuld*`). Whoosh answers such a wildcard by decoding and matching every term of the
field, one by one in Python: tens of milliseconds a segment on a big corpus, for each word typed.
The term table (annotator.engine.fast.termtable) holds the field's sorted terms one a line in one
block of bytes: the part is found there by one byte search, each place found is turned into its
term's number (NumPy, against the terms' starts), and the numbers into the terms. Built once per
segment (the block and its starts), kept with the segment's reader. Reached from the capped
wildcard's expansion (query_budget.CappedWildcard._btexts), so that both the NumPy scorer and
Whoosh's own matchers (a small index's constant-score expansions) use it.

The same terms as Whoosh's own expansion, in the same order.
"""

from __future__ import annotations

import re
import weakref

import numpy as np
from whoosh import query as wq

from annotator.engine.fast.termtable import reader_table

_WILDCARDS = re.compile(r"[*?\[\]]")


def infix_part(q) -> str | None:
    """The part a wildcard looks for inside words (`*schuld*` -> `schuld`), None for another query."""
    text = getattr(q, "text", None)
    if not isinstance(q, wq.Wildcard) or not isinstance(text, str) or len(text) < 3:
        return None
    if text[0] != "*" or text[-1] != "*" or _WILDCARDS.search(text[1:-1]):
        return None
    return text[1:-1]


def expansions(q, reader) -> list[bytes] | None:
    """The terms of `reader`'s segment holding the part `q` looks for, sorted, as Whoosh's scan finds
    them (uncapped: query_budget.CappedWildcard caps them); None when this does not apply (another
    query, or a segment without a term table): Whoosh's way then."""
    part = infix_part(q)
    if part is None:
        return None
    vocabulary = _vocabulary(reader, q.fieldname)
    if vocabulary is None:
        return None
    return vocabulary.containing(part.encode("utf-8"))


class Vocabulary:
    """A field's terms, sorted, one a line in one block of bytes, and where each begins in it."""

    def __init__(self, blob: bytes, terms: list[bytes]):
        self.blob = blob
        self.terms = terms
        lengths = np.fromiter((len(t) + 1 for t in terms), dtype=np.int64, count=len(terms))
        self.starts = np.concatenate(([0], np.cumsum(lengths)[:-1])) if len(terms) else np.zeros(0, dtype=np.int64)

    def containing(self, part: bytes) -> list[bytes]:
        """Every term holding `part`, in term order."""
        if not part or b"\n" in part:
            return []
        places = [m.start() for m in re.finditer(re.escape(part), self.blob)]
        if not places:
            return []
        numbers = np.unique(np.searchsorted(self.starts, np.asarray(places, dtype=np.int64), side="right") - 1)
        terms = self.terms
        return [terms[i] for i in numbers.tolist()]


# reader -> {field name: Vocabulary or None}: a segment's terms do not change while its reader lives
_vocabularies: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _vocabulary(reader, fieldname: str) -> Vocabulary | None:
    try:
        known = _vocabularies.setdefault(reader, {})
    except TypeError:  # a reader that cannot be weakly referenced: not kept, Whoosh's way
        return None
    if fieldname not in known:
        known[fieldname] = _from_table(reader, fieldname)
    return known[fieldname]


def _from_table(reader, fieldname: str) -> Vocabulary | None:
    table = reader_table(reader)
    field = table.field(fieldname) if table is not None else None
    if field is None:
        return None
    terms = field.terms()
    return Vocabulary(b"\n".join(terms), terms)
