"""Several files in one import while others work in the workspace: still all or nothing, nothing
of theirs lost, and an import cut short leaves no tag or memo on a passage not there
(annotator.exchange.import_run.import_all_or_nothing)."""

from __future__ import annotations

from pathlib import Path

import pytest

from annotator.errors import ImportFailure
from annotator.exchange.import_run import ImportRequest
from annotator.session import Session

CLIPPINGS = Path(__file__).parent / "fixtures" / "My Clippings.txt"


@pytest.fixture
def three_files(tmp_path):
    paths = []
    for name, words in (("pip", "Pip meets the convict on the marshes"), ("joe", "Joe works at the forge all winter"),
                        ("estella", "Estella plays cards in the darkened room")):
        path = tmp_path / f"{name}.md"
        path.write_text(f"# Chapter 1\n\n{words}.\n", encoding="utf-8")
        paths.append(path)
    return paths


def passage_files(session) -> list[str]:
    return sorted(p.name for p in session.ws.passages_dir.iterdir())


def test_a_file_that_fails_when_tried_again_writes_none(session, workspace_dir, three_files):
    """Another annotator's tag makes the import run again; by then the third file no longer reads."""
    before = passage_files(session)
    changed = []

    def progress(what, done, total):
        if what == "read" and not changed:  # every file has gone in on the copy
            other = Session.open(workspace_dir)
            other.tag("lh-006", ["friendship"], annotator="bob")
            other.close()
            three_files[2].write_text("", encoding="utf-8")  # a sync tool empties it meanwhile
            changed.append(True)

    with pytest.raises(ImportFailure, match="estella"):
        session.import_files(ImportRequest(list(three_files)), progress=progress)
    assert passage_files(session) == before  # not pip and joe without estella
    assert any(t.passage == "lh-006" and t.annotator == "bob" for t in Session.open(workspace_dir).store.all_tags())


def test_a_corpus_edited_by_hand_throughout_gets_nothing_written_and_keeps_the_edits(session, workspace_dir, three_files):
    before = passage_files(session)
    themes = session.ws.themes_file
    edits = []

    def progress(what, done, total):
        if what.startswith("reading pip"):  # each try: the user saves the codebook in an editor
            edits.append(f"# edit {len(edits)}\n")
            themes.write_text(themes.read_text(encoding="utf-8") + edits[-1], encoding="utf-8")

    with pytest.raises(ImportFailure, match="nothing was imported"):
        session.import_files(ImportRequest(list(three_files)), progress=progress)
    assert passage_files(session) == before
    assert themes.read_text(encoding="utf-8").endswith("".join(edits)) and len(edits) == 3


def test_an_import_cut_short_while_its_files_go_in_leaves_no_memo_without_its_passage(session, tmp_path, monkeypatch):
    """A kill between two of the renames that put the copy's files into the workspace."""
    import os

    note = tmp_path / "sea.md"
    note.write_text("# One\n\nA note about the sea.\n", encoding="utf-8")
    real, written = os.replace, []

    def killed_after_one(source, target, *args, **kwargs):
        if Path(target).is_relative_to(session.ws.corpus):
            if written:
                raise KeyboardInterrupt  # the process dies here
            written.append(target)
        return real(source, target, *args, **kwargs)

    monkeypatch.setattr(os, "replace", killed_after_one)
    with pytest.raises(KeyboardInterrupt):
        session.import_files(ImportRequest([CLIPPINGS, note]))
    monkeypatch.undo()
    after = Session.open(session.ws.root)
    try:
        passages = {p.id for source_file in after.store.sources() for p in source_file.passages}
        named = {record.passage for af in after.store.all_annotations() for record in (*af.tags, *af.memos)}
        assert named <= passages, named - passages
    finally:
        after.close()



def test_the_index_after_the_import_is_what_a_reindex_builds(session, tmp_path):
    note = tmp_path / "sea.md"
    note.write_text("# One\n\nA note about the sea.\n\n# Two\n\nThe lighthouse keeper's log.\n", encoding="utf-8")
    session.import_files(ImportRequest([CLIPPINGS, note]), progress=lambda *_: None)

    def stored(s):
        docs = s.index.read(lambda: [fields for _, fields in s.index.searcher().reader().iter_docs()])
        # Corpus order's keys are positions with room between sources (engine.schema): an update and a
        # rebuild may number them apart, so each document's place among the others is compared.
        rank = {order: place for place, order in enumerate(sorted(fields["order"] for fields in docs))}
        return sorted(sorted((k, repr(rank[v] if k == "order" else v)) for k, v in fields.items()) for fields in docs)

    imported = stored(session)
    session.sync(force=True)
    assert imported == stored(session)


def test_a_tag_saved_meanwhile_in_a_linked_annotations_folder_is_kept(session, workspace_dir, tmp_path):
    """corpus/annotations a symbolic link to a folder elsewhere (a synced folder, say): the check that
    nothing changed since the copy must look in it too, or the import's copy of the file replaces it."""
    import shutil

    shared = tmp_path / "synced-annotations"
    shutil.move(workspace_dir / "corpus" / "annotations", shared)
    (workspace_dir / "corpus" / "annotations").symlink_to(shared, target_is_directory=True)
    note = tmp_path / "sea.md"
    note.write_text("# One\n\nA note about the sea.\n", encoding="utf-8")
    tagged = []

    def progress(what, done, total):
        if what == "read" and not tagged:  # the same annotator tags in the TUI while the files go in
            other = Session.open(workspace_dir)
            other.tag("lh-006", ["friendship"], annotator="alice")
            other.close()
            tagged.append(True)

    session.import_files(ImportRequest([CLIPPINGS, note], annotator="alice"), progress=progress)
    after = Session.open(workspace_dir)
    try:
        assert any(t.passage == "lh-006" and t.theme == "friendship" for t in after.store.annotations("alice").tags)
        assert after.store.annotations("alice").memos  # and the clippings' notes went in
    finally:
        after.close()


def test_an_editors_swap_file_changing_meanwhile_is_not_a_change_to_the_corpus(session, three_files, monkeypatch):
    """The codebook open in vim while the files go in: its swap file beside it changes as the user types."""
    from annotator.exchange import importers

    swap, calls = session.ws.corpus / ".themes.yaml.swp", []
    real = importers.import_source

    def typing_meanwhile(store, path, **options):
        calls.append(path.name)
        swap.write_bytes(b"b0VIM 9.0" + bytes(len(calls)))
        (session.ws.corpus / "themes.yaml~").write_bytes(bytes(len(calls)))  # and its backup
        return real(store, path, **options)

    monkeypatch.setattr(importers, "import_source", typing_meanwhile)
    session.import_files(ImportRequest(list(three_files)))
    assert sorted(calls) == ["estella.md", "joe.md", "pip.md"]  # imported once: nothing of the corpus changed
    assert all(session.store.load_source(name) is not None for name in ("pip", "joe", "estella"))
