"""The index is derived data: however it is damaged, it is rebuilt, never trusted, never a traceback."""

from __future__ import annotations

import json
import os
import random
import shutil

import pytest

from annotator.engine.index import MANIFEST
from annotator.session import Session


def search_json(cli, ws, *query):
    code, out, err = cli("--workspace", ws, "search", *query, "--json", "--limit", "50")
    assert "Traceback" not in err
    assert code == 0, err
    return json.loads(out), err


def reference(cli, ws):
    """What correct answers look like, from a freshly built index."""
    return {q: search_json(cli, ws, *q)[0] for q in QUERIES}


QUERIES = [("sketching",), ("letter", "boat"), ("theme:memory",), ("untagged", "light")]


def _truncate_all(index_dir):
    for path in index_dir.iterdir():
        if path.is_file():
            path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def _garbage_all(index_dir):
    rng = random.Random(5)
    for path in index_dir.iterdir():
        if path.is_file():
            path.write_bytes(bytes(rng.randrange(256) for _ in range(max(path.stat().st_size, 64))))


def _truncate_segments(index_dir):
    for path in index_dir.glob("*.seg"):
        path.write_bytes(path.read_bytes()[:100])


def _delete_segments(index_dir):
    for path in index_dir.glob("*.seg"):
        path.unlink()


def _older_version(index_dir):
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["schema"] = 0
    (index_dir / MANIFEST).write_text(json.dumps(manifest))


def _manifest_garbage(index_dir):
    (index_dir / MANIFEST).write_text("{not json")


def _manifest_gone(index_dir):
    (index_dir / MANIFEST).unlink()


def _emptied(index_dir):
    for path in index_dir.iterdir():
        path.unlink()


def _a_file_not_a_folder(index_dir):
    shutil.rmtree(index_dir)
    index_dir.write_text("not an index")


def _manifest_lies(index_dir):
    """A manifest claiming the index is current for a corpus it was not built from."""
    manifest = json.loads((index_dir / MANIFEST).read_text())
    manifest["tags"] = {}
    (index_dir / MANIFEST).write_text(json.dumps(manifest))


DAMAGE = {
    "truncated": _truncate_all,
    "garbage": _garbage_all,
    "segments-truncated": _truncate_segments,
    "segments-deleted": _delete_segments,
    "older-version": _older_version,
    "manifest-garbage": _manifest_garbage,
    "manifest-missing": _manifest_gone,
    "emptied": _emptied,
    "file-not-folder": _a_file_not_a_folder,
    "manifest-lies": _manifest_lies,
}


@pytest.mark.parametrize("damage", DAMAGE, ids=list(DAMAGE))
def test_damaged_index_is_rebuilt_with_one_notice_and_right_answers(cli, workspace_dir, damage):
    expected = reference(cli, workspace_dir)
    DAMAGE[damage](workspace_dir / "index")
    result, err = search_json(cli, workspace_dir, *QUERIES[0])
    assert result == expected[QUERIES[0]]
    assert len(err.splitlines()) <= 1
    if damage not in ("segments-truncated", "segments-deleted", "manifest-lies"):  # found when read, or harmless
        assert "rebuilt the index" in err
    for query in QUERIES[1:]:
        result, err = search_json(cli, workspace_dir, *query)
        assert result == expected[query]
        assert err == ""  # repaired once, quiet afterwards


def test_deleted_index_is_rebuilt_silently_like_a_first_run(cli, workspace_dir):
    expected = reference(cli, workspace_dir)
    shutil.rmtree(workspace_dir / "index")
    result, err = search_json(cli, workspace_dir, "sketching")
    assert result == expected[("sketching",)]
    assert err == ""


def test_an_index_restored_from_an_older_copy_catches_up(cli, workspace_dir, tmp_path):
    """Never a wrong result: an index copied back from before a tag learns about the tag."""
    search_json(cli, workspace_dir, "sketching")
    shutil.copytree(workspace_dir / "index", tmp_path / "index-backup")
    assert cli("--workspace", workspace_dir, "tag", "lh-005", "hope")[0] == 0
    shutil.rmtree(workspace_dir / "index")
    shutil.copytree(tmp_path / "index-backup", workspace_dir / "index")
    result, _ = search_json(cli, workspace_dir, "sketching", "--theme", "hope")
    assert [r["id"] for r in result["results"]] == ["lh-005"]


def test_a_corpus_file_edited_by_hand_is_seen_by_the_next_sync(workspace_dir):
    session = Session.open(workspace_dir)
    session.sync()
    path = workspace_dir / "corpus" / "annotations" / "alice.yaml"
    text = path.read_text().replace("theme: hope", "theme: loss", 1)
    path.write_text(text)
    os.utime(path, ns=(path.stat().st_atime_ns, path.stat().st_mtime_ns + 1_000_000))
    session.sync()
    assert [h.id for h in session.search("", themes=["loss"], kind="passage").hits] == ["lh-002", "lh-007"]


def test_sessions_that_never_synced_build_the_index_on_first_read(workspace_dir):
    session = Session.open(workspace_dir)
    assert session.get("lh-005").id == "lh-005"
    assert [h.id for h in session.search("sketching").hits] == ["lh-005"]


def test_leftovers_of_a_killed_rebuild_do_not_matter(cli, workspace_dir):
    expected = reference(cli, workspace_dir)
    index = workspace_dir / "index"
    shutil.copytree(index, workspace_dir / "index.old")  # killed after moving the old index aside
    (workspace_dir / "index.building").mkdir()  # killed while building
    (workspace_dir / "index.building" / "_annotator_1.toc").write_bytes(b"\x00half")
    shutil.rmtree(index)  # ...and before moving the new one in
    result, err = search_json(cli, workspace_dir, "sketching")
    assert result == expected[("sketching",)]
    assert "Traceback" not in err
    assert not (workspace_dir / "index.building").exists()


def test_a_rewrite_within_the_same_clock_tick_and_size_is_still_seen(workspace_dir):
    """Two processes can write the same file within one mtime tick, with the same size (lh-002 -> lh-005):
    the index must still notice the second write."""
    from annotator.corpus.store import Store
    from annotator.corpus.workspace import Workspace
    from annotator.corpus.yamlio import atomic_write_text

    session = Session.open(workspace_dir)
    session.sync()
    path = workspace_dir / "corpus" / "annotations" / "alice.yaml"
    before = path.stat()
    atomic_write_text(path, path.read_text().replace("passage: lh-002", "passage: lh-005", 1))  # another process
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # ...in the same tick
    assert path.stat().st_size == before.st_size
    other = Session.open(workspace_dir)
    other.sync()
    assert [h.id for h in other.search("", themes=["hope"], kind="passage").hits] == ["lh-005"]
    assert [t.passage for t in Store(Workspace(workspace_dir)).annotations("alice").tags][0] == "lh-005"
