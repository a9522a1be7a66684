"""A query with no word to look for (a bracket, a quote, an operator, `*`, a filter with no value)
finds nothing, with a one-line note: never every document as if it matched."""

from __future__ import annotations

import json

import pytest

ODD = ["(", ")", '"', "AND", "NOT", "theme:", "*", "( )", "OR AND"]


@pytest.mark.parametrize("query", ODD)
def test_the_cli_finds_nothing_and_says_why(cli, workspace_dir, query):
    code, out, err = cli("--workspace", workspace_dir, "search", query)
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0] == "0 results", out
    assert ("no word in the query to search for" in out) or ("'theme:' needs a name: theme:NAME" in out), out
    assert "did you mean" not in out


def test_the_session_as_the_tui_box_asks_and_the_literal_characters_ignored_with_a_filter(session):
    for query in ["(", ")", '"', "*", "( )", "theme:"]:
        found = session.search(query, as_you_type=True, kind="passage")
        assert found.total == 0 and found.notice and "\n" not in found.notice, query
    assert session.search("AND", as_you_type=True, kind="passage").total == 0  # a prefix as typed: no "and…" word
    assert session.search("an", as_you_type=True, kind="passage").notice is None  # a word still being typed
    hope = session.search("theme:hope")
    assert session.search("theme:hope (").total == hope.total > 0  # the bracket ignored, the filter kept
    assert session.search("hope (").total == session.search("hope").total > 0


EMPTY_FILTERS = {
    "source:": "'source:' needs a name: source:ID",
    "theme:": "'theme:' needs a name: theme:NAME",
    "themes:": "'themes:' needs a name: themes:NAME",
    "kind:": "'kind:' needs a name: kind:passage or kind:note",
    "Source:": "'source:' needs a name: source:ID",
}


@pytest.mark.parametrize("empty", EMPTY_FILTERS)
def test_a_filter_with_no_value_is_named_alone_or_beside_words(cli, workspace_dir, empty):
    """`source:` is not the word "source", and `lighthouse source:` does not drop it silently."""
    notice = EMPTY_FILTERS[empty]
    code, out, err = cli("--workspace", workspace_dir, "search", empty)
    assert code == 0, err
    assert out.splitlines()[:2] == ["0 results", notice], out
    assert "did you mean" not in out
    code, out, err = cli("--workspace", workspace_dir, "search", f"lighthouse {empty}")
    _, alone, _ = cli("--workspace", workspace_dir, "search", "lighthouse")
    assert code == 0, err
    assert out.splitlines()[0] == alone.splitlines()[0] != "0 results"  # the words still searched
    assert out.splitlines()[1] == notice, out
    code, out, err = cli("--workspace", workspace_dir, "search", f"lighthouse {empty}", "--json")
    assert code == 0 and err == "", err
    data = json.loads(out)
    assert data["total"] > 0 and data["notice"] == notice
    code, out, err = cli("--workspace", workspace_dir, "search", empty, "--json")
    assert code == 0 and json.loads(out) == {"query": empty, "total": 0, "results": [], "notice": notice}


def test_several_filters_with_no_value_are_named_on_one_line(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "search", "lighthouse source: (kind:)")
    assert code == 0, err
    assert out.splitlines()[1] == "'source:', 'kind:' need a name: source:ID, kind:passage or kind:note", out


def test_the_session_as_the_tui_box_asks_names_a_filter_with_no_value(session):
    for typed in ["source:", "lighthouse source:", "lighthouse kind: ", "theme:hope source:"]:
        found = session.search(typed, as_you_type=True, kind="passage")
        assert found.notice == EMPTY_FILTERS["source:" if "source" in typed else "kind:"], typed
    assert session.search("lighthouse source:").total == session.search("lighthouse").total > 0
    assert session.search("theme:hope source:").total == session.search("theme:hope").total > 0
    assert session.search("lighthouse").notice is None
