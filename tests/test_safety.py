"""Hostile content stays inert: YAML builds no objects, terminal escapes and markup print literally."""

from __future__ import annotations

import csv
import io
import json

import pytest

from annotator.errors import CorpusError, ImportFailure
from annotator.exchange.importers import import_source
from annotator.session import Session
from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace
from annotator.corpus.yamlio import parse_yaml, read_yaml

CLEAR_SCREEN = "\x1b[2J"
HOSTILE_TEXT = f"Ada wrote {CLEAR_SCREEN} then [red]x[/] and [bold]not bold[/bold] \x07 \x9b31m \x1b]0;pwned\x07 done."
# Raw bytes a terminal would obey: ESC, BEL, CSI.
TERMINAL_CONTROLS = ("\x1b", "\x07", "\x9b")

PYTHON_TAGS = [
    "!!python/object/apply:os.system ['echo pwned > {marker}']",
    "!!python/object/new:os.system ['echo pwned > {marker}']",
    "!!python/name:os.system",
    "!!python/module:os",
    "!!python/object:collections.OrderedDict {{}}",
    "!!binary aGVsbG8=",
]


@pytest.mark.parametrize("tag", PYTHON_TAGS, ids=["apply", "new", "name", "module", "object", "binary"])
def test_yaml_never_constructs_python_objects(tmp_path, tag):
    marker = tmp_path / "pwned"
    text = tag.format(marker=marker)
    for document in (text, f"- id: hope\n  name: {text}\n", f"passages:\n  - id: a\n    text: {text}\n"):
        try:
            data = parse_yaml(document, tmp_path / "x.yaml")
        except CorpusError:
            continue
        # Only the standard safe types can come out: never an object, a function or a module.
        assert _only_plain_data(data), data
    assert not marker.exists()


def _only_plain_data(value) -> bool:
    if isinstance(value, dict):
        return all(_only_plain_data(k) and _only_plain_data(v) for k, v in value.items())
    if isinstance(value, list):
        return all(_only_plain_data(v) for v in value)
    return value is None or isinstance(value, (str, int, float, bool, bytes))


def test_a_corpus_file_with_a_python_tag_is_refused_with_its_name(workspace_dir, tmp_path):
    marker = tmp_path / "pwned"
    themes = workspace_dir / "corpus" / "themes.yaml"
    themes.write_text(f"- id: hope\n  name: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(CorpusError) as info:
        Store(Workspace(workspace_dir)).themes()
    assert "themes.yaml" in str(info.value)
    assert not marker.exists()


def test_importing_a_yaml_file_with_a_python_tag_is_refused(workspace_dir, tmp_path):
    marker = tmp_path / "pwned"
    evil = tmp_path / "evil.yaml"
    evil.write_text(f"passages:\n  - id: e1\n    text: !!python/object/apply:os.system ['touch {marker}']\n")
    with pytest.raises(ImportFailure):
        import_source(Store(Workspace(workspace_dir)), evil)
    assert not marker.exists()
    assert read_yaml(workspace_dir / "corpus" / "passages" / "evil.yaml") is None  # nothing half-imported


# -- terminal escapes and markup ------------------------------------------------------------------


@pytest.fixture
def hostile_workspace(workspace_dir, tmp_path):
    """A workspace whose passage, location, source title, theme name and comments carry escapes and markup."""
    source = tmp_path / "hostile.yaml"
    source.write_text(json.dumps({
        "source": {"id": "hostile", "title": f"Title {CLEAR_SCREEN}[blink]T[/blink]"},
        "passages": [{"id": "hostile-1", "text": HOSTILE_TEXT, "location": "ch. 9 \x1b[31m", "themes": ["hope"]}],
    }))
    session = Session.open(workspace_dir)
    import_source(session.store, source, annotator="tester", resolve_theme=session.resolve_theme)
    themes = session.store.themes()
    themes[0].name = f"Hope {CLEAR_SCREEN}[red]x[/]"
    themes[0].description = HOSTILE_TEXT
    session.store.save_themes(themes)
    session.store.add_tags("tester", "hostile-1", ["hope"], comment=f"why {CLEAR_SCREEN} [red]x[/]")
    session.store.add_memo("tester", "hostile-1", "memo \x1b[2J [red]x[/]")
    session.sync()
    session.close()
    return workspace_dir


READ_COMMANDS = [
    ["show", "hostile-1"],
    ["search", "Ada", "wrote"],
    ["search", "ada", "--json"],
    ["show", "hostile-1", "--json"],
    ["themes"],
    ["themes", "--json"],
    ["evidence", "hope"],
    ["suggest", "hostile-1"],
    ["report"],
]


@pytest.mark.parametrize("command", READ_COMMANDS, ids=[" ".join(c) for c in READ_COMMANDS])
def test_cli_prints_escapes_and_markup_inertly(cli, hostile_workspace, command):
    code, out, err = cli("--workspace", hostile_workspace, *command)
    assert code == 0, err
    for control in TERMINAL_CONTROLS:
        assert control not in out and control not in err, f"raw {control!r} reached the terminal"


def test_show_prints_the_escape_visibly_and_the_markup_as_typed(cli, hostile_workspace):
    code, out, _ = cli("--workspace", hostile_workspace, "show", "hostile-1")
    assert code == 0
    assert "\\x1b[2J" in out  # shown, not obeyed
    assert "[red]x[/]" in out and "[bold]not bold[/bold]" in out


def test_json_keeps_the_text_exact(cli, hostile_workspace):
    code, out, _ = cli("--workspace", hostile_workspace, "show", "hostile-1", "--json")
    assert code == 0
    assert "\x1b" not in out  # JSON escapes it as \u001b...
    assert json.loads(out)["text"] == HOSTILE_TEXT  # ...and a program reading it gets the text back exactly


def test_error_messages_do_not_pass_escapes_through(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "show", f"nope{CLEAR_SCREEN}")
    assert code != 0
    assert "\x1b" not in err and "\\x1b[2J" in err
    assert len(err.splitlines()) == 1


def test_csv_export_defuses_formulas(cli, workspace_dir, tmp_path):
    source = tmp_path / "formulas.yaml"
    source.write_text(json.dumps({"source": {"id": "formulas"}, "passages": [
        {"id": "f-1", "text": "=cmd|' /C calc'!A0", "themes": ["hope"]},
        {"id": "f-2", "text": "+SUM(A1:A9)", "themes": ["hope"]},
        {"id": "f-3", "text": "@HYPERLINK(\"http://evil\")", "themes": ["hope"]},
        {"id": "f-4", "text": "-2+3", "themes": ["hope"]},
    ]}))
    assert cli("--workspace", workspace_dir, "import", source)[0] == 0
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "csv", "-o", tmp_path / "out.csv")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out.csv").read_text(encoding="utf-8-sig"))))
    cells = [row["text"] for row in rows if row["passage"].startswith("f-")]
    assert len(cells) == 4
    assert all(not cell.startswith(("=", "+", "-", "@")) for cell in cells), cells


def test_markdown_export_renders_passage_text_as_text(cli, workspace_dir, tmp_path):
    """Rendered (markdown-it, as Rich uses), a passage makes no link, no HTML, no heading, no emphasis."""
    from markdown_it import MarkdownIt

    source = tmp_path / "markup.yaml"
    source.write_text(json.dumps({"source": {"id": "markup"}, "passages": [{
        "id": "m-1", "themes": ["hope"],
        "text": "# Not a heading\n[click](javascript:alert(1)) <script>alert(1)</script> *not em* | a | b |",
    }]}))
    assert cli("--workspace", workspace_dir, "import", source)[0] == 0
    code, _, err = cli("--workspace", workspace_dir, "export", "--format", "md", "--theme", "hope", "-o", tmp_path / "out.md")
    assert code == 0, err
    html = MarkdownIt("commonmark").enable("table").render((tmp_path / "out.md").read_text(encoding="utf-8"))
    assert "<script>" not in html and "<a " not in html and "<em>not em</em>" not in html and "<table" not in html
    assert html.count("<h1>") == 1  # the document's own title only
    assert "[click](javascript:alert(1))" in html  # the words themselves are all there, as text
