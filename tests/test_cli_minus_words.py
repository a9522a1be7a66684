"""A query's minus words on the command line (`annotator search Norfolk -Ruth`), found by the search oracle:
argparse read them as options and stopped with a usage error, though the README offers `Norfolk -Ruth`."""

from __future__ import annotations

import json

import pytest


def found(cli, workspace_dir, *args) -> list[str]:
    code, out, err = cli("--workspace", workspace_dir, *args, "--json")
    assert code == 0, err
    return [hit["id"] for hit in json.loads(out)["results"]]


@pytest.mark.parametrize("typed", [("hope", "-Ruth"), ("-Ruth", "hope"), ("hope", "-hope"), ("hope -Ruth",)])
def test_a_minus_word_typed_unquoted_is_part_of_the_query(cli, workspace_dir, typed):
    quoted = found(cli, workspace_dir, "search", " ".join(typed), "--limit", "50")
    assert found(cli, workspace_dir, "search", *typed, "--limit", "50") == quoted


def test_options_around_minus_words_are_still_options(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "search", "-Ruth", "--lim", "1", "hope", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["query"] == "-Ruth hope" and len(data["results"]) == 1


def test_kwic_takes_a_minus_word_too(cli, workspace_dir):
    code, _out, err = cli("--workspace", workspace_dir, "kwic", "hope", "-Ruth", "--json")
    assert code == 0, err


def test_a_query_of_one_minus_word_is_searched_not_refused(cli, workspace_dir):
    code, out, err = cli("--workspace", workspace_dir, "search", "-hope", "--json")
    assert code == 0, err
    assert json.loads(out)["query"] == "-hope"


@pytest.mark.parametrize("query", ["-lamp", "-lamp -storm", '-"the lamp"'])
def test_a_query_of_minus_words_only_lists_the_passages_without_them(cli, workspace_dir, query):
    # Before: Whoosh parsed a lone `-lamp` to no query at all, and every passage was listed, the
    # three with the lamp among them; `NOT lamp` left them out.
    listed = found(cli, workspace_dir, "search", query, "--limit", "50")
    assert listed == found(cli, workspace_dir, "search", query.replace("-", "NOT ", 1).replace(" -", " NOT "), "--limit", "50")
    assert listed and not {"lh-002", "lh-008", "lh-010"} & set(listed)
