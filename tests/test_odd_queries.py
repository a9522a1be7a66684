"""A query with no word to look for (a bracket, a quote, an operator, `*`, a filter with no value)
finds nothing, with a one-line note: never every document as if it matched."""

from __future__ import annotations

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
