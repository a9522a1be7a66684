"""Exports while blind coding is on: every format holds only the looker's tags and comments, as
`show` and `evidence` do, and says so; the tutor turns blind coding off for everyone's."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest


@pytest.fixture
def blind_ws(cli, demo_workspace_dir, monkeypatch):
    assert cli("config", "blind", "on", "--workspace", demo_workspace_dir)[0] == 0
    monkeypatch.setenv("ANNOTATOR_NAME", "wren")
    return demo_workspace_dir


def export(cli, ws, fmt, tmp_path):
    out = tmp_path / f"export.{fmt}"
    code, _, err = cli("export", "--format", fmt, "-o", out, "--workspace", ws)
    assert code == 0, err
    return out, err


def annotators_in(path, fmt) -> set[str]:
    if fmt == "json":
        data = json.loads(path.read_text(encoding="utf-8"))
        return {a["annotator"] for a in data["annotations"] if a["tags"] or a.get("memos")}
    if fmt == "csv":
        return {row["annotator"] for row in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))}
    with zipfile.ZipFile(path) as project:
        qde = project.read("project.qde").decode("utf-8")
    return set(re.findall(r'<User [^>]*name="([^"]+)"', qde))


@pytest.mark.parametrize("fmt", ["json", "qdpx", "csv"])
def test_every_format_holds_only_the_lookers_tags_and_says_so(cli, blind_ws, tmp_path, fmt):
    path, err = export(cli, blind_ws, fmt, tmp_path)
    assert annotators_in(path, fmt) == {"wren"}
    assert "blind coding is on: the export holds only wren's tags and comments" in err
    assert "annotator config blind off" in err  # how to get everyone's
    cli("config", "blind", "off", "--workspace", blind_ws)
    path, err = export(cli, blind_ws, fmt, tmp_path)
    assert annotators_in(path, fmt) == {"demo", "tutor", "wren"} and "blind" not in err


def test_the_markdown_sheet_holds_only_the_lookers_comments(cli, blind_ws, tmp_path):
    path, err = export(cli, blind_ws, "md", tmp_path)
    sheet = path.read_text(encoding="utf-8")
    assert "I read the outburst as resistance" not in sheet and "blind coding is on" in err


def test_a_blind_json_export_imports_as_the_lookers_work_alone(cli, blind_ws, tmp_path):
    path, _ = export(cli, blind_ws, "json", tmp_path)
    fresh = tmp_path / "tutor-copy"
    cli("init", fresh, "--empty")
    code, out, err = cli("--workspace", fresh, "import", path)
    assert code == 0, err
    assert sorted(p.stem for p in (fresh / "corpus" / "annotations").glob("*.yaml")) == ["wren"]


def test_export_takes_as_as_the_other_reading_commands_do(cli, blind_ws, tmp_path):
    out = tmp_path / "tutor.json"
    code, _, err = cli("export", "--format", "json", "-o", out, "--as", "tutor", "--workspace", blind_ws)
    assert code == 0, err
    assert {a["annotator"] for a in json.loads(out.read_text(encoding="utf-8"))["annotations"]} == {"tutor"}
    assert "only tutor's tags" in err
