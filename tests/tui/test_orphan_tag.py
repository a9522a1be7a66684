"""A tag on a passage the CLI's re-import has just removed is refused, and the list refreshed.

The TUI lists lh-001; before its poll notices, `annotator import --replace` in another process
drops lh-001; pressing 1 must not write a tag that names no passage.
"""

from __future__ import annotations

import os
import subprocess
import sys

import yaml
from pilot_helpers import SIZE, result_ids, settle, wait_until

from annotator.tui import app as app_module


def my_tags(workspace_dir) -> list[dict]:
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("tags") or [] if path.exists() else []


def reimport_without_lh001(workspace_dir, tmp_path) -> None:
    data = yaml.safe_load((workspace_dir / "corpus" / "passages" / "lighthouse.yaml").read_text(encoding="utf-8"))
    kept = [{k: p[k] for k in ("id", "text", "location")} for p in data["passages"] if p["id"] != "lh-001"]
    edited = tmp_path / "lighthouse-edited.yaml"
    edited.write_text(yaml.safe_dump({"passages": kept}), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "annotator", "--workspace", str(workspace_dir), "import", str(edited),
         "--source", "lighthouse", "--replace"],
        capture_output=True, text=True, env={**os.environ, "NO_COLOR": "1"}, timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert "1 removed" in done.stdout + done.stderr


async def test_tagging_a_passage_a_cli_reimport_removed_is_refused(app, workspace_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(app_module, "POLL_SECONDS", 3600.0)  # the TUI has not noticed the import yet
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        assert app.selected_passage_id() == "lh-001"
        reimport_without_lh001(workspace_dir, tmp_path)
        await pilot.press("1")
        await wait_until(app, pilot, lambda: "lh-001" not in result_ids(app), "the list to drop lh-001")
        await settle(app, pilot)
        assert my_tags(workspace_dir) == []
        shown = [str(n.message) for n in app._notifications]
        refusal = [m for m in shown if "no longer in the corpus" in m]
        assert refusal and "\n" not in refusal[0], shown
        assert refusal[0].startswith("not tagged: passage 'lh-001'")


def test_the_cli_and_the_session_refuse_it_too(session, workspace_dir, tmp_path):
    """The Session found lh-001 in its index; the re-import lands between that and the tag's lock."""
    import pytest

    from annotator.errors import PassageRemoved

    session.sync()
    assert session.passage("lh-001").id == "lh-001"
    reimport_without_lh001(workspace_dir, tmp_path)
    for write in (lambda: session.tag("lh-001", ["hope"], index_later=True),
                  lambda: session.add_passage_comment("lh-001", "a note", index_later=True)):
        with pytest.raises(PassageRemoved):
            write()
    assert my_tags(workspace_dir) == []
    session.tag("lh-002", ["hope"], index_later=True)  # a passage still there: tagged as ever
    assert [t["passage"] for t in my_tags(workspace_dir)] == ["lh-002"]


def test_undo_and_redo_bring_no_comment_back_on_a_removed_passage(session, workspace_dir, tmp_path):
    """A comment deleted (or added and undone), then a re-import removing its passage: undoing the
    delete, or redoing the add, would leave a memo naming no passage."""
    import pytest

    from annotator.errors import PassageRemoved
    from annotator.session import Session

    def my_memos() -> list:
        path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
        return (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("memos") or []

    session.sync()
    session.add_passage_comment("lh-001", "a note", index_later=True)
    session.undo(index_later=True)  # this session can redo the note
    other = Session.open(workspace_dir)
    other.sync()
    other.add_passage_comment("lh-001", "kept note", index_later=True)
    other.delete_passage_comment("lh-001", index_later=True)  # the other can undo the delete
    try:
        reimport_without_lh001(workspace_dir, tmp_path)
        with pytest.raises(PassageRemoved):
            session.redo(index_later=True)
        with pytest.raises(PassageRemoved):
            other.undo(index_later=True)
    finally:
        other.close()
    assert my_memos() == []
