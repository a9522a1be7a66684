"""Fast paths are loud: a shape they do not serve goes to Whoosh by design; a failure inside one is a bug."""

from __future__ import annotations

import pytest

from annotator.engine.fast.fastscore import VectorScorer
from annotator.engine.index import SearchIndex
from annotator.engine.search import search


def answer(result):
    return [(h.id, round(h.score, 6), h.matches) for h in result.hits], result.total


def _broken(*args, **kwargs):
    raise RuntimeError("a bug in the scorer")


def test_a_failing_scorer_raises_under_debug(session, monkeypatch):
    monkeypatch.setattr(VectorScorer, "rank", _broken)
    with pytest.raises(RuntimeError, match="a bug in the scorer"):
        search(session.index, "lamp light")


def test_a_failing_scorer_is_answered_by_whoosh_and_logged_in_normal_use(session, monkeypatch):
    expected = answer(search(session.index, "lamp light", limit=None))
    monkeypatch.delenv("ANNOTATOR_DEBUG")
    monkeypatch.setattr(VectorScorer, "rank", _broken)
    assert answer(search(session.index, "lamp light", limit=None)) == expected
    lines = (session.index.folder / "annotator.log").read_text(encoding="utf-8").splitlines()
    assert len(lines) == 1
    assert "fast path scorer failed" in lines[0] and "RuntimeError: a bug in the scorer" in lines[0]


def test_a_shape_the_scorer_does_not_serve_goes_to_whoosh_without_a_log_line(session):
    result = search(session.index, "-lamp")  # Every() AND NOT lamp: not a shape the scorer serves
    assert result.total > 0
    assert not (session.index.folder / "annotator.log").exists()


def test_fast_paths_off_is_a_switch_and_answers_alike(session, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_FAST_PATHS", "0")
    plain = SearchIndex(session.store)
    try:
        assert plain.fast_paths is False and plain.vector_scorer() is None
        for query in ("lamp light", '"the lamp"', "lam*", "lamp~", "kind:note", "", "theme:memory"):
            assert answer(search(plain, query, limit=None)) == answer(search(session.index, query, limit=None)), query
    finally:
        plain.close()


def test_pending_tags_filter_alike_with_fast_paths_off(session):
    hit = search(session.index, "lamp").hits[0]
    session.tag(hit.id, ["memory"])
    plain = SearchIndex(session.store, fast_paths=False)
    try:
        plain.open()
        plain.pending_tags = dict(session.index.pending_tags)
        for query in ("theme:memory", "theme:memory lamp", "untagged lamp", "untagged"):
            assert answer(search(plain, query, limit=None)) == answer(search(session.index, query, limit=None)), query
    finally:
        plain.close()


def test_a_listing_answered_by_whoosh_has_no_scores(session):
    # `-lamp` alone lists what is left in corpus order through Whoosh, whose hits carried
    # the sort key (corpus order, 2**50 and more for notes) as their score.
    result = search(session.index, "-lamp", limit=None)
    assert result.total and all(h.score == 0.0 for h in result.hits)
