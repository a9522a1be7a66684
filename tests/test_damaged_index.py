"""Damage found while reading the index means a rebuild, as a missing index does (#15.13).

Four flipped bytes in a segment file made every search fail with a zlib error until
`annotator reindex`. Now the read that finds the damage rebuilds the index from the
corpus, says so in the one line a rebuild always gets, and is answered from the new index.
A page of search results is read from the term tables' copy of the stored fields: it is
answered alike before a read through Whoosh's own stored fields meets the damage.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from annotator.session import Session


def segment_part(index_dir: Path, suffix: str) -> tuple[Path, int, int]:
    """(segment file, offset, length) of one of the files Whoosh packs into a segment (.seg)."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage

    (segment,) = index_dir.glob("*.seg")
    compound = CompoundStorage(FileStorage(str(index_dir)).open_file(segment.name), use_mmap=False)
    try:
        (entry,) = [entry for name, entry in compound._dir.items() if name.endswith(suffix)]
    finally:
        compound.close()
    return segment, entry["offset"], entry["length"]


def flip_four_bytes(index_dir: Path, suffix: str) -> None:
    path, offset, length = segment_part(index_dir, suffix)
    data = bytearray(path.read_bytes())
    for i in range(1, 5):  # spread over the part, so that any read of much of it meets one
        data[offset + length * i // 5] ^= 0xFF
    path.write_bytes(bytes(data))


@pytest.fixture
def indexed(workspace_dir, cli):
    assert cli("reindex", "--workspace", workspace_dir)[0] == 0
    return workspace_dir


def test_damaged_stored_fields_rebuild_and_the_search_is_answered(indexed, cli):
    every = ("search", "kind:passage", "--json", "--workspace", indexed)  # reads every passage's stored text
    code, before, _ = cli(*every)
    flip_four_bytes(indexed / "index", "_stored.col")
    code, out, err = cli(*every)  # a page of results is read from the term tables' copy of the stored fields
    assert code == 0 and err == ""
    assert json.loads(out) == json.loads(before)
    told = []
    for result in json.loads(before)["results"]:  # Whoosh's stored fields, passage by passage: the damage is met
        code, out, err = cli("show", result["id"], "--workspace", indexed)
        assert code == 0 and result["id"] in out
        told += [err.strip()] if err else []
    assert told == ["annotator: rebuilt the index (index damaged (zlib.error))"]
    code, out, err = cli("show", "lh-001", "--workspace", indexed)  # the new index: no second rebuild
    assert code == 0 and err == "" and "Gull Rock" in out
    code, out, err = cli(*every)
    assert code == 0 and err == "" and json.loads(out) == json.loads(before)


def test_damage_met_while_updating_the_index_rebuilds_it(indexed, cli):
    flip_four_bytes(indexed / "index", "_stored.col")
    passages = indexed / "corpus" / "passages" / "lighthouse.yaml"
    passages.write_text(passages.read_text(encoding="utf-8").replace("Gull Rock", "Gull Skerry"), encoding="utf-8")
    code, out, err = cli("search", "Skerry", "--json", "--workspace", indexed)  # the update reads stored fields
    assert code == 0
    assert err.strip() == "annotator: rebuilt the index (index damaged (zlib.error))"
    assert [r["id"] for r in json.loads(out)["results"]] == ["lh-001"]


def test_an_open_session_rebuilds_and_says_so(indexed):
    session = Session.open(indexed)
    told = []
    try:
        session.sync()
        session.index.on_rebuild = told.append
        expected = [hit.id for hit in session.search("kind:passage").hits]
        session.index.close()
        flip_four_bytes(indexed / "index", "_stored.col")
        assert [hit.id for hit in session.search("kind:passage").hits] == expected  # from the term tables
        assert told == []
        for pid in expected:  # through Whoosh's stored fields, passage by passage: the damage is met
            assert session.get(pid).id == pid
        assert told == ["index damaged (zlib.error)"]
        assert [hit.id for hit in session.search("kind:passage").hits] == expected
    finally:
        session.close()
