"""index/read-cache: annotation files read once are served from the cache until the file changes;
never stale, never trusted for a write, and a damaged, crafted or older cache file is ignored."""

from __future__ import annotations

import json
import os
import pickle
import zlib

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
    return ws.index_dir / "read-cache" / "annotations.ann.yaml.cache"


def cached_fields(ws) -> tuple[dict, list[str]]:
    header, *fields = cache_file(ws).read_text().split("\x00")
    return json.loads(header), fields


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


def damaged(ws, how: str) -> bytes:
    """The cache file as it is, cut short, with its counts or format changed, or foreign."""
    text = cache_file(ws).read_text()
    header, rest = text.split("\x00", 1)
    data = json.loads(header)
    if how == "cut":
        return text[: len(text) - 3].encode()
    if how == "count":
        return (json.dumps({**data, "tags": data["tags"] + 1}) + "\x00" + rest).encode()
    if how == "format 1":  # an older version's header over this version's columns
        return (json.dumps({**data, "format": 1}) + "\x00" + rest).encode()
    if how == "not utf-8":
        return b"\xff\xfe" + text.encode()
    return {"empty": b"", "not json": b"{not json\x00a", "list": b"[]", "pickle": pickle.dumps(os.system),
            "json 1": json.dumps({"format": 1, "tags": [["lh-001", "hope", "", None]]}).encode()}[how]


@pytest.mark.parametrize("how", ["cut", "count", "format 1", "not utf-8", "empty", "not json", "list", "pickle", "json 1"])
def test_a_damaged_or_foreign_cache_file_is_ignored_and_rebuilt(ws, how):
    expected = tags_read(ws)
    cache_file(ws).write_bytes(damaged(ws, how))
    assert tags_read(ws) == expected
    header, fields = cached_fields(ws)
    assert header["format"] == read_cache.FORMAT and fields[0] == "lh-001"


def test_a_cache_of_the_json_format_before_is_replaced(ws):
    old = ws.index_dir / "read-cache" / "annotations.ann.yaml.json"
    old.parent.mkdir(exist_ok=True)
    old.write_text(json.dumps({"format": 1, "file": "ann.yaml", "signature": [], "tags": [], "memos": []}))
    assert tags_read(ws) == [("lh-001", "hope", "first")]
    assert cache_file(ws).is_file() and not old.exists()


def test_a_crafted_cache_file_never_reaches_a_write(ws):
    tags_read(ws)
    header, fields = cached_fields(ws)
    fields[:2] = ["lh-999", "planted"]  # a crafted file, its checksum made to match
    body = "\x00".join(fields).encode()
    cache_file(ws).write_bytes(json.dumps({**header, "crc32": zlib.crc32(body)}).encode() + b"\x00" + body)
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


def test_span_tags_and_memos_are_cached_with_their_lines_and_read_back_the_same(ws):
    from annotator.corpus.model import Span

    store = Store(ws)
    store.add_span("ann", "lh-002", "loss", Span(4, 15, "supply boat"), comment="a: quoted comment")
    store.add_span("ann", "lh-002", "loss", Span(20, 23, "007"))  # plain text YAML 1.1 would read as a number
    store.add_memo("ann", "lh-003", "two\nlines")

    def everything(annotations):
        return ([(t.passage, t.theme, t.at, t.comment, [(s.start, s.end, s.quote, type(s.quote), s.line) for s in t.spans])
                 for t in annotations.tags], [(m.passage, m.text, m.at) for m in annotations.memos])

    from_yaml = Store(ws)
    expected = everything(from_yaml.annotations("ann"))
    assert ws.annotation_file("ann") not in from_yaml._from_read_cache
    header, _ = cached_fields(ws)
    assert (header["spans"], header["memos"]) == (2, 1)
    from_cache = Store(ws)
    assert everything(from_cache.annotations("ann")) == expected
    assert ws.annotation_file("ann") in from_cache._from_read_cache
    assert expected[0][1][4][0][4] is not None  # the span's line, for messages about it


def test_a_hand_edit_between_two_reads_is_read_from_the_yaml(ws):
    tags_read(ws)
    path = ws.annotation_file("ann")
    path.write_text(path.read_text().replace("theme: hope", "theme: loss"))
    assert tags_read(ws) == [("lh-001", "loss", "first")]
    assert cached_fields(ws)[1][1] == "loss"  # and cached again as it is now
