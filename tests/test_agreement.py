"""Cohen's kappa between two annotators, checked against values worked out by hand."""

from __future__ import annotations

import json

import pytest

from annotator.agreement import cohen_kappa, compare
from annotator.errors import AnnotatorError, NotFound


def test_kappa_of_a_textbook_table():
    # 50 decisions: both yes 20, only A 5, only B 10, both no 15.
    # po = 35/50 = 0.7; pA(yes) = 0.5, pB(yes) = 0.6; pe = 0.5*0.6 + 0.5*0.4 = 0.5
    # kappa = (0.7 - 0.5) / (1 - 0.5) = 0.4
    assert cohen_kappa(20, 5, 10, 15) == pytest.approx(0.4)


def test_kappa_extremes():
    assert cohen_kappa(3, 0, 0, 4) == pytest.approx(1.0)
    assert cohen_kappa(0, 4, 4, 0) == pytest.approx(-1.0)  # disagree on everything, balanced
    assert cohen_kappa(0, 0, 0, 7) is None  # nobody used the theme: chance agreement is certain
    assert cohen_kappa(0, 0, 0, 0) is None


def tag_all(store, annotator, pairs):
    for passage, themes in pairs.items():
        store.add_tags(annotator, passage, themes)


@pytest.fixture
def two_readers(session):
    """Four themes (hope, memory, friendship, loss); alice's fixture tags replaced by a known design."""
    store = session.store
    store.remove_tags("alice", "lh-002", ["hope"])
    store.remove_tags("alice", "lh-006", ["memory"])
    store.remove_tags("alice", "lh-007", ["loss"])
    store.remove_tags("alice", "lh-012", ["friendship"])
    tag_all(store, "alice", {
        "lh-001": ["hope"],
        "lh-002": ["hope", "memory"],
        "lh-003": ["friendship"],
        "lh-004": ["loss"],
        "lh-005": ["memory"],  # only alice tags lh-005: not compared
    })
    tag_all(store, "bob", {
        "lh-001": ["hope"],
        "lh-002": ["memory"],
        "lh-003": ["friendship", "loss"],
        "lh-004": ["hope"],
        "lh-009": ["loss"],  # only bob tags lh-009
    })
    return store


def test_agreement_by_hand(two_readers):
    report = compare(two_readers, "alice", "bob")
    assert report.passages == ["lh-001", "lh-002", "lh-003", "lh-004"]
    # hope over 4 passages: alice Y Y N N, bob Y N N Y -> both 1, only a 1, only b 1, neither 1
    # po = 0.5, pe = 0.5*0.5 + 0.5*0.5 = 0.5 -> kappa 0
    hope = report.themes["hope"]
    assert (hope.both, hope.only_a, hope.only_b, hope.neither) == (1, 1, 1, 1)
    assert hope.kappa == pytest.approx(0.0)
    assert hope.agreement == pytest.approx(0.5)
    # memory: alice N Y N N, bob N Y N N -> perfect
    assert report.themes["memory"].kappa == pytest.approx(1.0)
    # loss: alice N N N Y, bob N N Y N -> both 0, a 1, b 1, neither 2
    # po = 0.5, pe = 0.25*0.25 + 0.75*0.75 = 0.625 -> kappa = -0.125/0.375 = -1/3
    assert report.themes["loss"].kappa == pytest.approx(-1 / 3)
    # friendship: alice N N Y N, bob N N Y N -> perfect
    assert report.themes["friendship"].agreement == pytest.approx(1.0)
    # overall over 16 decisions: both 3, only a 2, only b 2, neither 9
    # po = 12/16 = 0.75; pA = pB = 5/16 = 0.3125; pe = 0.3125^2 + 0.6875^2 = 0.5703125
    # kappa = (0.75 - 0.5703125) / (1 - 0.5703125) = 0.1796875 / 0.4296875 = 0.41818...
    o = report.overall
    assert (o.both, o.only_a, o.only_b, o.neither) == (3, 2, 2, 9)
    assert o.kappa == pytest.approx(0.1796875 / 0.4296875)
    assert [d.passage for d in report.disagreements] == ["lh-002", "lh-003", "lh-004"]
    lh4 = report.disagreements[2]
    assert (lh4.both, lh4.only_a, lh4.only_b) == ([], ["loss"], ["hope"])
    assert report.only_a_passages == ["lh-005"]
    assert report.only_b_passages == ["lh-009"]


def test_agrees_with_scikit_learn(two_readers):
    metrics = pytest.importorskip("sklearn.metrics")
    report = compare(two_readers, "alice", "bob")
    a_tags = {p: {t.theme for t in two_readers.annotations("alice").tags if t.passage == p} for p in report.passages}
    b_tags = {p: {t.theme for t in two_readers.annotations("bob").tags if t.passage == p} for p in report.passages}
    themes = ["hope", "memory", "friendship", "loss"]
    for theme in ["hope", "loss"]:
        y_a = [theme in a_tags[p] for p in report.passages]
        y_b = [theme in b_tags[p] for p in report.passages]
        assert report.themes[theme].kappa == pytest.approx(metrics.cohen_kappa_score(y_a, y_b))
    y_a = [t in a_tags[p] for p in report.passages for t in themes]
    y_b = [t in b_tags[p] for p in report.passages for t in themes]
    assert report.overall.kappa == pytest.approx(metrics.cohen_kappa_score(y_a, y_b))


def test_json_shape(two_readers, cli, workspace_dir):
    code, out, err = cli("agreement", "alice", "bob", "--json", "--workspace", workspace_dir)
    assert code == 0, err
    data = json.loads(out)
    assert data["annotators"] == ["alice", "bob"]
    assert data["passages"] == 4
    assert set(data["overall"]) >= {"kappa", "agreement"}
    assert data["overall"]["kappa"] == pytest.approx(0.4182, abs=1e-4)
    assert data["overall"]["agreement"] == 0.75
    # `themes` is a list (issue 21); with two annotators each entry keeps its kappa and counts
    themes = {t["theme"]: t for t in data["themes"]}
    assert set(themes) == {"hope", "memory", "friendship", "loss"}
    assert themes["loss"]["kappa"] == pytest.approx(-0.3333, abs=1e-4)
    assert themes["hope"]["counts"] == {"both": 1, "only": {"alice": 1, "bob": 1}, "neither": 1}
    lh2 = next(d for d in data["disagreements"] if d["passage"] == "lh-002")
    assert (lh2["both"], lh2["only"]) == (["memory"], {"alice": ["hope"], "bob": []})


def test_text_report_names_disagreements(two_readers, cli, workspace_dir):
    code, out, _ = cli("agreement", "alice", "bob", "--workspace", workspace_dir)
    assert code == 0
    assert "4 passage(s) tagged by both" in out
    assert "kappa 0.42" in out
    assert "lh-004  alice: loss; bob: hope" in out


def test_unknown_or_same_annotator_is_one_clear_line(session, cli, workspace_dir):
    with pytest.raises(NotFound, match="annotators: alice"):
        compare(session.store, "alice", "nobody")
    with pytest.raises(AnnotatorError):
        compare(session.store, "alice", "alice")
    code, _, err = cli("agreement", "alice", "zed", "--workspace", workspace_dir)
    assert code == 2 and err.count("\n") == 1  # bad input (issue 21)


def test_no_shared_passages(session):
    session.store.add_tags("bob", "lh-010", ["hope"])
    report = compare(session.store, "alice", "bob")
    assert report.passages == []
    assert report.overall.kappa is None
    assert report.to_json()["overall"] == {"kappa": None, "agreement": None, "counts": {"both": 0, "only": {"alice": 0, "bob": 0}, "neither": 0}}


def test_demo_corpus_agreement(demo_session):
    report = compare(demo_session.store, "demo", "tutor")
    assert len(report.passages) == 7
    assert {d.passage for d in report.disagreements} == {"nlmg-002", "nlmg-010", "nlmg-018"}
    # 49 decisions: both 5, only demo 3, only tutor 3, neither 38
    assert (report.overall.both, report.overall.only_a, report.overall.only_b, report.overall.neither) == (5, 3, 3, 38)


def test_kappa_matches_scikit_learn_on_any_table():
    metrics = pytest.importorskip("sklearn.metrics")
    from hypothesis import given, settings, strategies as st

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=40))
    def check(decisions):
        counts = [sum(1 for d in decisions if d == pair) for pair in [(True, True), (True, False), (False, True), (False, False)]]
        ours = cohen_kappa(*counts)
        a = [x for x, _ in decisions]
        b = [y for _, y in decisions]
        if ours is None:
            assert len(set(a)) == 1 and a == b  # both made one and the same choice throughout
        else:
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                assert ours == pytest.approx(metrics.cohen_kappa_score(a, b), abs=1e-9)

    check()
