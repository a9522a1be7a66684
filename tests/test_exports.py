"""Exports on a real workspace: Markdown evidence sheet, CSV rows, JSON that imports back."""

from __future__ import annotations

import csv
import io
import json

import pytest

from annotator.exchange.exports import FORMATS, csv_safe, export, register


def test_markdown_sheet_has_note_quotes_citations_and_comments(session):
    text = export(session, "md").decode("utf-8")
    assert text.startswith("# Evidence\n")
    memory = text.split("## Memory\n", 1)[1].split("\n## ", 1)[0]
    assert "Memory lives in small objects" in memory
    assert "> Ada tries to draw the tower" in memory
    assert "> (Test Author, The Lighthouse Keeper, ch. 2)" in memory
    assert "- The drawing joins the mother's buttons as a keepsake." in memory  # one annotator: named once, at the top


def test_markdown_keeps_passage_text_literal(session):
    session.tag("lh-008", ["hope"])
    text = export(session, "md", ["hope"]).decode("utf-8")
    assert r"\[bold\]not bold\[/bold\]" in text
    assert "## Memory" not in text


def test_markdown_says_when_a_theme_has_no_passages(session):
    session.untag("lh-012", ["friendship"], annotator="alice")
    text = export(session, "md", ["Friendship"]).decode("utf-8")
    assert "No passages tagged with this theme yet" in text


def test_csv_one_row_per_tag_in_corpus_order(session):
    session.tag("lh-002", ["memory"], comment="=HYPERLINK(\"http://x\")")
    rows = list(csv.reader(io.StringIO(export(session, "csv").decode("utf-8"))))
    assert rows[0] == ["passage", "source", "location", "theme", "annotator", "comment", "text", "start", "end", "citation",
                       "passage_comments"]
    body = rows[1:]
    assert [(r[0], r[3], r[4]) for r in body] == [
        ("lh-002", "hope", "alice"),
        ("lh-002", "memory", "tester"),
        ("lh-006", "memory", "alice"),
        ("lh-007", "loss", "alice"),
        ("lh-012", "friendship", "alice"),
    ]
    assert body[1][5] == "'=HYPERLINK(\"http://x\")"
    assert body[0][9].startswith("(Test Author, The Lighthouse Keeper, ")  # the citation names the author


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx"])
def test_csv_cells_that_look_like_formulas_are_escaped(value):
    assert csv_safe(value) == "'" + value


def test_csv_plain_cells_unchanged():
    assert csv_safe("a = b") == "a = b"


def test_exports_are_deterministic(session):
    for name in ("md", "csv", "json"):
        assert export(session, name) == export(session, name)


def test_json_export_round_trips_through_import(session, tmp_path, cli):
    data = export(session, "json")
    path = tmp_path / "export.json"
    path.write_bytes(data)
    target = tmp_path / "fresh"
    assert cli("init", target, "--empty")[0] == 0
    code, out, err = cli("--workspace", target, "import", path)
    assert code == 0, err
    from annotator.session import Session

    other = Session.open(target)
    other.sync()
    assert export(other, "json") == data
    assert export(other, "md") == export(session, "md")
    # importing the same export again changes nothing
    assert cli("--workspace", target, "import", path)[0] == 0
    assert export(other, "json") == data


def test_json_export_shape(session):
    data = json.loads(export(session, "json"))
    assert data["format"] == "annotator-export"
    assert [t["id"] for t in data["themes"]] == ["hope", "memory", "friendship", "loss"]
    assert data["sources"][0]["source"]["id"] == "lighthouse"
    assert len(data["sources"][0]["passages"]) == 12
    assert data["annotations"][0]["annotator"] == "alice"


def test_a_json_file_that_is_not_an_export_is_refused(session, tmp_path, cli, workspace_dir):
    path = tmp_path / "other.json"
    path.write_text('{"hello": 1}')
    code, out, err = cli("--workspace", workspace_dir, "import", path)
    assert code != 0 and "not an annotator export" in err
    broken = tmp_path / "broken.json"
    broken.write_text('{"format": "annotator-export", ')
    code, out, err = cli("--workspace", workspace_dir, "import", broken)
    assert code != 0 and "not valid JSON" in err and "Traceback" not in err


def test_other_modules_can_register_a_format(session):
    @register("test-ids")
    def write_ids(sess, theme_ids):
        return ",".join(theme_ids).encode()

    try:
        assert export(session, "test-ids", ["loss", "hope"]) == b"hope,loss"
    finally:
        FORMATS.pop("test-ids")


def test_unknown_theme_is_a_clear_error(session):
    from annotator.errors import NotFound

    with pytest.raises(NotFound):
        export(session, "md", ["no-such-theme"])
