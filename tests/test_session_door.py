"""The Session as the one door: codebook edits, comments and undo behave the same from either shell."""

from __future__ import annotations

import json


def test_a_codebook_edit_through_the_session_reaches_the_index(session):
    """A new theme's note is searchable at once, without the caller syncing (the TUI did, the CLI relied on the next command)."""
    session.add_theme("Courage", description="Bravery when the storm comes in.")
    found = session.search("bravery", kind="note")
    assert [hit.id for hit in found.hits] == ["note:courage"]


def test_a_renamed_theme_id_carries_its_tags_into_the_index(session):
    session.rename_theme("hope", new_id="hopefulness")
    assert [hit.id for hit in session.search("theme:hopefulness", kind="passage").hits] == ["lh-002"]
    assert session.search("theme:hope", kind="passage").total == 0


def test_a_deleted_theme_leaves_no_tag_in_the_index(session):
    session.delete_theme("loss", force=True)
    assert all("loss" not in hit.themes for hit in session.search("", kind="passage", limit=50).hits)


def test_comments_through_the_session_are_undone_and_redone_like_tags(session):
    session.tag("lh-001", ["hope"], annotator="alice")
    session.set_tag_comment("lh-001", "hope", "First light.", annotator="alice")
    session.add_passage_comment("lh-001", "Read again later.", annotator="alice")

    assert [m.text for m in session.memos_on("lh-001")] == ["Read again later."]
    session.undo()
    assert session.memos_on("lh-001") == []
    session.undo()
    assert [t.comment for t in session.tags_on("lh-001")] == [None]
    session.undo()
    assert session.tags_on("lh-001") == []
    assert session.undo() is None  # nothing more was done through this session

    session.redo()
    session.redo()
    assert [(t.theme, t.comment) for t in session.tags_on("lh-001")] == [("hope", "First light.")]
    assert [hit.themes for hit in session.search("theme:hope", kind="passage").hits if hit.id == "lh-001"] == [["hope"]]


def test_a_comment_on_a_missing_passage_is_refused_before_anything_is_written(cli, workspace_dir):
    before = (workspace_dir / "corpus" / "annotations" / "alice.yaml").read_bytes()
    code, _, err = cli("comment", "lh-999", "nothing", "--as", "alice", "--workspace", workspace_dir)
    assert code != 0 and "no passage 'lh-999'" in err
    assert (workspace_dir / "corpus" / "annotations" / "alice.yaml").read_bytes() == before


def test_the_cli_codebook_edit_is_searchable_by_the_next_command(cli, workspace_dir):
    ws = ["--workspace", workspace_dir]
    assert cli("theme", "rename", "memory", "--id", "remembering", *ws)[0] == 0
    code, out, _ = cli("search", "theme:remembering kind:passage", "--json", *ws)
    assert [hit["id"] for hit in json.loads(out)["results"]] == ["lh-006"]


def test_the_tui_counts_reports_and_agreement_without_the_search_lock(session):
    """They read the YAML only (seconds on a large corpus): taking the index lock would stall searches."""
    import threading

    from annotator.tui.locked_session import LockedSession

    session.tag("lh-001", ["hope"], annotator="bob")
    locked = LockedSession(session)
    done = []
    with locked.lock:  # held, as a running search holds it
        worker = threading.Thread(target=lambda: done.append((locked.report(), locked.pair_agreement("alice", "bob"))))
        worker.start()
        worker.join(timeout=60)  # a guard against hanging, not a measurement
        finished_under_the_lock = bool(done)
    worker.join()
    assert finished_under_the_lock
    assert done[0][1].annotator_b == "bob"
