"""Crafted workspaces and crashes mid-write, attacked again (session 6): each test is a fault found
and fixed, laid down as a user or a classmate's zip would leave it, run through the CLI."""

from __future__ import annotations

import json

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
