"""What the query budget cut is said alike by both search paths (annotator.engine.query_budget)."""

from __future__ import annotations

import pytest

from annotator.engine import query_budget, search
from annotator.engine.index import SearchIndex
from annotator.exchange.importers import import_source
from annotator.session import Session
from annotator.corpus.workspace import init_workspace

# Two sources, two segments: the words beginning `ri` are all in the second.
SOURCES = {"cats": "Cats in a cab, a cap.\n\nFat fabric, a fan.\n", "ribbons": "Ribbons and a riddle, a rib.\n"}


@pytest.fixture
def tight_budget(monkeypatch):
    """Each prefix keeps its one most frequent word: a small workspace reaches the cap."""
    monkeypatch.setattr(query_budget, "MAX_TERM_EXPANSIONS", 1)


def test_cut_terms_are_named_in_the_order_typed_by_the_scorer_and_by_whoosh(tmp_path, tight_budget):
    init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(tmp_path / "ws")
    for name, text in SOURCES.items():
        source = tmp_path / f"{name}.md"
        source.write_text(text, encoding="utf-8")
        import_source(session.store, source, source_id=name, annotator="tester")
        session.sync()
    assert len(session.index.searcher().reader().leaf_readers()) > 1
    plain = SearchIndex(session.store, fast_paths=False)
    try:
        query = "ri* ca* fa* zebra"
        wanted = ["3 terms (ri*, ca*, fa*) matched too many words; each searched at most its 1 most frequent"]
        assert search.search(session.index, query, limit=None).notices == wanted  # the NumPy scorer
        assert search.search(plain, query, limit=None).notices == wanted  # Whoosh's own search
    finally:
        plain.close()
        session.close()


def test_the_notice_names_cut_terms_in_the_order_typed_whatever_order_they_were_cut_in():
    """The NumPy scorer and Whoosh's search may expand a query's terms in different orders (the oracle,
    seeds 3131 and 8282: "7 terms (ri*, ni*, an*, …)" against "7 terms (ca*, fa*, ri*, …)")."""
    q = search.parse("ri* ca* fa* ni*", None)  # capped by the query budget
    leaves = {leaf.text: leaf for leaf in query_budget.capped_leaves(q)}
    for order in (["fa", "ni", "ri", "ca"], ["ca", "ri", "ni", "fa"]):
        budget = query_budget.Budget()
        with query_budget.running(budget):
            for text in order:
                query_budget.note_cut(leaves[text])
        assert budget.notices == ["4 terms (ri*, ca*, fa*, …) matched too many words; each searched at most its 256 most frequent"]
