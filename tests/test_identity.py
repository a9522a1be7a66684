"""Who a tag is by: --as, then the workspace setting, then $ANNOTATOR_NAME, then the login name."""

from __future__ import annotations

import yaml

from annotator.corpus import identity
from annotator.corpus.workspace import Workspace


def test_order_of_precedence(workspace_dir, monkeypatch):
    ws = Workspace(workspace_dir)
    monkeypatch.setattr(identity, "login_name", lambda: "loginuser")
    monkeypatch.delenv("ANNOTATOR_NAME")
    assert identity.annotator_name(ws) == "loginuser"
    monkeypatch.setenv("ANNOTATOR_NAME", "envname")
    assert identity.annotator_name(ws) == "envname"
    identity.write_setting(ws, "name", "configured")
    assert identity.annotator_name(ws) == "configured"
    assert identity.annotator_name(ws, explicit="Explicit Name") == "Explicit-Name"
    identity.write_setting(ws, "name", None)
    assert identity.annotator_name(ws) == "envname"


def test_the_setting_is_personal_and_never_committed(workspace_dir):
    ws = Workspace(workspace_dir)
    identity.write_setting(ws, "name", "ana")
    folder = workspace_dir / ".annotator"
    assert (folder / ".gitignore").read_text().strip().endswith("*")
    assert yaml.safe_load((folder / "settings.yaml").read_text()) == {"name": "ana"}
    assert not (workspace_dir / "corpus" / "settings.yaml").exists()


def test_tags_and_comments_use_the_configured_name(cli, workspace_dir):
    ws = ["--workspace", workspace_dir]
    code, out, _ = cli("config", "name", "Ana Lima", *ws)
    assert code == 0 and "'Ana-Lima'" in out
    code, out, _ = cli("config", *ws)
    assert "name: Ana-Lima" in out and "workspace setting" in out
    assert cli("tag", "lh-001", "hope", *ws)[0] == 0
    assert cli("tag", "lh-001", "memory", "--as", "bob", *ws)[0] == 0
    assert (workspace_dir / "corpus" / "annotations" / "Ana-Lima.yaml").exists()
    assert (workspace_dir / "corpus" / "annotations" / "bob.yaml").exists()
    code, out, _ = cli("config", "name", "--unset", *ws)
    assert code == 0 and "'tester'" in out  # back to $ANNOTATOR_NAME


def test_comment_on_a_passage_and_on_a_tag_shows_in_show(cli, workspace_dir):
    import json

    ws = ["--workspace", workspace_dir]
    code, out, err = cli("comment", "lh-002", "The", "boat", "matters", "here.", *ws)
    assert code == 0, err
    code, out, err = cli("comment", "lh-002", "Hope as waiting.", "--theme", "hope", "--as", "alice", *ws)
    assert code == 0, err
    code, out, _ = cli("show", "lh-002", *ws)
    assert "comment by tester" in out and "The boat matters here." in out
    assert "hope by alice" in out and "Hope as waiting." in out
    code, out, _ = cli("show", "lh-002", "--json", *ws)
    data = json.loads(out)
    assert data["memos"][0]["annotator"] == "tester"
    assert data["memos"][0]["text"] == "The boat matters here."
    assert data["annotations"][0]["comment"] == "Hope as waiting."


def test_comment_errors_are_one_line(cli, workspace_dir):
    ws = ["--workspace", workspace_dir]
    code, _, err = cli("comment", "lh-999", "text", *ws)
    assert code == 3 and err.count("\n") == 1
    code, _, err = cli("comment", "lh-001", "text", "--theme", "hope", *ws)
    assert code == 3 and "has not tagged lh-001" in err
    code, _, err = cli("comment", "lh-001", "   ", *ws)
    assert code == 2 and "empty" in err


def test_as_name_is_made_file_safe_the_same_way_everywhere(cli, workspace_dir):
    ws = ["--workspace", workspace_dir]
    assert cli("config", "name", "Ana Lima", *ws)[0] == 0
    assert cli("tag", "lh-001", "hope", "--as", "Ana Lima", *ws)[0] == 0
    assert cli("untag", "lh-001", "hope", "--as", "Ana Lima", *ws)[0] == 0
    import yaml

    assert yaml.safe_load((workspace_dir / "corpus" / "annotations" / "Ana-Lima.yaml").read_text())["tags"] == []
