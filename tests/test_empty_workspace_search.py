"""A search in a workspace with no passages yet says how to add some, not just "0 results"."""

from __future__ import annotations


def test_a_search_before_any_import_says_how_to_import(cli, tmp_path):
    ws = tmp_path / "e"
    assert cli("init", "--empty", ws)[0] == 0
    code, out, _err = cli("--workspace", ws, "search", "hope")
    assert code == 0
    assert out.splitlines()[:2] == ["0 results", "no passages yet — import a book or your notes with: annotator import FILE"]


def test_a_search_that_finds_nothing_among_passages_says_no_more(cli, workspace_dir):
    code, out, _err = cli("--workspace", workspace_dir, "search", "zebra")
    assert code == 0 and "no passages yet" not in out
