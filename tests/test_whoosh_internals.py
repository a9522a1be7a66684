"""Each private Whoosh name the engine touches exists and behaves as the engine assumes.

annotator.engine.whoosh_internals lists them; an upgrade of whoosh-reloaded that moves one fails here, in CI,
not in a user's search.
"""

from __future__ import annotations

import struct
from importlib.metadata import version

import numpy as np
import pytest
from whoosh import query as wq
from whoosh.filedb.filestore import RamStorage
from whoosh.matching.binary import AndNotMatcher
from whoosh.matching.wrappers import InverseMatcher
from whoosh.reading import SegmentReader

from annotator.engine import whoosh_internals as wi
from annotator.engine.index import make_schema

TEXTS = ["the sea and the field", "hope one", "a field", "hope two hope", "x", "lamp light"]


def test_the_pinned_version_is_installed():
    assert version("whoosh-reloaded") == "2.7.5"


@pytest.fixture
def ix():
    """A real (in-memory) index in annotator's schema: one segment, then a deletion committed."""
    index = RamStorage().create_index(make_schema(), indexname="t")
    writer = index.writer()
    for n, text in enumerate(TEXTS):
        writer.add_document(id=f"d{n}", kind="passage", source="s", text=text, themes="", tagged="no", order=n)
    writer.commit()
    return index


def _delete(ix, doc_id):
    writer = ix.writer()
    writer.delete_by_term("id", doc_id)
    writer.commit()


def _leaf(searcher) -> SegmentReader:
    reader = searcher.reader()
    leaves = [r for r, _ in reader.leaf_readers()] if not isinstance(reader, SegmentReader) else [reader]
    assert len(leaves) == 1 and type(leaves[0]) is SegmentReader
    return leaves[0]


def test_read_toc_and_rebase_reader_give_an_open_reader_the_new_deletions(ix):
    with ix.searcher() as searcher:
        reader = _leaf(searcher)
        assert wi.reader_is_rebaseable(reader)
        assert not reader.is_deleted(0)
        reader.deleted_docs_set  # noqa: B018 - the cached property the rebase must drop
        assert wi.DELETED_DOCS_CACHE in reader.__dict__
        _delete(ix, "d0")
        toc = wi.read_toc(ix)
        (segment,) = toc.segments
        assert segment.segment_id() == reader.segment().segment_id()
        wi.rebase_reader(reader, segment, toc.generation)
        assert reader.is_deleted(0) and reader.has_deletions()
        assert 0 in reader.deleted_docs_set
        assert reader.doc_count() == len(TEXTS) - 1


def test_lengths_column_holds_each_documents_encoded_field_length(ix):
    from whoosh.util.numeric import byte_to_length

    with ix.searcher() as searcher:
        reader = _leaf(searcher)
        column = wi.lengths_column(reader, "text")
        assert column is not None
        for docnum in range(len(TEXTS)):
            assert byte_to_length(column[docnum]) == (reader.doc_field_length(docnum, "text") or 0)


def test_numeric_column_bytes_are_the_stored_values(ix):
    from whoosh.columns import TranslatingColumnReader

    with ix.searcher() as searcher:
        reader = _leaf(searcher)
        values = reader.column_reader("order")
        raw = values.raw_column() if isinstance(values, TranslatingColumnReader) else values
        data, typecode, stored, _default = wi.numeric_column_bytes(raw, len(TEXTS))
        assert stored == len(TEXTS)
        unpacked = struct.unpack(f">{stored}{typecode}", data)
        assert list(unpacked) == [values[n] for n in range(len(TEXTS))] == list(range(len(TEXTS)))


def test_block_postings_read_a_block_at_a_time_deleted_documents_included(ix):
    _delete(ix, "d3")
    with ix.searcher() as searcher:
        reader = _leaf(searcher)
        matcher = wi.raw_term_matcher(reader, "text", b"hope")
        assert wi.is_block_matcher(matcher) and wi.at_block_start(matcher)
        ids, weights = wi.read_block(matcher)
        assert list(ids) == [1, 3]  # d3 deleted, still in the raw postings
        assert list(np.atleast_1d(weights)) in ([1.0, 2.0], [1, 2])
        wi.next_block(matcher)
        assert not matcher.is_active()
        assert [m for m in reader.postings("text", b"hope").all_ids()] == [1]  # Whoosh's own skips it


def test_expansions_are_a_prefix_and_fuzzy_terms_words(ix):
    with ix.searcher() as searcher:
        reader = _leaf(searcher)
        assert wi.expansions(wq.Prefix("text", "ho"), reader) == [b"hope"]
        assert b"field" in wi.expansions(wq.FuzzyTerm("text", "fiel"), reader)  # bytes, as Prefix gives
        assert all(isinstance(t, str) for t in wq.FuzzyTerm("text", "fiel")._btexts(reader))  # Whoosh: str


def test_bm25f_has_no_per_field_b_by_default(ix):
    with ix.searcher() as searcher:
        assert wi.bm25f_field_b(searcher.weighting) == {}


def test_the_bulk_writers_names_exist_on_whooshs_writer(ix):
    writer = ix.writer()
    try:
        fieldwriter = writer.fieldwriter
        fieldwriter.start_field("text", ix.schema["text"])
        postfile, tindex, fieldid, blocklimit, compression = wi.field_writer_parts(fieldwriter)
        assert hasattr(postfile, "write") and hasattr(postfile, "tell")
        assert hasattr(tindex, "add") and isinstance(fieldid, int) and blocklimit > 0
        assert wi.term_index_writer(fieldwriter) is tindex and callable(tindex._write_hashes)
        assert isinstance(compression, int)
        for name in ("_check_state", "_check_fields", "_added", "_assemble_segment"):
            assert hasattr(writer, name), name
        assert callable(wi.stored_bytes_writer(writer.perdocwriter))
        assert isinstance(wi.doc_columns(writer.perdocwriter), wi.DocColumns)  # (else one document at a time)
    finally:
        writer.cancel()
    assert isinstance(wi.terminfo_struct(), struct.Struct)
    assert wi.terminfo_struct().size == struct.calcsize("!BfIBBfII")
    assert isinstance(wi.hash_entry_lengths(), struct.Struct) and wi.hash_entry_lengths().size == 8


def test_and_not_is_mended_an_excluded_word_earlier_in_the_segment_still_excludes(ix):
    assert AndNotMatcher._find_first is wi._and_not_find_first
    with ix.searcher() as searcher:  # "field" is in d0 and d2; "hope" first in d1
        found = [searcher.stored_fields(h.docnum)["id"] for h in searcher.search(
            wq.AndNot(wq.Or([wq.Term("text", "field"), wq.Term("text", "light")]), wq.Term("text", "sea")), limit=None)]
        assert sorted(found) == ["d2", "d5"]
        found = [searcher.stored_fields(h.docnum)["id"] for h in searcher.search(
            wq.AndNot(wq.Term("text", "field"), wq.Term("text", "sea")), limit=None)]
        assert found == ["d2"]


def test_not_is_mended_it_skips_a_deleted_document_after_the_last_excluded_one(ix):
    assert InverseMatcher._find_next is wi._inverse_find_next
    _delete(ix, "d1")  # right after d0, the last document holding "sea"
    with ix.searcher() as searcher:
        found = sorted(searcher.stored_fields(h.docnum)["id"] for h in searcher.search(wq.Not(wq.Term("text", "sea")), limit=None))
        assert found == ["d2", "d3", "d4", "d5"]


def test_hash_tables_written_a_bucket_at_a_time_are_whooshs_bytes():
    """The bulk writer's term index writes each hash table at once: byte for byte what Whoosh writes."""
    from whoosh.filedb.filetables import OrderedHashWriter

    files = []
    for fast in (False, True):
        storage = RamStorage()
        writer = OrderedHashWriter(storage.create_file("t"))
        if fast:
            wi.write_hashes_at_once(writer)
        for number in range(3000):
            writer.add(b"term%06d" % number, b"value %d" % number)
        writer.close()
        files.append(storage.open_file("t").read())
    assert files[0] == files[1]
