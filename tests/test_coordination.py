"""Strict tiers (annotator.engine.coordination) do not depend on how the index got its segments.

Two faults noted before the strict tiers were merged: a passage re-written alone into a
small segment (a tag, then a flush) scored 0.0 on a multi-word query when only one of the
words was in that segment, so rankings depended on tag history; and a query holding a
prefix lost its coordination (`Or.scale` dropped by the parser).
"""

from __future__ import annotations

import pytest

from annotator.corpus import codebook
from annotator.engine import search
from annotator.exchange.importers import import_source
from annotator.engine.index import SearchIndex
from annotator.session import Session
from annotator.corpus.workspace import init_workspace

TEXTS = ["muddy field and hope", "the river was muddy", "a field of grass", "lonely boats on the sea"]


@pytest.fixture()
def session(tmp_path):
    init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(tmp_path / "ws")
    codebook.add_theme(session.store, "Hope", theme_id="hope")
    notes = tmp_path / "notes.md"
    notes.write_text("\n\n".join(TEXTS) + "\n", encoding="utf-8")
    import_source(session.store, notes, source_id="alpha", annotator="tester")
    session.sync()
    yield session
    session.close()


def scores(index, text, as_you_type=False):
    return {hit.id: hit.score for hit in search.search(index, text, limit=None, as_you_type=as_you_type).hits}


def test_a_passage_alone_in_a_segment_keeps_its_tier(session):
    session.tag("alpha-p2", ["hope"])
    session.index.flush_pending()  # "the river was muddy" re-written alone into a new segment
    assert len(list(session.index.searcher().reader().leaf_readers())) == 2
    plain = SearchIndex(session.store, fast_paths=False)
    try:
        for index in (session.index, plain):
            got = scores(index, "muddy field")
            assert 1.0 < got["alpha-p2"] < 2.0  # one word matched, though "field" is not in its segment
            assert got["alpha-p1"] > 2.0
            assert list(got)[0] == "alpha-p1"
    finally:
        plain.close()


@pytest.mark.parametrize("text, as_you_type", [("muddy fie*", False), ("field mud*", False), ("muddy fie", True)])
def test_a_prefix_keeps_the_words_coordinated(session, text, as_you_type):
    got = scores(session.index, text, as_you_type)
    assert list(got)[0] == "alpha-p1"  # the only passage holding both words
    assert got["alpha-p1"] > 2.0 > max(score for pid, score in got.items() if pid != "alpha-p1")
