"""A project (.qdpx) or annotator export never replaces another file's source silently (issue #18, item 10)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.session import Session

CLIPPING = (
    "Keeper (Ana Lima)\n- Your Highlight on page 3 | Location 40-41 | Added on Monday, 3 March 2025 10:00:00\n\n"
    "The light must never go out.\n==========\n"
)


def store(ws: Path):
    return Session.open(ws).store


def tree(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def highlights_ws(cli, tmp_path) -> Path:
    """Workspace A: Kindle highlights of Keeper, one tagged."""
    ws = tmp_path / "a"
    assert cli("init", ws)[0] == 0
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_text(CLIPPING, encoding="utf-8")
    assert cli("--workspace", ws, "import", clippings)[0] == 0
    assert cli("--workspace", ws, "tag", "keeper-l40", "hope")[0] == 0
    return ws


def other_export(cli, tmp_path, fmt: str) -> Path:
    """Workspace B: a Markdown keeper.md (source id `keeper` too), tagged and commented, exported."""
    ws = tmp_path / "b"
    assert cli("init", ws)[0] == 0
    notes = tmp_path / "keeper.md"
    notes.write_text("The keeper's first night.\n\nThe storm.\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", notes)[0] == 0
    assert cli("--workspace", ws, "tag", "keeper-p2", "hope")[0] == 0
    assert cli("--workspace", ws, "comment", "keeper-p2", "the turning point")[0] == 0
    out = tmp_path / f"b.{fmt}"
    code, _, err = cli("--workspace", ws, "export", "--format", fmt, "-o", out)
    assert code == 0, err
    return out


@pytest.mark.parametrize("fmt", ["qdpx", "json"])
def test_a_project_of_another_file_moves_to_a_free_id(cli, highlights_ws, tmp_path, fmt):
    project = other_export(cli, tmp_path, fmt)
    code, out, err = cli("--workspace", highlights_ws, "import", project)
    assert code == 0, err
    assert "holds the passages of My Clippings.txt" in err and "'keeper-2'" in err
    assert "1 removed" not in out and "not placed" not in out
    assert [p.id for p in store(highlights_ws).load_source("keeper").passages] == ["keeper-l40"]
    assert [p.id for p in store(highlights_ws).load_source("keeper-2").passages] == ["keeper-2-p1", "keeper-2-p2"]
    code, out, err = cli("--workspace", highlights_ws, "show", "keeper-l40", "--json")
    assert '"hope"' in out  # the highlight's tag is still placed
    code, out, err = cli("--workspace", highlights_ws, "show", "keeper-2-p2", "--json")
    assert '"hope"' in out and "the turning point" in out  # the project's tag and comment follow it
    # the same project again updates its own source in place
    code, out, err = cli("--workspace", highlights_ws, "import", project)
    assert code == 0, err
    assert not store(highlights_ws).load_source("keeper-3")
    assert "1 removed" not in out and "not placed" not in out


@pytest.mark.parametrize("fmt", ["qdpx", "json"])
def test_a_dry_run_of_such_a_project_says_the_same_and_writes_nothing(cli, highlights_ws, tmp_path, fmt):
    project = other_export(cli, tmp_path, fmt)
    before = tree(highlights_ws)
    code, out, err = cli("--workspace", highlights_ws, "import", project, "--dry-run")
    assert code == 0, err
    assert "'keeper-2'" in err and "1 removed" not in out
    assert tree(highlights_ws) == before


def test_replace_names_the_source_a_project_replaces_on_purpose(cli, highlights_ws, tmp_path):
    project = other_export(cli, tmp_path, "qdpx")
    code, out, err = cli("--workspace", highlights_ws, "import", project, "--source", "keeper", "--replace")
    assert code == 0, err
    assert [p.id for p in store(highlights_ws).load_source("keeper").passages] == ["keeper-p1", "keeper-p2"]
    assert not store(highlights_ws).load_source("keeper-2")


def test_an_export_of_this_workspace_updates_in_place(cli, highlights_ws, tmp_path):
    own = tmp_path / "own.qdpx"
    assert cli("--workspace", highlights_ws, "export", "--format", "qdpx", "-o", own)[0] == 0
    code, out, err = cli("--workspace", highlights_ws, "import", own)
    assert code == 0, err
    assert "holds the passages" not in err and not store(highlights_ws).load_source("keeper-2")


def test_a_moved_source_skips_the_ids_the_project_itself_holds(cli, highlights_ws, tmp_path):
    ws = tmp_path / "b"
    assert cli("init", ws)[0] == 0
    for name in ("keeper.md", "keeper-2.md"):
        (tmp_path / name).write_text(f"First paragraph of {name}.\n", encoding="utf-8")
        assert cli("--workspace", ws, "import", tmp_path / name)[0] == 0
    project = tmp_path / "b.json"
    assert cli("--workspace", ws, "export", "--format", "json", "-o", project)[0] == 0
    code, out, err = cli("--workspace", highlights_ws, "import", project)
    assert code == 0, err
    assert "'keeper-3'" in err
    assert store(highlights_ws).load_source("keeper-3").source.file == "keeper.md"
    assert store(highlights_ws).load_source("keeper-2").source.file == "keeper-2.md"
    assert [p.id for p in store(highlights_ws).load_source("keeper").passages] == ["keeper-l40"]
    code, out, err = cli("--workspace", highlights_ws, "import", project)  # again: the same ids, in place
    assert code == 0 and "'keeper-3'" in err and not store(highlights_ws).load_source("keeper-4")
