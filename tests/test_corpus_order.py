"""Corpus order is one order whatever the index's history.

A listing (the empty query, a filter alone, `-word` alone) shows passages in corpus order:
sources by id (the order of their files in corpus/passages/), passages in their order within
the source, theme notes last in codebook order. An index updated after imports and
re-imports lists them as a fresh rebuild (`annotator reindex`) does.
"""

import json
import re

import pytest

from annotator.corpus.workspace import init_workspace
from annotator.exchange.importers import import_source
from annotator.session import Session


def _listing(cli, ws) -> list[str]:
    code, out, err = cli("--workspace", ws, "search", "", "--limit", "1000", "--json")
    assert code == 0, err
    return [hit["id"] for hit in json.loads(out)["results"]]


def _write(path, *paragraphs: str):
    path.write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return path


def test_a_reimported_source_lists_as_after_a_reindex(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init", "--empty")[0] == 0
    beta = _write(tmp_path / "beta.md", "The boat left at dawn.", "The river ran high.")
    alpha = _write(tmp_path / "alpha.md", "A lamp in the window.", "Fields of mud.")
    assert cli("--workspace", ws, "import", beta, "--source", "beta")[0] == 0
    assert cli("--workspace", ws, "import", alpha, "--source", "alpha")[0] == 0
    _write(beta, "The boat left at noon.", "The river ran high.")  # an edit, then a re-import
    assert cli("--workspace", ws, "import", beta, "--source", "beta", "--replace")[0] == 0

    updated = _listing(cli, ws)
    assert cli("--workspace", ws, "reindex")[0] == 0
    rebuilt = _listing(cli, ws)
    assert updated == rebuilt
    assert [pid.split("-")[0] for pid in rebuilt] == ["alpha", "alpha", "beta", "beta"]


@pytest.fixture
def ws(tmp_path):
    root = tmp_path / "ws"
    init_workspace(root, empty=True)
    s = Session.open(root)
    yield s
    s.close()


def _import(session, tmp_path, source_id: str, *paragraphs: str) -> None:
    import_source(session.store, _write(tmp_path / f"{source_id}.md", *paragraphs), source_id=source_id, annotator="t")
    session.sync()


def _rebuilt_listing(session) -> list[str]:
    session.index.sync(force=True)
    return [h.id for h in session.search("", limit=None).hits]


def _listing_ids(session) -> list[str]:
    return [h.id for h in session.search("", limit=None).hits]


def test_new_sources_take_their_place_between_the_others(ws, tmp_path):
    _import(ws, tmp_path, "m", "Middle one.", "Middle two.")
    _import(ws, tmp_path, "z", "Last one.")
    _import(ws, tmp_path, "a", "First one.")  # before every other source
    _import(ws, tmp_path, "n", "Between m and z.")
    _import(ws, tmp_path, "m", "Middle two.", "Middle zero.", "Middle three.")  # moved, edited, added
    updated = _listing_ids(ws)
    assert [pid.split("-")[0] for pid in updated] == ["a", "m", "m", "m", "n", "z"]
    assert updated == _rebuilt_listing(ws)


def test_a_removed_source_and_one_added_back_keep_corpus_order(ws, tmp_path):
    for source in ("b", "c", "d"):
        _import(ws, tmp_path, source, f"Text of {source}.", f"More of {source}.")
    ws.store.ws.source_file("c").unlink()
    ws.sync()
    _import(ws, tmp_path, "c", "Text of c again.")
    updated = _listing_ids(ws)
    assert [pid.split("-")[0] for pid in updated] == ["b", "b", "c", "d", "d"]
    assert updated == _rebuilt_listing(ws)


def test_no_room_left_between_two_sources_renumbers_them(ws, tmp_path, monkeypatch):
    from annotator.engine import schema

    monkeypatch.setattr(schema, "SOURCE_GAP", 2)  # room for one source between two
    _import(ws, tmp_path, "a", "Alpha.")
    _import(ws, tmp_path, "e", "Echo.")
    _import(ws, tmp_path, "c", "Charlie.")  # placed between a and e
    report = ws.sync()
    assert not report.rebuilt
    import_source(ws.store, _write(tmp_path / "b.md", "Bravo."), source_id="b", annotator="t")
    import_source(ws.store, _write(tmp_path / "d.md", "Delta."), source_id="d", annotator="t")
    report = ws.sync()
    assert report.rebuilt and "corpus order" in report.reason
    assert [pid.split("-")[0] for pid in _listing_ids(ws)] == ["a", "b", "c", "d", "e"]


def test_search_lists_sources_as_the_store_and_the_concordance_do(ws, tmp_path):
    _import(ws, tmp_path, "keeper-2", "The lamp of the second keeper.")
    _import(ws, tmp_path, "keeper", "The lamp of the first keeper.")
    from annotator import concordance as kwic

    stored = [p.id for sf in ws.store.sources() for p in sf.passages]
    assert stored == ["keeper-p1", "keeper-2-p1"]
    assert _listing_ids(ws) == stored
    assert [line.id for line in kwic.concordance(ws, "the", limit=None).lines][::2] == stored


def test_an_index_ordered_by_import_time_is_rebuilt_once(ws, tmp_path):
    import json

    from annotator.engine import index_seal
    from annotator.engine.index import MANIFEST

    _import(ws, tmp_path, "b", "Bravo.")
    _import(ws, tmp_path, "a", "Alpha.")
    folder = ws.index.folder
    data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    old = {"schema": 7, "files": data["files"], "tags": data["tags"], "source_order": ["b", "a"]}  # version 7's
    text = json.dumps(old, separators=(",", ":"))
    (folder / MANIFEST).write_text(json.dumps({"seal": index_seal.seal(folder, text), **old}, separators=(",", ":")))
    ws.close()
    again = Session.open(ws.store.ws.root)
    try:
        report = again.sync()
        assert report.rebuilt and report.reason == "index from an older version"
        assert _listing_ids(again) == ["a-p1", "b-p1"]
        assert not again.sync().changed
    finally:
        again.close()


def test_the_workspace_export_lists_sources_in_corpus_order(cli, tmp_path):
    """The JSON export's sources come as every listing shows them (by id), not by import time."""
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init", "--empty")[0] == 0
    assert cli("--workspace", ws, "import", _write(tmp_path / "beta.md", "The boat left."), "--source", "beta")[0] == 0
    assert cli("--workspace", ws, "import", _write(tmp_path / "alpha.md", "A lamp lit."), "--source", "alpha")[0] == 0
    for source_id, when in (("beta", "2020"), ("alpha", "2021")):  # beta imported a year before alpha
        path = ws / "corpus" / "passages" / f"{source_id}.yaml"
        path.write_text(re.sub(r"imported_at: '\d{4}", f"imported_at: '{when}", path.read_text(encoding="utf-8")), encoding="utf-8")
    code, out, err = cli("--workspace", ws, "export", "--format", "json")
    assert code == 0, err
    assert [entry["source"]["id"] for entry in json.loads(out)["sources"]] == ["alpha", "beta"]
