"""The synthetic corpus generator that benchmarks and large-workspace tests use."""

from __future__ import annotations

from benchmarks.synthetic import MAX_WORDS, MIN_WORDS, generate_passages, make_workspace


def test_same_seed_same_corpus_and_lengths_in_range():
    first = generate_passages(300, seed=5)
    assert first == generate_passages(300, seed=5)
    assert first != generate_passages(300, seed=6)
    assert all(MIN_WORDS <= len(p.text.split()) <= MAX_WORDS for p in first)
    assert len({p.id for p in first}) == 300


def test_make_workspace_opens_and_searches(tmp_path):
    from annotator.session import Session

    root = make_workspace(tmp_path / "big", passages=600, seed=3)
    session = Session.open(root)
    try:
        session.sync()
        assert len(session.store.sources()) >= 3
        assert [t.id for t in session.themes()][:2] == ["hope", "memory"]
        assert sum(session.theme_counts().values()) == 12
        assert session.search("harbour").total > 0
    finally:
        session.close()
