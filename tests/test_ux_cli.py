"""The CLI as a new user meets it (issue 17), and issue 15's long theme names."""

from __future__ import annotations

from pathlib import Path

import yaml

FIXTURES = Path(__file__).parent / "fixtures"  # not `from conftest import`: tests/tui has a conftest too


def themes_in(workspace_dir) -> list[dict]:
    return yaml.safe_load((workspace_dir / "corpus" / "themes.yaml").read_text(encoding="utf-8"))


def test_a_300_character_theme_name_is_refused_with_a_clear_message(cli, workspace_dir):
    before = themes_in(workspace_dir)
    code, out, err = cli("--workspace", workspace_dir, "theme", "add", "x" * 300)
    assert code != 0
    assert "at most 80 characters" in err and "300" in err
    assert themes_in(workspace_dir) == before
    code, out, err = cli("--workspace", workspace_dir, "theme", "rename", "hope", "y" * 81)
    assert code != 0 and "at most 80" in err


def test_status_says_which_workspace_how_it_was_found_and_what_it_holds(cli, workspace_dir):
    import json

    code, out, err = cli("--workspace", workspace_dir, "status", "--json")
    assert code == 0, err
    status = json.loads(out)
    assert status["workspace"] == str(workspace_dir.resolve())
    assert status["found_by"] == "--workspace"
    assert (status["themes"], status["sources"], status["passages"]) == (4, 1, 12)
    assert status["tags"] == {"alice": 4}
    assert status["comments"] == {"alice": 2}
    assert status["you"] == {"name": "tester", "from": "$ANNOTATOR_NAME"}
    assert status["index"] == "not built yet (built by the first search)"
    assert status["meaning_search"].startswith(("switched off", "not installed", "available"))
    cli("--workspace", workspace_dir, "search", "storm")
    code, out, err = cli("--workspace", workspace_dir, "status")
    assert "index      up to date" in out
    assert "tags       alice 4" in out


def test_status_outside_any_workspace_names_your_own(cli, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = cli("status")
    assert code == 0
    assert "found by   your own workspace" in out


def test_a_write_names_the_workspace_when_it_is_not_the_current_folders(cli, workspace_dir, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope")
    assert code == 0, err
    assert out.strip() == f"tagged lh-001: hope (workspace {workspace_dir.resolve()})"
    monkeypatch.chdir(workspace_dir / "corpus")
    code, out, err = cli("untag", "lh-001", "hope")
    assert out.strip() == "untagged lh-001: hope"


def test_deleting_or_merging_a_theme_says_the_numbers_shifted(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "theme", "merge", "memory", "hope")
    assert code == 0, err
    assert out.startswith("merged 'memory' into 'hope': 1 tag(s) moved; themes 3-4 are now numbered 2-3")
    code, out, err = cli("--workspace", workspace_dir, "theme", "delete", "loss", "--force")
    assert code == 0, err
    assert out.startswith("deleted 'loss' and its 1 tag(s)")
    assert "numbered" not in out  # the last theme: nothing after it moves


def annotations_of(workspace_dir, name: str) -> dict:
    return yaml.safe_load((workspace_dir / "corpus" / "annotations" / f"{name}.yaml").read_text(encoding="utf-8"))


def test_a_passage_comment_can_be_replaced_and_deleted(cli, workspace_dir):
    ws = ("--workspace", workspace_dir)
    assert cli(*ws, "comment", "lh-003", "first thought")[0] == 0
    assert cli(*ws, "comment", "lh-003", "second thought")[0] == 0
    code, out, err = cli(*ws, "comment", "lh-003", "one", "clear", "thought", "--replace")
    assert code == 0, err
    assert "comment by tester replaced" in out
    assert [m["text"] for m in annotations_of(workspace_dir, "tester")["memos"]] == ["one clear thought"]
    code, out, err = cli(*ws, "comment", "lh-003", "--delete")
    assert code == 0 and "comment by tester deleted" in out
    assert not annotations_of(workspace_dir, "tester").get("memos")
    code, out, err = cli(*ws, "comment", "lh-003", "--delete")
    assert code == 3 and "no comment on lh-003" in err


def test_a_tag_comment_can_be_replaced_and_deleted(cli, workspace_dir):
    ws = ("--workspace", workspace_dir)
    code, out, err = cli(*ws, "comment", "lh-006", "a keepsake", "--theme", "memory", "--replace", "--as", "alice")
    assert code == 0, err
    assert "comment on memory by alice replaced" in out
    tags = {t["passage"]: t for t in annotations_of(workspace_dir, "alice")["tags"]}
    assert tags["lh-006"]["comment"] == "a keepsake"
    code, out, err = cli(*ws, "comment", "lh-006", "--theme", "memory", "--delete", "--as", "alice")
    assert code == 0 and "deleted" in out
    tags = {t["passage"]: t for t in annotations_of(workspace_dir, "alice")["tags"]}
    assert "comment" not in tags["lh-006"]
    code, out, err = cli(*ws, "comment", "lh-006", "text", "--delete", "--as", "alice")
    assert code == 2 and "--delete takes no TEXT" in err


def test_without_a_terminal_the_tui_says_so_and_exits_2(workspace_dir, tmp_path):
    import subprocess
    import sys

    out_file = tmp_path / "out.txt"
    with open(out_file, "w") as out:
        done = subprocess.run([sys.executable, "-m", "annotator", "--workspace", str(workspace_dir)],
                              stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.PIPE, text=True, timeout=60)
    assert done.returncode == 2
    assert "needs a terminal" in done.stderr
    assert out_file.read_text() == ""
    done = subprocess.run([sys.executable, "-m", "annotator", "--workspace", str(workspace_dir)],
                          input="x\n", capture_output=True, text=True, timeout=60)
    assert done.returncode == 2 and "needs a terminal" in done.stderr


def test_search_prints_a_snippet_around_the_hits_and_full_text_with_full(cli, workspace_dir):
    words = " ".join(f"filler{i}" for i in range(20000))
    long_text = f"{words} the albatross circled {words}"
    source = {"source": {"id": "long", "title": "Long"}, "passages": [{"id": "long-1", "text": long_text, "location": "p. 1"}]}
    (workspace_dir / "corpus" / "passages" / "long.yaml").write_text(yaml.safe_dump(source), encoding="utf-8")
    code, out, err = cli("--workspace", workspace_dir, "search", "albatross")
    assert code == 0, err
    assert out.startswith("1 result\n")
    assert len(out) < 600
    assert "**albatross**" in out and "…" in out
    code, out, err = cli("--workspace", workspace_dir, "search", "albatross", "--full")
    assert len(out) > len(long_text)


def all_commands(parser, prefix=""):
    import argparse

    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + name, sub
                yield from all_commands(sub, prefix + name + " ")


def test_every_commands_help_shows_an_example_that_parses():
    import shlex

    from annotator.cli import build_parser

    parser = build_parser()
    commands = dict(all_commands(parser))
    assert "status" in commands and "theme add" in commands
    for name, sub in commands.items():
        help_text = sub.format_help()
        assert "example: annotator " + name in " ".join(help_text.split()), name
        example = sub.epilog.removeprefix("example: ")
        parser.parse_args(shlex.split(example)[1:])  # the example is a valid command line


def test_an_unknown_passage_suggests_the_near_miss(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "show", "lh-01")
    assert code == 3
    assert "did you mean 'lh-001'" in err or "did you mean 'lh-010'" in err
    code, out, err = cli("--workspace", workspace_dir, "tag", "lh-0011", "hop")
    assert code == 3 and "did you mean" in err


def test_themes_keeps_its_columns_aligned_with_long_names(cli, workspace_dir, monkeypatch):
    themes = themes_in(workspace_dir)
    themes.append({"id": "a-very-long-theme-id-that-goes-on-and-on-and-on", "name": "N" * 200})
    (workspace_dir / "corpus" / "themes.yaml").write_text(yaml.safe_dump(themes), encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = cli("--workspace", workspace_dir, "themes")
    assert code == 0, err
    lines = out.splitlines()
    assert all(len(line) <= 80 for line in lines)
    assert len({line.index(" tagged") for line in lines}) == 1  # the counts line up


def test_suggestions_scoring_zero_are_not_listed(cli, workspace_dir):
    import json

    source = {"source": {"id": "odd", "title": "Odd"}, "passages": [{"id": "odd-1", "text": "Zyxwv qwrtp mnbvc.", "location": "p. 1"}]}
    (workspace_dir / "corpus" / "passages" / "odd.yaml").write_text(yaml.safe_dump(source), encoding="utf-8")
    code, out, err = cli("--workspace", workspace_dir, "suggest", "odd-1", "--json")
    assert code == 0, err
    assert json.loads(out)["suggestions"] == []
    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-002", "--json")
    scores = [s["score"] for s in json.loads(out)["suggestions"]]
    assert scores and all(s >= 0.005 for s in scores)


def test_a_theme_the_ranking_scores_zero_is_left_out(cli, workspace_dir, monkeypatch):
    import json

    from annotator import suggestions

    ranked = [suggestions.Suggestion("loss", 0.0, ["nothing"]), suggestions.Suggestion("hope", 0.31, ["boat"])]
    monkeypatch.setattr(suggestions, "suggest", lambda *a, **k: list(ranked))
    code, out, err = cli("--workspace", workspace_dir, "suggest", "lh-003", "--json")
    assert [s["theme"] for s in json.loads(out)["suggestions"]] == ["hope"]


def test_chapter_notes_given_as_theme_notes_are_refused_before_anything_is_written(cli, workspace_dir, tmp_path):
    notes = tmp_path / "chapter-notes.md"
    notes.write_text("".join(f"# Chapter {n}\n\nWhat happens in chapter {n}, told briefly.\n\n" for n in range(1, 14)), encoding="utf-8")
    before = themes_in(workspace_dir)
    code, out, err = cli("--workspace", workspace_dir, "import", "--themes", notes)
    assert code == 2
    assert "looks like notes on the text" in err and "nothing was imported" in err
    assert "annotator import FILE" in err and "--dry-run" in err
    assert themes_in(workspace_dir) == before
    real = tmp_path / "guide.txt"
    real.write_text("Solitude\n\nThe keeper lives alone on the rock and learns to value the quiet.\n", encoding="utf-8")
    code, out, err = cli("--workspace", workspace_dir, "import", "--themes", real)
    assert code == 0, err
    assert len(themes_in(workspace_dir)) == len(before) + 1


def test_untag_of_a_mistyped_passage_suggests_the_near_miss(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "untag", "lh-0012", "hope")
    assert code == 3 and "did you mean 'lh-001" in err


def test_status_reports_a_malformed_file_and_the_rest(cli, workspace_dir):
    (workspace_dir / "corpus" / "annotations" / "bob.yaml").write_text("tags: [\n", encoding="utf-8")
    code, out, err = cli("--workspace", workspace_dir, "status")
    assert code == 2
    assert "themes     4" in out and "bob.yaml" in out


def test_evidence_sheet_labels_comments_only_when_several_annotators_wrote_them(cli, workspace_dir):
    """Issue 17 item 12: one annotator's sheet names them once, not on every comment (`*root:*`)."""
    ws = ["--workspace", workspace_dir]
    code, out, err = cli("evidence", "memory", *ws)
    assert code == 0, err
    assert out.splitlines()[0] == "Memory: 1 passage, all tagged by alice"
    assert "  — The drawing joins the mother's buttons as a keepsake." in out
    assert "alice:" not in out
    code, sheet, err = cli("export", "--format", "md", *ws)
    assert sheet.startswith("# Evidence\n\n*Tags and comments by alice.*\n")
    assert "- The drawing joins the mother's buttons as a keepsake." in sheet
    assert "*alice:*" not in sheet

    # A second annotator, named as they chose (--as): now every comment says whose it is.
    assert cli("tag", "lh-006", "memory", "--as", "Ada Lovelace", "--comment", "Buttons again.", *ws)[0] == 0
    code, out, err = cli("evidence", "memory", *ws)
    assert out.splitlines()[0] == "Memory: 1 passage"
    assert "  — alice: The drawing joins" in out and "  — Ada-Lovelace: Buttons again." in out
    code, sheet, err = cli("export", "--format", "md", *ws)
    assert "Tags and comments by" not in sheet
    assert "- *alice:* The drawing joins" in sheet and "- *Ada-Lovelace:* Buttons again." in sheet


def test_evidence_sheet_of_one_annotator_marks_passage_comments(cli, workspace_dir):
    ws = ["--workspace", workspace_dir]
    assert cli("comment", "lh-006", "Keepsakes again.", "--as", "alice", *ws)[0] == 0
    code, out, err = cli("evidence", "memory", *ws)
    assert "  — on the passage: Keepsakes again." in out
    code, sheet, err = cli("export", "--format", "md", "--theme", "memory", *ws)
    assert "- *On the passage:* Keepsakes again." in sheet


# -- import --dry-run and import messages (issue 17 items 8 and 9) -------------------------------


def everything_in(folder) -> dict:
    """Every file and folder under `folder`: its bytes and modification time (None for a folder)."""
    return {
        str(path.relative_to(folder)): (path.read_bytes(), path.stat().st_mtime_ns) if path.is_file() else None
        for path in sorted(folder.rglob("*"))
    }


def edited_lighthouse(workspace_dir, tmp_path):
    """The lighthouse source as YAML, edited: one passage reworded, a tagged one cut, two added with tags."""
    source = yaml.safe_load((workspace_dir / "corpus" / "passages" / "lighthouse.yaml").read_text(encoding="utf-8"))
    passages = [p for p in source["passages"] if p["id"] != "lh-007"]  # alice tagged it 'loss'
    passages[2]["text"] = "Jonah writes of a room above a bakery and a loud new friend called Pell."
    passages.append({"id": "lh-013", "text": "The light goes out for good.", "themes": ["loss"]})
    passages.append({"id": "lh-014", "text": "A gull on the rail.", "themes": ["seagulls"]})
    path = tmp_path / "lighthouse-edited.yaml"
    path.write_text(yaml.safe_dump({"source": {"id": "lighthouse"}, "passages": passages}), encoding="utf-8")
    return path


def test_import_dry_run_says_what_would_change_and_writes_nothing(cli, workspace_dir, tmp_path, monkeypatch):
    monkeypatch.chdir(workspace_dir)
    ws = ["--workspace", workspace_dir]
    assert cli("search", "storm", *ws)[0] == 0  # an index, which the dry run must not touch either
    edited = edited_lighthouse(workspace_dir, tmp_path)
    before = everything_in(workspace_dir)
    code, out, err = cli("import", edited, "--dry-run", *ws)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == (f"{edited}: would import source 'lighthouse', 13 passages "
                        "(2 new, 1 changed, 10 unchanged, 1 removed), 1 tag(s) would be imported")
    assert "tag not placed: lh-007 loss (alice)" in lines[1] and "would be kept" in lines[1]
    assert lines[-1].startswith("dry run: nothing was written")
    assert "seagulls" in err and "not tagged" in err  # a tag that names no theme
    assert everything_in(workspace_dir) == before

    # The import itself does what the dry run said.
    code, out, err = cli("import", edited, *ws)
    assert code == 0, err
    assert out.splitlines()[0] == (f"{edited}: source 'lighthouse', 13 passages "
                                   "(2 new, 1 changed, 10 unchanged, 1 removed), 1 tag(s) imported")
    assert everything_in(workspace_dir) != before


def test_import_dry_run_json_reports_per_source_and_says_it_was_a_dry_run(cli, workspace_dir, tmp_path):
    import json

    before = everything_in(workspace_dir)
    code, out, err = cli("--workspace", workspace_dir, "import", edited_lighthouse(workspace_dir, tmp_path), "--dry-run", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["dry_run"] is True
    (one,) = report["imports"]
    assert one["sources"] == [{"source": "lighthouse", "title": "The Lighthouse Keeper", "passages": 13,
                               "added": 2, "changed": 1, "unchanged": 10, "removed": 1}]
    assert everything_in(workspace_dir) == before


def test_theme_notes_dry_run_lists_the_themes_it_would_add_and_change(cli, workspace_dir, monkeypatch):
    monkeypatch.chdir(workspace_dir)

    before = everything_in(workspace_dir)
    code, out, err = cli("--workspace", workspace_dir, "import", "--themes", FIXTURES / "theme-notes.txt", "--dry-run")
    assert code == 0, err
    first = out.splitlines()[0]
    assert first == f"{FIXTURES / 'theme-notes.txt'}: would add 3 theme(s): loneliness, duty, sea; would update 2: memory, hope"
    assert out.splitlines()[-1].startswith("dry run: nothing was written")
    assert everything_in(workspace_dir) == before
    code, out, err = cli("--workspace", workspace_dir, "import", "--themes", FIXTURES / "theme-notes.txt")
    assert out.splitlines()[0].replace("added", "would add").replace("updated", "would update") == first


def test_a_many_source_import_gets_a_line_per_source_then_the_totals(cli, workspace_dir, monkeypatch):
    monkeypatch.chdir(workspace_dir)
    monkeypatch.setenv("COLUMNS", "60")
    code, out, err = cli("import", FIXTURES / "My Clippings.txt")
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == f"{FIXTURES / 'My Clippings.txt'}: 3 sources"
    assert lines[1:4] == [
        "  the-salt-road           The Salt Road    2 passages: 2 new",
        "  harbour-lights-stories  Harbour Lights…  1 passage: 1 new",
        "  a-winter-almanac        A Winter Alman…  1 passage: 1 new",
    ]
    assert all(len(line) <= 60 for line in lines[1:4])
    assert lines[4] == "  total: 4 passages (4 new, 0 changed, 0 unchanged, 0 removed)"
    code, out, err = cli("import", FIXTURES / "My Clippings.txt")
    assert out.splitlines()[1].split("  ")[-1] == "2 passages: 2 unchanged"


def test_a_codebook_only_project_says_so(cli, tmp_path, monkeypatch):
    from annotator.corpus.workspace import init_workspace

    init_workspace(tmp_path / "codebook")  # the demo codebook, no text
    init_workspace(tmp_path / "fresh", empty=True)
    monkeypatch.chdir(tmp_path / "fresh")
    project = tmp_path / "codebook.qdpx"
    assert cli("--workspace", tmp_path / "codebook", "export", "--format", "qdpx", "-o", project)[0] == 0
    code, out, err = cli("--workspace", tmp_path / "fresh", "import", project, "--dry-run")
    assert out.splitlines()[0] == f"{project}: codebook only: 7 theme(s) would be added"
    code, out, err = cli("--workspace", tmp_path / "fresh", "import", project)
    assert code == 0, err
    assert out.splitlines()[0] == f"{project}: codebook only: 7 theme(s) added"
    assert "source ''" not in out


def test_report_of_a_large_nested_codebook_fits_the_terminal(cli, workspace_dir, monkeypatch):
    """Issue 17 item 9: a MAXQDA project's 307 codes made `annotator report` far wider than the screen."""
    themes_file = workspace_dir / "corpus" / "themes.yaml"
    themes = themes_in(workspace_dir)
    themes += [{"id": f"code-{n:03d}-with-a-long-descriptive-id", "name": f"Code {n} " + "and more words " * 8,
                "description": ""} for n in range(60)]
    themes_file.write_text(yaml.safe_dump(themes), encoding="utf-8")
    alice = workspace_dir / "corpus" / "annotations" / "alice.yaml"
    annotations = yaml.safe_load(alice.read_text(encoding="utf-8"))
    annotations["tags"] += [{"passage": f"lh-{1 + n % 12:03d}", "theme": f"code-{n:03d}-with-a-long-descriptive-id",
                             "at": "2026-11-21T09:00:00+00:00"} for n in range(0, 60, 3)]
    alice.write_text(yaml.safe_dump(annotations), encoding="utf-8")
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = cli("--workspace", workspace_dir, "report")
    assert code == 0, err
    too_wide = [line for line in out.splitlines() if len(line) > 80]
    assert too_wide == []
    assert "most-tagged of 64 themes, to fit; --format md has all" in out
    assert "Code 3 and more words" in out  # names cut, not dropped


def test_a_dry_run_stops_at_a_malformed_corpus_file_and_names_the_real_one(cli, workspace_dir, tmp_path):
    bad = workspace_dir / "corpus" / "annotations" / "bob.yaml"
    bad.write_text("annotator: bob\ntags: [\n", encoding="utf-8")
    notes = tmp_path / "notes.md"
    notes.write_text("A storm.\n\nA boat.\n", encoding="utf-8")
    before = everything_in(workspace_dir)
    code, out, err = cli("--workspace", workspace_dir, "import", notes, "--dry-run")
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and str(bad) in err and "malformed YAML" in err
    assert everything_in(workspace_dir) == before
