"""index/read-cache: annotation files read once are served from JSON until the file changes;
never stale, never trusted for a write, and a damaged or crafted cache file is ignored."""

from __future__ import annotations

import json
import os
import pickle

import pytest

from annotator.corpus import read_cache
from annotator.corpus.store import Store
from annotator.corpus.workspace import Workspace


@pytest.fixture(autouse=True)
def _files_count_as_settled(monkeypatch):
    monkeypatch.setattr(read_cache, "RACY_NS", 0)  # the files here were all written just now


@pytest.fixture
def ws(workspace_dir):
    workspace = Workspace(workspace_dir)
    workspace.index_dir.mkdir(exist_ok=True)
    Store(workspace).add_tags("ann", "lh-001", ["hope"], comment="first")
    return workspace


def cache_file(ws):
    return ws.index_dir / "read-cache" / "annotations.ann.yaml.json"


def tags_read(ws):
    return sorted((t.passage, t.theme, t.comment) for t in Store(ws).annotations("ann").tags)


def test_a_file_read_once_is_cached_and_read_back_the_same(ws):
    first = Store(ws).annotations("ann")
    assert cache_file(ws).is_file()
    again = Store(ws).annotations("ann")
    assert again == first and again.tags[0].comment == "first"


def test_an_edit_that_keeps_size_and_mtime_is_never_served_stale(ws):
    path = ws.annotation_file("ann")
    tags_read(ws)
    before = path.stat()
    path.write_text(path.read_text().replace("first", "FIRST"))  # same size, in place
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))  # mtime set back
    assert tags_read(ws) == [("lh-001", "hope", "FIRST")]


def test_a_replaced_file_is_read_again(ws):
    tags_read(ws)
    Store(ws).add_tags("ann", "lh-001", ["loss"])
    assert [t[1] for t in tags_read(ws)] == ["hope", "loss"]


@pytest.mark.parametrize("content", [b"", b"{not json", b"[]", json.dumps({"format": 1}).encode(),
                                     pickle.dumps(os.system), b'{"format": 1, "tags": {"abcd": 1}}'])
def test_a_damaged_or_foreign_cache_file_is_ignored_and_rebuilt(ws, content):
    expected = tags_read(ws)
    cache_file(ws).write_bytes(content)
    assert tags_read(ws) == expected
    assert json.loads(cache_file(ws).read_text())["tags"][0][0] == "lh-001"


def test_a_crafted_cache_file_never_reaches_a_write(ws):
    tags_read(ws)
    data = json.loads(cache_file(ws).read_text())
    data["tags"] = [["lh-999", "planted", "2026-01-01T00:00:00+00:00", None]]
    cache_file(ws).write_text(json.dumps(data))
    store = Store(ws)
    assert [t.passage for t in store.annotations("ann").tags] == ["lh-999"]  # a read trusts the signature
    store.add_tags("ann", "lh-002", ["hope"])
    assert [t.passage for t in Store(ws).annotations("ann").tags] == ["lh-001", "lh-002"]
    assert "planted" not in ws.annotation_file("ann").read_text()


def test_records_with_unknown_fields_are_not_cached(ws):
    path = ws.annotation_file("ann")
    path.write_text("annotator: ann\ntags:\n- passage: lh-001\n  theme: hope\n  at: '2026-01-01'\n  confidence: high\n")
    assert Store(ws).annotations("ann").tags[0].extra == {"confidence": "high"}
    assert not cache_file(ws).exists() or "confidence" not in cache_file(ws).read_text()
    assert Store(ws).annotations("ann").tags[0].extra == {"confidence": "high"}


def test_no_index_folder_is_made_for_the_cache(workspace_dir):
    ws = Workspace(workspace_dir)
    Store(ws).add_tags("ann", "lh-001", ["hope"])
    Store(ws).annotations("ann")
    assert not ws.index_dir.exists()


def test_a_file_changed_in_the_last_seconds_is_not_cached(ws, monkeypatch):
    monkeypatch.setattr(read_cache, "RACY_NS", 2_000_000_000)
    Store(ws).add_tags("ann", "lh-002", ["hope"])
    Store(ws).annotations("ann")
    assert not cache_file(ws).exists()


def test_a_span_tags_words_are_never_lost_by_a_read_or_the_rewrite_after_it(ws):
    from annotator.corpus.model import Span

    Store(ws).add_span("ann", "lh-002", "loss", Span(4, 15, "supply boat"))
    for _ in range(2):  # the second read is where a cache would answer
        [tag] = [t for t in Store(ws).annotations("ann").tags if t.passage == "lh-002"]
        assert [s.quote for s in tag.spans] == ["supply boat"]
    Store(ws).add_tags("ann", "lh-003", ["hope"])  # a rewrite of the file, after those reads
    [tag] = [t for t in Store(ws).annotations("ann").tags if t.passage == "lh-002"]
    assert [s.quote for s in tag.spans] == ["supply boat"]
