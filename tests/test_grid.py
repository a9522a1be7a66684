"""`report --grid`: the book at a glance, chapters (in reading order) x themes, tagged passages per cell."""

from __future__ import annotations

import json

from annotator.grid import build_grid


def test_grid_json_rows_are_locations_in_reading_order_with_counts_per_theme(cli, workspace_dir):
    cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "bob")
    cli("--workspace", workspace_dir, "tag", "lh-002", "hope", "--quote", "lamp oil", "--as", "bob")  # already alice's: one passage
    code, out, err = cli("--workspace", workspace_dir, "report", "--grid", "--json")
    assert code == 0, err
    grid = json.loads(out)
    assert grid["themes"] == ["hope", "memory", "friendship", "loss"]
    assert [r["location"] for r in grid["rows"]][:3] == ["ch. 1", "ch. 2", "ch. 3"]
    first = grid["rows"][0]
    assert first["source"] == "lighthouse"
    assert first["counts"] == {"hope": 2, "memory": 0, "friendship": 0, "loss": 0}  # lh-001 and lh-002, a span counting its passage
    assert set(grid) == {"themes", "rows"} and set(first) == {"source", "location", "counts"}


def test_grid_text_and_one_annotators_grid(cli, workspace_dir, session):
    code, out, _ = cli("--workspace", workspace_dir, "report", "--grid")
    assert code == 0 and "lighthouse · ch. 1" in out and "Hope" in out
    assert sum(r.count("hope") for r in build_grid(session.store, "tester").rows) == 0
    assert sum(r.count("hope") for r in build_grid(session.store, "alice").rows) == 1


def test_a_location_that_comes_back_is_one_row(tmp_path, cli):
    ws = tmp_path / "w"
    cli("init", ws, "--empty")
    source = tmp_path / "book.yaml"
    source.write_text("passages:\n- {id: a1, text: one, location: ch. 1}\n- {id: a2, text: two, location: ch. 2}\n"
                      "- {id: a3, text: three, location: ch. 1}\n- {id: a4, text: four}\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", source)[0] == 0
    grid = json.loads(cli("--workspace", ws, "report", "--grid", "--json")[1])
    assert [r["location"] for r in grid["rows"]] == ["ch. 1", "ch. 2", ""]


def test_the_grid_and_the_class_report_are_not_asked_for_at_once(workspace_dir, capsys):
    # One of them used to win silently (--by-annotator), the other dropped without a word.
    import pytest

    from annotator.cli import main

    with pytest.raises(SystemExit) as refused:  # argparse refusing the arguments: usage and one error line
        main(["--workspace", str(workspace_dir), "report", "--by-annotator", "--grid"])
    captured = capsys.readouterr()
    assert refused.value.code == 2 and captured.out == "" and "not allowed with" in captured.err
