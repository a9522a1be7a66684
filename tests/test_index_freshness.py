"""The index notices an edited corpus file even when its size and mtime were put back (#15.8).

`touch -d`, a `git checkout` or a sync tool can give an edited file its old mtime;
an edit that keeps the size then looked unchanged, and search, show, --quote and the
exports served the old text until `annotator reindex`.
"""

from __future__ import annotations

import json
import os

import pytest

from annotator.session import Session

OLD, NEW = "Gull Rock", "Gulp Rook"  # the same number of bytes


def edit_keeping_size_and_mtime(path, old: str, new: str) -> None:
    assert len(old.encode()) == len(new.encode())
    before = os.stat(path)
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")  # in place: the same inode
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = os.stat(path)
    assert (after.st_size, after.st_mtime_ns, after.st_ino) == (before.st_size, before.st_mtime_ns, before.st_ino)


@pytest.fixture
def indexed(workspace_dir, cli):
    assert cli("reindex", "--workspace", workspace_dir)[0] == 0
    return workspace_dir


def test_cli_search_show_quote_and_exports_see_the_edit(indexed, cli):
    edit_keeping_size_and_mtime(indexed / "corpus" / "passages" / "lighthouse.yaml", OLD, NEW)
    code, out, _ = cli("search", "Gulp", "--json", "--workspace", indexed)
    assert [r["id"] for r in json.loads(out)["results"]] == ["lh-001"]
    code, out, _ = cli("show", "lh-001", "--json", "--workspace", indexed)
    assert NEW in json.loads(out)["text"]
    code, out, _ = cli("show", "lh-001", "--quote", "--workspace", indexed)
    assert NEW in out and OLD not in out
    code, out, _ = cli("export", "--format", "csv", "--workspace", indexed)
    assert code == 0 and OLD not in out


def test_an_open_session_sees_the_edit_at_its_next_sync(indexed):
    session = Session.open(indexed)
    try:
        session.sync()
        assert session.get("lh-001").text.count(OLD) == 1
        edit_keeping_size_and_mtime(indexed / "corpus" / "passages" / "lighthouse.yaml", OLD, NEW)
        report = session.sync()
        assert report.sources_updated == ["lighthouse"]
        assert NEW in session.get("lh-001").text
        assert [hit.id for hit in session.search("Gulp").hits] == ["lh-001"]
    finally:
        session.close()


def test_an_index_from_before_ctime_signatures_is_not_read_again(indexed):
    from annotator.engine.index import Manifest

    manifest_path = indexed / "index" / "manifest.json"
    manifest = Manifest.read(indexed / "index")
    manifest.files = {path: signature[:3] for path, signature in manifest.files.items()}
    manifest.write(indexed / "index")  # (sealed, as the version that wrote such manifests did not)
    session = Session.open(indexed)
    try:
        report = session.sync()
        assert not report.changed  # no source re-read: the three old figures still match
        assert all(len(sig) == 4 for sig in json.loads(manifest_path.read_text(encoding="utf-8"))["files"].values())
    finally:
        session.close()


def test_a_searcher_kept_by_one_stat_sees_another_sessions_commit(workspace_dir, monkeypatch):
    """The searcher is kept while the index folder's mtime stands still; a commit elsewhere moves it."""
    from annotator.engine import index as index_module
    from annotator.engine.search import search

    monkeypatch.setattr(index_module, "SETTLED_NS", -1)  # every folder state is trusted at once
    reader, writer = Session.open(workspace_dir), Session.open(workspace_dir)
    try:
        reader.sync()
        assert search(reader.index, "Gulp").total == 0
        assert search(reader.index, "Gulp").total == 0  # now answered by the kept searcher, unchecked
        passage = next(p for sf in writer.store.sources() for p in sf.passages if OLD in p.text)
        writer.index.update_passages([type(passage)(passage.id, passage.text.replace(OLD, NEW), passage.location, passage.source)])
        assert [h.id for h in search(reader.index, "Gulp").hits] == [passage.id]
    finally:
        reader.close()
        writer.close()
