"""Every private Whoosh name annotator's engine touches, in one place.

annotator pins whoosh-reloaded (pyproject.toml); its fast paths still read Whoosh's
segment internals, and it mends one Whoosh bug. Each private name used is listed here and
reached through this module, and tests/test_whoosh_internals.py checks that each exists
and behaves as the engine assumes, so that an upgrade fails in CI, not in a user's search.

Who uses what:
- annotator.index (searcher refresh keeping unchanged segments' readers):
  FileIndex._read_toc, SegmentReader._segment / ._perdoc._segment / ._gen, and the
  cached_property SegmentReader.deleted_docs_set (dropped from the instance __dict__).
- annotator.fastscore (NumPy scorer): the W3 codec's lengths column
  (whoosh.codec.whoosh3.LENGTHS_COLUMN, _lenfield, PerDocumentReader._cached_reader),
  a numeric column's raw bytes (NumericColumn.Reader._typecode/_count/_dbfile/_basepos/
  _fixedlen/_default), the block postings (SegmentReader._terms.matcher, and the block
  matcher's _read_ids/_read_weights/_next_block/_i/_ids/_weights), BM25F._field_B,
  and Query._btexts (a prefix's or fuzzy term's expansions).
- annotator.bulkindex (bulk segment writer): whoosh.filedb.filetables._lengths and the
  SegmentWriter state it extends.
- annotator.search: TypingPrefix overrides Prefix._btexts.
"""

from __future__ import annotations

from whoosh.matching.binary import AndNotMatcher

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


def expansions(q, reader) -> list[bytes]:
    """The terms a multi-term query (prefix, wildcard, fuzzy) expands to in `reader`."""
    return list(q._btexts(reader))


# -- a Whoosh bug mended ----------------------------------------------------------------------


def _and_not_find_first(self):
    """AndNotMatcher._find_first, mended: Whoosh checks the first positive document only when the
    negative matcher happens to sit on the same one, so `a ANDNOT b` kept a's first document whenever
    b had an earlier one (`norfolk -field` found a passage with both words). Skipping is _find_next's job."""
    if self.a.is_active() and self.b.is_active():
        self._find_next()


def mend_whoosh() -> None:
    """Apply the fixes above (idempotent); annotator.index calls it on import."""
    AndNotMatcher._find_first = _and_not_find_first


mend_whoosh()
