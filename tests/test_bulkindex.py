"""BulkWriter writes what Whoosh's own writer writes: compared posting by posting."""

from __future__ import annotations

import zlib

from hypothesis import given, settings, strategies as st

from annotator.engine.fast.bulkindex import FastAnalysis, zlib_stored
from annotator.engine.index import make_schema, passage_doc
from annotator.corpus.model import Passage
from tests.engine_checks import TRICKY, build, documents

def _term_stats(info):
    return (info.weight(), info.doc_frequency(), info.min_length(), info.max_length(), info.max_weight(),
            info.min_id(), info.max_id())


def test_bulk_index_reads_back_exactly_like_whooshs_own(tmp_path):
    docs = documents(700)  # enough for common words to fill several 128-posting blocks
    whoosh_reader = build(tmp_path / "whoosh", docs, bulk=False).reader()
    bulk_reader = build(tmp_path / "bulk", docs, bulk=True).reader()
    terms = list(whoosh_reader.all_terms())
    assert list(bulk_reader.all_terms()) == terms
    assert max(whoosh_reader.doc_frequency("text", t) for f, t in terms if f == "text") > 300
    for fieldname, text in terms:
        assert _term_stats(bulk_reader.term_info(fieldname, text)) == _term_stats(whoosh_reader.term_info(fieldname, text))
        expected = list(whoosh_reader.postings(fieldname, text).items_as("weight"))
        assert list(bulk_reader.postings(fieldname, text).items_as("weight")) == expected, (fieldname, text)
        if fieldname == "text":
            positions = list(whoosh_reader.postings(fieldname, text).items_as("positions"))
            assert list(bulk_reader.postings(fieldname, text).items_as("positions")) == positions
    for docnum in range(whoosh_reader.doc_count_all()):
        assert bulk_reader.stored_fields(docnum) == whoosh_reader.stored_fields(docnum)
        assert bulk_reader.doc_field_length(docnum, "text") == whoosh_reader.doc_field_length(docnum, "text")
    assert bulk_reader.field_length("text") == whoosh_reader.field_length("text")


def test_a_bulk_built_index_searches_and_takes_later_updates(tmp_path):
    ix = build(tmp_path / "bulk", documents(50), bulk=True)
    with ix.searcher() as searcher:
        from whoosh.qparser import QueryParser

        hits = searcher.search(QueryParser("text", ix.schema).parse("ampersand"), limit=None)
        assert [hit["id"] for hit in hits] == ["p-55"]
    writer = ix.writer()  # Whoosh's own writer appends to and merges a bulk-written segment
    writer.update_document(**passage_doc(Passage("p-55", "now about lighthouses", "", "book-1"), 55, []))
    writer.commit(optimize=True)
    with ix.searcher() as searcher:
        assert searcher.document(id="p-55")["text"] == "now about lighthouses"
        assert searcher.doc_count() == len(documents(50))


def test_stored_fields_are_written_as_a_zlib_stream_that_zlib_reads():
    for data in (b"", b"x", bytes(range(256)) * 600):  # empty, short, more than one 64 KB stored block
        assert zlib.decompress(zlib_stored(data)) == data
    assert zlib_stored(b"a pickled passage") == zlib.compress(b"a pickled passage", 0)


def _analyzer_positions(text: str) -> dict[bytes, list[int]]:
    result: dict[bytes, list[int]] = {}
    for token in make_schema()["text"].analyzer(text, positions=True):
        result.setdefault(token.text.encode("utf-8"), []).append(token.pos)
    return result


def _fast_positions(texts: list[str]) -> list[dict[bytes, list[int]]]:
    analysis = FastAnalysis(make_schema()["text"].analyzer)
    doc, terms, positions = analysis.analyse(texts)
    result = [{} for _ in texts]
    for d, t, p in zip(doc.tolist(), terms.tolist(), positions.tolist()):
        result[d].setdefault(analysis.terms[t], []).append(p)
    return result


def test_fast_analysis_matches_the_stemming_analyzer_on_tricky_text():
    assert _fast_positions(TRICKY) == [_analyzer_positions(text) for text in TRICKY]


def test_fast_analysis_matches_the_analyzer_in_every_language():
    from annotator.engine.analysis import LanguageText

    texts = [LanguageText(text, code) for code in ("fr", "de", "es", "it", "nl", "ru", "zh") for text in TRICKY]
    assert _fast_positions(texts) == [_analyzer_positions(text) for text in texts]


def test_a_text_holding_the_document_break_is_still_analysed_exactly():
    texts = ["before " + "*" * 24 + " after", "second text"]
    assert _fast_positions(texts) == [_analyzer_positions(text) for text in texts]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80), min_size=1, max_size=4))
def test_fast_analysis_matches_the_stemming_analyzer_on_any_text(texts):
    assert _fast_positions(texts) == [_analyzer_positions(text) for text in texts]
