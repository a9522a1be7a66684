"""Ranking on a real novel (Great Expectations, 3,957 passages): DESIGN.md's contract that plain
words match any of the words, the passages holding more of them ranked first — in the NumPy
fast path and in Whoosh's own path alike."""

from __future__ import annotations

import contextlib

import pytest

from annotator.engine.search import analysed
from benchmarks import ranking_check

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


@pytest.fixture(scope="module")
def novel(tmp_path_factory):
    session, passages = ranking_check.open_novel(ranking_check.DEFAULT_TEXT, tmp_path_factory.mktemp("novel"))
    yield session, passages, ranking_check.term_sets(passages)
    session.close()


PATHS = ["fast", "whoosh"]


def _path(session, name):
    return ranking_check.whoosh_only(session) if name == "whoosh" else contextlib.nullcontext()


def _holds(terms, hit, words) -> bool:
    return {analysed(w) for w in words} <= terms[hit.id]


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("as_you_type", [False, True])
def test_a_passage_holding_every_word_comes_first(novel, path, as_you_type):
    session, passages, terms = novel
    queries = ranking_check.draw_queries(passages, 45, 2, seed=7)
    with _path(session, path):
        for words, source_id in queries:
            top = session.search(" ".join(words), limit=1, as_you_type=as_you_type).hits[0]
            assert _holds(terms, top, words), (words, top.id, top.text[:80])


def test_havisham_cake_tops_with_the_one_passage_holding_both(novel):
    session, passages, terms = novel
    both = [p.id for p in passages if {"havisham", "cake"} <= terms[p.id]]
    assert len(both) == 1
    for path in PATHS:
        with _path(session, path):
            assert session.search("Havisham cake", limit=3).hits[0].id == both[0]


@pytest.mark.parametrize("query,as_you_type", [
    ("Havisham cake", False), ("coarse hands", True), ("hands", True), ("coarse han", True),
    ("Miss Havisham's wedding dress", False), ("bride-cake", False), ("bride-ca", True),
    ("Joe forge NOT Pip", False), ("convict OR file", False), ('"wedding dress" Estella', False),
    ("I took the opportunity of being alone in the courtyard to look at my coarse hands and my common boots. "
     "My opinion of those accessories was not favourable. They had never troubled me before, but they "
     "troubled me now, as vulgar appendages.", True),  # a pasted paragraph: dozens of words
])
def test_both_paths_give_the_same_ranking(novel, query, as_you_type):
    session = novel[0]
    fast = session.search(query, limit=30, as_you_type=as_you_type)
    with ranking_check.whoosh_only(session):
        slow = session.search(query, limit=30, as_you_type=as_you_type)
    assert fast.total == slow.total
    assert [h.id for h in fast.hits] == [h.id for h in slow.hits]
    assert [h.score for h in fast.hits] == pytest.approx([h.score for h in slow.hits], abs=1e-9)


@pytest.mark.parametrize("path", PATHS)
def test_the_typed_word_outranks_its_completions(novel, path):
    """`coarse hands` typed: "my coarse hands and my common boots" in the first ten, and no passage
    holding only a completion of `hands` ("handsome") above one holding the word itself."""
    session, _, terms = novel
    with _path(session, path):
        hits = session.search("coarse hands", limit=10, as_you_type=True).hits
        assert any("my coarse hands and my common boots" in h.text for h in hits)
        both = [_holds(terms, h, ["coarse", "hands"]) for h in hits]
        assert both == sorted(both, reverse=True)  # the passages holding both words first
        alone = session.search("hands", limit=1000, as_you_type=True).hits
    with_word = [analysed("hands") in terms[h.id] for h in alone]  # "hand", "hands", "handed"...
    assert False in with_word, "some completion-only passages are found too"
    first_completion_only = with_word.index(False)
    assert all(not w for w in with_word[first_completion_only:])
