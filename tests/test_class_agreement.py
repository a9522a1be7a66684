"""Agreement among several annotators: hand-worked values, nltk as an independent oracle, the CLI."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings, strategies as st

from annotator.class_agreement import measure

# Three coders, themes x and y. p3 is tagged by A only, so it is not a unit.
#   p1: A {x}, B {x}, C {x, y}      p2: A {y}, B {x}      p3: A {x}
HAND = [("A", "p1", "x"), ("B", "p1", "x"), ("C", "p1", "x"), ("C", "p1", "y"),
        ("A", "p2", "y"), ("B", "p2", "x"), ("A", "p3", "x")]


def test_alpha_worked_by_hand():
    # Units (passage x theme) and their values: p1x 1,1,1  p1y 0,0,1  p2x 0,1  p2y 1,0.
    # n = 10 pairable values, n1 = 6, n0 = 4; o01 = sum k(m-k)/(m-1) = 0 + 1 + 1 + 1 = 3.
    # alpha = 1 - (n-1) o01 / (n0 n1) = 1 - 9*3/24 = -0.125
    report = measure(HAND, ["A", "B", "C"], ["x", "y"])
    assert report.passages == 2
    assert report.alpha == pytest.approx(-0.125)
    x, y = report.themes
    assert x.alpha == pytest.approx(0.0)  # n 5, n1 4, o01 1: 1 - 4*1/(1*4)
    assert y.alpha == pytest.approx(-1 / 3)  # n 5, n1 2, o01 2: 1 - 4*2/(3*2)


def test_fleiss_and_agreement_worked_by_hand():
    report = measure(HAND, ["A", "B", "C"], ["x", "y"])
    # Fleiss over p1 only (all three tagged it): units p1x (3 yes), p1y (1 yes).
    # p = 4/6, Pe = 5/9; P = 1 - 2*(0 + 2)/(3*2*2) = 2/3; kappa = (2/3 - 5/9)/(4/9) = 0.25
    assert report.full_passages == 1
    assert report.fleiss_kappa == pytest.approx(0.25)
    x, y = report.themes
    assert x.fleiss_kappa is None  # everyone said yes: chance agreement is certain
    assert y.fleiss_kappa == pytest.approx(-0.5)  # P 1/3, Pe 5/9
    # Coder pairs: p1 3 per theme, p2 1 per theme = 8; disagreeing: p1y 2, p2x 1, p2y 1 = 4
    assert report.agreement == pytest.approx(0.5)


def test_pairs_and_disagreements_worked_by_hand():
    report = measure(HAND, ["A", "B", "C"], ["x", "y"], passage_order={"p1": 0, "p2": 1, "p3": 2})
    # A-B over p1, p2: both 1 (p1x), only A 1 (p2y), only B 1 (p2x), neither 1 (p1y): po .5, pe .5
    assert [(p.a, p.b, p.passages) for p in report.pairs] == [("A", "B", 2), ("A", "C", 1), ("B", "C", 1)]
    assert [p.kappa for p in report.pairs] == [pytest.approx(0.0)] * 3
    # p1 and p2 each have two disagreeing coder pairs; corpus order breaks the tie
    assert [(d.passage, d.disagreeing_pairs) for d in report.disagreements] == [("p1", 2), ("p2", 2)]
    assert report.disagreements[0].themes == {"x": ["A", "B", "C"], "y": ["C"]}
    assert report.disagreements[1].annotators == ["A", "B"]


def test_undefined_alpha_is_none_not_an_error():
    # Everyone gave the one theme to everything: no variation, alpha and kappa undefined.
    report = measure([("A", "p1", "x"), ("B", "p1", "x")], ["A", "B"], ["x"])
    assert report.alpha is None and report.fleiss_kappa is None and report.pairs[0].kappa is None
    assert report.agreement == 1.0
    empty = measure([("A", "p1", "x"), ("B", "p2", "x")], ["A", "B"], ["x"])
    assert empty.passages == 0 and empty.alpha is None and empty.agreement is None
    assert empty.to_json()["alpha"] is None


# -- the independent oracle: nltk ------------------------------------------------------------------

coding = st.integers(2, 5).flatmap(lambda coders: st.tuples(
    st.just(coders),
    st.integers(1, 4),
    st.lists(st.lists(st.one_of(st.none(), st.frozensets(st.integers(0, 3))), min_size=coders, max_size=coders),
             min_size=1, max_size=8),
))


def _tags(coders: int, n_themes: int, passages) -> list[tuple[str, str, str]]:
    """None: the coder did not tag the passage; a set: the themes they gave (an empty set: none)."""
    return [(f"c{c}", f"p{p}", f"t{t}") for p, row in enumerate(passages) for c, given in enumerate(row)
            if given for t in sorted(given) if t < n_themes]


def _oracle_items(tags, coders: int, n_themes: int):
    tagged: dict[str, set[str]] = {}
    for coder, passage, _ in tags:
        tagged.setdefault(passage, set()).add(coder)
    given = set(tags)
    return [(coder, (passage, f"t{t}"), int((coder, passage, f"t{t}") in given))
            for passage, who in tagged.items() if len(who) >= 2 for t in range(n_themes) for coder in sorted(who)], tagged


@settings(max_examples=150, deadline=None)
@given(coding)
def test_alpha_and_fleiss_match_nltk(case):
    from nltk.metrics.agreement import AnnotationTask

    coders, n_themes, passages = case
    tags = _tags(coders, n_themes, passages)
    report = measure(tags, [f"c{c}" for c in range(coders)], [f"t{t}" for t in range(n_themes)])
    items, tagged = _oracle_items(tags, coders, n_themes)
    if len({value for *_, value in items}) < 2:  # no variation (or no units): undefined, where nltk says 1
        assert report.alpha is None
    else:
        assert report.alpha == pytest.approx(AnnotationTask(data=items).alpha(), abs=1e-9)
    complete = [item for item in items if len(tagged[item[1][0]]) == coders]
    if len({value for *_, value in complete}) < 2:
        assert report.fleiss_kappa is None
    else:  # nltk's multi-pi over complete data is Fleiss' kappa
        assert report.fleiss_kappa == pytest.approx(AnnotationTask(data=complete).pi(), abs=1e-9)


@settings(max_examples=60, deadline=None)
@given(coding)
def test_pairwise_kappas_match_nltk(case):
    from nltk.metrics.agreement import AnnotationTask

    coders, n_themes, passages = case
    tags = _tags(coders, n_themes, passages)
    report = measure(tags, [f"c{c}" for c in range(coders)], [f"t{t}" for t in range(n_themes)])
    given_ = set(tags)
    tagged_by = {coder: {p for c, p, _ in tags if c == coder} for coder in {c for c, _, _ in tags}}
    for pair in report.pairs:
        shared = tagged_by.get(pair.a, set()) & tagged_by.get(pair.b, set())
        assert pair.passages == len(shared)
        items = [(c, (p, f"t{t}"), int((c, p, f"t{t}") in given_))
                 for p in shared for t in range(n_themes) for c in (pair.a, pair.b)]
        if len({value for *_, value in items}) < 2:
            assert pair.kappa is None
        else:
            assert pair.kappa == pytest.approx(AnnotationTask(data=items).kappa(), abs=1e-9)


# -- the CLI ------------------------------------------------------------------------------------


@pytest.fixture
def class_of_three(session):
    """alice, bob and cara on the lighthouse workspace (hope, memory, friendship, loss)."""
    store = session.store
    store.remove_tags("alice", "lh-006", ["memory"])
    store.remove_tags("alice", "lh-007", ["loss"])
    store.remove_tags("alice", "lh-012", ["friendship"])
    design = {
        "alice": {"lh-001": ["hope"], "lh-002": ["hope"], "lh-003": ["friendship"]},
        "bob": {"lh-001": ["hope"], "lh-002": ["memory"], "lh-003": ["friendship", "loss"]},
        "cara": {"lh-001": ["hope"], "lh-002": ["hope"], "lh-004": ["loss"]},
    }
    for name, passages in design.items():
        for passage, themes in passages.items():
            store.add_tags(name, passage, themes, comment=f"{name} on {passage}")
    return session


def test_cli_json_has_the_keys_the_issue_names(class_of_three, cli, workspace_dir):
    code, out, err = cli("agreement", "alice", "bob", "cara", "--json", "--workspace", workspace_dir)
    assert code == 0, err
    data = json.loads(out)
    assert {"alpha", "fleiss_kappa", "agreement", "themes", "pairs", "disagreements"} <= set(data)
    assert [t["theme"] for t in data["themes"]] == ["hope", "memory", "friendship", "loss"]
    assert set(data["themes"][0]) >= {"theme", "alpha", "fleiss_kappa"}
    assert [(p["a"], p["b"]) for p in data["pairs"]] == [("alice", "bob"), ("alice", "cara"), ("bob", "cara")]
    assert data["disagreements"][0]["passage"] in {"lh-002", "lh-003"}
    # units lh-001, lh-002 (all three), lh-003 (alice, bob); lh-004 is cara's alone
    assert data["passages"] == 3


def test_cli_text_table(class_of_three, cli, workspace_dir):
    code, out, _ = cli("agreement", "alice", "bob", "cara", "--workspace", workspace_dir)
    assert code == 0
    assert "Agreement among alice, bob, cara: 3 passage(s) tagged by at least two, 2 by all 3" in out
    assert "Krippendorff's alpha" in out and "alice and bob" in out
    assert "lh-002  hope: alice, cara; memory: bob" in out


def test_two_annotators_keep_todays_output(class_of_three, cli, workspace_dir):
    code, out, _ = cli("agreement", "alice", "bob", "--workspace", workspace_dir)
    assert code == 0
    assert "Agreement between alice and bob: 3 passage(s) tagged by both" in out  # today's report
    assert "Krippendorff's alpha" in out
    code, out, _ = cli("agreement", "alice", "bob", "--json", "--workspace", workspace_dir)
    data = json.loads(out)
    assert data["overall"]["kappa"] == data["pairs"][0]["kappa"]
    hope = data["themes"][0]
    assert hope["counts"] == {"both": 1, "only": {"alice": 1, "bob": 0}, "neither": 1}


@pytest.mark.parametrize("names, says", [
    (["alice"], "name at least two annotators"),
    (["alice", "ALICE"], "'alice' is named twice"),
    (["alice", "zed"], "no annotator 'zed'"),
    (["alice", "dora"], "annotator 'dora' has no tags yet"),
])
def test_bad_names_are_one_line_and_exit_2(class_of_three, cli, workspace_dir, names, says):
    class_of_three.store.add_tags("dora", "lh-001", ["hope"])
    class_of_three.store.remove_tags("dora", "lh-001", ["hope"])  # dora's file exists, empty
    code, out, err = cli("agreement", *names, "--workspace", workspace_dir)
    assert code == 2 and out == ""
    assert says in err and err.count("\n") == 1


def test_undefined_alpha_says_n_a(session, cli, workspace_dir):
    session.store.add_tags("bob", "lh-002", ["hope"])  # alice gave lh-002 hope too; nobody used memory there
    code, out, _ = cli("agreement", "alice", "bob", "--workspace", workspace_dir)
    assert code == 0
    assert "  memory        n/a     n/a   100%" in out
    code, out, _ = cli("agreement", "alice", "bob", "--json", "--workspace", workspace_dir)
    memory = json.loads(out)["themes"][1]
    assert memory["theme"] == "memory" and memory["alpha"] is None and memory["fleiss_kappa"] is None


def test_a_theme_deleted_since_tagging_is_named(class_of_three, cli, workspace_dir):
    themes = [t for t in class_of_three.store.themes() if t.id != "loss"]
    class_of_three.store.save_themes(themes)  # as a hand edit of themes.yaml would
    code, out, err = cli("agreement", "alice", "bob", "cara", "--workspace", workspace_dir)
    assert code == 0
    assert "tag(s) on 'loss', a theme no longer in the codebook" in err
    assert "  loss " in out


def test_the_demo_corpus_has_a_class_of_three(demo_session, cli, demo_workspace_dir):
    annotators = demo_session.store.annotators()
    assert len(annotators) >= 3
    third = next(a for a in annotators if a not in ("demo", "tutor"))
    code, out, err = cli("agreement", "demo", "tutor", third, "--json", "--workspace", demo_workspace_dir)
    assert code == 0, err
    data = json.loads(out)
    assert data["alpha"] is not None and data["fleiss_kappa"] is not None
    assert all(p["kappa"] is not None for p in data["pairs"])
    assert len(data["disagreements"]) >= 3
