"""Keeping the index in step with the corpus cheaply: tag changes, edited passages, other processes."""

from __future__ import annotations

from annotator.engine.index import Manifest
from annotator.corpus.model import Passage
from annotator.session import Session


def ids(result) -> list[str]:
    return [h.id for h in result.hits]


def test_a_toggle_is_seen_at_once_and_committed_by_the_next_sync(session, workspace_dir):
    session.toggle("lh-001", "loss")
    assert "lh-001" in ids(session.search("theme:loss kind:passage"))
    assert session.index.pending_tags == {"lh-001": ["loss"]}
    # another process opening the workspace sees the tag: its sync catches up from the YAML
    other = Session.open(workspace_dir)
    other.sync()
    assert "lh-001" in ids(other.search("theme:loss kind:passage"))
    other.close()
    session.sync()
    assert session.index.pending_tags == {}
    assert "lh-001" in ids(session.search("theme:loss kind:passage"))


def test_undo_and_redo_of_a_tag_show_in_search(session):
    change = session.toggle("lh-005", "hope")
    assert "lh-005" in ids(session.search("theme:hope"))
    session.revert(change)
    assert "lh-005" not in ids(session.search("theme:hope"))
    session.replay(change)
    assert "lh-005" in ids(session.search("theme:hope"))


def test_closing_the_session_commits_pending_tags(workspace_dir):
    first = Session.open(workspace_dir)
    first.sync()
    first.toggle("lh-004", "memory")
    first.close()
    manifest = Manifest.read(workspace_dir / "index")
    assert manifest.tags.get("lh-004") == ["memory"]
    second = Session.open(workspace_dir)
    assert not second.sync().changed
    assert "lh-004" in ids(second.search("theme:memory kind:passage"))
    second.close()


def test_a_source_changed_elsewhere_makes_the_tag_sync_a_full_one(session, workspace_dir):
    path = workspace_dir / "corpus" / "passages" / "lighthouse.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Gull Rock", "Puffin Rock"), encoding="utf-8")
    session.toggle("lh-002", "memory")
    assert session.index.pending_tags == {}
    assert ids(session.search("puffin")) == ["lh-001"]
    assert "lh-002" in ids(session.search("theme:memory kind:passage"))


def test_update_passages_reindexes_one_passage_in_place(session):
    before = session.search("").hits
    session.index.update_passages([Passage("lh-003", "A postcard from Zanzibar arrived.", "ch. 1", "lighthouse")])
    assert ids(session.search("zanzibar")) == ["lh-003"]
    assert ids(session.search("Hailsham")) == []
    after = session.search("").hits
    assert [h.id for h in after] == [h.id for h in before]  # corpus order kept
    assert session.get("lh-003").text == "A postcard from Zanzibar arrived."


def test_a_commit_by_another_process_is_seen_by_an_open_searcher(session, workspace_dir):
    assert "lh-006" not in ids(session.search("theme:friendship kind:passage"))
    other = Session.open(workspace_dir)
    other.sync()
    other.tag("lh-006", ["friendship"], annotator="bob")
    other.close()
    session.sync()
    hits = session.search("", limit=None).hits
    assert len(hits) == len({h.id for h in hits})  # no stale copy of the retagged passage
    assert "lh-006" in ids(session.search("theme:friendship kind:passage"))


def _edit_source(session, edit) -> None:
    source_file = session.store.load_source("lighthouse")
    edit(source_file.passages)
    session.store.save_source(source_file)


def _newest_segment_size(session) -> int:
    return session.index.searcher().reader().leaf_readers()[-1][0].doc_count_all()


def test_editing_one_passage_in_a_source_file_reindexes_only_that_passage(session):
    before = ids(session.search(""))

    def edit(passages):
        passages[2] = Passage(passages[2].id, "A postcard from Zanzibar arrived.", passages[2].location, passages[2].source)

    _edit_source(session, edit)
    report = session.sync()
    assert report.sources_updated == ["lighthouse"]
    assert ids(session.search("zanzibar")) == ["lh-003"]
    assert ids(session.search("Hailsham")) == []
    assert ids(session.search("")) == before
    assert _newest_segment_size(session) == 1  # one document written, not the whole source


def test_passages_removed_added_and_reordered_in_a_file_are_reindexed(session):
    def edit(passages):
        removed = passages.pop(4)  # lh-005, the only one with "sketching"
        passages.insert(0, passages.pop(-1))  # lh-012 moves to the front
        passages.append(Passage("lh-013", "A brand new passage about a kestrel.", "ch. 9", removed.source))

    _edit_source(session, edit)
    session.sync()
    assert ids(session.search("sketching")) == []
    assert ids(session.search("kestrel")) == ["lh-013"]
    listing = [pid for pid in ids(session.search("", limit=None)) if not pid.startswith("note:")]
    assert listing[0] == "lh-012" and listing[-1] == "lh-013" and "lh-005" not in listing
    assert len(listing) == 12


def test_many_small_updates_are_merged_into_one_segment(session, monkeypatch):
    from annotator.engine import index

    monkeypatch.setattr(index, "MAX_SMALL_SEGMENTS", 3)
    for n in range(6):
        session.index.update_passages([Passage("lh-003", f"Revision {n} of the postcard.", "ch. 1", "lighthouse")])
    leaves = session.index.searcher().reader().leaf_readers()
    assert len(leaves) <= 4
    assert ids(session.search("revision")) == ["lh-003"]
    assert session.get("lh-003").text == "Revision 5 of the postcard."


def test_small_segments_left_by_tag_syncs_are_folded_too(session, monkeypatch):
    from annotator.engine import index

    monkeypatch.setattr(index, "MAX_SMALL_SEGMENTS", 2)
    for pid in ["lh-001", "lh-002", "lh-004", "lh-006", "lh-007", "lh-009"]:
        session.tag(pid, ["loss"], annotator="bob")
        session.sync()  # commits the retag: a segment of its own
    assert len(session.index.searcher().reader().leaf_readers()) <= 3
    tagged = ids(session.search("theme:loss kind:passage", limit=None))
    assert {"lh-001", "lh-002", "lh-004", "lh-006", "lh-007", "lh-009"} <= set(tagged)
    hits = session.search("", limit=None).hits
    assert len(hits) == len({h.id for h in hits})  # no passage twice
