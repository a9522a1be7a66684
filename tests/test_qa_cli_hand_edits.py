"""A fresh-eyes pass over the CLI as a script writer and as a hand-editor of the YAML: what a
mistyped filter or a hand-edited file does is said in one line, naming the file and line."""

from __future__ import annotations

import json


def _edit(path, old, new):
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_a_hand_written_passage_id_starting_note_is_refused_naming_the_file_and_line(cli, demo_workspace_dir):
    """`note:hope` is the Hope theme note's id in the index: a passage given it took the note's place
    (searching the note's words found the passage; the note was gone from search and suggestions)."""
    source = demo_workspace_dir / "corpus" / "passages" / "never-let-me-go.yaml"
    _edit(source, "id: nlmg-001", "id: 'note:hope'")
    code, out, err = cli("--workspace", demo_workspace_dir, "search", "deferrals", "--json")
    assert code != 0 and out == ""
    assert err.startswith("annotator: ") and len(err.strip().splitlines()) == 1, err
    assert "never-let-me-go.yaml:8" in err and "note:" in err, err
    assert "Traceback" not in err


def test_a_hand_written_passage_id_starting_note_in_any_case_is_refused(cli, demo_workspace_dir):
    source = demo_workspace_dir / "corpus" / "passages" / "never-let-me-go.yaml"
    _edit(source, "id: nlmg-001", "id: 'Note:x'")
    code, _, err = cli("--workspace", demo_workspace_dir, "show", "nlmg-002")
    assert code != 0 and "never-let-me-go.yaml:8" in err and "note:" in err, err


def test_the_theme_note_is_still_found_with_an_ordinary_corpus(cli, demo_workspace_dir):
    code, out, err = cli("--workspace", demo_workspace_dir, "search", "deferrals", "--json")
    assert code == 0, err
    assert "note:hope" in [r["id"] for r in json.loads(out)["results"]]


def test_a_wrong_type_in_the_yaml_is_named_in_plain_words_not_a_python_class(cli, demo_workspace_dir):
    source = demo_workspace_dir / "corpus" / "passages" / "never-let-me-go.yaml"
    _edit(source, "location: ch. 1", "location: {chapter: 1}")
    code, _, err = cli("--workspace", demo_workspace_dir, "search", "Kathy")
    assert code != 0 and "never-let-me-go.yaml:8" in err, err
    assert "'location' must be text, not a mapping" in err, err
    assert "LineDict" not in err


def test_a_memo_that_is_not_a_mapping_is_named_in_plain_words(cli, demo_workspace_dir):
    demo = demo_workspace_dir / "corpus" / "annotations" / "demo.yaml"
    demo.write_text(demo.read_text(encoding="utf-8") + "memos: [5]\n", encoding="utf-8")
    code, _, err = cli("--workspace", demo_workspace_dir, "show", "nlmg-002")
    assert code != 0 and "demo.yaml" in err, err
    assert "each memo must be a mapping (key: value), not" in err, err
    assert "AsWritten" not in err and "not int" not in err and "not str" not in err, err


def test_search_source_naming_no_source_says_so(cli, demo_workspace_dir):
    """`--source never-let-me-goo` printed "0 results" and nothing else, so a script's typo looked like
    a source with nothing in it; now the notice names it, as a typed `theme:nope` is named (still
    exit 0, 0 results: a filter finding nothing is not an error)."""
    for extra in ([], ["--meaning"]):
        code, out, err = cli("--workspace", demo_workspace_dir, "search", "Tommy", "--source", "never-let-me-goo", *extra, "--json")
        assert code == 0, err
        data = json.loads(out)
        assert data["total"] == 0 and data["notice"] == "no source 'never-let-me-goo'", (extra, data)
    code, out, err = cli("--workspace", demo_workspace_dir, "search", "Tommy", "--source", "never-let-me-goo")
    assert code == 0 and "no source 'never-let-me-goo'" in out.splitlines(), out
    code, out, err = cli("--workspace", demo_workspace_dir, "search", "Tommy", "--source", "never-let-me-go", "--json")
    assert code == 0 and json.loads(out)["total"] > 0 and "notice" not in json.loads(out), out


def test_a_typed_source_filter_naming_no_source_says_so_as_a_typed_theme_does(cli, demo_workspace_dir):
    code, out, err = cli("--workspace", demo_workspace_dir, "search", "Tommy source:nope", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"] == 0 and data["notice"] == "no source 'nope'", data
    code, out, err = cli("--workspace", demo_workspace_dir, "search", "Tommy source:never-let-me-go", "--json")
    assert code == 0 and json.loads(out)["total"] > 0 and "notice" not in json.loads(out), out
    code, out, err = cli("--workspace", demo_workspace_dir, "search", "Tommy source:nope")
    assert code == 0 and out.splitlines()[:2] == ["0 results", "no source 'nope'"], out


def test_a_yaml_import_whose_passage_id_is_taken_is_not_told_to_use_source(cli, demo_workspace_dir, tmp_path):
    """A .yaml file's passage ids are kept as written, so `--source other` refuses the same way:
    the advice sent the user round in a circle."""
    clash = tmp_path / "clash.yaml"
    clash.write_text("passages:\n  - {id: nlmg-001, text: my own words}\n", encoding="utf-8")
    code, _, err = cli("--workspace", demo_workspace_dir, "import", clash)
    assert code != 0 and "passage id 'nlmg-001' already belongs to source 'never-let-me-go'" in err, err
    assert "--source" not in err and "clash.yaml" in err, err
    code, _, err = cli("--workspace", demo_workspace_dir, "import", clash, "--source", "other")
    assert code != 0 and "--source" not in err, err
    assert not (demo_workspace_dir / "corpus" / "passages" / "other.yaml").exists()


def test_a_text_import_whose_derived_ids_are_taken_is_still_told_to_use_source(cli, demo_workspace_dir, tmp_path):
    """A text file's ids come from its source id (`notes-p1`): there --source does give other ids."""
    taken = tmp_path / "taken.yaml"
    taken.write_text("passages:\n  - {id: notes-p1, text: already here}\n", encoding="utf-8")
    assert cli("--workspace", demo_workspace_dir, "import", taken)[0] == 0
    notes = tmp_path / "notes.txt"
    notes.write_text("A paragraph of notes.\n", encoding="utf-8")
    code, _, err = cli("--workspace", demo_workspace_dir, "import", notes)
    assert code != 0 and "use --source to import under another id" in err, err
    code, _, err = cli("--workspace", demo_workspace_dir, "import", notes, "--source", "my-notes")
    assert code == 0, err


def test_a_command_run_with_its_output_closed_is_not_an_internal_error(demo_workspace_dir):
    """`annotator search hope >&-` (a shell closing stdout to silence it): Python then has no
    sys.stdout, and the search ended in "internal error (AttributeError ...)", exit 70, where
    `tag` (print) said nothing and exited 0."""
    import subprocess
    import sys

    for args in (["search", "hope", "--json"], ["search", "hope"], ["export", "--format", "md"]):
        command = [sys.executable, "-m", "annotator", "--workspace", str(demo_workspace_dir), *args]
        done = subprocess.run(["sh", "-c", '"$@" >&-', "sh", *command], capture_output=True, text=True,
                              env={k: v for k, v in __import__("os").environ.items() if k != "ANNOTATOR_DEBUG"})
        assert done.returncode == 0, (args, done.stderr)
        assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
