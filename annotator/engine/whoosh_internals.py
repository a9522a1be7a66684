"""Every private Whoosh name annotator's engine touches, in one place.

annotator pins whoosh-reloaded (pyproject.toml); its fast paths still read Whoosh's
segment internals, and it mends one Whoosh bug. Each private name used is listed here and
reached through this module, and tests/test_whoosh_internals.py checks that each exists
and behaves as the engine assumes, so that an upgrade fails in CI, not in a user's search.

Who uses what:
- annotator.engine.index (searcher refresh keeping unchanged segments' readers):
  FileIndex._read_toc, SegmentReader._segment / ._perdoc._segment / ._gen, and the
  cached_property SegmentReader.deleted_docs_set (dropped from the instance __dict__).
- annotator.engine.fast.fastscore (NumPy scorer): the W3 codec's lengths column
  (whoosh.codec.whoosh3.LENGTHS_COLUMN, _lenfield, PerDocumentReader._cached_reader),
  a numeric column's raw bytes (NumericColumn.Reader._typecode/_count/_dbfile/_basepos/
  _fixedlen/_default), the block postings (SegmentReader._terms.matcher, and the block
  matcher's _read_ids/_read_weights/_next_block/_i/_ids/_weights), BM25F._field_B,
  and Query._btexts (a prefix's or fuzzy term's expansions).
- annotator.engine.fast.bulkindex (bulk segment writer) and fast.postingblocks (its postings):
  whoosh.filedb.filetables._lengths and ._pointer, W3TermInfo._struct, HashWriter._write_hashes
  (replaced on the term index's writer by one writing a bucket at a time),
  the W3 field writer's _postfile/_tindex/_fieldid/_postwriter (its _blocklimit, _compression), and
  the SegmentWriter it extends (_check_state, _check_fields, _added, _assemble_segment), and the
  W3 per-document writer's stored column (_colwriters['_stored'], its wrapped writer's _child),
  and, to fill its columns for many documents at once (DocColumns), its _has_column/_create_column/
  _get_column, _fieldlengths, _doccount and _indoc, whoosh3._lenfield, NumericColumn._typecode/_default,
  a column writer's fill/_dbfile/_count and VarBytesColumn.Writer's _lengths/_offsets/_offset_base.
- annotator.engine.search: TypingPrefix overrides Prefix._btexts.
- Two Whoosh bugs mended below: AndNotMatcher._find_first and InverseMatcher._find_next.
"""

from __future__ import annotations

from whoosh.matching.binary import AndNotMatcher
from whoosh.matching.wrappers import InverseMatcher

# -- names, as the engine reaches them ------------------------------------------------------

# The cached_property on SegmentReader holding a segment's deleted documents.
DELETED_DOCS_CACHE = "deleted_docs_set"


def read_toc(ix):
    """The index's current table of contents (segments, schema, generation)."""
    return ix._read_toc()


def rebase_reader(reader, segment, generation) -> None:
    """Point an open SegmentReader at its segment's newer record (with the deletions made since)."""
    reader._segment = reader._perdoc._segment = segment
    reader.__dict__.pop(DELETED_DOCS_CACHE, None)  # a cached_property of the old deletions
    reader._gen = generation


def reader_is_rebaseable(reader) -> bool:
    from whoosh.reading import SegmentReader

    return type(reader) is SegmentReader and hasattr(getattr(reader, "_perdoc", None), "_segment")


def btexts(q, reader):
    """A multi-term query's expansions in `reader` as its `_btexts` gives them: str or bytes, and
    the list type it chose (annotator.engine.query_budget's capped queries mark a cut list)."""
    return q._btexts(reader)


def expansions(q, reader) -> list[bytes]:
    """The terms a multi-term query (prefix, wildcard, fuzzy) expands to in `reader`, as bytes
    (FuzzyTerm._btexts gives str where Prefix gives bytes; term tables are searched with bytes)."""
    return [t if isinstance(t, bytes) else t.encode("utf-8") for t in btexts(q, reader)]


# -- what the NumPy scorer reads (annotator.engine.fast.fastscore) --------------------------------------------

# The block postings matcher's methods and attributes, read a block at a time.
BLOCK_MATCHER_NAMES = ("_read_ids", "_read_weights", "_next_block", "_blocklength", "_i", "_ids", "_weights")
# A fixed-width numeric column reader's attributes: its bytes are read in one piece.
NUMERIC_COLUMN_NAMES = ("_typecode", "_count", "_dbfile", "_basepos", "_fixedlen", "_default")


def lengths_column(reader, fieldname: str):
    """The W3 codec's column of a field's (byte-encoded) lengths, or None for a reader of another kind."""
    from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

    perdoc = getattr(reader, "_perdoc", None)
    if perdoc is None or not hasattr(perdoc, "_cached_reader"):
        return None
    return perdoc._cached_reader(_lenfield(fieldname), LENGTHS_COLUMN)


def numeric_column_bytes(raw_reader, count: int) -> tuple[bytes, str, int, object] | None:
    """(the first `count` stored values' bytes, struct typecode, how many are stored, the default)
    of a plain NumericColumn reader; None for any other column reader."""
    from whoosh.columns import NumericColumn

    if type(raw_reader) is not NumericColumn.Reader:
        return None
    stored = min(raw_reader._count, count)
    data = raw_reader._dbfile.get(raw_reader._basepos, stored * raw_reader._fixedlen)
    return data, raw_reader._typecode, stored, raw_reader._default


def is_block_matcher(matcher) -> bool:
    return all(hasattr(matcher, name) for name in BLOCK_MATCHER_NAMES[:4])


def at_block_start(matcher) -> bool:
    return matcher._i == 0


def read_block(matcher):
    """The current block's document numbers and weights (a number when every weight is the same, or None)."""
    if matcher._ids is None:
        matcher._read_ids()
    if matcher._weights is None:
        matcher._read_weights()
    return matcher._ids, matcher._weights


def next_block(matcher) -> None:
    matcher._next_block()


def raw_term_matcher(reader, fieldname: str, text: bytes):
    """A segment's own postings matcher for a term it holds, deleted documents included; None for a
    reader without segment terms."""
    terms = getattr(reader, "_terms", None)
    if terms is None or not hasattr(terms, "matcher") or fieldname not in reader.schema:
        return None
    return terms.matcher(fieldname, text, reader.schema[fieldname].format)


def bm25f_field_b(weighting) -> dict:
    """BM25F's per-field B values (empty: one B for every field)."""
    return weighting._field_B


# -- what the bulk writer writes (annotator.engine.fast.bulkindex) ---------------------------------------------


def field_writer_parts(fieldwriter):
    """A W3 field writer's postings file, term index, current field number, block size and compression."""
    postwriter = fieldwriter._postwriter
    return (fieldwriter._postfile, fieldwriter._tindex, fieldwriter._fieldid, postwriter._blocklimit,
            postwriter._compression)


def stored_bytes_writer(perdocwriter):
    """The W3 per-document writer's stored-fields column as its plain byte-string writer: a value
    added here is one document's stored fields, pickled and already in a zlib stream (the column's
    reader decompresses and unpickles each). None for a writer of another kind."""
    from whoosh.columns import VarBytesColumn

    writer = getattr(perdocwriter, "_colwriters", {}).get("_stored")
    child = getattr(writer, "_child", None)
    if not isinstance(child, VarBytesColumn.Writer):
        return None
    return lambda docnum, data: VarBytesColumn.Writer.add(child, docnum, data)


class DocColumns:
    """The W3 per-document writer's columns filled for a run of documents at once: what its
    start_doc / add_field / add_column_value / finish_doc calls, one document at a time, write
    (the same bytes in each column), without a dozen Python calls a document."""

    def __init__(self, perdocwriter, stored):
        self._perdoc = perdocwriter
        self._stored = stored  # the stored column's (CompressedBytesColumn's) writer, its own add bypassed

    def add_lengths(self, fieldname: str, first: int, length_bytes, total: int) -> None:
        """A field's lengths for documents first, first + 1, ...: each one's length_to_byte (0 for
        none) and their sum. As add_field with each nonzero length."""
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        if total:
            self.add_numbers(_lenfield(fieldname), LENGTHS_COLUMN, first, length_bytes)
            self._perdoc._fieldlengths[fieldname] += total

    def add_numbers(self, fieldname: str, column, first: int, values) -> None:
        """add_column_value of each value (a sequence of numbers) for documents first, first + 1, ..."""
        import numpy as np
        from whoosh.columns import NumericColumn

        perdoc = self._perdoc
        if not perdoc._has_column(fieldname):
            perdoc._create_column(fieldname, column)
        writer = perdoc._get_column(fieldname)
        if type(column) is not NumericColumn or type(writer) is not NumericColumn.Writer:
            for docnum, value in enumerate(values, first):
                writer.add(docnum, value)
            return
        values = np.asarray(values)
        written = np.flatnonzero(values != column._default)  # Writer.add skips the default
        if not len(written):
            return
        last = int(written[-1])
        writer.fill(first)  # the default for documents before these that had no value
        writer._dbfile.write(values[:last + 1].astype(">" + column._typecode).tobytes())
        writer._count = first + last + 1

    def add_stored(self, first: int, blobs: list[bytes]) -> None:
        """The stored column's values (each a document's stored fields, pickled in a zlib stream)
        for documents first, first + 1, ...; each nonempty."""
        writer = self._stored
        writer.fill(first)
        writer._dbfile.write(b"".join(blobs))
        sizes = list(map(len, blobs))
        writer._lengths.extend(sizes)
        base = writer._offset_base
        offsets = [base] * len(sizes)
        for index in range(1, len(sizes)):
            offsets[index] = offsets[index - 1] + sizes[index - 1]
        writer._offsets.extend(offsets)
        writer._offset_base = base + sum(sizes)
        writer._count = first + len(blobs)

    def finish_docs(self, first: int, count: int) -> None:
        """Documents first .. first + count - 1 started and finished (their values added above)."""
        perdoc = self._perdoc
        if perdoc._indoc or perdoc._doccount != first:
            raise ValueError(f"expected document {perdoc._doccount}, not {first}")
        perdoc._doccount += count


def doc_columns(perdocwriter) -> DocColumns | None:
    """DocColumns for a W3 per-document writer (between documents), or None for another kind."""
    from whoosh.codec.whoosh3 import W3PerDocWriter
    from whoosh.columns import VarBytesColumn

    if type(perdocwriter) is not W3PerDocWriter or perdocwriter._indoc:
        return None
    # (a CompressedBytesColumn's writer: its VarBytesColumn part takes the zlib streams as they are)
    child = getattr(perdocwriter._colwriters.get("_stored"), "_child", None)
    if not isinstance(child, VarBytesColumn.Writer):
        return None
    return DocColumns(perdocwriter, child)


def terminfo_struct():
    """The struct W3TermInfo packs a term's statistics with."""
    from whoosh.codec.whoosh3 import W3TermInfo

    return W3TermInfo._struct


def hash_entry_lengths():
    """whoosh.filedb.filetables._lengths: the hash file's entry-length struct."""
    from whoosh.filedb.filetables import _lengths

    return _lengths


def term_index_writer(fieldwriter):
    """A W3 field writer's term index (an OrderedHashWriter)."""
    return fieldwriter._tindex


def write_hashes_at_once(hash_writer) -> None:
    """Make a HashWriter's `close` write each of its 256 hash tables with one write, not one
    per slot (two per term: a quarter of a second for a segment's terms): the same bytes,
    placed by the same linear probing as HashWriter._write_hashes."""
    import types

    from whoosh.filedb.filetables import _pointer

    def _write_hashes(self):
        dbfile = self.dbfile
        null = (0, 0)
        for entries in self.buckets:
            self.directory.append((dbfile.tell(), 2 * len(entries)))
            numslots = 2 * len(entries)
            hashtable = [null] * numslots
            for hashval, position in entries:
                slot = (hashval >> 8) % numslots
                while hashtable[slot] != null:
                    slot = (slot + 1) % numslots
                hashtable[slot] = (hashval, position)
            dbfile.write(b"".join([_pointer.pack(hashval, position) for hashval, position in hashtable]))

    hash_writer._write_hashes = types.MethodType(_write_hashes, hash_writer)


# -- a Whoosh bug mended ----------------------------------------------------------------------


def _and_not_find_first(self):
    """AndNotMatcher._find_first, mended: Whoosh checks the first positive document only when the
    negative matcher happens to sit on the same one, so `a ANDNOT b` kept a's first document whenever
    b had an earlier one (`norfolk -field` found a passage with both words). Skipping is _find_next's job."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def _inverse_find_next(self):
    """InverseMatcher._find_next (a `NOT x`), mended: Whoosh left its loop when `x`'s matcher ran out
    without skipping a deleted document just after, so the old copy of an edited passage matched."""
    child, missing = self.child, self.missing
    while self._id < self.limit:
        if missing(self._id):
            self._id += 1
            continue
        if child.is_active() and child.id() < self._id:
            child.skip_to(self._id)
        if child.is_active() and child.id() == self._id:
            self._id += 1
            continue
        break


def mend_whoosh() -> None:
    """Apply the fixes above (idempotent); annotator.engine.index calls it on import."""
    AndNotMatcher._find_first = _and_not_find_first
    InverseMatcher._find_next = _inverse_find_next


mend_whoosh()
