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


def test_a_french_workspace_is_french_throughout(tmp_path):
    from annotator.corpus.languages import workspace_language
    from annotator.session import Session
    from benchmarks.synthetic import kept_workspace

    root = make_workspace(tmp_path / "fr", passages=60, seed=3, language="fr")
    assert workspace_language(root / "corpus") == "fr"
    session = Session.open(root)
    try:
        session.sync()
        assert [t.name for t in session.themes()][:2] == ["Espérance", "Mémoire"]
        assert [h.id for h in session.search("pardonnait", kind="note").hits] == ["note:friendship"]  # stemmed in French
    finally:
        session.close()
    english = make_workspace(tmp_path / "stale", passages=60, seed=3)  # as one made before: English notes
    assert workspace_language(kept_workspace(english, 60, 3, "fr") / "corpus") == "fr"
