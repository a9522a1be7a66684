"""A bulk-built segment's term table answers exactly as Whoosh's own postings; a damaged one is never trusted."""

from __future__ import annotations

import json

import numpy as np
import pytest
from whoosh import index as whoosh_index

from annotator.engine.fast.bulkindex import BulkWriter
from annotator.engine.fast.fastscore import _read_postings
from annotator.engine.index import INDEX_NAME, make_schema
from annotator.session import Session
from annotator.engine.fast.termtable import _MAGIC, _TRAILER, EXTENSION, open_table
from tests.engine_checks import build, documents


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    folder = tmp_path_factory.mktemp("table") / "ix"
    ix = build(folder, documents(700), bulk=True)
    reader = ix.reader()
    yield folder, reader
    reader.close()


def _table(folder, reader):
    return open_table(str(folder), reader.segment().segment_id(), reader.doc_count_all())


def test_the_table_holds_every_term_and_posting_whoosh_reads(built):
    folder, reader = built
    table = _table(folder, reader)
    assert table is not None
    assert table.field("id") is None  # ids are looked up through Whoosh, never scored
    for fieldname in ("text", "themes", "tagged", "kind", "source"):
        field = table.field(fieldname)
        lexicon = list(reader.lexicon(fieldname))
        assert field.terms() == lexicon
        assert field.words() == [t.decode("utf-8") for t in lexicon]
        for btext in lexicon:
            ids, weights = field.postings(field.find(btext))
            whoosh_ids, whoosh_weights = _read_postings(reader, fieldname, btext)
            assert ids.tolist() == whoosh_ids.tolist()
            assert weights.astype(np.float64).tolist() == whoosh_weights.astype(np.float64).tolist()
            assert field.doc_frequency(btext) == reader.doc_frequency(fieldname, btext)
    text = table.field("text")
    assert text.find(b"zzzznothing") == -1 and text.doc_frequency(b"zzzznothing") == 0
    for prefix in ("ho", "sketch", "ü", "zzzz", "a"):
        lo, hi = text.prefix_range(prefix.encode("utf-8"))
        assert text.terms()[lo:hi] == list(reader.expand_prefix("text", prefix))


def test_a_table_that_is_cut_short_or_foreign_reads_as_absent(built, tmp_path):
    folder, reader = built
    segment_id = reader.segment().segment_id()
    data = (folder / (segment_id + EXTENSION)).read_bytes()
    copy = tmp_path / (segment_id + EXTENSION)
    for damaged in (data[: len(data) // 2], data[:-1], data[:10], b"", b"\0" * len(data), data + b"x"):
        copy.write_bytes(damaged)
        assert open_table(str(tmp_path), segment_id, reader.doc_count_all()) is None
    copy.write_bytes(data)
    assert open_table(str(tmp_path), segment_id, reader.doc_count_all()) is not None
    assert open_table(str(tmp_path), segment_id, reader.doc_count_all() + 1) is None  # another segment's count
    assert open_table(str(tmp_path), "annotator_other", reader.doc_count_all()) is None
    for directory in (b"[]", b'{"version": 1, "fields": []}'):  # a trailer that checks out over the wrong shape
        copy.write_bytes(directory + _TRAILER.pack(len(directory), _MAGIC))
        assert open_table(str(tmp_path), segment_id, reader.doc_count_all()) is None
    copy.unlink()
    assert open_table(str(tmp_path), segment_id, reader.doc_count_all()) is None


def test_a_cancelled_build_leaves_no_table(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), make_schema(), indexname=INDEX_NAME)
    writer = BulkWriter(ix)
    for doc in documents(20):
        writer.add_document(**doc)
    writer._flush_segment()  # the table is being written...
    assert any(p.name.endswith(EXTENSION + ".tmp") for p in tmp_path.iterdir())
    writer.cancel()  # ...when the build is called off
    assert not [p.name for p in tmp_path.iterdir() if EXTENSION in p.name]


def test_a_table_left_half_written_by_a_killed_build_is_cleared_by_the_next(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), make_schema(), indexname=INDEX_NAME)
    stale = tmp_path / f".annotator_killed{EXTENSION}.tmp"
    stale.write_bytes(b"half")
    writer = BulkWriter(ix)
    for doc in documents(5):
        writer.add_document(**doc)
    writer.commit()
    assert not stale.exists()
    assert len([p for p in tmp_path.iterdir() if p.name.endswith(EXTENSION)]) == 1


def _tables(session):
    return sorted(p.name for p in session.store.ws.index_dir.iterdir() if p.name.endswith(EXTENSION))


def _answers(session, queries):
    return [[(h.id, h.score) for h in session.search(q, as_you_type=True, limit=30).hits] for q in queries]


QUERIES = ["sketching", "letter boat", "the lig", "theme:memory light", "untagged light", '"the sea"', "hope -storm"]


def test_searches_answer_alike_with_a_table_and_without(session):
    tables = _tables(session)
    assert len(tables) == 1  # the bulk-built segment's
    with_table = _answers(session, QUERIES)
    session.close()
    for name in tables:
        (session.store.ws.index_dir / name).write_bytes(b"damaged")
    reopened = Session.open(session.store.ws.root)
    try:
        assert _answers(reopened, QUERIES) == with_table  # read through Whoosh instead, the same answers
    finally:
        reopened.close()


def test_a_table_goes_with_its_segment(session):
    before = _tables(session)
    session.index.sync(force=True)
    after = _tables(session)
    assert len(after) == 1 and after != before  # the old segment's table went with it
    manifest = json.loads((session.store.ws.index_dir / "manifest.json").read_text())
    assert manifest["schema"] >= 4


def test_the_table_holds_each_documents_stored_fields_as_whoosh_reads_them(tmp_path, monkeypatch):
    import annotator.engine.fast.bulkindex as bulkindex

    monkeypatch.setattr(bulkindex, "BATCH", 64)  # several batches: their stored fields follow on
    folder = tmp_path / "ix"
    ix = build(folder, documents(300), bulk=True)
    with ix.reader() as reader:
        table = _table(folder, reader)
        assert table is not None and table.has_stored()
        for docnum in range(reader.doc_count_all()):
            assert table.stored_fields(docnum) == reader.stored_fields(docnum)
        assert table.field("text").terms() == list(reader.lexicon("text"))  # the fields after them read as before


def test_a_page_of_results_reads_the_stored_fields_whoosh_reads(session):
    index = session.index
    searcher = index.searcher()
    scorer = index.vector_scorer()
    docnums = list(range(searcher.doc_count_all()))
    assert any(data.stored_fields(0) is not None for _, _, data, _, _ in scorer.leaves)  # the tables' own path
    assert scorer.stored_fields(docnums) == [searcher.stored_fields(d) for d in docnums]
