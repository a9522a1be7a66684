"""Accented words matching few passages are scored over those passages only, to the same last bit."""

from __future__ import annotations

import pytest

from annotator.engine import search as search_mod
from annotator.engine.analysis import query_languages
from annotator.engine.fast import fastscore
from annotator.session import Session
from benchmarks.search_bench import query_mix
from benchmarks.synthetic import make_workspace

QUERIES = ["espérer", "île", "ile lumière", "été", "sœur cœur", "Élève", "fête société", "tègr*", "grét*"]


@pytest.fixture(scope="module")
def french(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("sparse") / "fr", 300, seed=5, language="fr")
    session = Session.open(root)
    session.sync()
    yield session
    session.close()


def _ranked(session, text: str, as_you_type: bool):
    prepared = search_mod.prepare(text, as_you_type=as_you_type)
    q = search_mod.scored_query(prepared, session.index.searcher().schema)
    try:
        ranked = session.index.vector_scorer().rank(q, None, 20)
    except fastscore.Unsupported:  # a shape Whoosh answers (a prefix's constant score on a small index)
        return None
    return ranked.docnums, ranked.scores, ranked.total


def test_sparse_and_dense_coordination_give_the_same_ranking(french, monkeypatch):
    texts = [q.annotator for q in query_mix(french.store.sources()[0].passages, seed=5, language="fr")] + QUERIES
    sparse_used = []
    sparse = fastscore._sparse_coordinated

    def counted(*args):
        found = sparse(*args)
        sparse_used.append(found is not None)
        return found

    monkeypatch.setattr(fastscore, "_sparse_coordinated", counted)
    with query_languages(("fr",)):
        found = {(text, typing): _ranked(french, text, typing) for text in texts for typing in (False, True)}
        monkeypatch.setattr(fastscore, "SPARSE_COORDINATION_SUBSET", 0)  # arrays over the segment, always
        dense = {(text, typing): _ranked(french, text, typing) for text in texts for typing in (False, True)}
    assert sum(sparse_used) >= 5
    for key, answer in found.items():
        assert answer == dense[key], key  # the same documents, scores to the last bit, and total


def test_rare_accented_word_ranks_its_exact_spelling_first(french):
    with query_languages(("fr",)):
        hits = french.search("sœur", limit=None).hits
        exact = [h for h in hits if "sœur" in h.text.lower()]
        assert hits and exact and hits[: len(exact)] == exact
