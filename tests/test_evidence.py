"""Evidence for a theme and quotations with citations."""

from __future__ import annotations

from annotator.evidence import citation, quote
from annotator.engine.search import Hit


def _hit(text, location="ch. 7"):
    return Hit(id="x", kind="passage", text=text, source="s", location=location, themes=[], score=0.0)


def test_quote_has_curly_marks_and_citation():
    assert quote(_hit("They  walked\nto the fence."), "Never Let Me Go") == "“They walked to the fence.” (Never Let Me Go, ch. 7)"


def test_quote_turns_inner_double_quotes_into_single_ones():
    assert quote(_hit('He said "no" and “never”.'), "Book") == "“He said 'no' and ‘never’.” (Book, ch. 7)"


def test_citation_without_location_or_title():
    assert citation("Book", "") == "(Book)"
    assert citation("", "p. 3") == "(p. 3)"
    assert citation("", "") == ""


def test_session_quote_uses_the_source_title(session):
    assert session.quote("lh-005").endswith("(Test Author, The Lighthouse Keeper, ch. 2)")


def test_evidence_lists_tagged_passages_in_corpus_order_with_comments(session):
    session.tag("lh-011", ["Memory"], comment="the buttons again")
    items = session.evidence("memory")
    assert [i.hit.id for i in items] == ["lh-006", "lh-011"]
    assert items[0].comments == ["The drawing joins the mother's buttons as a keepsake."]
    assert items[1].annotators == ["tester"]
    data = items[1].to_json()
    assert data["id"] == "lh-011" and data["annotations"][0]["comment"] == "the buttons again"
    assert items[0].source_title == "The Lighthouse Keeper"


def test_evidence_of_an_untagged_theme_is_empty(session):
    session.untag("lh-012", ["friendship"], annotator="alice")
    assert session.evidence("friendship") == []


def test_citations_name_the_author_when_known():
    from annotator.evidence import citation

    assert citation("Never Let Me Go", "ch. 7", "Kazuo Ishiguro") == "(Kazuo Ishiguro, Never Let Me Go, ch. 7)"
    assert citation("Never Let Me Go", "", "Kazuo Ishiguro") == "(Kazuo Ishiguro, Never Let Me Go)"
    assert citation("", "", "") == ""
