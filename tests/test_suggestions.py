"""Theme suggestions on real workspaces: notes alone first, then tagged neighbours."""

from __future__ import annotations

from annotator.suggestions import Suggestion, note_sentences
from annotator.corpus.model import Theme


def test_suggests_from_notes_before_anything_is_tagged(session):
    for tag in list(session.store.all_tags()):
        session.untag(tag.passage, [tag.theme], annotator=tag.annotator)
    # lh-002: the supply boat and the hoped-for letter -> the hope note ("the next boat will bring news")
    suggestions = session.suggest("lh-002")
    assert suggestions and all(isinstance(s, Suggestion) for s in suggestions)
    assert suggestions[0].theme == "hope"
    assert any(line.startswith("note:") for line in suggestions[0].why)


def test_scores_are_ranked_and_limited(session):
    suggestions = session.suggest("lh-010", limit=2)
    assert len(suggestions) <= 2
    assert [s.score for s in suggestions] == sorted((s.score for s in suggestions), reverse=True)
    assert all(0 < s.score <= 1 for s in suggestions)


def test_themes_already_on_the_passage_are_not_suggested(session):
    # alice tagged lh-006 with memory
    assert "memory" not in [s.theme for s in session.suggest("lh-006", limit=10)]


def test_tagged_neighbours_explain_their_vote(session):
    session.tag("lh-003", ["friendship"])
    session.tag("lh-009", ["friendship"])
    why = [line for s in session.suggest("lh-004", limit=10) for line in s.why]
    assert any(line.startswith("like lh-") for line in why)


def test_suggestion_json_shape(session):
    data = session.suggest("lh-001")[0].to_json()
    assert set(data) == {"theme", "score", "why"}


def test_note_sentences_include_the_name_and_each_sentence():
    theme = Theme("hope", "Hope", "First sentence here. Second one follows!")
    assert note_sentences(theme) == ["Hope", "First sentence here.", "Second one follows!"]


def test_unknown_passage_is_a_clear_error(session):
    import pytest
    from annotator.errors import NotFound

    with pytest.raises(NotFound):
        session.suggest("no-such-passage")


def test_similar_passages_lexically(session):
    similar = session.similar("lh-003", limit=3)
    assert 0 < len(similar) <= 3
    assert "lh-003" not in [h.id for h in similar]
    assert [h.score for h in similar] == sorted((h.score for h in similar), reverse=True)


def test_zero_shot_accuracy_on_the_gold_corpus_holds(tmp_path):
    """A guard against regressions: the notes alone put the gold theme first for 0.4 or more of
    the gold corpus (benchmarks/suggest_accuracy.py measures it fully; 0.375 when first written,
    0.412 with per-theme calibration)."""
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import suggest_accuracy as bench

    themes, passages = bench.load_corpus(bench.DEFAULT_CORPUS)
    session = bench.make_session(tmp_path / "ws", themes, passages, [])
    right = bench.correct(session, themes, passages, [], None)
    session.close()
    assert sum(right.values()) / len(right) >= 0.4


def test_suggestions_learn_from_tagged_passages(tmp_path):
    """The notes point one way; ten tagged passages alike in wording point the other, and win."""
    from annotator.corpus.model import Passage, Source, SourceFile
    from annotator.session import Session
    from annotator.corpus.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(ws.root)
    session.store.save_themes([
        Theme("weather", "Weather", "Storms, waves and wind batter the island in every season."),
        Theme("family", "Family", "The keeper thinks of her brother and their mother."),
    ])
    scenes = [f"Storm night {n}: waves over the rail while she sets out supper for Jonah's return." for n in range(10)]
    passages = [Passage(f"p{n}", text, "", "s") for n, text in enumerate(scenes)]
    passages.append(Passage("new", "A storm again, waves on the rail; she lays a place for Jonah at supper.", "", "s"))
    session.store.save_source(SourceFile(Source("s", "S"), passages))
    session.sync()
    assert session.suggest("new")[0].theme == "weather"  # the notes alone
    for n in range(10):
        session.tag(f"p{n}", ["family"])
    best = session.suggest("new")[0]
    assert best.theme == "family"
    assert any(line.startswith("like p") for line in best.why)
    session.close()


def _workspace_with(tmp_path, themes, texts):
    from annotator.corpus.model import Passage, Source, SourceFile
    from annotator.session import Session
    from annotator.corpus.workspace import init_workspace

    ws = init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(ws.root)
    session.store.save_themes(themes)
    passages = [Passage(pid, text, "", "s") for pid, text in texts.items()]
    session.store.save_source(SourceFile(Source("s", "S"), passages))
    session.sync()
    return session


def test_a_theme_whose_note_fits_every_passage_does_not_win_everywhere(tmp_path, monkeypatch):
    """The house note shares 'house' and 'night' with every passage; the fire note only one word
    with this one. Measured against what each theme scores on a typical passage, fire wins."""
    from annotator import suggestions

    themes = [
        Theme("home", "Home", "The house at night. Night in the old house. The house is quiet at night. "
              "At night the house creaks. The family sleeps in the house at night."),
        Theme("fire", "Fire", "Flames, smoke and the fear of burning."),
        Theme("music", "Music", "Songs at the piano, singing and dancing."),
    ]
    texts = {f"p{n}": f"At night in the house the {thing} waits." for n, thing in enumerate(
        ["dog", "cat", "clock", "kettle", "boy", "girl", "mother", "father", "lamp", "book"])}
    texts["candle"] = "At night in the house a candle sets the curtains burning."
    session = _workspace_with(tmp_path, themes, texts)
    assert session.suggest("candle")[0].theme == "fire"
    monkeypatch.setattr(suggestions, "BASELINE_MINIMUM", 10**6)  # no calibration: the long note wins
    suggestions._baselines.clear()
    assert session.suggest("candle")[0].theme == "home"
    session.close()


def test_a_theme_with_many_tagged_passages_does_not_win_by_numbers(tmp_path):
    """Twelve passages tagged 'sea', three 'garden': a garden scene still gets garden first
    (a big theme's tagged passages crowd the nearest neighbours; their votes are scaled by size)."""
    themes = [Theme("sea", "Sea", "Voyages and harbours."), Theme("garden", "Garden", "Plants and soil.")]
    texts = {f"s{n}": f"The boat {n} rows past the garden wall toward the harbour." for n in range(12)}
    texts.update({f"g{n}": f"She digs the garden bed and plants roses by the wall, row {n}." for n in range(3)})
    texts["new"] = "In the garden by the wall she plants roses and digs the bed."
    session = _workspace_with(tmp_path, themes, texts)
    for n in range(12):
        session.tag(f"s{n}", ["sea"])
    for n in range(3):
        session.tag(f"g{n}", ["garden"])
    assert session.suggest("new")[0].theme == "garden"
    session.close()


def _accuracy(corpus, tmp_path):
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).parent.parent / "benchmarks"))
    import suggest_accuracy as bench

    themes, passages = bench.load_corpus(corpus)
    session = bench.make_session(tmp_path / "ws", themes, passages, [])
    right = bench.correct(session, themes, passages, [], None)
    session.close()
    return sum(right.values()) / len(right)


def test_zero_shot_accuracy_on_a_held_out_corpus_holds(tmp_path):
    """Jane Eyre scenes (no parameter fitted to them): the notes alone put the gold theme first for 19 of 42
    (0.452 when written; 0.381 before per-theme calibration)."""
    from pathlib import Path

    assert _accuracy(Path(__file__).parent / "fixtures" / "suggest-heldout.yaml", tmp_path) >= 0.42


def test_a_name_the_tagged_passages_share_does_not_carry_a_passage_to_their_theme(tmp_path):
    """Every passage tagged Love names Biddy (and the Love note does too); a new passage that names her
    but is about becoming a gentleman gets Ambition first: tagged passages are found like it by what
    they say, not by whom they name."""
    themes = [
        Theme("love", "Love", "Tenderness and longing: all along, Biddy loves Pip quietly and waits for him."),
        Theme("ambition", "Ambition", "Wanting to rise in the world: to become a gentleman, rich and refined."),
    ]
    chores = ["mends the kitchen curtain", "feeds the hens at dawn", "sweeps the yard", "bakes bread for the fair",
              "carries water from the well", "darns a stocking by the fire", "reads to the old woman", "picks apples"]
    texts = {f"b{n}": f"Biddy {chore}." for n, chore in enumerate(chores)}
    rising = ["He orders a fine coat from a London tailor.", "He learns to hold a fork as the rich do.",
              "He takes lessons in fencing and in Latin.", "He is ashamed of the forge and its soot.",
              "He hires a servant he cannot afford.", "He joins a club of idle young men.",
              "He reads the papers to seem refined.", "He buys rings and a gold watch."]
    texts.update({f"r{n}": text for n, text in enumerate(rising)})
    texts["new"] = "Biddy hears that he means to become a gentleman."
    session = _workspace_with(tmp_path, themes, texts)
    for n in range(len(chores)):
        session.tag(f"b{n}", ["love"])
    for n in range(len(rising)):
        session.tag(f"r{n}", ["ambition"])
    best = session.suggest("new")[0]
    assert best.theme == "ambition"
    assert not any(line.startswith("like b") for line in best.why)
    session.close()
