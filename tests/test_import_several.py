"""Several files in one import: all or nothing, and each file read, parsed and written once
(annotator.exchange.import_run.import_all_or_nothing)."""

from __future__ import annotations

import pytest

from annotator.exchange import importers
from annotator.exchange.import_run import ImportRequest
from annotator.session import Session


@pytest.fixture
def three_files(tmp_path):
    paths = []
    for name, words in (("pip", "Pip meets the convict on the marshes"), ("joe", "Joe works at the forge all winter"),
                        ("estella", "Estella plays cards in the darkened room")):
        path = tmp_path / f"{name}.md"
        path.write_text(f"# Chapter 1\n\n{words}.\n\n# Chapter 2\n\n{words}, again and again.\n", encoding="utf-8")
        paths.append(path)
    return paths


@pytest.fixture
def counted_imports(monkeypatch):
    calls = []
    real = importers.import_source

    def counting(store, path, **options):
        calls.append(path.name)
        return real(store, path, **options)

    monkeypatch.setattr(importers, "import_source", counting)
    return calls


def test_each_file_is_imported_once_and_all_go_in(session, three_files, counted_imports):
    reports = session.import_files(ImportRequest(list(three_files)))
    assert sorted(counted_imports) == ["estella.md", "joe.md", "pip.md"]  # not once on a copy, then again
    assert [r.source_id for r in reports] == ["pip", "joe", "estella"] and all(r.added == 2 for r in reports)
    assert [p.text for p in session.store.load_source("joe").passages] == [
        "Joe works at the forge all winter.", "Joe works at the forge all winter, again and again."]
    assert {hit.id.split("-")[0] for hit in session.search("forge marshes cards OR forge OR marshes OR cards").hits} >= {"pip", "joe", "estella"}
    again = Session.open(session.ws.root)  # another process reads what was written
    try:
        assert again.store.load_source("estella").passages[0].text == "Estella plays cards in the darkened room."
        assert len(again.store.all_tags()) == len(session.store.all_tags())
    finally:
        again.close()


def test_a_bad_file_among_them_writes_none(session, three_files, tmp_path):
    broken = tmp_path / "broken.epub"
    broken.write_bytes(b"PK\x03\x04 not really a book")
    before = sorted(p.name for p in session.ws.passages_dir.iterdir())
    with pytest.raises(Exception):
        session.import_files(ImportRequest([three_files[0], broken, three_files[1]]))
    assert sorted(p.name for p in session.ws.passages_dir.iterdir()) == before


def test_work_saved_by_another_process_during_the_import_is_kept(session, workspace_dir, three_files, counted_imports):
    tagged = []

    def progress(what, done, total):
        if not tagged:  # while the files are read: another annotator tags a passage
            other = Session.open(workspace_dir)
            other.tag("lh-006", ["friendship"], annotator="bob")
            other.close()
            tagged.append(True)

    session.import_files(ImportRequest(list(three_files)), progress=progress)
    assert any(t.passage == "lh-006" and t.annotator == "bob" for t in Session.open(workspace_dir).store.all_tags())
    assert all(session.store.load_source(name) is not None for name in ("pip", "joe", "estella"))
    assert "lh-006" in {hit.id for hit in session.search("theme:friendship kind:passage").hits}
    assert len(counted_imports) == 6  # tried on the copy, then imported again into the workspace as it now is
