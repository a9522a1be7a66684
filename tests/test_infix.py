"""A word inside compounds (`*schuld*`) found in the term table: the same terms as Whoosh's own scan."""

from pathlib import Path

import pytest
from whoosh import query as wq

from annotator.engine import query_budget
from annotator.engine.fast import infix
from annotator.session import Session

BOOKS = Path(__file__).parent / "fixtures" / "languages"


@pytest.fixture(scope="module")
def german(tmp_path_factory):
    """A German workspace, built once for these tests (read only)."""
    from annotator.cli import main

    ws = tmp_path_factory.mktemp("german") / "w"
    assert main(["--workspace", str(ws), "init", "--empty", "--language", "de"]) == 0
    assert main(["--workspace", str(ws), "import", str(BOOKS / "faehre.de.txt")]) == 0
    session = Session.open(ws)
    session.sync()
    yield session
    session.close()


def segment_readers(session):
    reader = session.index.searcher().reader()
    return [r for r, _ in reader.leaf_readers()] if hasattr(reader, "leaf_readers") else [reader]


@pytest.mark.parametrize("part", ["schuld", "fähr", "fahr", "tochter", "nebel", "zzzz", "e"])
def test_a_part_expands_as_whoosh_scans_the_lexicon(german, part):
    for reader in segment_readers(german):
        q = wq.Wildcard("text", f"*{part}*")
        assert infix.expansions(q, reader) == list(q._btexts(reader))


def test_the_term_table_answers_for_a_built_segment(german):
    q = wq.Wildcard("text", "*schuld*")
    found = [infix.expansions(q, reader) for reader in segment_readers(german)]
    assert any(found) and all(f is not None for f in found)
    assert b"schuldgefuhl" in found[0]


def test_a_capped_part_keeps_the_most_frequent_and_says_it_was_cut(german):
    for reader in segment_readers(german):
        capped = query_budget.CappedWildcard("text", "*e*")
        capped.max_expansions = 3
        fast = capped._btexts(reader)  # what a search expands it to: from the term table
        scanned = query_budget._Capped._btexts(capped, reader)  # Whoosh's scan of the lexicon, capped
        assert fast == list(scanned) and len(fast) == 3 and fast.cut


@pytest.mark.parametrize("text", ["schuld*", "*sch?ld*", "*", "**", "s*d"])
def test_other_wildcards_are_left_to_whoosh(german, text):
    reader = segment_readers(german)[0]
    assert infix.expansions(wq.Wildcard("text", text), reader) is None


def test_a_search_finds_words_inside_compounds_without_scanning_the_lexicon(german, monkeypatch):
    # A small index is searched by Whoosh's own matchers (annotator.engine.fast.fastscore.SMALL_INDEX):
    # they too expand `*schuld*` from the term table, not word by word.
    from whoosh.query.terms import PatternQuery

    def scan(self, reader):
        raise AssertionError(f"the lexicon was scanned for {self.text}")

    monkeypatch.setattr(PatternQuery, "_btexts", scan)
    found = german.search("Schuld")
    assert [hit.id for hit in found.hits] == ["faehre-de-p2", "faehre-de-p1"]
    assert [found.hits[1].text[a:b] for a, b in found.hits[1].matches] == ["Schuldgefühl"]
