"""A classmate's crafted workspace: each odd value is a short one-line error or is ignored safely."""

from __future__ import annotations

import json

import pytest

SOURCE = "corpus/passages/lighthouse.yaml"
STAMP = "  imported_at: '2026-11-20T09:00:00+00:00'\n"


def with_language(workspace_dir, value: str) -> None:
    path = workspace_dir / SOURCE
    path.write_text(path.read_text(encoding="utf-8").replace(STAMP, f"{STAMP}  language: {value}\n"), encoding="utf-8")


@pytest.mark.parametrize("value", ["en" + "x" * 10_000, "xx", "'\\x00en'", "[en, fr]"],
                         ids=["ten-thousand-characters", "unknown", "nul", "list"])
def test_a_crafted_source_language_is_one_short_line(cli, workspace_dir, value):
    with_language(workspace_dir, value)
    before = (workspace_dir / SOURCE).read_bytes()
    code, _out, err = cli("--workspace", workspace_dir, "search", "light")
    assert code == 2 and "Traceback" not in err
    assert len(err.splitlines()) == 1 and len(err) < 400, err[:500]
    assert "lighthouse.yaml" in err
    assert (workspace_dir / SOURCE).read_bytes() == before  # the file is reported, never rewritten


def bob_settles(workspace_dir, names: str) -> None:
    (workspace_dir / "corpus" / "annotations" / "bob.yaml").write_text(
        f"annotator: bob\nconsensus_of: {names}\ntags:\n"
        "  - passage: lh-001\n    theme: hope\n    at: '2026-11-20T09:00:00+00:00'\n", encoding="utf-8")


def test_a_consensus_file_naming_itself_is_not_compared_with_itself(cli, workspace_dir):
    bob_settles(workspace_dir, "[bob, alice]")
    code, out, err = cli("--workspace", workspace_dir, "report", "--by-annotator", "--json")
    assert code == 0, err
    lines = {line["annotator"]: line for line in json.loads(out)["annotators"]}
    assert lines["alice"]["consensus"] == "bob"  # alice is still compared with bob's consensus
    assert lines["bob"]["consensus"] is None


@pytest.mark.parametrize("names", ["[ghost, alice]", "['../../../evil', alice]", "[[alice], {a: 1}]", "alice"])
def test_a_crafted_consensus_list_is_ignored_or_one_line(cli, workspace_dir, names, tmp_path):
    bob_settles(workspace_dir, names)
    for args in (["report", "--by-annotator"], ["agreement", "alice", "bob"], ["consensus", "alice", "bob", "--as", "cons"]):
        code, _out, err = cli("--workspace", workspace_dir, *args)
        assert code == 0 or len(err.splitlines()) == 1, err
        assert "Traceback" not in err
    assert not list(tmp_path.rglob("evil*"))
