"""index/read-cache keeps passages files' outlines for the next command's grid: the same grid, never
stale, and a damaged cache file or a source with fields annotator does not know is read from the YAML."""

from __future__ import annotations

import os

import pytest

from annotator.corpus import read_cache
from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace
from annotator.grid import build_grid


@pytest.fixture(autouse=True)
def _files_count_as_settled(monkeypatch):
    monkeypatch.setattr(read_cache, "RACY_NS", 0)  # the files here were all written just now


@pytest.fixture
def ws(workspace_dir):
    workspace = Workspace(workspace_dir)
    workspace.index_dir.mkdir(exist_ok=True)
    return workspace


def cache_file(ws):
    return ws.index_dir / "read-cache" / "outline.lighthouse.yaml.cache"


def test_the_next_commands_grid_comes_from_the_cache_and_is_the_same(ws):
    first, grid = Store(ws).outlines(), build_grid(Store(ws))
    assert cache_file(ws).is_file()
    assert Store(ws).outlines() == first and build_grid(Store(ws)) == grid and grid.rows
    os.utime(ws.source_file("lighthouse"))  # only a file's own signature is trusted: read again, cached again
    assert Store(ws).outlines() == first


def test_an_edit_that_keeps_size_and_mtime_is_never_served_stale(ws):
    path = ws.source_file("lighthouse")
    Store(ws).outlines()
    before = path.stat()
    path.write_text(path.read_text().replace("location: ch. 1", "location: ch. 7"))  # same size, in place
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back
    assert "ch. 7" in Store(ws).outlines()[0].locations


@pytest.mark.parametrize("damage", [b"", b"{not json\x00a", b"[]", b"cut"])
def test_a_damaged_cache_file_is_ignored_and_rebuilt(ws, damage):
    expected = Store(ws).outlines()
    cache_file(ws).write_bytes(cache_file(ws).read_bytes()[:-7] if damage == b"cut" else damage)
    assert Store(ws).outlines() == expected
    assert Store(ws).outlines() == expected and cache_file(ws).read_bytes().startswith(b"{")


def test_a_source_with_fields_annotator_does_not_know_is_not_cached(ws):
    path = ws.source_file("lighthouse")
    path.write_text(path.read_text().replace("  title: ", "  shelfmark: B-12\n  title: ", 1))
    outline = Store(ws).outlines()[0]
    assert outline.source.extra == {"shelfmark": "B-12"} and not cache_file(ws).exists()
