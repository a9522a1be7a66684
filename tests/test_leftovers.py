"""What a killed or failed build, cache write or export leaves behind is cleared by the next run.

Each leftover is laid down as the kill would leave it (the crash harness kills real processes
at random instants: tests/test_crash_sweep.py); the next command must clear it, never read it,
and keep the embeddings that only it may hold.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from annotator.corpus import read_cache
from annotator.corpus.workspace import Workspace
from annotator.session import Session


def search_ids(cli, ws, *query) -> list[str]:
    code, out, err = cli("--workspace", ws, "search", *query, "--json")
    assert code == 0 and "Traceback" not in err, err
    return [r["id"] for r in json.loads(out)["results"]]


def beside_the_index(ws) -> list[str]:
    return sorted(p.name for p in ws.iterdir() if p.name.startswith("index"))


def _embeddings(folder) -> None:
    (folder / "meaning").mkdir(parents=True)
    (folder / "meaning" / "model.f32").write_bytes(b"\x01" * 64)


def test_a_killed_reindex_beside_a_good_index_leaves_nothing_after_the_next_command(cli, workspace_dir):
    expected = search_ids(cli, workspace_dir, "sketching")
    index = workspace_dir / "index"
    (workspace_dir / "index.building" / "part-0").mkdir(parents=True)  # killed while building
    (workspace_dir / "index.building" / "_annotator_1.toc").write_bytes(b"\x00half")
    (index / "_annotator_9.toc.1733240000.5").write_bytes(b"\x00half")  # killed writing a table of contents
    (index / ".manifest.json.k2j3x.tmp").write_text('{"schema": 1, "fi')  # killed writing the manifest
    assert search_ids(cli, workspace_dir, "sketching") == expected
    assert beside_the_index(workspace_dir) == ["index"]
    assert not list(index.glob("_annotator_*.toc.*")) and not list(index.glob(".manifest.json.*.tmp"))


def test_embeddings_left_in_index_old_after_the_swap_are_kept(cli, workspace_dir):
    """Killed after the new index was moved in, before the old one (with the embeddings) was deleted."""
    search_ids(cli, workspace_dir, "sketching")
    _embeddings(workspace_dir / "index.old")
    search_ids(cli, workspace_dir, "sketching")
    assert beside_the_index(workspace_dir) == ["index"]
    assert (workspace_dir / "index" / "meaning" / "model.f32").read_bytes() == b"\x01" * 64


def test_embeddings_left_in_index_old_before_the_swap_are_kept(cli, workspace_dir):
    """Killed between moving the old index aside and moving the new one in: no index at all."""
    expected = search_ids(cli, workspace_dir, "sketching")
    os.replace(workspace_dir / "index", workspace_dir / "index.old")
    _embeddings(workspace_dir / "index.old")
    (workspace_dir / "index.building").mkdir()
    assert search_ids(cli, workspace_dir, "sketching") == expected
    assert beside_the_index(workspace_dir) == ["index"]
    assert (workspace_dir / "index" / "meaning" / "model.f32").read_bytes() == b"\x01" * 64


def test_a_build_that_fails_midway_keeps_the_old_index_and_leaves_no_folder(workspace_dir, monkeypatch):
    from annotator.engine import index_build

    session = Session.open(workspace_dir)
    session.sync()
    real_build = index_build.build

    def fails_midway(root, tmp, *args, **kwargs):
        real_build(root, tmp, *args, **kwargs)  # the whole index written into index.building...
        raise OSError(28, "No space left on device")  # ...then the manifest's write fails

    monkeypatch.setattr(index_build, "build", fails_midway)
    with pytest.raises(OSError):
        session.sync(force=True)
    session.close()
    monkeypatch.undo()
    assert beside_the_index(workspace_dir) == ["index"]
    again = Session.open(workspace_dir)
    assert [h.id for h in again.search("sketching").hits] == ["lh-005"]
    again.close()


def _cache_leftover(folder, name: str, age: float):
    path = folder / name
    path.write_bytes(b'{"format": 2, "fi')  # cut short by the kill
    then = time.time() - age
    os.utime(path, (then, then))
    return path


def test_read_cache_leftovers_of_killed_readers_do_not_pile_up(workspace_dir, monkeypatch):
    monkeypatch.setattr(read_cache, "RACY_NS", 0)  # the files here were all written just now
    ws = Workspace(workspace_dir)
    Session.open(workspace_dir).sync()
    folder = ws.index_dir / read_cache.FOLDER
    folder.mkdir(exist_ok=True)
    source = ws.annotations_dir / "alice.yaml"
    dead = _cache_leftover(folder, ".annotations.alice.yaml.cache.a1b2c3.tmp", age=3600)
    working = _cache_leftover(folder, ".annotations.alice.yaml.cache.d4e5f6.tmp", age=0)  # another reader, now
    from annotator.corpus.store import Store, file_signature

    annotations = Store(ws).annotations("alice")
    read_cache.save(ws, source, file_signature(source), annotations)
    assert read_cache.load(ws, source, file_signature(source)) is not None
    assert not dead.exists()
    assert working.exists()


def test_an_export_killed_before_its_rename_leaves_nothing_after_the_next_export(cli, workspace_dir, tmp_path):
    out = tmp_path / "evidence.md"
    dead = _cache_leftover(tmp_path, ".evidence.md.q8w7e6.tmp", age=3600)
    code, _out, err = cli("--workspace", workspace_dir, "export", "--format", "md", "-o", out)
    assert code == 0, err
    assert sorted(p.name for p in tmp_path.iterdir() if "evidence" in p.name) == ["evidence.md"]
    assert not dead.exists()


def test_an_index_folder_copied_from_elsewhere_is_rebuilt_unread(cli, workspace_dir, tmp_path):
    """Whoosh unpickles its table of contents: a crafted one from a classmate's zipped workspace
    would run any code. An index this user's annotator did not seal is deleted, never opened."""
    import shutil

    from whoosh.filedb.filestore import FileStorage
    import whoosh.index as whoosh_index

    expected = search_ids(cli, workspace_dir, "sketching")
    classmate = tmp_path / "classmate"
    shutil.copytree(workspace_dir, classmate)  # their copy: the same files, under new inodes
    marker = tmp_path / "ran"
    _Crafted.marker = marker  # (what the crafted pickle would do: make this file)
    storage = FileStorage(str(classmate / "index"))
    toc = whoosh_index.TOC.read(storage, "annotator")
    toc.schema = _Crafted()
    toc.generation += 1
    real_check = whoosh_index.ensure_schema
    whoosh_index.ensure_schema = lambda schema: schema  # so that Whoosh writes what it would never write
    try:
        toc.write(storage, "annotator")
    finally:
        whoosh_index.ensure_schema = real_check
    assert search_ids(cli, classmate, "sketching") == expected
    assert not marker.exists()  # the crafted pickle was never loaded
    assert not list((classmate / "index").glob("_annotator_2.toc"))


class _Crafted:
    marker = None

    def clean(self):
        pass

    def __reduce__(self):
        return (Path.touch, (_Crafted.marker or Path("/nonexistent/ran"),))
