"""The NumPy scorer ranks exactly as Whoosh's own BM25F search does."""

from __future__ import annotations

import pytest

from annotator.engine import search as search_mod
from annotator.corpus.model import Passage
from annotator.session import Session
from benchmarks.search_bench import query_mix
from benchmarks.synthetic import generate_passages, make_workspace
from tests.engine_checks import assert_same_ranking, whoosh_top

PASSAGES = 1500
EXTRA_QUERIES = [
    "hope dream -storm", "hope AND dream", "hope OR (dream AND storm)", "hop*", "lonely~",
    "hope dream window light tower", "hope NOT dream", "kind:note hope", "untagged hope",
    "theme:hope hope", "remembered remembering", "source:book-02 light", "light", "zzzz nothing",
    '"the light"', '"light the"', '"hope dream storm"', 'dream "hope light"', '"hope light" -storm',
]


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("fast") / "ws", PASSAGES, seed=11)
    session = Session.open(root)
    session.sync()
    yield session
    session.close()


def test_same_ranking_as_whoosh_on_the_benchmark_mix(synthetic):
    mix = [q.annotator for q in query_mix(generate_passages(PASSAGES, seed=11), seed=11)]
    assert_same_ranking(synthetic, mix + EXTRA_QUERIES)


def test_same_ranking_over_several_segments_with_deletions(synthetic):
    first = synthetic.store.sources()[0].passages[:3]
    synthetic.index.update_passages([Passage(p.id, p.text + " quixotically zanzibar", p.location, p.source) for p in first])
    searcher = synthetic.index.searcher()
    assert len(searcher.leaf_searchers()) > 1
    assert_same_ranking(synthetic, EXTRA_QUERIES + ["quixotically zanzibar", "zanzibar light"])
    assert {h.id for h in synthetic.search("zanzibar", kind="passage").hits} == {p.id for p in first}


def test_a_typed_prefix_expands_alike_from_the_term_table_and_from_whoosh(synthetic):
    from annotator.engine.search import TypingPrefix

    searcher = synthetic.index.searcher()
    scorer = synthetic.index.vector_scorer()
    checked = capped = 0
    for _, _, data, _, _ in scorer.leaves:
        assert data.field_table("text") is not None
        prefixes = sorted({t[:3] for t in data.all_terms("text") if len(t) >= 3})
        for prefix in prefixes:
            q = TypingPrefix("text", prefix.decode("utf-8"))
            expected = q._btexts(data.reader)  # Whoosh's expand_prefix and doc_frequency
            assert data.expansions(q) == expected, prefix
            checked += 1
            capped += len(list(data.reader.expand_prefix("text", prefix))) > TypingPrefix.max_expansions
    assert checked > 100 and capped > 0
    assert searcher is synthetic.index.searcher()


def test_segments_with_and_without_a_term_table_rank_alike(synthetic, monkeypatch):
    from annotator.engine.fast import fastscore

    assert_same_ranking(synthetic, EXTRA_QUERIES)
    opened = fastscore._open_table
    newest = synthetic.index.searcher().leaf_searchers()[-1][0].reader().segment().segment_id()
    monkeypatch.setattr(fastscore, "_open_table",
                        lambda reader, count: None if reader.segment().segment_id() == newest else opened(reader, count))
    synthetic.index._postings = None  # a fresh process: segment data read again
    synthetic.index._scorer = None
    assert_same_ranking(synthetic, EXTRA_QUERIES)


@pytest.fixture(scope="module")
def past_small_index(tmp_path_factory):
    """Past SMALL_INDEX documents, where Whoosh scores a prefix's completions one by one (as NumPy does)."""
    from annotator.engine.fast.fastscore import SMALL_INDEX

    root = make_workspace(tmp_path_factory.mktemp("large") / "ws", SMALL_INDEX + 200, seed=12)
    session = Session.open(root)
    session.sync()
    yield session
    session.close()


def test_prefixes_with_many_completions_rank_as_in_whoosh(past_small_index):
    from annotator.engine.search import _limit_typing_prefix

    prefixes = ["hop*", "sto*", "light dre*", "mor* -storm"]
    assert_same_ranking(past_small_index, prefixes)
    searcher = past_small_index.index.searcher()
    scorer = past_small_index.index.vector_scorer()
    from annotator.engine.fast.fastscore import SPARSE_UNION_MIN
    from annotator.engine.search import TypingPrefix

    data = scorer.leaves[0][2]
    assert len(data.expansions(TypingPrefix("text", "the"))) > SPARSE_UNION_MIN  # summed in one pass
    for typed in ["the", "lig", "light wi"]:  # as typed: the capped TypingPrefix
        prepared = search_mod.prepare(typed, as_you_type=True)
        q = _limit_typing_prefix(search_mod._parse_words(prepared.words, searcher.schema), prepared.typing)
        ranked = scorer.rank(q, None, 20)
        expected = whoosh_top(searcher, q, None)
        assert ranked.docnums == [d for d, _ in expected], typed
        assert ranked.scores == pytest.approx([s for _, s in expected], rel=1e-12), typed
        assert ranked.total == len(searcher.search(q, limit=None)), typed


# -- crashes users met (issue 14) -------------------------------------------------------------

NOTES = (
    "The first paragraph is about a muddy field near the farm.\n\n"
    "Second paragraph: hope and despair in the open-plan office.\n\n"
    "Third one talks about deferral and waiting.\n"
)


def _notes_workspace(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init")[0] == 0  # the demo codebook: theme `hope` exists
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    code, _, err = cli("--workspace", ws, "import", notes)
    assert code == 0, err
    return ws


def _search_ids(cli, ws, query):
    import json

    code, out, err = cli("--workspace", ws, "search", "--json", "--", query)
    assert code == 0, err
    return [hit["id"] for hit in json.loads(out)["results"]]


def test_a_phrase_still_matches_after_its_passage_is_tagged(cli, tmp_path):
    # Tagging rewrites the passage's document: the bulk-built segment keeps a deleted copy,
    # whose positions Whoosh no longer gives (it was KeyError: 0/2, exit 70).
    ws = _notes_workspace(cli, tmp_path)
    (pid,) = _search_ids(cli, ws, '"muddy field"')
    assert cli("--workspace", ws, "tag", pid, "hope")[0] == 0
    assert _search_ids(cli, ws, '"muddy field"') == [pid]
    assert len(_search_ids(cli, ws, '"open-plan office" OR deferral*')) >= 1


def test_every_query_kind_answers_on_an_empty_workspace(cli, tmp_path):
    # No segment at all: Whoosh's searcher has an empty reader, without a segment ('NoneType' ... 'indexname').
    ws = tmp_path / "e"
    assert cli("--workspace", ws, "init", "--empty")[0] == 0
    for query in ("hope", "", '"muddy field"', "ho*", "hope~", "-hope", "theme:hope", "untagged"):
        assert _search_ids(cli, ws, query) == [], query



FRENCH_QUERIES = ["espérer", "esperer", "île", "ile lumière", "été", "ete", "sœur cœur", "soeur", "Élève", "fête société"]


@pytest.mark.parametrize("notes_language", ["fr", "en"])
def test_french_words_rank_as_in_whoosh_as_written_and_folded(tmp_path, notes_language):
    """An accented word is two terms (three where English is searched too), scored in one pass."""
    from annotator.corpus.languages import set_workspace_language
    from annotator.engine.analysis import query_languages

    root = make_workspace(tmp_path / "fr", 300, seed=5, language="fr")
    set_workspace_language(root / "corpus", notes_language)  # "en": the notes English, queries in both
    session = Session.open(root)
    try:
        session.sync()
        languages = search_mod.index_languages(session.index.searcher())
        assert languages == (("fr",) if notes_language == "fr" else ("en", "fr"))
        mix = [q.annotator for q in query_mix(session.store.sources()[0].passages, seed=5, language="fr")]
        with query_languages(languages):
            assert_same_ranking(session, mix + FRENCH_QUERIES)
    finally:
        session.close()
