"""Crafted workspaces and crashes mid-write, attacked again (session 6): each test is a fault found
and fixed, laid down as a user or a classmate's zip would leave it, run through the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.corpus import read_cache
from annotator.engine import index_seal


def search(cli, ws, *query) -> tuple[list[str], str]:
    code, out, err = cli("--workspace", ws, "search", *query, "--json")
    assert code == 0 and "Traceback" not in err, err
    return [r["id"] for r in json.loads(out)["results"]], err


def test_a_key_file_left_empty_by_a_crash_is_made_again_once(cli, workspace_dir, tmp_path, monkeypatch):
    """A crash between creating the key file and writing it left it empty: every run then made
    its own key, so every command rebuilt the index (half a minute at 100k passages)."""
    key = tmp_path / "data" / "index.key"
    key.parent.mkdir()
    key.write_bytes(b"")
    monkeypatch.setenv(index_seal.KEY_ENV, str(key))
    expected, _ = search(cli, workspace_dir, "sketching")
    assert len(key.read_bytes()) == index_seal.KEY_BYTES
    index_seal._keys.clear()  # the next run: a new process reads the key again
    again, err = search(cli, workspace_dir, "sketching")
    assert again == expected
    assert "rebuilt" not in err
    assert [p.name for p in key.parent.iterdir()] == ["index.key"]


def _elsewhere(tmp_path) -> Path:
    """A folder of the user's outside the workspace, with a `meaning` folder of its own."""
    folder = tmp_path / "elsewhere"
    (folder / "meaning").mkdir(parents=True)
    (folder / "meaning" / "notes.txt").write_text("mine\n")
    return folder


def _unchanged(folder: Path) -> bool:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")) == ["meaning", "meaning/notes.txt"]


def test_a_linked_read_cache_folder_is_never_written_through(cli, workspace_dir, tmp_path, monkeypatch):
    """A crafted zip's `index/read-cache` linked to a folder of the user's (a shell's start-up
    folder) had the cache files, titles and ids of the crafted corpus, written there."""
    elsewhere = _elsewhere(tmp_path)
    (workspace_dir / "index").mkdir()
    (workspace_dir / "index" / "read-cache").symlink_to(elsewhere)
    monkeypatch.setattr(read_cache, "RACY_NS", 0)  # the files here were all written just now
    for command in (["report", "--grid"], ["themes"], ["evidence", "hope"], ["status"]):
        code, _out, err = cli("--workspace", workspace_dir, *command)
        assert code == 0, err
    assert _unchanged(elsewhere)


@pytest.mark.parametrize("name", ["index.building", "index.old", "index", "index/meaning"])
def test_a_link_beside_or_in_the_index_is_removed_never_followed(cli, workspace_dir, tmp_path, name):
    """A link named `index.building` or `index.old` made every search an internal error; one named
    `index` or `index.old` had the rebuild move the `meaning` folder it points to into the
    workspace; a linked `index/meaning` was kept, and embeddings written where it points."""
    elsewhere = _elsewhere(tmp_path)
    (workspace_dir / name).parent.mkdir(exist_ok=True)
    (workspace_dir / name).symlink_to(elsewhere)
    expected = ["lh-005"]
    for _run in range(2):
        found, _err = search(cli, workspace_dir, "sketching")
        assert found[:1] == expected
    assert _unchanged(elsewhere)
    assert sorted(p.name for p in workspace_dir.iterdir() if p.name.startswith("index")) == ["index"]
    assert not [p for p in (workspace_dir / "index").rglob("*") if p.is_symlink()]
