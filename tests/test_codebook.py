"""Codebook editing on a real workspace: tags follow renames and merges, deletes are guarded."""

from __future__ import annotations

import pytest
import yaml

from annotator.corpus import codebook
from annotator.errors import AnnotatorError, NotFound


def read(path):
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def theme_ids(session):
    return [t.id for t in session.themes()]


def test_add_theme_writes_the_codebook_with_a_slug_id_and_colour(session):
    theme = codebook.add_theme(session.store, "Isolation", description="Being alone on the rock.")
    assert theme.id == "isolation"
    on_disk = read(session.ws.themes_file)
    assert on_disk[-1]["id"] == "isolation"
    assert on_disk[-1]["description"] == "Being alone on the rock."
    assert on_disk[-1]["color"].startswith("#")


def test_add_refuses_duplicates_and_bad_ids(session):
    with pytest.raises(AnnotatorError, match="already exists"):
        codebook.add_theme(session.store, "Hope")
    with pytest.raises(AnnotatorError, match="slug"):
        codebook.add_theme(session.store, "Weather", theme_id="Bad Id")
    with pytest.raises(NotFound):
        codebook.add_theme(session.store, "Storms", parent="no-such-theme")


def test_rename_keeps_the_id_by_default(session):
    change = codebook.rename_theme(session.store, "hope", "Hopefulness")
    assert change.theme.id == "hope"
    assert session.resolve_theme("Hopefulness").id == "hope"
    assert read(session.ws.annotation_file("alice"))["tags"][0]["theme"] == "hope"


def test_rename_with_a_new_id_moves_every_annotators_tags(session):
    session.store.add_tags("bob", "lh-003", ["hope"], comment="bob's reason")
    change = codebook.rename_theme(session.store, "hope", "Expectation", new_id="expectation")
    assert change.tags_moved == 2
    assert theme_ids(session)[0] == "expectation"  # keeps its place in the codebook
    assert "hope" not in theme_ids(session)
    alice = read(session.ws.annotation_file("alice"))
    bob = read(session.ws.annotation_file("bob"))
    assert {t["theme"] for t in alice["tags"] if t["passage"] == "lh-002"} == {"expectation"}
    assert bob["tags"][0] == {"passage": "lh-003", "theme": "expectation", "at": bob["tags"][0]["at"], "comment": "bob's reason"}


def test_rename_id_moves_sub_themes_too(session):
    codebook.add_theme(session.store, "Small hopes", parent="hope")
    codebook.rename_theme(session.store, "hope", new_id="expectation")
    assert {t.id: t.parent for t in session.themes()}["small-hopes"] == "expectation"


def test_colour_and_description(session):
    codebook.set_color(session.store, "hope", "#ABC")
    codebook.set_description(session.store, "hope", "  New note.  ")
    entry = read(session.ws.themes_file)[0]
    assert entry["color"] == "#aabbcc"
    assert entry["description"] == "New note."
    with pytest.raises(AnnotatorError, match="#rrggbb"):
        codebook.set_color(session.store, "hope", "blue")
    codebook.set_color(session.store, "hope", None)
    assert "color" not in read(session.ws.themes_file)[0]


def test_merge_moves_tags_and_collapses_duplicates_keeping_comments(session):
    store = session.store
    store.add_tags("alice", "lh-006", ["loss"], comment="also a loss")  # alice has memory on lh-006 too
    change = codebook.merge_themes(store, "loss", "memory")
    assert change.tags_moved == 2  # lh-007 loss and lh-006 loss
    assert change.duplicates_merged == 1
    assert "loss" not in theme_ids(session)
    tags = read(session.ws.annotation_file("alice"))["tags"]
    memory = {t["passage"]: t for t in tags if t["theme"] == "memory"}
    assert set(memory) == {"lh-006", "lh-007"}
    assert memory["lh-006"]["comment"] == "The drawing joins the mother's buttons as a keepsake. / also a loss"
    assert not [t for t in tags if t["theme"] == "loss"]


def test_merge_refuses_itself_and_into_its_own_child(session):
    codebook.add_theme(session.store, "Small hopes", parent="hope")
    with pytest.raises(AnnotatorError):
        codebook.merge_themes(session.store, "hope", "hope")
    with pytest.raises(AnnotatorError, match="sub-theme"):
        codebook.merge_themes(session.store, "hope", "small-hopes")


def test_delete_is_refused_while_tagged_and_says_how_many(session):
    session.store.add_tags("bob", "lh-001", ["hope"])
    with pytest.raises(AnnotatorError, match=r"2 tag\(s\) on 2 passage"):
        codebook.delete_theme(session.store, "hope")
    assert "hope" in theme_ids(session)
    change = codebook.delete_theme(session.store, "hope", force=True)
    assert change.tags_removed == 2
    assert "hope" not in theme_ids(session)
    assert all(t.theme != "hope" for t in session.store.all_tags())


def test_delete_untagged_theme_lifts_its_children(session):
    codebook.add_theme(session.store, "Weather")
    codebook.add_theme(session.store, "Storms", parent="weather")
    codebook.delete_theme(session.store, "weather")
    assert {t.id: t.parent for t in session.themes()}["storms"] is None


def test_parent_refuses_cycles(session):
    codebook.set_parent(session.store, "memory", "hope")
    with pytest.raises(AnnotatorError, match="under itself"):
        codebook.set_parent(session.store, "hope", "memory")
    with pytest.raises(AnnotatorError, match="under itself"):
        codebook.set_parent(session.store, "hope", "hope")
    assert codebook.descendants(session.themes(), "hope") == ["hope", "memory"]


def test_a_filter_on_a_parent_theme_includes_its_children(session):
    codebook.set_parent(session.store, "memory", "hope")
    session.sync()
    found = {h.id for h in session.search("", themes=["hope"], kind="passage", limit=50).hits}
    assert found == {"lh-002", "lh-006"}  # lh-002 is tagged hope, lh-006 memory
    only_child = {h.id for h in session.search("", themes=["memory"], kind="passage", limit=50).hits}
    assert only_child == {"lh-006"}


def test_edits_reach_the_index(session):
    codebook.rename_theme(session.store, "hope", new_id="expectation")
    session.sync()
    assert session.get("lh-002").themes == ["expectation"]


def test_cli_theme_commands(cli, workspace_dir):
    ws = ["--workspace", workspace_dir]
    assert cli("theme", "add", "Isolation", "--color", "#112233", "--parent", "Loss", *ws)[0] == 0
    code, out, _ = cli("theme", "rename", "memory", "Remembering", "--id", "remembering", *ws)
    assert code == 0 and "1 tag(s) follow" in out
    code, out, err = cli("theme", "delete", "Loss", *ws)
    assert code == 2 and "--force" in err and "1 tag" in err and "Traceback" not in err
    code, out, _ = cli("theme", "delete", "loss", "--force", *ws)
    assert code == 0 and "1 tag(s)" in out
    code, out, _ = cli("theme", "merge", "friendship", "hope", *ws)
    assert code == 0 and "merged 'friendship' into 'hope'" in out
    assert cli("theme", "describe", "hope", "Waiting", "for", "boats.", *ws)[0] == 0
    assert cli("theme", "parent", "isolation", "none", *ws)[0] == 0
    code, out, _ = cli("themes", "--json", *ws)
    import json

    rows = {r["id"]: r for r in json.loads(out)}
    assert set(rows) == {"hope", "remembering", "isolation"}
    assert rows["hope"]["description"] == "Waiting for boats."
    assert rows["hope"]["count"] == 2
    code, _, err = cli("theme", "color", "hope", "purple", *ws)
    assert code == 2 and "#rrggbb" in err


CONTROL_NAMES = ["\x1b[31mHope", "Ho\tpe", "Two\nlines", "\u202eepoH", "Bell\x07", "Left\u200eright"]


@pytest.mark.parametrize("name", CONTROL_NAMES)
def test_a_theme_name_with_control_characters_is_refused_on_one_line(cli, workspace_dir, name):
    ws = ["--workspace", workspace_dir]
    before = (workspace_dir / "corpus" / "themes.yaml").read_text(encoding="utf-8")
    for command in (["theme", "add", name], ["theme", "rename", "hope", name], ["theme", "rename", "hope", name, "--id", "wish"]):
        code, out, err = cli(*command, *ws)
        assert code == 2 and out == "", (command, out)
        assert err.count("\n") == 1 and "may hold no control or bidirectional characters" in err, err
        assert "\x1b" not in err and "\u202e" not in err and "\t" not in err  # the name is shown escaped
    assert (workspace_dir / "corpus" / "themes.yaml").read_text(encoding="utf-8") == before


def test_a_hand_edited_name_with_control_characters_still_loads_and_can_be_renamed(cli, workspace_dir):
    """A codebook edited by hand keeps working: shown escaped, its id changed, renamed to a clean name."""
    path = workspace_dir / "corpus" / "themes.yaml"
    themes = read(path)
    themes[0]["name"] = "\x1b[31mHo\u202epe"
    path.write_text(yaml.safe_dump(themes, allow_unicode=True), encoding="utf-8")
    ws = ["--workspace", workspace_dir]
    code, out, err = cli("themes", *ws)
    assert code == 0 and "\\x1b[31mHo\\u202epe" in out and "\x1b" not in out, err
    code, out, err = cli("theme", "rename", "hope", "--id", "wish", *ws)  # the name stays as it is
    assert code == 0, err
    code, out, err = cli("theme", "rename", "wish", "Hope", *ws)
    assert code == 0, err
    assert (read(path)[0]["id"], read(path)[0]["name"]) == ("wish", "Hope")


def test_theme_typed_in_the_query_includes_sub_themes_too(session):
    codebook.set_parent(session.store, "memory", "hope")
    session.sync()
    assert {h.id for h in session.search("theme:hope", kind="passage", limit=50).hits} == {"lh-002", "lh-006"}
    assert {h.id for h in session.search("theme:memory", kind="passage", limit=50).hits} == {"lh-006"}
    assert codebook.expand_typed_themes('"theme:hope" theme:nosuch', session.themes()) == '"theme:hope" theme:nosuch'


def test_a_typed_theme_filter_that_names_no_theme_is_said_not_silent(cli, workspace_dir):
    import json

    ws = ["--workspace", workspace_dir]
    code, out, _ = cli("search", "theme:hpoe", "theme:HOPE", "theme:x", "theme:hpoe", *ws)
    assert code == 0 and "no theme 'hpoe', 'x'" in out
    code, out, _ = cli("search", "theme:hope", "--json", *ws)
    assert "notice" not in json.loads(out) and json.loads(out)["total"] == 2
    code, out, _ = cli("search", "memory theme:nosuch", "--json", *ws)
    assert json.loads(out)["notice"] == "no theme 'nosuch'"


def test_themes_lists_the_parent(cli, workspace_dir):
    import json

    ws = ["--workspace", workspace_dir]
    assert cli("theme", "parent", "memory", "hope", *ws)[0] == 0
    code, out, _ = cli("themes", "--json", *ws)
    rows = {r["id"]: r for r in json.loads(out)}
    assert rows["memory"]["parent"] == "hope" and "parent" not in rows["hope"]
    code, out, _ = cli("themes", *ws)
    assert "(under hope)" in out
