"""What the CLI says to a new user: a search before any import, comments of several lines, an empty name."""

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


def test_a_comment_of_several_lines_is_indented_under_its_first(cli, workspace_dir):
    assert cli("--workspace", workspace_dir, "comment", "lh-001", "first thought\nsecond thought")[0] == 0
    assert cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--comment", "why\nand why not")[0] == 0
    code, out, _err = cli("--workspace", workspace_dir, "show", "lh-001")
    lines = out.splitlines()
    assert "    second thought" in lines and "    and why not" in lines
    assert "second thought" not in [line.strip() for line in lines if not line.startswith("    ")]


def test_an_empty_name_given_to_config_is_refused_not_ignored(cli, workspace_dir):
    # `annotator config name "$NAME"` with NAME unset printed the settings as if nothing was asked
    code, _out, err = cli("--workspace", workspace_dir, "config", "name", "")
    assert code == 2 and "no usable letters" in err
    code, out, _err = cli("--workspace", workspace_dir, "config", "name")
    assert code == 0 and out.startswith("name: ")
