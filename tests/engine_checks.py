"""Index checks shared by the engine's tests: small indexes built by Whoosh's own writer and by
the bulk writer, and the comparison of the NumPy scorer's ranking with Whoosh's own search."""

from __future__ import annotations

import pytest
from whoosh import collectors
from whoosh import index as whoosh_index

from annotator.engine import search as search_mod
from annotator.engine.fast.bulkindex import BulkWriter
from annotator.engine.fast.fastscore import Unsupported
from annotator.engine.index import INDEX_NAME, make_schema, note_doc, passage_doc
from annotator.corpus.model import Passage, Theme
from benchmarks.synthetic import generate_corpus

TRICKY = [
    "The the THE: a stop word first, then Sketching sketches sketched.",
    "Numbers 3.14 and v2.0.1, e.g. i.e. a.b.c, emphasis *bold* and ** alone.",
    "Ünïcödé wörds, İstanbul, ΟΔΟΣ and straße; curly “quotes” — dashes.",
    "",
    "   ",
    "[bold]not bold[/bold] <tag> & ampersand",
    "repeat repeat repeat repeat, hope hoping hoped hopeful",
    "x y z single letters are dropped but xy is kept",
    "Élise garde l'espérance; sœur, Noël, été, Schuldgefühl und Träume, Œuvre, ÆSIR, ẞTRASSE.",
    "逃犯が逃げた。ピップは孤児で、時計を見ていた。Pip逃犯x.y漢字 한국어 문장 ｱｲｳ",
    "decomposed e\u0301te\u0301 and cafe\u0301, Ǆemal ǅemal ǆemal",
]


TRICKY_LANGUAGES = ["en", "fr", "de", "es", "ja"]  # the tricky texts analysed in each of these, in turn


def documents(count: int):
    corpus = generate_corpus(count, seed=11)
    texts = [p.text for p in corpus.passages] + TRICKY
    docs = [
        passage_doc(Passage(f"p-{n}", text, f"ch. {n % 7}", f"book-{n % 3}"), n, ["hope"] if n % 5 == 0 else [],
                    TRICKY_LANGUAGES[n % len(TRICKY_LANGUAGES)] if text in TRICKY else "en")
        for n, text in enumerate(texts)
    ]
    docs += [note_doc(Theme("hope", "Hope", "What keeps them going: hope and hoping."), 0)]
    return docs


def build(folder, docs, bulk: bool):
    folder.mkdir()
    ix = whoosh_index.create_in(str(folder), make_schema(), indexname=INDEX_NAME)
    writer = BulkWriter(ix) if bulk else ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    return whoosh_index.open_dir(str(folder), indexname=INDEX_NAME)


def whoosh_top(searcher, q, restrict, limit=20):
    """Whoosh's own search, every document scored (no block skipping, no matcher replacement)."""
    collector = collectors.TopCollector(limit=limit, usequality=False)
    collector.replace = 0
    if restrict is not None:
        collector = collectors.FilterCollector(collector, allow=restrict)
    searcher.search_with_collector(q, collector)
    results = collector.results()
    return [(hit.docnum, hit.score) for hit in results]


def assert_same_ranking(session, texts):
    searcher = session.index.searcher()
    scorer = session.index.vector_scorer()
    checked = 0
    for text in texts:
        prepared = search_mod.prepare(text)
        q = search_mod._parse_words(prepared.words, searcher.schema)
        if not search_mod.has_text_terms(q):
            continue
        restrict = search_mod._combined_filter(prepared, (), None, False, None)
        try:
            ranked = scorer.rank(q, restrict, 20)
        except Unsupported:
            continue
        expected = whoosh_top(searcher, q, restrict)
        assert ranked.docnums == [d for d, _ in expected], text
        assert ranked.scores == pytest.approx([s for _, s in expected], rel=1e-12), text
        assert ranked.total == len(searcher.search(q, limit=None, filter=restrict)), text
        # Whoosh's default (block-skipping) search agrees too
        default = searcher.search(q, limit=20, filter=restrict)
        assert [h.docnum for h in default] == ranked.docnums, text
        checked += 1
    assert checked >= len(texts) * 3 // 4
