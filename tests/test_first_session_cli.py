"""What a new user of the CLI trips on: help that says what a command does, exit status 2 for bad
input, counts that make sense (a walk through every command of DESIGN.md)."""

from __future__ import annotations

import argparse

import yaml

from annotator.corpus.model import theme_slug


def every_command(parser, prefix=""):
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield prefix + name, sub
                yield from every_command(sub, prefix + name + " ")


def test_every_commands_help_says_what_it_does_and_what_json_does():
    from annotator.cli import build_parser

    commands = dict(every_command(build_parser()))
    for name, sub in commands.items():
        help_text = " ".join(sub.format_help().split())
        assert sub.description, name
        assert help_text.index(sub.description.split()[0]) < help_text.index("options:"), name  # before the options
        for option in sub._actions:
            if option.option_strings == ["--json"]:
                assert option.help, name  # what --json prints is said, not left blank
    assert commands["themes"].description == "List themes: id, name, description, count."
    assert "--json print one JSON document on stdout" in " ".join(commands["themes"].format_help().split())


def test_a_limit_of_zero_or_less_is_refused_not_read_as_all_or_nothing(cli, workspace_dir):
    import pytest

    # search --limit 0 listed every result, suggest --limit -1 none, kwic --limit 0 said
    # "2 occurrences in 3 passages, the first 1 passages read".
    for command in (["search", "storm", "--limit", "0"], ["search", "storm", "--limit", "-1"],
                    ["suggest", "lh-001", "--limit", "0"], ["kwic", "storm", "--limit", "0"]):
        with pytest.raises(SystemExit) as refused:
            cli("--workspace", workspace_dir, *command)
        assert refused.value.code == 2, command
    code, out, err = cli("--workspace", workspace_dir, "search", "storm", "--limit", "1", "--json")
    assert code == 0 and len(__import__("json").loads(out)["results"]) == 1


def test_bad_input_exits_2_with_one_line(cli, workspace_dir, tmp_path):
    # These said exit 1, the status of a refused write or a busy lock, not of a mistyped argument.
    ws = ("--workspace", workspace_dir)
    cases = [
        (*ws, "theme", "add", ""),
        (*ws, "theme", "add", "Hope"),
        (*ws, "theme", "color", "hope", "red"),
        (*ws, "theme", "parent", "hope", "hope"),
        (*ws, "theme", "merge", "hope", "hope"),
        (*ws, "theme", "delete", "hope"),  # still tagged: needs --force
        (*ws, "export", "--format", "pdf"),
        ("--workspace", tmp_path / "nowhere", "themes"),
        ("init", workspace_dir),
        ("init", workspace_dir / "corpus" / "themes.yaml" / "inside"),  # under a file: was an internal error
    ]
    for args in cases:
        code, _out, err = cli(*args)
        assert code == 2, args
        assert len(err.splitlines()) == 1 and "internal error" not in err, args


def test_themes_lists_an_imported_themes_id_whole_at_80_columns(cli, workspace_dir, monkeypatch):
    # A study guide's "The individual's obligation to society" gets a 37-character id; the list
    # cut ids at 28 characters, so the id to type was nowhere to be read.
    monkeypatch.setenv("COLUMNS", "80")
    code, _out, err = cli("--workspace", workspace_dir, "theme", "add", "The individual and the obligation to society")
    assert code == 0, err
    code, out, err = cli("--workspace", workspace_dir, "themes")
    assert "the-individual-and-the-obligation-to-society " in out
    assert all(len(line) <= 80 for line in out.splitlines())


NOTES = """The Keeper's Island: Themes

The keeper's duty

The keeper climbs the tower every evening because the ships depend on her light, whatever the weather and whatever news the boat brings. Her duty is the frame of her days.

Memory

Old letters and a tin of buttons hold the people who are far away; the keeper returns to them when the nights are long and the sea is loud against the rocks.
"""


def test_a_possessive_in_a_theme_name_makes_a_readable_id(cli, workspace_dir, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    code, out, err = cli("--workspace", workspace_dir, "import", "--themes", notes)
    assert code == 0, err
    assert "the-keepers-duty" in out and "keeper-s" not in out  # was "the-keeper-s-duty"
    code, out, err = cli("--workspace", workspace_dir, "theme", "add", "Ruth’s dream")
    assert code == 0 and "ruths-dream" in out, err
    assert theme_slug("L'espérance") == "l-esperance"  # an elision is still two words


def test_reimporting_notes_updates_a_theme_whose_id_was_made_the_old_way(cli, workspace_dir, tmp_path):
    themes_file = workspace_dir / "corpus" / "themes.yaml"
    themes = yaml.safe_load(themes_file.read_text(encoding="utf-8"))
    themes.append({"id": "the-keeper-s-duty", "name": "The keeper’s duty", "description": "an older note"})
    themes_file.write_text(yaml.safe_dump(themes), encoding="utf-8")
    notes = tmp_path / "notes.txt"
    notes.write_text(NOTES, encoding="utf-8")
    code, out, err = cli("--workspace", workspace_dir, "import", "--themes", notes)
    assert code == 0, err
    ids = [t["id"] for t in yaml.safe_load(themes_file.read_text(encoding="utf-8"))]
    assert "the-keeper-s-duty" in ids and "the-keepers-duty" not in ids


def test_theme_notes_refuse_a_spreadsheet_or_a_web_page(cli, workspace_dir, tmp_path):
    # A CSV export given to --themes became a theme named after its first cell.
    table = tmp_path / "evidence.csv"
    table.write_text("passage,source,location,theme\nlh-001,keeper,ch. 1,hope\n", encoding="utf-8")
    page = tmp_path / "guide.html"
    page.write_text("<html><body><h2>Duty</h2><p>The keeper keeps the light.</p></body></html>", encoding="utf-8")
    before = (workspace_dir / "corpus" / "themes.yaml").read_text(encoding="utf-8")
    for path in (table, page):
        code, _out, err = cli("--workspace", workspace_dir, "import", "--themes", path)
        assert code == 2 and "theme notes are a text page" in err and len(err.splitlines()) == 1
    assert (workspace_dir / "corpus" / "themes.yaml").read_text(encoding="utf-8") == before


def test_evidence_json_gives_each_passage_the_fields_of_show_json(cli, workspace_dir):
    import json

    code, out, err = cli("--workspace", workspace_dir, "evidence", "hope", "--json")
    assert code == 0, err
    passages = json.loads(out)["passages"]
    assert passages
    for passage in passages:
        code, out, err = cli("--workspace", workspace_dir, "show", passage["id"], "--json")
        shown = json.loads(out)
        assert set(passage) == set(shown)  # "each passage as in show --json" (language was missing)
        assert passage["language"] == shown["language"] and passage["text"] == shown["text"]


def test_adding_a_theme_that_exists_names_the_name_typed(cli, workspace_dir):
    code, _out, err = cli("--workspace", workspace_dir, "theme", "add", "hope")
    assert code == 2 and "a theme named 'hope' already exists" in err  # was "a theme with id 'hope' already exists"


def test_status_counts_the_tags_of_every_file_but_a_malformed_one(cli, workspace_dir):
    import json

    (workspace_dir / "corpus" / "annotations" / "bob.yaml").write_text("tags:\n  - passage: [unclosed\n", encoding="utf-8")
    code, out, err = cli("--workspace", workspace_dir, "status", "--json")
    status = json.loads(out)
    assert status["tags"] == {"alice": 4}  # was {}: "tags none yet", as if alice's four were gone
    assert len(status["problems"]) == 1 and "bob.yaml" in status["problems"][0]


def test_a_quote_cut_inside_a_word_is_not_blamed_on_its_capitals(cli, workspace_dir):
    import json

    code, out, _err = cli("--workspace", workspace_dir, "show", "lh-001", "--json")
    words = json.loads(out)["text"].split()[:3]
    cut = " ".join(words)[:-1]  # the last word without its last letter
    code, _out, err = cli("--workspace", workspace_dir, "tag", "lh-001", "hope", "--quote", cut)
    assert code == 2 and "capitals" not in err
    assert f'the nearest words there are "{" ".join(words)}"' in err


def test_a_workspace_that_is_a_file_is_not_offered_to_init(cli, workspace_dir):
    code, _out, err = cli("--workspace", workspace_dir / "corpus" / "themes.yaml", "themes")
    assert code == 2 and "a file, not a workspace folder" in err and "annotator init" not in err
