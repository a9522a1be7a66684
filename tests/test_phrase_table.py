"""Phrases checked from the term table's positions answer exactly as Whoosh's own phrase search.

Bulk-built segments carry their text positions in the term table (annotator.engine.fast.termtable);
segments Whoosh's writer wrote (retags) are read through Whoosh. Whatever mix of the two
an index holds after builds, tags and re-imports, a phrase finds the same documents,
ranked and scored alike, with the same total and the same highlighted words.
"""

from __future__ import annotations

import json
import random
import re
from dataclasses import replace

import pytest

from annotator.engine import search as search_mod
from annotator.corpus.model import Passage
from annotator.session import Session
from annotator.engine.fast.termtable import _MAGIC, _TRAILER, EXTENSION, open_table
from benchmarks.synthetic import make_workspace
from tests.engine_checks import build, documents
from tests.engine_checks import assert_same_ranking

# Stop words inside and at the ends, repeated words, three and four words, a slop, words the index lacks.
WRITTEN = [
    '"the light"', '"light of the sea"', '"of the"', '"hope hope"', '"hope hope hope"', '"very very far"',
    '"storm at sea"', '"hope light"~3', '"light dream"~2', '"zanzibar zanzibar"', '"quixotic zanzibar storm"',
    '"nothingxyz light"', 'dream "hope light"', '"hope light" -storm', '"sea shore" OR "storm at sea"',
    '"again again again again"', '"far and away"',
]
REPEATS = "hope hope hope light. Very very far and away. The storm at sea, again again again again."


def _phrases_from(passages, count: int, seed: int) -> list[str]:
    """Runs of 2-4 words as written in the passages (stop words and punctuation-free runs)."""
    rng = random.Random(seed)
    found = []
    for passage in rng.sample(passages, count):
        words = re.findall(r"[A-Za-z]+", passage.text)
        if len(words) < 4:
            continue
        size = rng.choice((2, 2, 3, 4))
        start = rng.randrange(len(words) - size)
        found.append('"' + " ".join(words[start:start + size]) + '"')
    return found


def _offsets_agree(session, texts) -> None:
    """Highlighted words: the same from the scorer's segment data as from Whoosh's reader."""
    searcher = session.index.searcher()
    for text in texts:
        q = search_mod._parse_words(search_mod.prepare(text).words, searcher.schema)
        fast = search_mod.positive_text_terms(q, search_mod._ExpandingReader(session.index, searcher))
        assert fast == search_mod.positive_text_terms(q, searcher.reader()), text


def _check(session, texts) -> None:
    assert_same_ranking(session, texts)
    _offsets_agree(session, texts)


@pytest.fixture()
def phrased(tmp_path):
    root = make_workspace(tmp_path / "ws", 900, seed=13)
    session = Session.open(root)
    session.sync()
    yield session
    session.close()


def _leaf_tables(session) -> list:
    scorer = session.index.vector_scorer()
    return [data.field_table("text") for _, _, data, _, _ in scorer.leaves]


@pytest.mark.parametrize("whole", [True, False], ids=["every-position", "candidate-documents"])
def test_phrases_rank_as_whoosh_after_builds_tags_and_reimports(phrased, whole, monkeypatch):
    from annotator.engine.fast import fastscore

    # Adjacent words matched over all their positions at once, or over the documents holding them all.
    monkeypatch.setattr(fastscore, "WHOLE_PHRASE_POSITIONS", 10**9 if whole else 0)
    session = phrased
    passages = [p for s in session.store.sources() for p in s.passages]
    texts = WRITTEN + _phrases_from(passages, 40, seed=5)
    tables = _leaf_tables(session)
    assert tables and all(t is not None and t.positions is not None for t in tables)
    _check(session, texts)

    # passages rewritten in place: a bulk-written segment of their own (with a table), the old copies deleted
    edited = [Passage(p.id, p.text + " " + REPEATS, p.location, p.source) for p in passages[10:14]]
    session.index.update_passages(edited)
    assert len(_leaf_tables(session)) >= 2
    _check(session, texts)
    assert session.search('"hope hope hope"').total == len(edited)

    # tags committed to the index: Whoosh's own writer rewrites the documents (a segment without a table)
    for p in passages[10:12] + passages[200:203]:
        session.tag(p.id, ["hope"])
    session.index.flush_pending()
    assert any(t is None for t in _leaf_tables(session))
    _check(session, texts + ['theme:hope "hope hope"', '"hope hope" untagged'])

    # a re-import: one source's file edited (texts changed, a passage removed), then synced
    source_file = session.store.sources()[0]
    kept = [replace(p, text=p.text + " zanzibar zanzibar quixotic zanzibar storm") if n % 3 == 0 else p
            for n, p in enumerate(source_file.passages) if n != 1]
    session.store.save_source(replace(source_file, passages=kept))
    session.sync()
    _check(session, texts)
    assert session.search('"zanzibar zanzibar"').total == len(kept[::3])
    assert session.search('"hope hope hope"').total == 0  # the file's texts again: the in-place edits are gone


def test_phrases_read_from_their_starts_documents_and_merged_intersections_rank_as_whoosh(phrased, monkeypatch):
    from annotator.engine.fast import fastscore

    # Every later word's positions read in the documents of the phrase starts found so far, and
    # every intersection made by merging: the same answers as Whoosh's.
    monkeypatch.setattr(fastscore, "FEW_PHRASE_STARTS", 10**9)
    monkeypatch.setattr(fastscore, "MERGE_INTERSECTION", 10**9)
    passages = [p for s in phrased.store.sources() for p in s.passages]
    _check(phrased, WRITTEN + _phrases_from(passages, 40, seed=7))


def test_sorted_arrays_intersect_alike_by_merging_and_by_binary_search():
    import numpy as np

    from annotator.engine.fast.fastscore import _intersect_sorted

    rng = np.random.default_rng(3)
    for size_a, size_b in [(0, 4), (3, 0), (1, 1), (40, 50), (5, 2000), (2000, 1900)]:
        a = np.unique(rng.integers(0, 3000, size_a)).astype(np.int32)
        b = np.unique(rng.integers(0, 3000, size_b)).astype(np.int64)
        assert _intersect_sorted(a, b).tolist() == np.intersect1d(a, b).tolist()
        assert _intersect_sorted(b, a).tolist() == np.intersect1d(a, b).tolist()


def test_the_table_holds_the_positions_whoosh_reads(tmp_path):
    folder = tmp_path / "ix"
    ix = build(folder, documents(300), bulk=True)
    reader = ix.reader()
    try:
        table = open_table(str(folder), reader.segment().segment_id(), reader.doc_count_all()).field("text")
        assert table.positions is not None
        for btext in reader.lexicon("text"):
            i = table.find(btext)
            ids, _ = table.postings(i)
            docs, positions = table.positions_in(i, ids)
            expected = [(doc, p) for doc, value in reader.postings("text", btext).items_as("positions") for p in value]
            assert list(zip(docs.tolist(), positions.tolist())) == expected, btext
        assert open_table(str(folder), reader.segment().segment_id(), reader.doc_count_all()).field("themes").positions is None
    finally:
        reader.close()


def test_a_table_with_damaged_positions_reads_as_absent(tmp_path):
    folder = tmp_path / "ix"
    ix = build(folder, documents(50), bulk=True)
    reader = ix.reader()
    segment_id, count = reader.segment().segment_id(), reader.doc_count_all()
    reader.close()
    path = folder / (segment_id + EXTENSION)
    data = path.read_bytes()
    length, _ = _TRAILER.unpack(data[-_TRAILER.size:])
    body, directory = data[:-_TRAILER.size - length], json.loads(data[-_TRAILER.size - length:-_TRAILER.size])

    def rewritten(change) -> None:
        changed = json.loads(json.dumps(directory))
        change(changed["fields"]["text"], changed)
        raw = json.dumps(changed).encode()
        path.write_bytes(body + raw + _TRAILER.pack(len(raw), _MAGIC))

    rewritten(lambda text, d: None)
    assert open_table(str(folder), segment_id, count) is not None
    rewritten(lambda text, d: text.pop("term_positions"))  # positions without where each term's begin
    assert open_table(str(folder), segment_id, count) is None
    rewritten(lambda text, d: text.__setitem__("positions", [text["positions"][0], 10**9]))  # past the end
    assert open_table(str(folder), segment_id, count) is None
    rewritten(lambda text, d: text.__setitem__("positions", [text["positions"][0], text["positions"][1] - 1]))
    assert open_table(str(folder), segment_id, count) is None  # fewer positions than the terms say
    rewritten(lambda text, d: d.__setitem__("version", 1))  # a table from before positions
    assert open_table(str(folder), segment_id, count) is None


def test_an_index_with_older_tables_is_rebuilt_once(phrased):
    session = phrased
    manifest_path = session.store.ws.index_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text())
    manifest["schema"] = 4  # tables without positions
    manifest_path.write_text(json.dumps(manifest))
    session.close()
    reopened = Session.open(session.store.ws.root)
    try:
        assert reopened.sync().rebuilt
        assert not reopened.sync().rebuilt
        assert all(t is not None and t.positions is not None for t in _leaf_tables(reopened))
    finally:
        reopened.close()


def test_highlights_found_from_the_heads_equal_a_scan_of_every_character():
    from benchmarks.synthetic import generate_passages

    def scanned(text, wanted):  # match_offsets as it was: the pattern tried at every character
        pattern = search_mod._candidate_pattern(wanted)
        found = [[m.start(), m.end()] for m in pattern.finditer(text) if search_mod.analysed(m.group()) in wanted]
        return search_mod._joined_at_hyphens(text, found)

    tricky = ["Storm STORM storm.s x.storm Storm's İstanbul istanbul storm", "e.g. E.G. e.g.storm", "naïve NAÏVE café",
              "__storm _storm storm_ 3storm ٣storm", "Straße STRASSE straße", "ſtorm Kelvin Ǆemal ǆemal",
              "storm\nstorm\tstorm-storm open-storm .storm ..storm s-t st storms-", "st", "Storms"]
    rng = random.Random(2)
    checked = 0
    for text in [p.text for p in generate_passages(400, seed=3)] + tricky:
        words = re.findall(r"\w+", text)
        for _ in range(3):
            chosen = rng.sample(words, min(len(words), rng.choice((1, 2, 3)))) + ["storm", "istanbul", "e.g", "naïve", "ǆemal"]
            wanted = frozenset(filter(None, map(search_mod.analysed, chosen)))
            assert search_mod.match_offsets(text, wanted) == scanned(text, wanted), (text, wanted)
            checked += 1
    assert checked > 1000
