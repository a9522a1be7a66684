"""Reports: coverage, passages per theme and source, co-occurrence, in text, Markdown and JSON."""

from __future__ import annotations

import json

from annotator.reports import build_report, render_markdown, render_text


def test_counts_on_the_fixture(session):
    session.store.add_tags("bob", "lh-006", ["loss"])  # lh-006: memory (alice) + loss (bob)
    session.store.add_tags("bob", "lh-002", ["hope"])  # same passage and theme as alice: one passage
    report = build_report(session.store)
    assert (report.passages, report.tagged) == (12, 4)
    assert report.coverage == 4 / 12
    rows = {t.id: t for t in report.themes}
    assert (rows["hope"].passages, rows["hope"].tags, rows["hope"].annotators) == (1, 2, ["alice", "bob"])
    assert rows["loss"].passages == 2
    assert report.cooccurrence["memory"]["loss"] == report.cooccurrence["loss"]["memory"] == 1
    assert report.cooccurrence["hope"]["hope"] == 1
    assert report.cooccurrence["hope"]["friendship"] == 0
    assert report.pairs() == [("memory", "loss", 1)]
    (source,) = report.sources
    assert (source.passages, source.tagged, source.untagged) == (12, 4, 8)


def test_one_annotators_report(session):
    session.store.add_tags("bob", "lh-006", ["loss"])
    report = build_report(session.store, annotator="bob")
    assert report.tagged == 1
    assert report.cooccurrence["memory"]["loss"] == 0


def test_tags_on_a_theme_gone_from_the_codebook_still_show(session):
    session.store.add_tags("alice", "lh-001", ["storms"])
    report = build_report(session.store)
    assert report.themes[-1].id == "storms"
    assert "not in the codebook" in report.themes[-1].name


def test_text_and_markdown(session):
    report = build_report(session.store)
    text = render_text(report)
    assert "Coverage: 4 of 12 passages tagged (33%); 8 untagged" in text
    assert "Theme co-occurrence" in text
    md = render_markdown(report)
    assert "| Hope | 1 | 1 | alice |" in md
    assert "| **hope** | 1 | 0 | 0 | 0 |" in md


def test_cli_report_formats(cli, demo_workspace_dir):
    code, out, err = cli("report", "--json", "--workspace", demo_workspace_dir)
    assert code == 0, err
    data = json.loads(out)
    assert (data["passages"], data["tagged"], data["untagged"]) == (30, 9, 21)
    assert data["cooccurrence"]["communication"]["free-will"] == 1  # nlmg-010: demo communication, tutor free-will
    assert data["sources"][0]["id"] == "never-let-me-go"
    code, out, _ = cli("report", "--format", "md", "--workspace", demo_workspace_dir)
    assert code == 0 and out.startswith("# Report")
    code, out, _ = cli("report", "--annotator", "tutor", "--workspace", demo_workspace_dir)
    assert code == 0 and "tags by tutor" in out and "Coverage: 8 of 30" in out
    code, _, err = cli("report", "--annotator", "nobody", "--workspace", demo_workspace_dir)
    assert code == 3 and "annotators: demo, tutor" in err
