"""The suggest, evidence and export commands and `show --quote`, run as a user would."""

from __future__ import annotations

import json


def test_suggest_json_contract(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-002", "--json", "--limit", "3")
    assert code == 0, err
    data = json.loads(out)
    assert data["passage"] == "lh-002"
    assert 0 < len(data["suggestions"]) <= 3
    first = data["suggestions"][0]
    assert set(first) == {"theme", "score", "why"} and first["why"]
    scores = [s["score"] for s in data["suggestions"]]
    assert scores == sorted(scores, reverse=True)


def test_suggest_text_names_the_theme_and_why(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-010")
    assert code == 0, err
    assert "note: “" in out


def test_suggest_text_says_strong_possible_or_weak_not_only_a_decimal(cli, workspace_dir):
    # Before: "0.08  playing-god  Playing God", a bare share only the README explained.
    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-010", "--limit", "4")
    assert code == 0, err
    headings = [line for line in out.splitlines() if not line.startswith(" ")]
    assert headings and all(line.split()[0] in ("strong", "possible", "weak") for line in headings), out


def test_suggest_unknown_passage_is_one_line(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-999")
    assert code == 3 and err.count("\n") == 1 and "no passage 'lh-999'" in err


def test_evidence_json_contract(cli, workspace_dir):
    cli("--workspace", workspace_dir, "tag", "lh-011", "memory", "--comment", "buttons again")
    code, out, err = cli("--workspace", workspace_dir, "evidence", "Memory", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["theme"] == "memory"
    assert [p["id"] for p in data["passages"]] == ["lh-006", "lh-011"]
    second = data["passages"][1]
    assert second["location"] == "ch. 4"
    assert second["annotations"] == [{"annotator": "tester", "theme": "memory", "comment": "buttons again", "time": second["annotations"][0]["time"], "spans": []}]


def test_evidence_text_shows_citation_and_comment(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "evidence", "memory")
    assert code == 0, err
    assert "(Test Author, The Lighthouse Keeper, ch. 2)" in out and "— The drawing joins" in out


def test_evidence_unknown_theme(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "evidence", "hop")
    assert code == 3 and "did you mean" in err


def test_show_quote(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "show", "lh-002", "--quote")
    assert code == 0, err
    assert out.startswith("“The supply boat calls once a fortnight")
    assert out.rstrip().endswith("” (Test Author, The Lighthouse Keeper, ch. 1)")


def test_export_to_file_and_stdout_agree(cli, workspace_dir, tmp_path):
    target = tmp_path / "out" / "evidence.md"
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", target)
    assert code == 0, err
    assert out == ""
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "md")
    assert code == 0
    assert target.read_text(encoding="utf-8") == out


def test_export_takes_its_format_from_the_file_name_when_not_given(cli, workspace_dir, tmp_path):
    code, _, err = cli("--workspace", workspace_dir, "export", "-o", tmp_path / "tags.CSV")
    assert code == 0, err
    assert (tmp_path / "tags.CSV").read_text(encoding="utf-8").startswith("passage")
    code, _, err = cli("--workspace", workspace_dir, "export", "-o", tmp_path / "tags.txt")
    assert code == 2 and "end the name in .md, .csv, .json, .qdpx" in err and "Traceback" not in err
    code, _, err = cli("--workspace", workspace_dir, "export")
    assert code == 2 and "--format md|csv|json|qdpx" in err
    assert not (tmp_path / "tags.txt").exists()


def test_export_theme_filter_and_csv(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "csv", "--theme", "loss", "--theme", "Hope")
    assert code == 0, err
    lines = out.strip().splitlines()
    assert [line.split(",")[0] for line in lines[1:]] == ["lh-002", "lh-007"]


def test_export_into_a_missing_folder_it_cannot_create(cli, workspace_dir, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "json", "-o", blocker / "x.json")
    assert code != 0 and "cannot write" in err and "Traceback" not in err
