"""The CLI contract of DESIGN.md, driven in-process on real workspaces."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


def run_json(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_init_import_search_tag_show_round_trip(cli, tmp_path):
    ws = tmp_path / "w"
    code, out, _ = cli("--workspace", ws, "init", "--empty")
    assert code == 0 and "created workspace" in out
    code, out, _ = cli("--workspace", ws, "import", "--themes", FIXTURES / "theme-notes.txt")
    assert code == 0 and "loneliness" in out
    passages = tmp_path / "story.yaml"
    passages.write_text(
        "source:\n  id: story\n  title: The Story\npassages:\n"
        "  - id: s1\n    location: ch. 1\n    text: She was lonely on the rock, sketching boats.\n    themes: [loneliness]\n"
        "  - id: s2\n    location: ch. 2\n    text: Duty kept her at the lamp all night.\n"
    )
    code, out, err = cli("--workspace", ws, "import", passages)
    assert code == 0, err
    assert "2 passages" in out and "1 tag(s) imported" in out

    result = run_json(cli, "--workspace", ws, "search", "sketch")
    assert result["query"] == "sketch" and result["total"] == 1
    (hit,) = result["results"]
    assert set(hit) >= {"id", "kind", "text", "source", "location", "themes", "score", "matches"}
    assert hit["id"] == "s1" and hit["kind"] == "passage" and hit["source"] == "story" and hit["location"] == "ch. 1"
    assert hit["themes"] == ["loneliness"]
    assert [hit["text"][a:b] for a, b in hit["matches"]] == ["sketching"]

    code, out, _ = cli("--workspace", ws, "tag", "s2", "Duty", "--comment", "the lamp", "--as", "bob")
    assert code == 0 and "tagged s2: duty" in out
    shown = run_json(cli, "--workspace", ws, "show", "s2")
    assert shown["themes"] == ["duty"]
    assert shown["annotations"] == [{"annotator": "bob", "theme": "duty", "comment": "the lamp", "time": shown["annotations"][0]["time"], "spans": []}]
    assert (ws / "corpus" / "annotations" / "bob.yaml").exists()

    code, out, _ = cli("--workspace", ws, "untag", "s2", "duty", "--as", "bob")
    assert code == 0 and "untagged s2: duty" in out
    assert run_json(cli, "--workspace", ws, "show", "s2")["annotations"] == []


def test_themes_json_lists_codebook_order_with_counts(cli, workspace_dir):
    themes = run_json(cli, "--workspace", workspace_dir, "themes")
    assert [t["id"] for t in themes] == ["hope", "memory", "friendship", "loss"]
    assert set(themes[0]) == {"id", "name", "description", "count"}
    before = {t["id"]: t["count"] for t in themes}
    cli("--workspace", workspace_dir, "tag", "lh-001", "loss")
    after = {t["id"]: t["count"] for t in run_json(cli, "--workspace", workspace_dir, "themes")}
    assert after["loss"] == before["loss"] + 1


def test_plain_words_rank_passages_with_more_of_them_first(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", "Ruth wants to work in an office", "--source", "never-let-me-go")
    assert result["results"][0]["id"] == "nlmg-018"


def test_filters_theme_source_untagged(cli, workspace_dir):
    tagged = run_json(cli, "--workspace", workspace_dir, "search", "the", "--theme", "Hope", "--limit", "50")
    assert tagged["results"] and all("hope" in r["themes"] for r in tagged["results"])
    untagged = run_json(cli, "--workspace", workspace_dir, "search", "untagged", "--limit", "50")
    assert untagged["results"] and all(r["themes"] == [] and r["kind"] == "passage" for r in untagged["results"])
    flag = run_json(cli, "--workspace", workspace_dir, "search", "keeper", "--untagged", "--limit", "50")
    assert all(r["themes"] == [] for r in flag["results"])
    by_source = run_json(cli, "--workspace", workspace_dir, "search", "keeper", "--source", "nowhere")
    assert by_source["total"] == 0


@pytest.mark.parametrize("query", ['"unclosed', "(", ")", "*", "AND", "theme:", "~", '"', "NOT", "-"])
def test_malformed_queries_still_search(cli, workspace_dir, query):
    code, out, err = cli("--workspace", workspace_dir, "search", query, "--json")
    assert code == 0, err
    assert "results" in json.loads(out)


def test_human_output_emphasises_matches(cli, workspace_dir):
    code, out, _ = cli("--workspace", workspace_dir, "search", "sketching")
    assert code == 0
    assert "lh-005" in out and "**sketching**" in out and "ch." in out


def test_unknown_passage_and_theme_are_one_line_errors(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "tag", "nope-1", "hope")
    assert code == 3 and "no passage 'nope-1'" in err and len(err.strip().splitlines()) == 1
    code, out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hoep")
    assert code == 3 and "did you mean 'hope'" in err


def test_malformed_corpus_file_exits_2_naming_file_and_line(cli, workspace_dir):
    themes = workspace_dir / "corpus" / "themes.yaml"
    original = themes.read_text()
    themes.write_text(original + "\n- id: broken\n  name: [oops\n")
    code, out, err = cli("--workspace", workspace_dir, "themes")
    assert code == 2
    assert "themes.yaml:" in err and len(err.strip().splitlines()) == 1
    assert themes.read_text().startswith(original)  # nothing rewritten


def test_index_is_rebuilt_when_missing_or_corrupt(cli, workspace_dir):
    assert run_json(cli, "--workspace", workspace_dir, "search", "sketching")["total"] == 1
    index = workspace_dir / "index"
    for segment in index.glob("*.seg"):
        segment.write_bytes(b"garbage")
    for toc in index.glob("*.toc"):
        toc.write_bytes(b"garbage")
    code, out, err = cli("--workspace", workspace_dir, "search", "sketching", "--json")
    assert code == 0 and json.loads(out)["total"] == 1
    assert "rebuilt the index" in err


def test_index_follows_corpus_edits_made_by_hand(cli, workspace_dir):
    path = workspace_dir / "corpus" / "passages" / "lighthouse.yaml"
    path.write_text(path.read_text().replace("sketching", "painting"))
    assert run_json(cli, "--workspace", workspace_dir, "search", "sketching")["total"] == 0
    assert run_json(cli, "--workspace", workspace_dir, "search", "painting")["results"][0]["id"] == "lh-005"


def test_reindex_reports_count(cli, workspace_dir):
    code, out, _ = cli("--workspace", workspace_dir, "reindex")
    assert code == 0 and "indexed 16 documents" in out  # 12 passages + 4 theme notes


def test_installed_console_script_reports_errors_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "annotator", "--workspace", str(tmp_path / "missing"), "themes"],
        capture_output=True, text=True, timeout=60,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and "no workspace there" in proc.stderr


def test_theme_notes_cannot_be_tagged_and_stay_notes(cli, workspace_dir):
    code, _, err = cli("--workspace", workspace_dir, "tag", "note:hope", "hope")
    assert code == 3 and "is a theme note" in err
    found = run_json(cli, "--workspace", workspace_dir, "search", "hope", "--limit", "50")
    assert [r["kind"] for r in found["results"] if r["id"] == "note:hope"] == ["note"]


def test_new_corpus_files_and_exports_are_readable_by_collaborators(cli, workspace_dir, tmp_path):
    import os
    import stat

    cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--as", "newcomer")
    created = workspace_dir / "corpus" / "annotations" / "newcomer.yaml"
    umask = os.umask(0o022)
    os.umask(umask)
    assert stat.S_IMODE(created.stat().st_mode) == 0o666 & ~umask
    code, _, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", tmp_path / "sheet.md")
    assert code == 0, err
    assert stat.S_IMODE((tmp_path / "sheet.md").stat().st_mode) == 0o666 & ~umask
