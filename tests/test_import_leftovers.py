"""Issue #18's leftovers: small gaps in imports and exports, each as a user meets it."""

from __future__ import annotations

from pathlib import Path

import pytest


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.mark.parametrize("fmt", ["json", "qdpx"])
def test_source_without_replace_on_a_project_import_is_refused_in_one_line(cli, workspace_dir, tmp_path, fmt):
    exported = tmp_path / f"project.{fmt}"
    assert cli("--workspace", workspace_dir, "export", "--format", fmt, "-o", exported)[0] == 0
    target = tmp_path / "fresh"
    assert cli("init", target)[0] == 0
    before = tree(target / "corpus")
    code, _out, err = cli("--workspace", target, "import", exported, "--source", "mine")
    assert code == 2 and len(err.splitlines()) == 1
    assert "--source mine works only with --replace" in err
    assert tree(target / "corpus") == before


def test_the_csv_carries_the_comments_on_the_passage_a_highlights_notes(cli, workspace_dir):
    import csv
    import io

    assert cli("--workspace", workspace_dir, "comment", "lh-002", "=my highlight's note", "--as", "alice")[0] == 0
    assert cli("--workspace", workspace_dir, "comment", "lh-002", "a tutor's view", "--as", "tutor")[0] == 0
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "csv", "--theme", "hope")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    row = next(r for r in rows if r["passage"] == "lh-002" and r["annotator"] == "alice")
    assert row["passage_comments"].splitlines() == ["'=my highlight's note", "tutor: a tutor's view"]
