"""Whoosh's BM25F ranking computed with NumPy, over the postings of the Whoosh index.

Whoosh scores every matching document in Python, one call chain per document;
on a common word in a large corpus that is thousands of calls per keystroke.
This module evaluates the same query tree over whole posting lists at once:
per index segment, each term's document numbers and weights are sliced from the
segment's term table (annotator.engine.fast.termtable) or, for a segment without one, read
once from Whoosh (and kept, since a segment never changes), its field lengths likewise, and
scores are computed with the very formulas Whoosh's matchers use, in the same
order of operations, so the ranking is Whoosh's own (tests compare the two).

It covers the query shapes a user types: words (OR-ed with Whoosh's coordination
bonus), AND, -word, "phrases", prefixes and fuzzy terms, and filter terms.
Anything else (Every, ranges, spans) raises Unsupported and the caller runs
Whoosh's own search.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import OrderedDict
from dataclasses import dataclass
from itertools import islice
from math import log

import numpy as np
from whoosh import query as wq
from whoosh.reading import TermNotFound
from whoosh.scoring import BM25F, WeightingModel
from whoosh.util.numeric import byte_to_length

from annotator.engine.analysis import fold
from annotator.engine.coordination import Coordinated, tiered_score
from annotator.engine import query_budget
from annotator.engine import whoosh_internals
from annotator.engine.fast.termtable import FieldTable, TermTable, open_table

# How many postings (document, weight) pairs to keep in memory across all terms.
POSTINGS_BUDGET = 4_000_000
# Past this many expansions, a prefix's OR is summed sparsely, in one pass (see _sparse_union): a
# document's score can differ from Whoosh's tree of sums in the last bit only where it holds three
# or more of the expansions, and three terms scored one by one cost a 100k-passage prefix a third more.
SPARSE_UNION_MIN = 2
# A union of two partial results whose documents number more than 1/DENSE_JOIN of the segment's
# is summed in arrays over the segment (cheaper, then, than merging the two lists).
DENSE_JOIN = 8
# An accented word's spellings (as written, and its folded stem: VectorScorer._coordinated) are summed over
# the documents they match rather than in arrays over the segment while their postings number at most
# 1/SPARSE_COORDINATION_SUBSET of the segment's documents (and each spelling's are within another's).
SPARSE_COORDINATION_SUBSET = 2
# Postings summed per document: past 1/DENSE_SUM of the segment's documents, counted into arrays
# over the segment rather than sorted (see _summed).
DENSE_SUM = 4
# A phrase whose words have at most this many positions in all in a segment is matched over all of
# them at once (_table_adjacent); beyond, over the documents holding every word (_table_phrase).
WHOLE_PHRASE_POSITIONS = 60_000
# Whoosh's Or picks a different matcher (and scoring) at or below this many documents.
SMALL_INDEX = 5000
_LENGTH_TABLE = np.array([byte_to_length(b) if b else 0 for b in range(256)], dtype=np.float64)


class Unsupported(Exception):
    """The query has a shape this module does not score; use Whoosh's search."""


@dataclass
class Partial:
    """One query node evaluated over one segment: the documents it matches, each with its score.

    Sparse, like the postings it comes from: a rare word's node costs what its few
    documents cost, not a pass over the whole segment.
    """

    ids: np.ndarray  # the matching documents of the segment, ascending
    score: np.ndarray  # float64: each one's score
    nmatch: np.ndarray  # int32: how many term matchers match each one (for coordination)
    termcount: int  # how many term matchers the node has (Whoosh's term_matchers())
    size: int  # Whoosh's estimate_size for the node, used to shape the sum tree


class SegmentData:
    """What never changes in one Whoosh segment: its field lengths and its postings.

    A segment written by the bulk writer has a term table beside it (annotator.engine.fast.termtable):
    its terms, document frequencies and postings are read from there, without Whoosh.
    Other segments' postings are read through Whoosh and kept in the PostingsCache.
    """

    def __init__(self, reader, owner: "PostingsCache"):
        self.reader = reader
        self.key = _segment_key(reader)
        self.doc_count = reader.doc_count_all()
        self.owner = owner
        self._table: TermTable | None | bool = False  # False: not looked for yet
        self._schema_names = frozenset(reader.schema.names())
        self._lengths: dict[str, np.ndarray] = {}
        self._columns: dict[str, np.ndarray] = {}
        self._doc_frequency: dict[tuple, int] = {}
        self._expansions: dict[tuple, list] = {}
        self.terms: dict[str, list[bytes]] = {}  # a field's sorted terms, once scan_terms has read them all
        self._scanning: dict[str, list[bytes]] = {}

    def field_table(self, fieldname: str) -> FieldTable | None:
        """The field's part of the segment's term table; None when the segment has no (sound) table."""
        if self._table is False:
            self._table = _open_table(self.reader, self.doc_count)
        return self._table.field(fieldname) if self._table is not None else None

    def stored_fields(self, docnum: int) -> dict | None:
        """The document's stored fields from the segment's term table; None when the table has none."""
        if self._table is False:
            self._table = _open_table(self.reader, self.doc_count)
        table = self._table
        if table is None or not table.has_stored():
            return None
        stored = table.stored_fields(docnum)
        if not self._schema_names.issuperset(stored):  # as Whoosh's reader: fields the schema lost are left out
            stored = {name: value for name, value in stored.items() if name in self._schema_names}
        return stored

    def postings(self, fieldname: str, btext: bytes) -> tuple[np.ndarray, np.ndarray] | None:
        """A term's document numbers and weights, deleted documents included; None when the segment lacks it."""
        table = self.field_table(fieldname)
        if table is not None:
            found = table.find(btext)
            return None if found < 0 else table.postings(found)
        if not self.doc_frequency(fieldname, btext):
            return None
        return self.owner.postings(self.key, self.reader, fieldname, btext)

    def doc_frequency(self, fieldname: str, btext: bytes) -> int:
        """How many documents of the segment have the term (0: not in the segment); cached."""
        table = self.field_table(fieldname)
        if table is not None:
            return table.doc_frequency(btext)
        key = (fieldname, btext)
        found = self._doc_frequency.get(key)
        if found is None:
            found = self.reader.doc_frequency(fieldname, btext) if key in self.reader else 0
            if len(self._doc_frequency) > 200_000:
                self._doc_frequency.clear()
            self._doc_frequency[key] = found
        return found

    def expansions(self, q) -> list:
        """The terms a prefix, wildcard or fuzzy term expands to in this segment; cached."""
        pinned = getattr(q, "pinned", None)  # chosen across the index: this segment keeps its share
        key = (type(q).__name__, q.field(), getattr(q, "text", None), getattr(q, "maxdist", None),
               getattr(q, "prefixlength", None), getattr(q, "max_expansions", None), pinned)
        found = self._expansions.get(key)
        if found is None:
            limit = None if pinned is not None else getattr(q, "max_expansions", None)
            table = self.field_table(q.field()) if isinstance(q, (wq.Prefix, wq.FuzzyTerm)) else None
            terms = self.terms.get(q.field()) if type(q) is wq.Prefix else None
            if table is not None and isinstance(q, wq.FuzzyTerm):
                found = _table_fuzzy(table, q, limit)
            elif table is not None:
                found = _table_prefix(table, self.reader.schema[q.field()].to_bytes(q.text), limit)
            elif terms is not None:
                found = _with_prefix(terms, self.reader.schema[q.field()].to_bytes(q.text))
            else:  # Whoosh's FuzzyTerm expands to text, its Prefix to bytes: bytes, as the term table holds
                expanded = whoosh_internals.btexts(q, self.reader)
                found = query_budget.Expansions(t if isinstance(t, bytes) else t.encode("utf-8") for t in expanded if t)
                found.cut = getattr(expanded, "cut", False)  # the query budget left some out
            if pinned is not None:
                found = q.kept(found)
            if len(self._expansions) > 2000:
                self._expansions.clear()
            self._expansions[key] = found
        return found

    def scan_terms(self, fieldname: str, chunk: int = 2000) -> bool:
        """Read the next `chunk` terms of a field with their document frequencies; True once all are read.

        A step of the warm-up: prefixes then expand by bisection, and document
        frequencies need no lookup.
        """
        if fieldname in self.terms:
            return True
        table = self.field_table(fieldname)
        if table is not None:
            self.terms[fieldname] = table.terms()
            return True
        found = self._scanning.setdefault(fieldname, [])
        start = found[-1] if found else b""
        taken = 0
        for btext, info in self.reader.iter_field(fieldname, prefix=start):
            if found and btext <= found[-1]:
                continue  # the last term of the previous step
            found.append(btext)
            self._doc_frequency[(fieldname, btext)] = info.doc_frequency()
            taken += 1
            if taken >= chunk:
                return False
        self.terms[fieldname] = self._scanning.pop(fieldname)
        return True

    def all_terms(self, fieldname: str) -> list[bytes]:
        """Every term of the field in the segment, sorted."""
        while not self.scan_terms(fieldname, 50_000):
            pass
        return self.terms[fieldname]

    def words(self, fieldname: str) -> list[str]:
        """Every term of the field in the segment as text, sorted."""
        table = self.field_table(fieldname)
        if table is not None:
            return table.words()
        return [term.decode("utf-8", "replace") for term in self.all_terms(fieldname)]

    def column(self, fieldname: str) -> np.ndarray:
        cached = self._columns.get(fieldname)
        if cached is None:
            values = self.reader.column_reader(fieldname)
            cached = _fixed_width_column(values, self.doc_count)
            if cached is None:
                cached = np.array([values[i] for i in range(self.doc_count)])
            # Whole numbers stay whole: corpus order's keys (schema.NOTE_ORDER_BASE) pass float64's 2**53.
            whole = cached.dtype.kind in "iub"
            cached = self._columns[fieldname] = cached.astype(np.int64 if whole else np.float64, copy=False)
        return cached

    def lengths(self, fieldname: str) -> np.ndarray:
        cached = self._lengths.get(fieldname)
        if cached is None:
            cached = _read_lengths(self.reader, fieldname, self.doc_count)
            self._lengths[fieldname] = cached
        return cached


def _open_table(reader, doc_count: int) -> TermTable | None:
    """The term table written beside the reader's segment, if there is one to trust."""
    storage = reader.storage() if hasattr(reader, "storage") else None
    storage = getattr(storage, "b", storage)  # a compound segment's files are overlaid on the index folder
    folder = getattr(storage, "folder", None)
    segment = reader.segment() if hasattr(reader, "segment") else None
    if folder is None or segment is None:
        return None
    return open_table(folder, segment.segment_id(), doc_count)


def _table_prefix(table: FieldTable, prefix: bytes, limit: int | None) -> list[bytes]:
    """The terms beginning with `prefix`, sorted; past `limit` of them, the `limit` most frequent
    (among equally frequent ones, those later in term order are dropped first), as search.TypingPrefix picks them."""
    lo, hi = table.prefix_range(prefix)
    if limit is not None and hi - lo > limit:
        frequencies = table.doc_frequencies(lo, hi)
        kept = np.sort(np.lexsort((np.arange(hi - lo), -frequencies))[:limit]) + lo
        found = [table.term(int(i)) for i in kept]
    else:
        found = table.terms()[lo:hi]
    expansions = query_budget.Expansions(term for term in found if term)
    expansions.cut = limit is not None and hi - lo > limit
    return expansions


def _table_fuzzy(table: FieldTable, q: wq.FuzzyTerm, limit: int | None) -> list[bytes]:
    """The terms within q.maxdist edits (Levenshtein: insert, delete, substitute) of q.text that
    begin with its first q.prefixlength letters, as Whoosh's automaton finds them (sharing a
    prefix, the whole words are as far apart as what follows it); past `limit`, the most
    frequent, as query_budget picks them. rapidfuzz scans the vocabulary in C: Whoosh walks
    its on-disk term index, a second for `lonely~2` at 50k passages."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    head = q.text[:q.prefixlength]
    close = process.extract(q.text, table.words(), scorer=Levenshtein.distance, score_cutoff=int(q.maxdist), limit=None)
    kept = np.array(sorted(i for word, _, i in close if word and word.startswith(head)), dtype=np.int64)
    expansions = query_budget.Expansions()
    if limit is not None and len(kept) > limit:
        frequencies = table.doc_frequencies(0, table.count)[kept]
        kept = np.sort(kept[np.lexsort((kept, -frequencies))[:limit]])
        expansions.cut = True
    expansions.extend(table.term(int(i)) for i in kept)
    return expansions


def _read_lengths(reader, fieldname: str, count: int) -> np.ndarray:
    column = whoosh_internals.lengths_column(reader, fieldname)
    if column is None:  # another kind of reader: ask document by document
        return np.array([reader.doc_field_length(i, fieldname, 0) or 0 for i in range(count)], dtype=np.float64)
    raw = _fixed_width_column(column, count)
    if raw is None:
        raw = np.fromiter((column[i] for i in range(count)), dtype=np.uint8, count=count)
    return _LENGTH_TABLE[raw.astype(np.uint8)]


# struct typecodes (Whoosh packs numeric columns big-endian, standard sizes) as NumPy dtypes
_COLUMN_DTYPES = {"b": "i1", "B": "u1", "h": ">i2", "H": ">u2", "i": ">i4", "I": ">u4", "l": ">i4",
                  "L": ">u4", "q": ">i8", "Q": ">u8", "f": ">f4", "d": ">f8"}


def _with_prefix(terms: list[bytes], prefix: bytes) -> list[bytes]:
    """The sorted terms beginning with `prefix`, as Whoosh's expand_prefix lists them."""
    out = []
    for term in islice(terms, bisect_left(terms, prefix), None):
        if not term.startswith(prefix):
            break
        if term:
            out.append(term)
    return out


def _fixed_width_column(values, count: int) -> np.ndarray | None:
    """A numeric column read as one block of bytes (reading it value by value takes seconds at 100k).

    None when the column is not a plain fixed-width numeric one, or when its values are
    translated into something else than the stored numbers (checked on a few documents).
    """
    from whoosh.columns import TranslatingColumnReader

    raw_reader = values.raw_column() if isinstance(values, TranslatingColumnReader) else values
    parts = whoosh_internals.numeric_column_bytes(raw_reader, count)
    if parts is None or parts[1] not in _COLUMN_DTYPES:
        return None
    data, typecode, stored, default = parts
    found = np.frombuffer(data, dtype=np.dtype(_COLUMN_DTYPES[typecode]), count=stored)
    if stored < count:
        found = np.concatenate([found, np.full(count - stored, default, dtype=found.dtype)])
    for docnum in {0, count // 3, count // 2, count - 1} if count else ():
        if values[docnum] != found[docnum]:
            return None
    return found


def _read_postings(reader, fieldname: str, text: bytes) -> tuple[np.ndarray, np.ndarray]:
    """A term's document numbers and weights, deleted documents included (the scorer masks them out)."""
    matcher = _raw_matcher(reader, fieldname, text) or reader.postings(fieldname, text)
    ids: list = []
    weights: list = []
    block_reader = whoosh_internals.is_block_matcher(matcher)
    while matcher.is_active():
        if block_reader and whoosh_internals.at_block_start(matcher):
            block_ids, block_weights = whoosh_internals.read_block(matcher)
            ids.extend(block_ids)
            if isinstance(block_weights, (int, float)) or block_weights is None:
                block_weights = [block_weights or 1.0] * len(block_ids)
            weights.extend(block_weights)
            whoosh_internals.next_block(matcher)
        else:
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
    return np.asarray(ids, dtype=np.int32), _compact_weights(np.asarray(weights, dtype=np.float64))


def _compact_weights(weights_array: np.ndarray) -> np.ndarray:
    if len(weights_array) and np.array_equal(weights_array, np.round(weights_array)) and weights_array.max() < 2**24:
        return weights_array.astype(np.float32)  # term counts: exact in float32, half the memory
    return weights_array


def _raw_matcher(reader, fieldname: str, text: bytes):
    """The segment's own block matcher, without the wrapper that skips deleted documents.

    That wrapper steps through postings one by one in Python; the scorer applies the
    segment's live mask to every result anyway.
    """
    try:
        return whoosh_internals.raw_term_matcher(reader, fieldname, text)
    except (KeyError, TermNotFound):  # a term the segment lacks (callers ask for held ones): Whoosh's reader
        return None


class PostingsCache:
    """Segment data and term postings, shared by every searcher of one index."""

    def __init__(self, budget: int = POSTINGS_BUDGET):
        self.budget = budget
        self.size = 0
        self._segments: dict[str, SegmentData] = {}
        self._postings: OrderedDict[tuple, tuple[np.ndarray, np.ndarray]] = OrderedDict()

    def segment(self, reader) -> SegmentData:
        key = _segment_key(reader)
        data = self._segments.get(key)
        if data is None:
            data = self._segments[key] = SegmentData(reader, self)
        data.reader = reader
        return data

    def postings(self, segment_key: str, reader, fieldname: str, text: bytes):
        key = (segment_key, fieldname, text)
        hit = self._postings.get(key)
        if hit is not None:
            self._postings.move_to_end(key)
            return hit
        hit = _read_postings(reader, fieldname, text)
        self._postings[key] = hit
        self.size += len(hit[0])
        while self.size > self.budget and len(self._postings) > 1:
            _, (ids, _) = self._postings.popitem(last=False)
            self.size -= len(ids)
        return hit

    def has(self, segment_key: str, fieldname: str, text: bytes) -> bool:
        return (segment_key, fieldname, text) in self._postings

    def forget_except(self, live_keys: set[str]) -> None:
        """Drop what belongs to segments no longer in the index (merged away)."""
        for key in [k for k in self._segments if k not in live_keys]:
            del self._segments[key]
        for key in [k for k in self._postings if k[0] not in live_keys]:
            ids, _ = self._postings.pop(key)
            self.size -= len(ids)


def _deleted_docs(reader):
    deleted = getattr(reader, "deleted_docs_set", None)
    if deleted is None:
        return [d for d in range(reader.doc_count_all()) if reader.is_deleted(d)]
    return deleted() if callable(deleted) else deleted


def _segment_key(reader) -> str:
    segment = reader.segment()
    return f"{segment.indexname}:{segment.segid}"


@dataclass
class Ranked:
    docnums: list[int]  # global document numbers, best first
    scores: list[float]
    total: int


class VectorScorer:
    """Scores queries over one open Whoosh searcher, with Whoosh's BM25F."""

    def __init__(self, searcher, cache: PostingsCache):
        self.searcher = searcher
        # Theme sets not yet committed to the index (SearchIndex.pending_tags): docnum -> themes.
        self.pending: dict[int, list[str]] = {}
        self._avgfl: dict[str, float] = {}
        self._pending_source: dict | None = None
        weighting = searcher.weighting
        if type(weighting) is not BM25F or whoosh_internals.bm25f_field_b(weighting):
            raise Unsupported("only plain BM25F is reproduced")
        self.B = weighting.B
        self.K1 = weighting.K1
        self._own_idf = type(weighting).idf is WeightingModel.idf
        self._idf: dict[tuple, float] = {}
        self._doc_count_all = searcher.doc_count_all()
        self.cache = cache
        self.leaves = []
        for sub, offset in searcher.leaf_searchers():
            reader = sub.reader()
            if reader.segment() is None:  # an index with no segment yet (an empty workspace): nothing to score
                continue
            data = cache.segment(reader)
            deleted = np.zeros(data.doc_count, dtype=bool)
            if reader.has_deletions():
                gone = [d for d in _deleted_docs(reader) if d < data.doc_count]
                deleted[gone] = True
            self.leaves.append((sub, offset, data, _segment_key(reader), ~deleted))
        cache.forget_except({leaf[3] for leaf in self.leaves})
        self._offsets: list[int] | None = None

    # -- public --------------------------------------------------------------------

    def apply_pending(self, pending_tags: dict[str, list[str]]) -> None:
        """Use these theme sets (passage id -> themes) instead of the indexed ones."""
        if pending_tags is self._pending_source and len(pending_tags) == len(self.pending):
            return
        self.pending = {}
        for pid, themes in pending_tags.items():
            docnum = self.searcher.document_number(id=pid)
            if docnum is not None:
                self.pending[docnum] = themes
        self._pending_source = pending_tags

    def stored_fields(self, docnums: list[int]) -> list[dict]:
        """The stored fields of these documents (index-wide numbers): from the term tables, else from Whoosh."""
        if self._offsets is None:
            self._offsets = [offset for _, offset, *_ in self.leaves]
        found = []
        for docnum in docnums:
            n = bisect_right(self._offsets, docnum) - 1
            stored = None
            if n >= 0:
                _, offset, data, _, _ = self.leaves[n]
                if docnum - offset < data.doc_count:
                    stored = data.stored_fields(docnum - offset)
            found.append(self.searcher.stored_fields(docnum) if stored is None else stored)
        return found

    def rank(self, q: wq.Query, restrict: wq.Query | None, limit: int) -> Ranked:
        all_docs, all_scores = [], []
        total = 0
        for sub, offset, data, key, live in self.leaves:
            query_budget.check()  # a newer keystroke may have replaced this search
            part = self._eval(q, sub, data, key)
            keep = live[part.ids]
            if restrict is not None:
                keep &= self._filter_mask(restrict, sub, data, key)[part.ids]
            idx = part.ids[keep].astype(np.int64)
            total += len(idx)
            all_docs.append(idx + offset)
            all_scores.append(part.score[keep])
        docs = np.concatenate(all_docs) if all_docs else np.zeros(0, dtype=np.int64)
        scores = np.concatenate(all_scores) if all_scores else np.zeros(0)
        if limit and len(scores) > limit:
            threshold = np.partition(scores, len(scores) - limit)[len(scores) - limit]
            keep = scores >= threshold  # ties at the threshold all stay; the sort below decides
            docs, scores = docs[keep], scores[keep]
        order = np.lexsort((docs, -scores))
        if limit:
            order = order[:limit]
        return Ranked(docs[order].tolist(), scores[order].tolist(), total)

    def list_in_order(self, restrict: wq.Query | None, limit: int | None, column: str) -> Ranked:
        """Documents passing the filter (all when None), by a sortable column, like sortedby=column."""
        all_docs, all_keys = [], []
        for sub, offset, data, key, live in self.leaves:
            mask = live.copy()
            if restrict is not None:
                mask &= self._filter_mask(restrict, sub, data, key)
            idx = np.flatnonzero(mask)
            all_docs.append(idx + offset)
            all_keys.append(data.column(column)[idx])
        docs = np.concatenate(all_docs) if all_docs else np.zeros(0, dtype=np.int64)
        keys = np.concatenate(all_keys) if all_keys else np.zeros(0, dtype=np.int64)
        order = np.lexsort((docs, keys))
        if limit:
            order = order[:limit]
        return Ranked(docs[order].tolist(), [0.0] * len(order), len(docs))

    # -- the query shapes served, decided before any scoring ----------------------------------

    def check(self, q: wq.Query | None, restrict: wq.Query | None = None) -> None:
        """Raise Unsupported when the query or the filter has a shape this scorer does not serve.

        Decided up front, so that evaluation never meets a shape it leaves to Whoosh: an
        exception from rank() or list_in_order() after a check that passed is a bug.
        """
        if q is not None:
            self._check_scored(q)
        if restrict is not None:
            self._check_filter(restrict)

    def _check_scored(self, q) -> None:
        if isinstance(q, wq.Term):
            return
        if isinstance(q, (wq.Or, wq.And)):
            for child in q.subqueries:
                self._check_scored(child)
            return
        if isinstance(q, wq.AndNot):
            self._check_scored(q.a)
            self._check_filter(q.b)
            return
        if isinstance(q, wq.Phrase):
            schema = self.searcher.schema
            field = schema[q.fieldname] if q.fieldname in schema else None
            if field is None or not field.format or not field.format.supports("positions"):
                raise Unsupported("phrase on a field without positions")
            return
        if isinstance(q, wq.MultiTerm) and isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            for _, _, data, _, _ in self.leaves:
                texts = data.expansions(q)
                if len(texts) >= wq.Or.TOO_MANY_CLAUSES:
                    raise Unsupported("too many expanded terms")
                if q.constantscore and len(texts) > 2 and self._doc_count_all <= SMALL_INDEX:
                    # On a small index Whoosh preloads such an OR and gives every match the same score.
                    raise Unsupported("constant-score expansion on a small index")
            return
        raise Unsupported(type(q).__name__)

    def _check_filter(self, q) -> None:
        if isinstance(q, wq.Term):
            return
        if isinstance(q, (wq.Or, wq.And)):
            for child in q.subqueries:
                self._check_filter(child)
            return
        if isinstance(q, wq.Not):
            self._check_filter(q.query)
            return
        self._check_scored(q)

    # -- evaluation, mirroring Whoosh's matchers --------------------------------------------

    def _eval(self, q, sub, data: SegmentData, key: str) -> Partial:
        query_budget.check()
        if isinstance(q, wq.Term):
            return self._term(q.fieldname, q.text, q.boost, sub, data, key, scored=True)
        if isinstance(q, Coordinated):
            return self._coordinated(q, sub, data, key)
        if isinstance(q, wq.Or):
            return self._or(q, sub, data, key)
        if isinstance(q, wq.And):
            return self._and(q, sub, data, key)
        if isinstance(q, wq.AndNot):
            positive = self._eval(q.a, sub, data, key)
            negative = self._filter_mask(q.b, sub, data, key)
            keep = ~negative[positive.ids]
            return Partial(positive.ids[keep], positive.score[keep], positive.nmatch[keep], positive.termcount,
                           positive.size)
        if isinstance(q, wq.Phrase):
            return self._phrase(q, sub, data, key)
        if isinstance(q, wq.MultiTerm) and isinstance(q, (wq.Prefix, wq.Wildcard, wq.FuzzyTerm)):
            return self._multiterm(q, sub, data, key)
        raise Unsupported(type(q).__name__)

    def _empty(self, data: SegmentData) -> Partial:
        return Partial(np.zeros(0, dtype=np.int32), np.zeros(0), np.zeros(0, dtype=np.int32), 0, 0)

    def _term(self, fieldname, text, boost, sub, data, key, *, scored: bool) -> Partial:
        found = self._term_scores(fieldname, text, sub, data, scored=scored)
        if found is None:
            return self._empty(data)
        ids, scores, doc_frequency = found
        if boost != 1.0:
            scores = scores * boost
        return Partial(ids, scores, np.ones(len(ids), dtype=np.int32), 1, doc_frequency)

    def _term_scores(self, fieldname, text, sub, data, *, scored: bool):
        """(docnums, scores, document frequency) of one term in one segment, or None."""
        schema = sub.schema
        if fieldname not in schema:
            return None
        field = schema[fieldname]
        try:
            btext = field.to_bytes(text)
        except ValueError:
            return None
        found = data.postings(fieldname, btext)
        if found is None:
            return None
        ids, weights = found
        doc_frequency = len(ids)
        if scored and field.scorable:
            scores = self._bm25(fieldname, self._term_idf(fieldname, btext), weights, data.lengths(fieldname)[ids])
            return ids, scores, doc_frequency
        return ids, weights.astype(np.float64), doc_frequency  # unscored, or Whoosh's WeightScorer

    def _bm25(self, fieldname: str, idf, weights: np.ndarray, fl: np.ndarray) -> np.ndarray:
        """Whoosh's BM25F score of postings (idf: one number, or one per posting), in its order of operations."""
        avgfl = self._avg_field_length(fieldname)
        B, K1 = self.B, self.K1
        tf = weights.astype(np.float64)  # exact: the same doubles Whoosh computes with
        return idf * ((tf * (K1 + 1)) / (tf + K1 * ((1 - B) + B * fl / avgfl)))

    def _term_idf(self, fieldname: str, btext: bytes) -> float:
        """Whoosh's idf (WeightingModel.idf), with the document frequencies the segments' data give."""
        if not self._own_idf:
            return self.searcher.idf(fieldname, btext)
        key = (fieldname, btext)
        found = self._idf.get(key)
        if found is None:
            n = sum(data.doc_frequency(fieldname, btext) for _, _, data, _, _ in self.leaves)
            found = self._idf[key] = log(self._doc_count_all / (n + 1)) + 1
        return found

    def _avg_field_length(self, fieldname: str) -> float:
        found = self._avgfl.get(fieldname)
        if found is None:
            found = self._avgfl[fieldname] = self.searcher.avg_field_length(fieldname) or 1
        return found

    def _children(self, q, sub, data, key) -> list[Partial]:
        return [self._eval(child, sub, data, key) for child in q.subqueries]

    def _or(self, q: wq.Or, sub, data, key) -> Partial:
        if not q.subqueries:
            return self._empty(data)
        parts = self._children(q, sub, data, key)
        if len(parts) == 1:
            return parts[0]
        combined = _weighted_sum(parts, lambda p: p.size, union=True, doc_count=data.doc_count)
        if q.boost != 1.0:
            combined.score = combined.score * q.boost
        if q.scale and combined.termcount:
            combined.score = _coordinate(combined, q.scale)
        return combined

    def _coordinated(self, q: Coordinated, sub, data, key) -> Partial:
        """annotator.engine.coordination's strict tiers, summed slot by slot as its matcher sums them:
        in arrays over the segment (_coordinated_dense), or, for an accented word's spellings matching
        few documents, over those documents only (_sparse_coordinated)."""
        if not _has_accents(q) or not _one_word(q):
            return self._coordinated_dense(q, sub, data, key)
        few: list[tuple[Partial, float]] = []
        evaluated: dict[int, Partial] = {}
        postings = 0
        for part_query, coverage in _plain_parts(q):
            part = evaluated[id(part_query)] = self._eval(part_query, sub, data, key)
            few.append((part, coverage))
            postings += len(part.ids)
            if postings * SPARSE_COORDINATION_SUBSET > data.doc_count:
                return self._coordinated_dense(q, sub, data, key, evaluated)
        found = _sparse_coordinated(few, data.doc_count) if few else None
        return found if found is not None else self._coordinated_dense(q, sub, data, key, evaluated)

    def _coordinated_dense(self, q: Coordinated, sub, data, key, evaluated: dict | None = None) -> Partial:
        """annotator.engine.coordination's strict tiers, summed slot by slot as its matcher sums them.

        Arrays over the segment: a few, whatever the number of words (a pasted paragraph has hundreds).
        `evaluated`: parts already evaluated (by id), not evaluated again.
        """
        total = np.zeros(data.doc_count)
        coverage_sum = np.zeros(data.doc_count)
        present = np.zeros(data.doc_count, dtype=bool)
        nmatch = np.zeros(data.doc_count, dtype=np.int32)
        termcount = size = 0
        slots: dict[int, list] = {}
        for slot, part_query, coverage in q.parts():
            slots.setdefault(slot, []).append((part_query, coverage))
        for slot in range(len(q.subqueries)):
            pieces = slots.get(slot, ())
            if len(pieces) == 1:  # a plain word: its part's score and coverage, added where it matches
                part_query, coverage = pieces[0]
                part = (evaluated.pop(id(part_query), None) if evaluated else None) or self._eval(part_query, sub, data, key)
                termcount += part.termcount
                size += part.size
                nmatch[part.ids] += part.nmatch
                present[part.ids] = True
                total[part.ids] += part.score
                coverage_sum[part.ids] += coverage
                continue
            covered = slot_score = None
            for part_query, coverage in pieces:
                part = (evaluated.pop(id(part_query), None) if evaluated else None) or self._eval(part_query, sub, data, key)
                termcount += part.termcount
                size += part.size
                nmatch[part.ids] += part.nmatch
                present[part.ids] = True
                if covered is None:
                    covered, slot_score = np.zeros(data.doc_count), np.zeros(data.doc_count)
                was = covered[part.ids]
                better, same = coverage > was, coverage == was  # a better part replaces the slot's score
                slot_score[part.ids[better]] = part.score[better]
                slot_score[part.ids[same]] += part.score[same]
                covered[part.ids[better]] = coverage
            if covered is not None:
                coverage_sum += covered
                total += slot_score
        ids = np.flatnonzero(present)
        return Partial(ids, tiered_score(coverage_sum[ids], total[ids]), nmatch[ids], termcount,
                       min(size, data.doc_count))

    def _and(self, q: wq.And, sub, data, key) -> Partial:
        if not q.subqueries:
            return self._empty(data)
        parts = self._children(q, sub, data, key)
        if len(parts) == 1:
            return parts[0]
        combined = _weighted_sum(parts, lambda p: 0 - p.size, union=False, doc_count=data.doc_count)
        if q.boost != 1.0:
            combined.score = combined.score * q.boost
        return combined

    def _multiterm(self, q: wq.MultiTerm, sub, data, key) -> Partial:
        fieldname = q.field()
        texts = data.expansions(q)
        if getattr(texts, "cut", False) and isinstance(q, query_budget.CappedPrefix | query_budget.CappedWildcard | query_budget.CappedFuzzy):
            query_budget.note_cut(q)  # said again on a search answered from the cache
        if not texts:
            return self._empty(data)
        if len(texts) == 1:  # with the term's boost, unlike Whoosh's own MultiTerm (query_budget._Capped.matcher)
            return self._term(fieldname, texts[0], q.boost, sub, data, key, scored=True)
        if len(texts) >= wq.Or.TOO_MANY_CLAUSES:
            raise Unsupported("too many expanded terms")
        if q.constantscore and len(texts) > 2 and self.searcher.doc_count_all() <= SMALL_INDEX:
            # On a small index Whoosh preloads such an OR and gives every match the same
            # score; on a large one it scores each expansion with BM25F (reproduced below).
            raise Unsupported("constant-score expansion on a small index")
        # Whoosh's "constant score" passes weighting=None, which its searcher replaces with
        # the default weighting: expanded terms are scored with BM25F like any other.
        if len(texts) > SPARSE_UNION_MIN:
            combined = self._sparse_union(fieldname, texts, sub, data, key)
        else:
            parts = [self._term(fieldname, t, 1.0, sub, data, key, scored=True) for t in texts]
            combined = _weighted_sum(parts, lambda p: p.size, union=True, doc_count=data.doc_count)
        if q.boost != 1.0:
            combined.score = combined.score * q.boost
        return combined

    def _sparse_union(self, fieldname, texts, sub, data, key) -> Partial:
        """An OR of many expanded terms summed without a dense array per term.

        Sums in expansion order rather than Whoosh's tree order: a document matching
        several expansions may differ from Whoosh's score in the last bit, never more.
        """
        table = data.field_table(fieldname)
        if table is not None and sub.schema[fieldname].scorable:
            found = [(text, i) for text in texts if (i := table.find(text)) >= 0]
            if not found:
                return self._empty(data)
            # The expansions' postings in one gather, scored in one pass: the same formula,
            # element by element, as _term_scores applies to each term.
            all_ids, weights, counts = table.gather([i for _, i in found])
            idf = np.repeat(np.array([self._term_idf(fieldname, text) for text, _ in found]), counts)
            all_scores = self._bm25(fieldname, idf, weights, data.lengths(fieldname)[all_ids])
            termcount, size = len(found), int(counts.sum())
        else:
            ids_parts, score_parts = [], []
            termcount = size = 0
            for text in texts:
                found = self._term_scores(fieldname, text, sub, data, scored=True)
                if found is None:
                    continue
                ids, scores, doc_frequency = found
                ids_parts.append(ids)
                score_parts.append(scores)
                termcount += 1
                size += doc_frequency
            if not ids_parts:
                return self._empty(data)
            all_ids, all_scores = np.concatenate(ids_parts), np.concatenate(score_parts)
        return _summed(all_ids, all_scores, termcount, min(size, data.doc_count), data.doc_count)

    def _phrase(self, q: wq.Phrase, sub, data, key) -> Partial:
        """Whoosh's Phrase: SpanNear2 (ordered, within `slop`) over an intersection of the words.

        Candidates come from the vectorised intersection; only they have their
        positions read and checked, the way SpanNear2Matcher checks them.
        """
        field = sub.schema[q.fieldname] if q.fieldname in sub.schema else None
        if field is None or not field.format or not field.format.supports("positions"):
            raise Unsupported("phrase on a field without positions")
        reader = sub.reader()
        words = []
        for word in q.words:
            try:
                btext = field.to_bytes(word)
            except ValueError:
                return self._empty(data)
            if not data.doc_frequency(q.fieldname, btext):
                return self._empty(data)
            words.append(btext)
        table = data.field_table(q.fieldname)
        if table is not None and table.positions is not None:
            return self._phrase_from_table(q, field, words, table, data)
        parts = [self._term(q.fieldname, w, 1.0, sub, data, key, scored=True) for w in words]
        combined = _binary_sum(parts, data.doc_count)
        candidates = combined.ids
        positions = [_positions(reader, q.fieldname, w, candidates) for w in words]
        # A deleted document's positions are not read (the reader skips it): no match, as the live mask would say.
        keep = np.array([_spans_near([p.get(doc) for p in positions], q.slop) for doc in candidates.tolist()], dtype=bool)
        score = combined.score[keep] if len(keep) else combined.score
        if q.boost != 1.0:
            score = score * q.boost
        return Partial(candidates[keep] if len(keep) else candidates, score,
                       combined.nmatch[keep] if len(keep) else combined.nmatch, combined.termcount, combined.size)

    def _phrase_from_table(self, q: wq.Phrase, field, words: list[bytes], table: FieldTable, data) -> Partial:
        """_phrase over a segment whose term table holds positions.

        The documents holding every word are found by their numbers alone, their positions
        checked, and only those holding the phrase scored: each word's BM25F on them, summed
        as _binary_sum sums them (the same numbers as scoring every posting, then intersecting).
        """
        if not words:
            return self._empty(data)
        indexes = [table.find(word) for word in words]
        postings = [table.postings(i) for i in indexes]
        if q.slop == 1 and sum(map(table.position_count, indexes)) <= WHOLE_PHRASE_POSITIONS:
            matched = _table_adjacent(table, indexes)
        else:
            candidates = postings[0][0]
            for ids, _ in sorted(postings[1:], key=lambda found: len(found[0])):
                candidates = _intersect_sorted(candidates, ids)
            matched = _table_phrase(table, indexes, candidates, q.slop)
        lengths = data.lengths(q.fieldname)[matched] if field.scorable else None
        scores = []
        for word, (ids, weights) in zip(words, postings):
            taken = weights[np.searchsorted(ids, matched)]
            if field.scorable:
                scores.append(self._bm25(q.fieldname, self._term_idf(q.fieldname, word), taken, lengths))
            else:
                scores.append(taken.astype(np.float64))
        # _binary_sum's intersections of the words, each word on the same documents: its sums, in its order.
        score = _tree_sum(scores)
        if q.boost != 1.0:
            score = score * q.boost
        return Partial(matched, score, np.full(len(matched), len(words), dtype=np.int32), len(words),
                       min(len(ids) for ids, _ in postings))

    def _filter_mask(self, q, sub, data, key) -> np.ndarray:
        """Which documents a (non-scoring) filter query matches."""
        if isinstance(q, wq.Term):
            mask = np.zeros(data.doc_count, dtype=bool)
            found = self._term_scores(q.fieldname, q.text, sub, data, scored=False)
            if found is not None:
                mask[found[0]] = True
            if self.pending and q.fieldname in ("themes", "tagged"):
                mask = self._patch_pending(mask, q, sub, data)
            return mask
        if isinstance(q, wq.Or):
            mask = np.zeros(data.doc_count, dtype=bool)
            for child in q.subqueries:
                mask |= self._filter_mask(child, sub, data, key)
            return mask
        if isinstance(q, wq.And):
            mask = np.ones(data.doc_count, dtype=bool)
            for child in q.subqueries:
                mask &= self._filter_mask(child, sub, data, key)
            return mask
        if isinstance(q, wq.Not):
            return ~self._filter_mask(q.query, sub, data, key)
        if isinstance(q, wq.Every) and q.fieldname in (None, "*"):  # `-word` alone: everything but the word
            return np.ones(data.doc_count, dtype=bool)
        if isinstance(q, wq.AndNot):
            return self._filter_mask(q.a, sub, data, key) & ~self._filter_mask(q.b, sub, data, key)
        mask = np.zeros(data.doc_count, dtype=bool)
        mask[self._eval(q, sub, data, key).ids] = True
        return mask


    def _offset(self, sub) -> int:
        for leaf_sub, offset, *_ in self.leaves:
            if leaf_sub is sub:
                return offset
        return 0

    def _patch_pending(self, mask: np.ndarray, q: wq.Term, sub, data: SegmentData) -> np.ndarray:
        offset = self._offset(sub)
        mask = mask.copy()
        for docnum, themes in self.pending.items():
            local = docnum - offset
            if 0 <= local < data.doc_count:
                if q.fieldname == "themes":
                    mask[local] = q.text in themes
                else:
                    mask[local] = (q.text == "no") == (not themes)
        return mask


def _plain_parts(q: Coordinated):
    """The (query, coverage) of each slot of plain words, in order, until a slot of several parts (a word
    being typed): the parts _sparse_coordinated can sum, and _coordinated_dense evaluates first."""
    slots: dict[int, list] = {}
    for slot, part_query, coverage in q.parts():
        slots.setdefault(slot, []).append((part_query, coverage))
    for slot in range(len(q.subqueries)):
        pieces = slots.get(slot, ())
        if len(pieces) != 1:
            return
        yield pieces[0]


def _sparse_coordinated(parts: list[tuple[Partial, float]], doc_count: int) -> Partial | None:
    """VectorScorer._coordinated over the documents the parts match, not arrays over the segment, when each
    part's documents are within those of the part matching most (a word as written, within its folded
    stem's documents); None when not. Each document's parts are added in slot order from 0.0, as the
    arrays over the segment add them."""
    biggest = max((part for part, _ in parts), key=lambda part: len(part.ids))
    ids, places = biggest.ids, []
    for part, _ in parts:
        if part is biggest or not len(part.ids):
            places.append(slice(None) if part is biggest else part.ids)
            continue
        if not _within(ids, part.ids[[0, len(part.ids) // 2, -1]]):  # a first look, then every document
            return None
        at = np.searchsorted(ids, part.ids)
        if at[-1] >= len(ids) or not np.array_equal(ids[at], part.ids):
            return None
        places.append(at)
    total, coverage_sum = np.zeros(len(ids)), np.zeros(len(ids))
    nmatch = np.zeros(len(ids), dtype=np.int32)
    for (part, coverage), at in zip(parts, places):
        nmatch[at] += part.nmatch
        total[at] += part.score
        coverage_sum[at] += coverage
    return Partial(ids, tiered_score(coverage_sum, total), nmatch, sum(part.termcount for part, _ in parts),
                   min(sum(part.size for part, _ in parts), doc_count))


def _has_accents(q: wq.Query) -> bool:
    """Whether a query has a word with letters beyond ASCII (then maybe a word as written beside its folded stem)."""
    found = vars(q)  # (getattr of an attribute a query lacks raises inside: ten times the cost)
    text = found.get("text")
    if isinstance(text, str):
        return not text.isascii()
    if found.get("words"):  # a phrase
        return not all(word.isascii() for word in found["words"])
    for sub in found.get("subqueries") or ([found["child"]] if "child" in found else ()):
        if _has_accents(sub):
            return True
    return False


def _one_word(q: Coordinated) -> bool:
    """Whether every slot may be a spelling of one word (their first two letters, folded, alike: a stem keeps them)."""
    heads = set()
    for sub in q.subqueries:
        while not isinstance(text := vars(sub).get("text"), str):
            found = vars(sub)
            if found.get("words"):  # a phrase
                text = found["words"][0]
                break
            inner = found.get("subqueries") or [found.get("child")]
            sub = inner[0]
            if sub is None:
                return False
        heads.add(fold(text)[:2])
    return len(heads) == 1


def _within(ids: np.ndarray, some: np.ndarray) -> bool:
    """Whether these few documents are all among `ids` (sorted)."""
    at = np.searchsorted(ids, some)
    return bool(at[-1] < len(ids)) and np.array_equal(ids[at], some)


def _sorted_unique(ids: np.ndarray) -> np.ndarray:
    """np.unique(ids) for document numbers, without its overhead (a tenth of a millisecond for a few hundred)."""
    ids = np.sort(ids, kind="stable")  # sorted runs (postings, one after another): merged
    if len(ids) > 1:
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
    return ids


def _weighted_sum(parts: list[Partial], weight, *, union: bool, doc_count: int) -> Partial:
    """Combine like Whoosh's make_weighted_tree: repeatedly join the two lightest."""
    pending = sorted(((weight(p), i, p) for i, p in enumerate(parts)), key=lambda t: (t[0], t[1]))
    counter = len(parts)
    while len(pending) > 1:
        wa, _, a = pending.pop(0)
        wb, _, b = pending.pop(0)
        joined = _join(a, b, union, doc_count)
        item = (wa + wb, counter, joined)
        counter += 1
        # insort by weight only, after equal weights (bisect.insort_right)
        pos = len(pending)
        for j, existing in enumerate(pending):
            if existing[0] > item[0]:
                pos = j
                break
        pending.insert(pos, item)
    return pending[0][2]


def _summed(ids: np.ndarray, scores: np.ndarray, termcount: int, size: int, doc_count: int) -> Partial:
    """Postings of several terms (a document may come more than once) summed per document, in the order given."""
    if len(ids) * DENSE_SUM > doc_count:  # many: count into arrays over the segment
        nmatch = np.bincount(ids, minlength=doc_count)
        score = np.bincount(ids, weights=scores, minlength=doc_count)
        unique = np.flatnonzero(nmatch)
        return Partial(unique, score[unique], nmatch[unique].astype(np.int32), termcount, size)
    unique = _sorted_unique(ids)
    inverse = np.searchsorted(unique, ids)  # np.unique's inverse
    score = np.bincount(inverse, weights=scores, minlength=len(unique))
    nmatch = np.bincount(inverse, minlength=len(unique)).astype(np.int32)
    return Partial(unique, score, nmatch, termcount, size)


def _binary_sum(parts: list[Partial], doc_count: int) -> Partial:
    """Intersect like Whoosh's make_binary_tree: halves, recursively, in order."""
    if len(parts) == 1:
        return parts[0]
    half = len(parts) // 2
    return _join(_binary_sum(parts[:half], doc_count), _binary_sum(parts[half:], doc_count), False, doc_count)


def _positions(reader, fieldname: str, btext: bytes, docs: np.ndarray) -> dict[int, list[int]]:
    """The positions of a word in each of these (sorted) documents."""
    found: dict[int, list[int]] = {}
    matcher = reader.postings(fieldname, btext)
    for doc in docs.tolist():
        if not matcher.is_active():
            break
        if matcher.id() < doc:
            matcher.skip_to(doc)
            if not matcher.is_active():
                break
        if matcher.id() == doc:
            found[doc] = matcher.value_as("positions")
    return found


def _tree_sum(scores: list[np.ndarray]) -> np.ndarray:
    """Arrays summed as _binary_sum sums its parts: halves, recursively, in order."""
    if len(scores) == 1:
        return scores[0]
    half = len(scores) // 2
    return _tree_sum(scores[:half]) + _tree_sum(scores[half:])


# Two ascending arrays are intersected by merging them when the shorter has more than 1/16 of the
# longer's length (measured: 4x faster at equal lengths), else by a binary search of each shorter one.
MERGE_INTERSECTION = 16


def _intersect_sorted(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The numbers in both of two ascending arrays (without repeats): the shorter looked up in the longer."""
    if len(a) > len(b):
        a, b = b, a
    if not len(a):
        return a
    if len(a) * MERGE_INTERSECTION > len(b):
        # Sizes alike: the two sorted runs merged (a stable sort merges runs) beat a binary search of each.
        both = np.concatenate((a, b))
        both.sort(kind="stable")
        return both[:-1][both[1:] == both[:-1]].astype(a.dtype, copy=False)
    at = np.minimum(np.searchsorted(b, a), len(b) - 1)
    return a[b[at] == a]


def _table_phrase(table: FieldTable, indexes: list[int], candidates: np.ndarray, slop: int) -> np.ndarray:
    """The candidates (documents holding every word; term indexes given) that hold the phrase, from the table's positions."""
    found = [table.positions_in(i, candidates) for i in indexes]
    if slop != 1:  # `"a b"~3`: rare, checked document by document as SpanNear2Matcher does
        by_doc = []
        for docs, positions in found:
            per_doc: dict[int, list[int]] = {}
            for doc, position in zip(docs.tolist(), positions.tolist()):
                per_doc.setdefault(doc, []).append(position)
            by_doc.append(per_doc)
        keep = [_spans_near([p.get(doc) for p in by_doc], slop) for doc in candidates.tolist()]
        return candidates[np.array(keep, dtype=bool)] if len(candidates) else candidates
    # Adjacent words: the phrase starts at p in a document where word i is at p + i, for every i.
    # (document, p) as one number: ascending, as the table gives documents and positions.
    starts = None
    for i, (docs, positions) in enumerate(found):
        keys = (docs.astype(np.int64) << 32) + (positions - i)
        if i:
            keys = keys[positions >= i]
        starts = keys if starts is None else _intersect_sorted(starts, keys)
        if not len(starts):
            return candidates[:0]
    docs = starts >> 32
    return docs[np.concatenate(([True], docs[1:] != docs[:-1]))].astype(candidates.dtype)


# A word with this many times more positions than the phrase starts found so far has its positions
# read in those starts' documents alone.
FEW_PHRASE_STARTS = 8


def _table_adjacent(table: FieldTable, indexes: list[int]) -> np.ndarray:
    """The documents holding the words side by side (slop 1), from every position of each word:
    no intersection of documents first, no look-up of each candidate's positions."""
    starts = None
    for i, index in sorted(enumerate(indexes), key=lambda found: table.position_count(found[1])):
        if starts is not None and len(starts) * FEW_PHRASE_STARTS < table.position_count(index):
            # Few phrase starts so far, a common word next: its positions in their documents only.
            docs = starts >> 32
            docs = docs[np.concatenate(([True], docs[1:] != docs[:-1]))]
            docs, positions = table.positions_in(index, _intersect_sorted(docs, table.postings(index)[0]))
        else:
            docs, positions = table.all_positions(index)
        keys = (docs.astype(np.int64) << 32) + (positions - i)  # (document, phrase start): ascending
        if i:
            keys = keys[positions >= i]
        starts = keys if starts is None else _intersect_sorted(starts, keys)
        if not len(starts):
            break
    docs = starts >> 32
    return docs[np.concatenate(([True], docs[1:] != docs[:-1]))].astype(np.int32) if len(docs) else docs.astype(np.int32)


def _spans_near(word_positions: list, slop: int) -> bool:
    """SpanNear2Matcher's test (ordered, mindist 1): each next word 1..slop after the span so far."""
    if any(p is None for p in word_positions):
        return False
    spans = {(p, p) for p in word_positions[0]}
    for later in word_positions[1:]:
        ordered = sorted(later)
        spans = {(start, b) for start, end in spans for b in ordered if start <= b and 1 <= b - end <= slop}
        if not spans:
            return False
    return True


def _dense_union(a: Partial, b: Partial, termcount: int, doc_count: int) -> Partial:
    """_join's union through arrays over the whole segment: faster when the two are large."""
    score = np.zeros(doc_count)
    score[a.ids] = a.score
    score[b.ids] += b.score
    nmatch = np.zeros(doc_count, dtype=np.int32)
    nmatch[a.ids] = a.nmatch
    nmatch[b.ids] += b.nmatch
    present = np.zeros(doc_count, dtype=bool)
    present[a.ids] = True
    present[b.ids] = True
    ids = np.flatnonzero(present)
    return Partial(ids, score[ids], nmatch[ids], termcount, a.size + b.size)


def _join(a: Partial, b: Partial, union: bool, doc_count: int) -> Partial:
    termcount = a.termcount + b.termcount
    if not union:
        ids, in_a, in_b = np.intersect1d(a.ids, b.ids, assume_unique=True, return_indices=True)
        return Partial(ids, a.score[in_a] + b.score[in_b], a.nmatch[in_a] + b.nmatch[in_b], termcount,
                       min(a.size, b.size))
    small, big = (a, b) if len(a.ids) <= len(b.ids) else (b, a)
    if len(small.ids):  # a word as written within its folded stem's documents: the union is the stem's
        at = np.searchsorted(big.ids, small.ids)
        if at[-1] < len(big.ids) and np.array_equal(big.ids[at], small.ids):
            score, nmatch = big.score.copy(), big.nmatch.copy()
            score[at] += small.score  # the sum below (a + b, or 0.0 + b): adding two numbers is commutative
            nmatch[at] += small.nmatch
            return Partial(big.ids, score, nmatch, termcount, a.size + b.size)
    if (len(a.ids) + len(b.ids)) * DENSE_JOIN > doc_count:
        return _dense_union(a, b, termcount, doc_count)
    ids = np.concatenate((a.ids, b.ids))
    ids.sort(kind="stable")  # two sorted runs: a merge
    if len(ids) > 1:
        ids = ids[np.concatenate(([True], ids[1:] != ids[:-1]))]
    in_a, in_b = np.searchsorted(ids, a.ids), np.searchsorted(ids, b.ids)
    score = np.zeros(len(ids))
    score[in_a] = a.score
    score[in_b] += b.score  # a document on one side only: x + 0.0 == x exactly, as Whoosh sums it
    nmatch = np.zeros(len(ids), dtype=np.int32)
    nmatch[in_a] = a.nmatch
    nmatch[in_b] += b.nmatch
    return Partial(ids, score, nmatch, termcount, a.size + b.size)


def _coordinate(part: Partial, scale: float) -> np.ndarray:
    """Whoosh's CoordMatcher ("SQR" short-query ranking) on every matching document."""
    termcount = part.termcount
    if termcount == 0 or termcount == scale:
        return np.zeros_like(part.score)
    return (part.score + ((part.nmatch - 1) / (termcount - scale) ** 2)) * ((termcount - 1) / termcount)
