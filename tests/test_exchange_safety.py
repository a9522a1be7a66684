"""Hostile and unlucky input at the exchange doors: imports, REFI-QDA, exports, terminal output."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from annotator.exchange import qdpx
from annotator.errors import ImportFailure

FIXTURES = Path(__file__).parent / "fixtures"
CLIPPINGS = FIXTURES / "My Clippings.txt"


def write_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def tree(root: Path) -> dict[str, bytes]:
    """Every file under root with its bytes, to show that nothing was written."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- item 19: each unplaced comment reported once ------------------------------------------------


def test_a_reimport_reports_each_comment_not_placed_once(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws)
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.read_bytes())
    cli("--workspace", ws, "import", clippings)
    assert cli("--workspace", ws, "comment", "the-salt-road-l410", "a note of mine")[0] == 0
    text = clippings.read_bytes().decode("utf-8")
    kept = [c for c in text.split("==========\r\n") if "Location 410-412" not in c]
    clippings.write_bytes("==========\r\n".join(kept).encode("utf-8"))
    code, out, err = cli("--workspace", ws, "import", clippings)
    assert code == 0, err
    assert out.count("comment not placed: the-salt-road-l410 (tester)") == 1


# -- item 20: a DOCTYPE is refused even with no entities -----------------------------------------


def test_an_external_doctype_without_entities_is_refused(tmp_path):
    xml = '<?xml version="1.0"?><!DOCTYPE Project SYSTEM "http://example.com/p.dtd"><Project xmlns="urn:QDA-XML:project:1.0" name="x"/>'
    path = write_zip(tmp_path / "dtd.qdpx", {"project.qde": xml})
    with pytest.raises(ImportFailure, match="DTD"):
        qdpx.read_qdpx(path, "tester")


# -- item 4: an absent field never erases a present one --------------------------------------------

FLAT_CODEBOOK = """<?xml version="1.0" encoding="utf-8"?>
<Project xmlns="urn:QDA-XML:project:1.0" name="Class">
  <CodeBook><Codes><Code guid="00000000-0000-0000-0000-000000000001" name="Hope" isCodable="true"{extra}</Codes></CodeBook>
</Project>
"""


def _themes(ws: Path) -> dict:
    from annotator.session import Session

    return {t.id: t for t in Session.open(ws).themes()}


def test_a_code_with_no_description_or_colour_keeps_the_themes_own(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws)
    before = _themes(ws)["hope"]
    path = write_zip(tmp_path / "other.qdpx", {"project.qde": FLAT_CODEBOOK.format(extra="/>")})
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 0, err
    after = _themes(ws)["hope"]
    assert (after.name, after.description, after.color) == (before.name, before.description, before.color)
    assert before.description and before.color


def test_a_code_whose_description_differs_replaces_it_and_says_so(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws)
    before = _themes(ws)["hope"]
    extra = '><Description>Hope, as the class reads it.</Description></Code>'
    path = write_zip(tmp_path / "other.qdpx", {"project.qde": FLAT_CODEBOOK.format(extra=extra)})
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 0, err
    after = _themes(ws)["hope"]
    assert after.description == "Hope, as the class reads it."
    assert after.color == before.color
    assert "theme 'hope': the import replaces its description" in err


# -- item 12: bad input is one line, exit 2, nothing written ---------------------------------------


@pytest.fixture
def demo_json(cli, demo_workspace_dir, tmp_path) -> dict:
    import json

    out = tmp_path / "all.json"
    assert cli("--workspace", demo_workspace_dir, "export", "--format", "json", "-o", out)[0] == 0
    return json.loads(out.read_text())


@pytest.fixture
def empty_ws(cli, tmp_path) -> Path:
    ws = tmp_path / "target"
    assert cli("init", ws)[0] == 0
    return ws


def refused_cleanly(cli, ws: Path, path: Path, message: str) -> None:
    before = tree(ws / "corpus")
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 2, err
    assert message in err
    assert err.count("\n") == 1 and out == ""
    assert tree(ws / "corpus") == before


def _with_new_theme_and_annotator(data: dict) -> dict:
    """So that a import that writes before it checks would leave a trace in themes and annotations."""
    data["themes"].append({"id": "brand-new", "name": "Brand new", "description": ""})
    first = data["sources"][0]["passages"][0]["id"]
    data["annotations"].append({"annotator": "newcomer", "tags": [{"passage": first, "theme": "hope", "at": ""}]})
    return data


def test_a_300_character_source_id_in_json_writes_nothing(cli, demo_json, empty_ws, tmp_path):
    import json

    data = _with_new_theme_and_annotator(demo_json)
    data["sources"][-1]["source"]["id"] = "a" * 300
    path = tmp_path / "long.json"
    path.write_text(json.dumps(data))
    refused_cleanly(cli, empty_ws, path, "must be a slug")


def test_two_sources_sharing_a_passage_id_in_json_write_nothing(cli, demo_json, empty_ws, tmp_path):
    import json

    data = _with_new_theme_and_annotator(demo_json)
    clone = json.loads(json.dumps(data["sources"][0]))
    clone["source"]["id"] = "clone"
    data["sources"].append(clone)
    path = tmp_path / "twice.json"
    path.write_text(json.dumps(data))
    refused_cleanly(cli, empty_ws, path, "appears twice")


@pytest.mark.parametrize("passage_id, message", [
    ("nlmg\x1b]2;PWNED\x07", "control characters"),
    ("x\u202eevil", "control characters"),
    ("note:hope", "must not start with 'note:'"),
])
def test_a_bad_passage_id_in_json_writes_nothing(cli, demo_json, empty_ws, tmp_path, passage_id, message):
    import json

    data = _with_new_theme_and_annotator(demo_json)
    data["sources"][-1]["passages"][-1]["id"] = passage_id
    path = tmp_path / "bad-id.json"
    path.write_text(json.dumps(data))
    refused_cleanly(cli, empty_ws, path, message)


@pytest.mark.parametrize("passage_id, message", [
    ('"x\\e]2;PWNED\\a"', "control characters"),
    ('"note:hope"', "must not start with 'note:'"),
    ("9" * 5000, "longer than 200 characters"),  # read as the text typed, not an integer
], ids=["escape", "note-prefix", "5000-digits"])
def test_a_bad_passage_id_in_yaml_is_refused_in_one_line(cli, empty_ws, tmp_path, passage_id, message):
    path = tmp_path / "passages.yaml"
    path.write_text(f"passages:\n- id: {passage_id}\n  text: hello\n  themes: [hope]\n")
    refused_cleanly(cli, empty_ws, path, message)


def test_a_tag_in_json_naming_a_passage_with_controls_writes_nothing(cli, demo_json, empty_ws, tmp_path):
    import json

    data = _with_new_theme_and_annotator(demo_json)
    data["annotations"][-1]["tags"][0]["passage"] = "p\x1b[2J"
    path = tmp_path / "tag.json"
    path.write_text(json.dumps(data))
    refused_cleanly(cli, empty_ws, path, "control characters")


def test_a_bad_annotator_name_in_json_exits_2(cli, demo_json, empty_ws, tmp_path):
    import json

    data = _with_new_theme_and_annotator(demo_json)
    data["annotations"][-1]["annotator"] = "../../outside"
    path = tmp_path / "who.json"
    path.write_text(json.dumps(data))
    refused_cleanly(cli, empty_ws, path, "annotator name")


def qdpx_with(tmp_path: Path, xml: str, ids: dict | None = None, name: str = "p.qdpx") -> Path:
    import json

    members: dict[str, bytes | str] = {"project.qde": xml}
    if ids is not None:
        members["annotator.json"] = json.dumps(ids)
    return write_zip(tmp_path / name, members)


def test_three_thousand_nested_codes_are_refused_in_one_line(cli, empty_ws, tmp_path):
    depth = 3000
    codes = "".join(f'<Code guid="00000000-0000-0000-0000-{n:012d}" name="c{n}" isCodable="true">' for n in range(depth))
    xml = f'<Project xmlns="urn:QDA-XML:project:1.0" name="x"><CodeBook><Codes>{codes}{"</Code>" * depth}</Codes></CodeBook></Project>'
    refused_cleanly(cli, empty_ws, qdpx_with(tmp_path, xml), "nested more than")


SOURCE_XML = """<Project xmlns="urn:QDA-XML:project:1.0" name="x">
  <CodeBook><Codes><Code guid="00000000-0000-0000-0000-00000000000c" name="Hope" isCodable="true"/></Codes></CodeBook>
  <Sources><TextSource guid="00000000-0000-0000-0000-000000000005" name="Interview" plainTextPath="internal://s.txt">
    <PlainTextSelection guid="00000000-0000-0000-0000-000000000006" name="{name}" startPosition="0" endPosition="5"/>
  </TextSource></Sources>
</Project>"""


def qdpx_source(tmp_path: Path, selection_name: str = "q1", ids: dict | None = None) -> Path:
    import json

    members: dict[str, bytes | str] = {"project.qde": SOURCE_XML.format(name=selection_name), "sources/s.txt": "Hello world"}
    if ids is not None:
        members["annotator.json"] = json.dumps(ids)
    return write_zip(tmp_path / "p.qdpx", members)


def _imported(ws: Path):
    from annotator.session import Session

    return Session.open(ws).store.sources()


def test_a_300_character_source_id_in_qdpx_falls_back_to_one_from_the_title(cli, empty_ws, tmp_path):
    path = qdpx_source(tmp_path, ids={"sources": {"00000000-0000-0000-0000-000000000005": {"id": "a" * 300}}})
    code, out, err = cli("--workspace", empty_ws, "import", path)
    assert code == 0, err
    assert [sf.source.id for sf in _imported(empty_ws)] == ["interview"]


def test_a_theme_order_of_mappings_is_ignored(cli, empty_ws, tmp_path):
    path = qdpx_source(tmp_path, ids={"theme_order": [{}], "themes": {"00000000-0000-0000-0000-00000000000c": "hope"}})
    code, out, err = cli("--workspace", empty_ws, "import", path)
    assert code == 0, err


@pytest.mark.parametrize("name", ["note:hope", "x\u202ey", "x&#x2066;y"])
def test_a_selection_name_that_cannot_be_a_passage_id_gets_one_made_for_it(cli, empty_ws, tmp_path, name):
    code, out, err = cli("--workspace", empty_ws, "import", qdpx_source(tmp_path, selection_name=name))
    assert code == 0, err
    (source,) = _imported(empty_ws)
    assert [p.id for p in source.passages] == ["interview-001"]


def test_a_kindle_location_of_5000_digits_imports_without_it(cli, empty_ws, tmp_path):
    path = tmp_path / "My Clippings.txt"
    path.write_text(f"Book (Author)\r\n- Your Highlight on Location {'9' * 5000}-2 | Added on Monday\r\n\r\nSome text\r\n==========\r\n")
    code, out, err = cli("--workspace", empty_ws, "import", path)
    assert code == 0, err
    (source,) = _imported(empty_ws)
    assert [p.text for p in source.passages] == ["Some text"]


def test_a_5000_digit_version_in_json_is_refused_in_one_line(cli, demo_json, empty_ws, tmp_path):
    import json

    path = tmp_path / "big.json"
    path.write_text(json.dumps(demo_json).replace('"version": 1', '"version": ' + "1" * 5000))
    refused_cleanly(cli, empty_ws, path, "")


# -- item 15: what an archive may expand to, in all ---------------------------------------------------


def _sources_sharing_one_member(count: int, selections: int = 0) -> str:
    sources = []
    for n in range(count):
        picks = "".join(
            f'<PlainTextSelection guid="00000000-0000-0000-0001-{n:06d}{k:06d}" name="s{n}-{k}" startPosition="0" endPosition="1000"/>'
            for k in range(selections)
        )
        sources.append(f'<TextSource guid="00000000-0000-0000-0000-{n:012d}" name="copy {n}" plainTextPath="internal://one.txt">{picks}</TextSource>')
    return f'<Project xmlns="urn:QDA-XML:project:1.0" name="x"><Sources>{"".join(sources)}</Sources></Project>'


def test_many_sources_sharing_one_member_are_refused_naming_the_limit(cli, empty_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(qdpx, "MAX_PROJECT_TEXT", 500_000)
    text = "\n\n".join(f"Paragraph {n} of a long shared text." for n in range(5_000))  # ~190 KB
    path = write_zip(tmp_path / "shared.qdpx", {"project.qde": _sources_sharing_one_member(100), "sources/one.txt": text})
    refused_cleanly(cli, empty_ws, path, "more than 500,000 characters")


def test_overlapping_selections_count_towards_the_limit(cli, empty_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(qdpx, "MAX_PROJECT_TEXT", 500_000)
    path = write_zip(tmp_path / "overlap.qdpx", {"project.qde": _sources_sharing_one_member(1, selections=600), "sources/one.txt": "x" * 1000})
    refused_cleanly(cli, empty_ws, path, "more than 500,000 characters")


def test_a_project_within_the_limit_still_imports(cli, empty_ws, tmp_path, monkeypatch):
    monkeypatch.setattr(qdpx, "MAX_PROJECT_TEXT", 500_000)
    path = write_zip(tmp_path / "fine.qdpx", {"project.qde": _sources_sharing_one_member(2, selections=3), "sources/one.txt": "x" * 1000})
    code, out, err = cli("--workspace", empty_ws, "import", path)
    assert code == 0, err


# -- item 6: export -o never replaces the wrong thing ------------------------------------------------


@pytest.mark.parametrize("inside", ["corpus/passages/lighthouse.yaml", "corpus/themes.yaml", "corpus/new.md", "index/x.md", "corpus"])
def test_an_export_into_the_corpus_or_index_is_refused(cli, workspace_dir, inside):
    before = tree(workspace_dir / "corpus")
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", workspace_dir / inside)
    assert code == 2
    assert "inside the workspace's" in err and err.count("\n") == 1
    assert tree(workspace_dir / "corpus") == before


def test_a_symlink_or_dotdot_into_the_corpus_is_refused(cli, workspace_dir, tmp_path):
    before = tree(workspace_dir / "corpus")
    link = tmp_path / "evidence.md"
    link.symlink_to(workspace_dir / "corpus" / "themes.yaml")
    assert cli("--workspace", workspace_dir, "export", "--format", "md", "-o", link)[0] == 2
    sneaky = workspace_dir / "reports" / ".." / "corpus" / "themes.yaml"
    assert cli("--workspace", workspace_dir, "export", "--format", "md", "-o", sneaky)[0] == 2
    assert tree(workspace_dir / "corpus") == before
    assert link.is_symlink()


def test_a_symlink_is_followed_and_its_target_written(cli, workspace_dir, tmp_path):
    target = tmp_path / "shared" / "evidence.md"
    target.parent.mkdir()
    target.write_text("old")
    link = tmp_path / "evidence.md"
    link.symlink_to(target)
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", link)
    assert code == 0, err
    assert link.is_symlink()
    assert target.read_text().startswith("# Evidence")


def test_a_fifo_is_written_into_not_replaced(cli, workspace_dir, tmp_path):
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # A reader already there (the export is smaller than the pipe's buffer), so no thread is needed.
    read_end = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        code, out, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", fifo)
        assert code == 0, err
        assert stat.S_ISFIFO(os.stat(fifo).st_mode)
        assert os.read(read_end, 1 << 16).startswith(b"# Evidence")
    finally:
        os.close(read_end)


def test_a_character_device_stays_a_device(cli, workspace_dir, tmp_path):
    """Never the real /dev/null: as root, a regression would replace it for the whole machine."""
    import os
    import stat

    device = tmp_path / "null"
    try:
        os.mknod(device, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # the null device, under another name
    except PermissionError:
        pytest.skip("making a device node needs root (where replacing /dev/null is possible at all)")
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", device)
    assert code == 0, err
    assert stat.S_ISCHR(os.stat(device).st_mode)


# -- item 17: what a terminal is shown never carries controls that it would obey ---------------------

HOSTILE_ID = "lh-002\x1b]2;PWNED\x07"
RAW = ("\x1b", "\x07", "\u202e")


@pytest.fixture
def hostile_ws(workspace_dir) -> Path:
    """A workspace whose files were edited by hand (or written before ids were checked at import)."""
    corpus = workspace_dir / "corpus"

    def replace(name: str, old: str, new: str) -> None:
        path = corpus / name
        text = path.read_text()
        assert old in text
        path.write_text(text.replace(old, new, 1))

    replace("passages/lighthouse.yaml", "  - id: lh-002", '  - id: "lh-002\\e]2;PWNED\\a"')
    replace("passages/lighthouse.yaml", "title: The Lighthouse Keeper", 'title: "The \\e]2;TITLE\\a Keeper"')
    replace("passages/lighthouse.yaml", "location: ch. 1", 'location: "ch. 1\\e]2;LOCATION\\a"')
    replace("annotations/alice.yaml", "passage: lh-002", 'passage: "lh-002\\e]2;PWNED\\a"')
    replace("themes.yaml", "name: Hope", 'name: "Hope\\u202e"')
    (corpus / "annotations" / "bob.yaml").write_text(
        'annotator: bob\ntags:\n  - passage: "lh-002\\e]2;PWNED\\a"\n    theme: memory\n    at: ""\n'
    )
    return workspace_dir


@pytest.mark.parametrize("command", [
    ["search", "supply", "boat"],
    ["search", "Gull", "Rock"],
    ["show", HOSTILE_ID],
    ["show", HOSTILE_ID, "--quote"],
    ["show", "lh-001", "--quote"],
    ["agreement", "alice", "bob"],
    ["evidence", "hope"],
    ["themes"],
    ["report"],
], ids=lambda c: "-".join(c[:2]).replace(HOSTILE_ID, "hostile"))
def test_ids_titles_locations_and_names_are_printed_inert(cli, hostile_ws, command):
    code, out, err = cli("--workspace", hostile_ws, *command)
    assert code == 0, err
    assert not any(ch in out for ch in RAW), out
    assert "\\x1b" in out or "\\u202e" in out


def test_json_output_keeps_the_id_exact(cli, hostile_ws):
    import json

    code, out, err = cli("--workspace", hostile_ws, "show", HOSTILE_ID, "--json")
    assert code == 0, err
    assert json.loads(out)["id"] == HOSTILE_ID
    assert "\x1b" not in out  # JSON escapes it itself


def test_the_tui_agreement_screen_shows_a_hostile_id_inert(hostile_ws):
    import asyncio

    from textual.app import App

    from annotator.session import Session
    from annotator.tui.annotator_switch import AgreementScreen

    session = Session.open(hostile_ws)
    session.sync()
    shown: list[str] = []

    async def main():
        app = App()
        async with app.run_test(size=(120, 40)) as pilot:
            await app.push_screen(AgreementScreen(session, "alice", "bob"))
            rows = app.screen.query_one("#disagreements")
            for _ in range(100):
                if rows.row_count:
                    break
                await pilot.pause(0.05)
            shown.extend(str(cell) for cell in rows.get_row_at(0))
            shown.append(str(app.screen.query_one("#agreement-summary").render()))

    asyncio.run(main())
    session.close()
    assert any("lh-002\\x1b]2;PWNED" in cell for cell in shown), shown
    assert not any(ch in cell for cell in shown for ch in RAW)


def test_a_bad_annotator_for_kindle_notes_writes_nothing(cli, empty_ws):
    before = tree(empty_ws / "corpus")
    code, out, err = cli("--workspace", empty_ws, "import", CLIPPINGS, "--as", "not a/name")
    assert code == 2, err
    assert "annotator name" in err and err.count("\n") == 1
    assert tree(empty_ws / "corpus") == before


def test_a_malformed_annotations_file_stops_a_json_import_before_any_write(cli, workspace_dir, tmp_path):
    import json

    out = tmp_path / "all.json"
    assert cli("--workspace", workspace_dir, "export", "--format", "json", "-o", out)[0] == 0
    data = json.loads(out.read_text())
    data["themes"].append({"id": "brand-new", "name": "Brand new", "description": ""})
    out.write_text(json.dumps(data))
    (workspace_dir / "corpus" / "annotations" / "alice.yaml").write_text("annotator: alice\ntags: 5\n")
    before = tree(workspace_dir / "corpus")
    code, _, err = cli("--workspace", workspace_dir, "import", out)
    assert code == 2 and "alice.yaml" in err and err.count("\n") == 1
    assert tree(workspace_dir / "corpus") == before


def test_every_tui_toast_goes_through_the_sanitiser(monkeypatch):
    from textual.app import App

    from annotator.tui.app import AnnotatorApp

    seen = []
    monkeypatch.setattr(App, "notify", lambda self, message, *, title="", **options: seen.append((message, title)))
    app = object.__new__(AnnotatorApp)  # notify needs no running app once App.notify is replaced
    app.notify(f"Tagged {HOSTILE_ID}: Hope\u202e", title="x\x1b[2J", markup=False)
    assert seen == [("Tagged lh-002\\x1b]2;PWNED\\x07: Hope\\u202e", "x\\x1b[2J")]


def test_the_sanitiser_shows_overrides_but_keeps_rtl_marks_and_line_breaks():
    from annotator.textsafe import has_controls, show_controls, show_line

    assert show_controls("a\u202eb\u2067c\x1b\x9bd") == "a\\u202eb\\u2067c\\x1b\\x9bd"
    assert show_controls("שלום\u200f, line\nnext\ttab") == "שלום\u200f, line\nnext\ttab"
    assert show_line("id\nwith\ttab") == "id\\x0awith\\x09tab"
    assert show_line("כותרת\u200f") == "כותרת\u200f"
    assert has_controls("x\u200f") and has_controls("x\u2028") and not has_controls("plain-id_1.2")


def test_json_nested_thousands_deep_is_refused_in_one_line(cli, empty_ws, tmp_path):
    path = tmp_path / "deep.json"
    path.write_text('{"format": "annotator-export", "version": 1, "themes": ' + "[" * 100_000 + "]" * 100_000 + "}")
    refused_cleanly(cli, empty_ws, path, "nests too deeply")


def test_an_annotator_json_nested_thousands_deep_is_ignored_as_hints(cli, empty_ws, tmp_path):
    path = qdpx_source(tmp_path)
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("annotator.json", "[" * 100_000 + "]" * 100_000)
    code, out, err = cli("--workspace", empty_ws, "import", path)
    assert code == 0, err


def test_a_symlink_loop_is_refused_not_replaced(cli, workspace_dir, tmp_path):
    first, second = tmp_path / "a.md", tmp_path / "b.md"
    first.symlink_to(second)
    second.symlink_to(first)
    code, out, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", first)
    assert code != 0 and "loop" in err
    assert first.is_symlink() and second.is_symlink()


def test_imported_parents_that_loop_or_are_missing_go_to_the_top_level(cli, demo_json, empty_ws, tmp_path):
    import json

    themes = demo_json["themes"]
    themes[0]["parent"], themes[1]["parent"] = themes[1]["id"], themes[0]["id"]
    themes[2]["parent"] = "no-such-theme"
    path = tmp_path / "loop.json"
    path.write_text(json.dumps(demo_json))
    code, out, err = cli("--workspace", empty_ws, "import", path)
    assert code == 0, err
    assert "nests it inside itself" in err and "is not in the codebook" in err
    parents = {t.id: t.parent for t in _themes(empty_ws).values()}
    assert parents[themes[2]["id"]] is None
    assert None in (parents[themes[0]["id"]], parents[themes[1]["id"]])


def test_a_multi_source_json_import_reports_each_comment_not_placed_once(cli, demo_json, empty_ws, tmp_path):
    import json

    path = tmp_path / "all.json"
    path.write_text(json.dumps(demo_json))
    assert cli("--workspace", empty_ws, "import", path)[0] == 0
    gone = demo_json["sources"][0]["passages"].pop()["id"]
    assert cli("--workspace", empty_ws, "comment", gone, "a comment of mine")[0] == 0
    path.write_text(json.dumps(demo_json))
    code, out, err = cli("--workspace", empty_ws, "import", path)
    assert code == 0, err
    assert out.count(f"comment not placed: {gone} (tester)") == 1
