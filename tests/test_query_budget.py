"""Queries that would cost too much are cut down to a budget, and say so (annotator.engine.query_budget).

Run as a user runs them, through the CLI, on a synthetic corpus large enough that a
short prefix or a wide fuzzy term matches hundreds of words. The tests assert on the
budget (the notice, how many words each term expanded to), never on time.
"""

from __future__ import annotations

import itertools
import json
import string

import pytest

from annotator.engine.fast import fastscore
from annotator.engine import query_budget
from annotator.engine.query_budget import MAX_CLAUSES, MAX_QUERY_EXPANSIONS, MAX_TERM_EXPANSIONS, SearchCancelled
from annotator.session import Session
from benchmarks.synthetic import make_workspace

PASSAGES = 3000
FOUR_HUNDRED_PREFIXES = " ".join(f"{a}{b}*" for a, b in itertools.islice(itertools.product(string.ascii_lowercase, repeat=2), 400))
THOUSAND_NOTS = " ".join(f"NOT x{i}" for i in range(1000))


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    root = make_workspace(tmp_path_factory.mktemp("budget") / "ws", PASSAGES)
    session = Session.open(root)
    session.sync()
    session.close()
    return root


@pytest.fixture
def expansions(monkeypatch):
    """Every expansion the scorer made: (term as typed, segment, number of words)."""
    made = []
    original = fastscore.SegmentData.expansions

    def recording(self, q):
        found = original(self, q)
        made.append((getattr(q, "shown", q.text), self.key, len(found)))
        return found

    monkeypatch.setattr(fastscore.SegmentData, "expansions", recording)
    return made


def search_json(cli, root, query: str) -> dict:
    code, out, err = cli("search", query, "--json", "--limit", "5", "--workspace", root)
    assert code == 0, err
    return json.loads(out)


def test_a_wide_fuzzy_term_no_longer_crashes_and_keeps_its_most_frequent_words(cli, big, expansions):
    # It was a TypeError (bytes vs str) in the term table lookup: exit 70, the TUI's traceback.
    code, out, err = cli("search", "lonely~2", "--workspace", big)
    assert code == 0, err
    assert "query cut down: lonely~2 matched too many words" in out
    assert expansions and max(n for _, _, n in expansions) == MAX_TERM_EXPANSIONS
    data = search_json(cli, big, "lonely~2")
    assert data["total"] > 0 and data["results"]
    assert data["notices"] == [f"lonely~2 matched too many words; its {MAX_TERM_EXPANSIONS} most frequent were searched"]


def test_fuzzy_distance_is_capped_at_two(cli, big):
    wide = search_json(cli, big, "river~5")
    assert wide["notices"][0] == "river~5 searched as river~2 (fuzzy distance at most 2)"
    two = search_json(cli, big, "river~2")
    assert wide["total"] == two["total"] and [r["id"] for r in wide["results"]] == [r["id"] for r in two["results"]]
    assert "notices" not in two  # nothing was cut: the JSON is the contract's own


def test_four_hundred_pasted_prefixes_share_one_expansion_budget(cli, big, expansions):
    code, out, err = cli("search", FOUR_HUNDRED_PREFIXES, "--limit", "3", "--workspace", big)
    assert code == 0, err
    notice = next(line for line in out.splitlines() if line.startswith("query cut down: "))
    assert f"only the first {MAX_CLAUSES} words were searched" in notice
    assert "matched too many words; each searched at most its" in notice
    searched = {shown for shown, _, _ in expansions}
    assert len(searched) == MAX_CLAUSES  # the prefixes past the 256th were never expanded
    per_segment: dict[str, int] = {}
    for shown, segment, count in {(s, k, n) for s, k, n in expansions}:
        per_segment[segment] = per_segment.get(segment, 0) + count
    assert per_segment and max(per_segment.values()) <= MAX_QUERY_EXPANSIONS


def test_a_thousand_exclusions_are_a_filter_cut_to_the_clause_budget(cli, big):
    data = search_json(cli, big, THOUSAND_NOTS)
    assert data["notices"] == [f"only the first {MAX_CLAUSES} words were searched"]
    everything = search_json(cli, big, "kind:passage OR kind:note")
    assert data["total"] == everything["total"]  # no passage has an x-word: nothing is excluded
    river = search_json(cli, big, "river")
    assert search_json(cli, big, "river " + THOUSAND_NOTS)["total"] == river["total"]


def test_exclusions_alone_list_what_remains(cli, big):
    river = search_json(cli, big, "river")["total"]
    everything = search_json(cli, big, "NOT x1")["total"]
    assert search_json(cli, big, "NOT river NOT x1")["total"] == everything - river


def test_a_cancelled_search_stops_with_its_own_error(big):
    session = Session.open(big)
    try:
        with pytest.raises(SearchCancelled):
            session.search("s* b*", cancelled=lambda: True)
        assert session.search("s* b*", cancelled=lambda: False).total > 0
    finally:
        session.close()


def test_the_budget_is_only_current_during_its_search(big):
    session = Session.open(big)
    try:
        session.search("lonely~2")
        assert query_budget.current() is None
    finally:
        session.close()


@pytest.mark.parametrize("text, maxdist, prefix", [("lonely", 2, 0), ("river", 1, 0), ("river", 2, 1), ("hope", 2, 2), ("ab", 1, 0)])
def test_fuzzy_terms_expand_from_the_term_table_as_whoosh_expands_them(big, text, maxdist, prefix):
    session = Session.open(big)
    try:
        session.sync()
        scorer = session.index.vector_scorer()
        for cap in (None, 8):
            q = query_budget.CappedFuzzy("text", text, maxdist=maxdist, prefixlength=prefix)
            if cap:
                q.max_expansions = cap
            for sub, _, data, _, _ in scorer.leaves:
                table = data.field_table("text")
                assert table is not None
                whoosh_own = q._btexts(sub.reader())  # Whoosh's Levenshtein automaton over its term index
                fast = fastscore._table_fuzzy(table, q, q.max_expansions)
                assert list(fast) == list(whoosh_own) and fast.cut == whoosh_own.cut
    finally:
        session.close()


def test_a_fuzzy_prefix_longer_than_the_word_searches(cli, big):
    assert search_json(cli, big, "ab~1/5")["total"] >= 0  # Whoosh's automaton failed on it (IndexError)
