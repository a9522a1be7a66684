"""What the query budget cut is said alike by both search paths (annotator.engine.query_budget)."""

from __future__ import annotations

import pytest

from annotator.corpus import codebook
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


def test_a_cut_is_said_alike_when_the_filter_allows_no_passage(tmp_path, monkeypatch):
    """Seed 9393: a theme filter that a pending untag leaves empty, and a query Whoosh's search serves
    (`NOT … AND`): the search stops before scoring; the words to mark are still expanded, and Whoosh's
    expansion said `a~1` was cut (to its most frequent of the characters one edit away), the scorer's,
    answered from its cache, did not: the same index answered with a notice or without, by the path."""
    monkeypatch.setattr(query_budget, "MAX_TERM_EXPANSIONS", 3)
    init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(tmp_path / "ws")
    codebook.add_theme(session.store, "Hope", theme_id="hope", description="esperanza niño corazon rio")
    for name, text in {"alpha": "rio Schuld\n", "beta": "sœur años rio ひらがな ピップは孤児で light field abc 孤児 niño 希望\n"}.items():
        source = tmp_path / f"{name}.md"
        source.write_text(text, encoding="utf-8")
        import_source(session.store, source, source_id=name, annotator="tester", language="en")
    session.sync()
    session.tag("alpha-p1", ["hope"])
    session.sync()  # the tag in the index
    session.untag("alpha-p1", ["hope"])  # pending: the search applies the untag
    plain = SearchIndex(session.store, fast_paths=False)
    plain.pending_tags = session.index.pending_tags
    try:
        assert session.index.pending_tags == {"alpha-p1": []}
        wanted = ["a~ matched too many words; its 3 most frequent were searched"]
        query = 'NOT zebra AND a~1 AND "arm-tap x"'
        for index in (session.index, plain):
            assert search.search(index, query, limit=None).notices == wanted  # typed before the filter was chosen
            found = search.search(index, query, themes=["hope"], kind="passage", limit=None)
            assert (found.total, found.notices) == (0, wanted), index.fast_paths
    finally:
        plain.close()
        session.close()
