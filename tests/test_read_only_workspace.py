"""A workspace the user cannot write (a classmate's folder, read-only media) can be searched and read.

Its index is built in a per-user cache folder instead of its own `index/`, and the lock taken
beside it; a write is refused in one line that says the workspace is read-only and what to do.
"""

from __future__ import annotations

import json

import mutation_fuzz
import pytest
from read_only_media import read_only_workspace


@pytest.fixture
def read_only_ws(tmp_path, monkeypatch):
    yield from read_only_workspace(tmp_path, monkeypatch)


def test_a_read_only_workspace_is_searched_read_and_exported(cli, read_only_ws, tmp_path):
    before = mutation_fuzz.listing(read_only_ws.parent)
    code, out, err = cli("--workspace", read_only_ws, "search", "letter")
    assert code == 0, err
    assert "lh-002" in out
    for args in (["show", "lh-001"], ["kwic", "letter"], ["themes"], ["evidence", "hope"],
                 ["suggest", "lh-003"], ["export", "--format", "md", "-o", tmp_path / "sheet.md"]):
        code, out, err = cli("--workspace", read_only_ws, *args)
        assert code == 0, (args, err)
    assert (tmp_path / "sheet.md").read_text().strip()
    assert mutation_fuzz.listing(read_only_ws.parent) == before
    assert not (read_only_ws / "index").exists()
    assert list((tmp_path / "cache").rglob("manifest.json"))  # the index went to the user's cache


def test_a_write_to_a_read_only_workspace_says_so_in_one_line(cli, read_only_ws):
    before = mutation_fuzz.listing(read_only_ws.parent)
    for args in (["tag", "lh-001", "hope"], ["comment", "lh-001", "a thought"], ["theme", "add", "Weather"]):
        code, _out, err = cli("--workspace", read_only_ws, *args)
        assert code == 1, (args, err)
        assert len(err.strip().splitlines()) == 1, err
        assert "read-only for you" in err and "copy the folder" in err and "not changed" in err, err
    assert mutation_fuzz.listing(read_only_ws.parent) == before


def test_status_says_the_workspace_is_read_only_and_where_its_index_is(cli, read_only_ws, tmp_path):
    code, out, _err = cli("--workspace", read_only_ws, "status")
    assert code == 0
    assert "read-only  yes" in out and str(tmp_path / "cache") in out
    code, out, _err = cli("--workspace", read_only_ws, "status", "--json")
    status = json.loads(out)
    assert status["read_only"] is True and status["index_folder"].startswith(str(tmp_path / "cache"))


def test_a_writable_workspace_keeps_its_index_in_its_own_folder(cli, workspace_dir):
    code, out, _err = cli("--workspace", workspace_dir, "search", "letter")
    assert code == 0 and (workspace_dir / "index" / "manifest.json").exists()
    code, out, _err = cli("--workspace", workspace_dir, "status")
    assert "read-only" not in out
