"""Consensus among annotators, and the class report by annotator, through the CLI as a user runs it."""

from __future__ import annotations

import json

import pytest

from annotator.corpus.yamlio import read_yaml


def test_consensus_writes_what_most_gave_with_comments_merged(cli, demo_workspace_dir):
    code, out, err = cli("consensus", "demo", "tutor", "wren", "--as", "agreed", "--workspace", demo_workspace_dir)
    assert code == 0, err
    assert "written as 'agreed'" in out
    assert "nlmg-002  free-will: tutor" in out  # one of three: unsettled
    data = read_yaml(demo_workspace_dir / "corpus" / "annotations" / "agreed.yaml")
    tags = {(t["passage"], t["theme"]): t.get("comment") for t in data["tags"]}
    # two of three gave conformity to nlmg-002 (demo, wren); only wren commented
    assert tags[("nlmg-002", "conformity")] == "wren: The group decides who belongs before the game even starts."
    assert ("nlmg-002", "free-will") not in tags
    assert tags[("nlmg-018", "hope")] is None  # demo and wren, no comments
    assert tags[("nlmg-018", "willful-ignorance")] == "tutor: Ruth never tests her dream against reality.; wren: A hope she keeps by never checking it."
    assert [str(n) for n in data["consensus_of"]] == ["demo", "tutor", "wren"]
    # the index knows: the consensus's tags are searchable as any annotator's
    code, out, _ = cli("show", "nlmg-002", "--json", "--workspace", demo_workspace_dir)
    assert {"annotator": "agreed", "theme": "conformity"}.items() <= next(
        a for a in json.loads(out)["annotations"] if a["annotator"] == "agreed").items()


def test_consensus_json_and_min(cli, demo_workspace_dir):
    code, out, err = cli("consensus", "demo", "tutor", "wren", "--as", "all3", "--min", "3", "--json",
                         "--workspace", demo_workspace_dir)
    assert code == 0, err
    data = json.loads(out)
    assert data["as"] == "all3" and data["min"] == 3
    written = {(w["passage"], w["theme"]) for w in data["written"]}
    assert ("nlmg-010", "communication") in written and ("nlmg-002", "conformity") not in written
    assert {"passage": "nlmg-002", "theme": "conformity", "given_by": ["demo", "wren"]} in data["unsettled"]
    # run again: nothing new, all already there
    code, out, _ = cli("consensus", "demo", "tutor", "wren", "--as", "all3", "--min", "3", "--json",
                       "--workspace", demo_workspace_dir)
    again = json.loads(out)
    assert again["written"] == [] and again["already"] == len(written)


def test_a_tag_the_consensus_holds_is_never_listed_as_unsettled(cli, demo_workspace_dir):
    # A first run with the default K writes nlmg-002 conformity (demo and wren gave it); a run with
    # --min 3 after it listed that tag, already in the consensus, as unsettled.
    cli("consensus", "demo", "tutor", "wren", "--as", "agreed", "--workspace", demo_workspace_dir)
    code, out, err = cli("consensus", "demo", "tutor", "wren", "--as", "agreed", "--min", "3", "--json",
                         "--workspace", demo_workspace_dir)
    assert code == 0, err
    data = json.loads(out)
    unsettled = {(u["passage"], u["theme"]) for u in data["unsettled"]}
    assert ("nlmg-002", "conformity") not in unsettled and data["already"] >= 1 and data["written"] == []


@pytest.mark.parametrize("args, says", [
    (["demo", "--as", "x"], "name at least two annotators"),
    (["demo", "tutor", "--as", "demo"], "an annotator of its own"),
    (["demo", "tutor", "--as", "x", "--min", "3"], "more than the 2 annotators"),
    (["demo", "demo", "--as", "x"], "named twice"),
    (["demo", "zed", "--as", "x"], "no annotator 'zed'"),
])
def test_bad_consensus_input_is_one_line_exit_2(cli, demo_workspace_dir, args, says):
    before = sorted(p.name for p in (demo_workspace_dir / "corpus" / "annotations").iterdir())
    code, out, err = cli("consensus", *args, "--workspace", demo_workspace_dir)
    assert code == 2 and out == "" and says in err and err.count("\n") == 1
    assert sorted(p.name for p in (demo_workspace_dir / "corpus" / "annotations").iterdir()) == before


def test_report_by_annotator(cli, demo_workspace_dir):
    code, out, err = cli("report", "--by-annotator", "--json", "--workspace", demo_workspace_dir)
    assert code == 0, err
    lines = {a["annotator"]: a for a in json.loads(out)["annotators"]}
    assert set(lines) == {"demo", "tutor", "wren"}
    assert (lines["wren"]["passages"], lines["wren"]["tags"]) == (9, 11)
    assert lines["wren"]["top_themes"][0] == {"theme": "conformity", "count": 3}
    assert lines["wren"]["kappa_with_consensus"] is None  # no consensus yet
    cli("consensus", "demo", "tutor", "wren", "--as", "agreed", "--workspace", demo_workspace_dir)
    code, out, _ = cli("report", "--by-annotator", "--json", "--workspace", demo_workspace_dir)
    lines = {a["annotator"]: a for a in json.loads(out)["annotators"]}
    assert lines["wren"]["consensus"] == "agreed"
    assert lines["wren"]["kappa_with_consensus"] == pytest.approx(1.0)  # wren sided with the majority every time
    assert lines["tutor"]["kappa_with_consensus"] < lines["demo"]["kappa_with_consensus"]
    assert lines["agreed"]["consensus_of"] == ["demo", "tutor", "wren"]
    code, out, _ = cli("report", "--by-annotator", "--format", "md", "--workspace", demo_workspace_dir)
    assert "| wren | 9 | 11 | 1.00 (agreed) | conformity (3)" in out
    code, out, _ = cli("report", "--by-annotator", "--workspace", demo_workspace_dir)
    assert "vs consensus" in out and "(consensus)" in out
    assert "wren              9    11  1.00 (agreed)  conformity 3" in out


def test_a_theme_deleted_since_tagging_is_named(cli, demo_workspace_dir, demo_session):
    themes = [t for t in demo_session.store.themes() if t.id != "hope"]
    demo_session.store.save_themes(themes)  # as a hand edit of themes.yaml would
    code, out, err = cli("consensus", "demo", "tutor", "wren", "--as", "agreed", "--workspace", demo_workspace_dir)
    assert code == 0
    assert "consensus tag(s) on 'hope', a theme no longer in the codebook" in err
