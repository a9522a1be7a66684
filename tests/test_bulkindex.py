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
    _assert_same_index(tmp_path, docs)


def test_bulk_index_of_ascii_text_and_long_postings_reads_back_exactly(tmp_path):
    """An all-ASCII corpus (the tokeniser's shortcut), a word 150 times in a passage (a value over
    255 bytes), terms in one document, in a block under 64 postings and in several blocks."""
    docs = [doc for doc in documents(300) if doc["text"].isascii()]
    docs.append(passage_doc(Passage("p-long", "echo " * 150 + "Never-Let-Me-Go it's O'Brien's 3.14", "", "book-9"), 9000, []))
    terms = _assert_same_index(tmp_path, docs)
    assert ("text", b"echo") in terms and ("id", b"p-long") in terms


def _assert_same_index(tmp_path, docs) -> list[tuple[str, bytes]]:
    """Build `docs` with both writers; every term, posting, position and stored field read back the same."""
    whoosh_reader = build(tmp_path / "whoosh", docs, bulk=False).reader()
    bulk_reader = build(tmp_path / "bulk", docs, bulk=True).reader()
    terms = list(whoosh_reader.all_terms())
    assert list(bulk_reader.all_terms()) == terms
    assert max(whoosh_reader.doc_frequency("text", t) for f, t in terms if f == "text") > 128  # several blocks
    assert any(whoosh_reader.doc_frequency("text", t) == 1 for f, t in terms if f == "text")
    assert any(64 <= whoosh_reader.doc_frequency("text", t) % 128 for f, t in terms if f == "text")
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
    assert list(bulk_reader.column_reader("order")) == list(whoosh_reader.column_reader("order"))
    return terms


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


ASCII_TRICKY = [text for text in TRICKY if text.isascii()] + [
    "Hyphen-joined words, open-plan office; don't can't O'Brien's rock'n'roll",
    "UPPER lower MiXeD 42 4.2.1 _under_score_ ** *star* a*b trailing. dots... U.S.A.",
    "the and of to a in is it",
]


def test_fast_analysis_of_ascii_only_texts_matches_the_analyzer():
    assert _fast_positions(ASCII_TRICKY) == [_analyzer_positions(text) for text in ASCII_TRICKY]


def test_ascii_tokens_of_every_length_are_analysed_alike_batch_after_batch():
    """Short tokens are looked up by their bytes as a number, longer ones as strings: words of 7 to 9
    letters, dotted tokens across the 8-byte limit, and the same words again in a later batch."""
    texts = ["abcdefg abcdefgh abcdefghi sketching sketches a.b.c.d.e f.g.h.i.j. 12345678.9 x.y..z",
             "*star* under_score__ sketched SKETCHES Abcdefgh. e.g. i.e. ...dots... end.",
             "the and of to", ""]
    analysis = FastAnalysis(make_schema()["text"].analyzer)
    for batch in (texts, list(reversed(texts)), texts + ["abcdefgh abcdefghij anew"]):
        doc, terms, positions = analysis.analyse(batch)
        found = [{} for _ in batch]
        for d, t, p in zip(doc.tolist(), terms.tolist(), positions.tolist()):
            found[d].setdefault(analysis.terms[t], []).append(p)
        assert found == [_analyzer_positions(text) for text in batch]


def test_ascii_tokens_up_to_16_bytes_and_many_new_ones_are_analysed_alike():
    """Tokens of up to 16 bytes are looked up as two numbers in a hash table that grows as words
    arrive: 15 to 17 letters (and dotted ones across the limit), thousands of new words a batch."""
    import random

    rng = random.Random(7)
    words = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(1, 18))) for _ in range(6000)]
    edges = "abcdefghijklmno abcdefghijklmnop abcdefghijklmnopq abcdefgh.ijklmnop a.b.c.d.e.f.g.h.i"
    texts = [edges] + [" ".join(words[i:i + 30]) for i in range(0, len(words), 30)]
    analysis = FastAnalysis(make_schema()["text"].analyzer)
    for batch in (texts[:100], texts, list(reversed(texts))):
        doc, terms, positions = analysis.analyse(batch)
        found = [{} for _ in batch]
        for d, t, p in zip(doc.tolist(), terms.tolist(), positions.tolist()):
            found[d].setdefault(analysis.terms[t], []).append(p)
        assert found == [_analyzer_positions(text) for text in batch]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="aB9_*. \n-", max_size=120), min_size=1, max_size=4))
def test_fast_analysis_matches_the_analyzer_on_long_and_dotted_ascii_tokens(texts):
    assert _fast_positions(texts) == [_analyzer_positions(text) for text in texts]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(max_codepoint=127, blacklist_categories=("Cs",)), max_size=80),
                min_size=1, max_size=4))
def test_fast_analysis_matches_the_analyzer_on_any_ascii_text(texts):
    assert _fast_positions(texts) == [_analyzer_positions(text) for text in texts]


def test_posting_values_and_ints_are_pickled_as_whoosh_reads_them():
    import pickle

    import numpy as np
    from whoosh.formats import Positions

    from annotator.engine.fast.postingblocks import STRUCTS_MATCH, pickled_ints, positions_values

    assert STRUCTS_MATCH  # Whoosh's term-info and hash-entry structs are those postingblocks repeats

    ints = [0, 1, 255, 256, 65535, 65536, 2**31 - 1]
    data, lengths = pickled_ints(np.array(ints))
    assert pickle.loads(b"\x80\x03(" + data.tobytes() + b"t.") == tuple(ints)
    assert lengths.tolist() == [2, 2, 2, 3, 3, 5, 5]
    postings = [[0], [7], [3, 300, 70000], list(range(0, 600, 2)), [65535, 65536], [2**31 - 1]]
    data, lengths = positions_values(np.array([p for posting in postings for p in posting]),
                                     np.array([len(posting) for posting in postings]))
    values = pickle.loads(b"\x80\x03(" + data.tobytes() + b"t.")
    assert values == tuple(Positions().encode(posting) for posting in postings)
    assert max(lengths) > 255  # pickled as BINBYTES, the others as SHORT_BINBYTES


def test_postings_are_grouped_by_term_alike_below_and_above_65536_terms():
    """A batch's postings are ordered by term with a radix sort of 16-bit halves, stable as argsort's."""
    import numpy as np

    from annotator.engine.fast.bulkindex import _stable_order

    rng = np.random.default_rng(5)
    for highest in (300, 70_000, 2**32 - 1):
        keys = rng.integers(0, highest, 5_000, dtype=np.int64)
        assert _stable_order(keys).tolist() == np.argsort(keys, kind="stable").tolist()


def test_documents_missing_fields_store_and_sort_alike(tmp_path):
    """The columns filled for a batch at once leave a document without a field, a text or any
    stored value as Whoosh's own writer does (its stored fields, order and length read back the same)."""
    docs = [
        {"id": "a", "text": "first words here", "order": 0},
        {"id": "b", "text": "second", "order": 5},
        {"tagged": "no"},  # nothing stored, no order, no text
        {"id": "d", "order": 7},  # no text
        {"id": "e", "text": "last one of all", "themes": "hope dread"},  # no order
        {"id": "f", "text": "", "order": 0},
    ]
    whoosh_reader = build(tmp_path / "whoosh", docs, bulk=False).reader()
    bulk_reader = build(tmp_path / "bulk", docs, bulk=True).reader()
    for docnum in range(len(docs)):
        assert bulk_reader.stored_fields(docnum) == whoosh_reader.stored_fields(docnum)
        assert bulk_reader.doc_field_length(docnum, "text") == whoosh_reader.doc_field_length(docnum, "text")
    assert list(bulk_reader.column_reader("order")) == list(whoosh_reader.column_reader("order"))
    assert bulk_reader.field_length("text") == whoosh_reader.field_length("text")
    assert list(bulk_reader.all_terms()) == list(whoosh_reader.all_terms())
