"""An undo (or redo) that must be refused is refused once: the next one goes on to the change before it.

A re-import removed the passage an untag was made on: putting the tag back would name no passage,
so that undo is refused. It stayed at the top of the history, and every later undo repeated the
same refusal, never reaching the changes before it.
"""

from __future__ import annotations

import pytest
import yaml

from annotator.errors import PassageRemoved


def tags_of(workspace_dir, who: str) -> set[tuple[str, str]]:
    path = workspace_dir / "corpus" / "annotations" / f"{who}.yaml"
    tags = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tags") or [] if path.exists() else []
    return {(t["passage"], t["theme"]) for t in tags}


def reimport_without(cli, workspace_dir, tmp_path, passage_id: str) -> None:
    data = yaml.safe_load((workspace_dir / "corpus" / "passages" / "lighthouse.yaml").read_text(encoding="utf-8"))
    kept = [{k: p[k] for k in ("id", "text", "location")} for p in data["passages"] if p["id"] != passage_id]
    edited = tmp_path / "lighthouse-edited.yaml"
    edited.write_text(yaml.safe_dump({"passages": kept}), encoding="utf-8")
    code, _out, err = cli("--workspace", workspace_dir, "import", edited, "--source", "lighthouse", "--replace")
    assert code == 0, err


def test_a_refused_undo_is_said_once_and_the_next_undo_goes_on(session, workspace_dir, tmp_path, cli):
    session.tag("lh-003", ["hope"], annotator="tester")
    session.untag("lh-002", ["hope"], annotator="alice")  # alice's tag, taken off
    reimport_without(cli, workspace_dir, tmp_path, "lh-002")
    with pytest.raises(PassageRemoved, match="undo again for the change before it"):
        session.undo()  # alice's tag would go back on a passage that is gone
    assert session.undo().tag.passage == "lh-003"  # the next undo reaches the change before it
    assert tags_of(workspace_dir, "tester") == set()
    assert session.undo() is None


def test_a_refused_redo_is_dropped_too(session, workspace_dir, tmp_path, cli):
    session.tag("lh-003", ["hope"], annotator="tester")
    session.tag("lh-004", ["hope"], annotator="tester")
    session.undo()
    session.undo()  # both can be redone, lh-003 first
    session.sync()  # as the TUI has it, listing lh-003
    reimport_without(cli, workspace_dir, tmp_path, "lh-003")
    with pytest.raises(PassageRemoved, match="redo again for the change after it"):
        session.redo()
    assert session.redo().tag.passage == "lh-004"
    assert tags_of(workspace_dir, "tester") == {("lh-004", "hope")}
