"""Words a reader types: hyphenated words are words (`open-plan`, `second-hand`, `Never-Let-Me-Go`
find what they say, highlighted whole, in the CLI and as you type; a minus before a term, as in
`Norfolk -Ruth`, is still NOT), and a query of only common words says so."""

from __future__ import annotations

import json

import pytest

from annotator.corpus.model import Passage, Source, SourceFile
from annotator.session import Session
from annotator.corpus.store import Store
from annotator.corpus.workspace import init_workspace

TEXTS = [
    ("hy-01", "She bought a second-hand coat from the market and wore it all winter."),
    ("hy-02", "The second hand of the station clock jumped forward, and the train left."),
    ("hy-03", "He gave her an arm-tap, the way the guardians did, and walked on."),
    ("hy-04", "The tape was called Never-Let-Me-Go, and she played it again and again."),
    ("hy-05", "Never ask a question you cannot let go of, said the teacher."),
    ("hy-06", "A hand on her arm; later, a tap at the window: she woke, then slept again."),
]


def run_json(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


def matched_words(result: dict) -> list[list[str]]:
    return [[r["text"][a:b] for a, b in r["matches"]] for r in result["results"]]


@pytest.fixture
def hyphens(tmp_path):
    ws = init_workspace(tmp_path / "hyphens", empty=True)
    Store(ws).save_source(SourceFile(
        Source("hy", "Hyphens", "Us", "hy.txt", "2026-01-01T00:00:00+00:00"),
        [Passage(pid, text, "p. 1", "hy") for pid, text in TEXTS],
    ))
    return ws.root


def test_open_plan_finds_the_open_plan_office_and_highlights_the_whole_word(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", "open-plan")
    assert {r["id"] for r in result["results"]} == {"nlmg-016", "nlmg-018"}
    assert all(words == ["open-plan"] for words in matched_words(result))


def test_quoted_phrase_with_a_hyphenated_word(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", '"open-plan office" OR deferral*')
    assert {"nlmg-016", "nlmg-018"} <= {r["id"] for r in result["results"]}
    top = result["results"][0]
    assert "open-plan" in [top["text"][a:b] for a, b in top["matches"]]


def test_a_minus_before_a_word_is_still_not(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", "Norfolk -Ruth")
    assert result["total"] > 0
    assert all("ruth" not in r["text"].lower() for r in result["results"])


@pytest.mark.parametrize("query,expected,highlighted", [
    ("second-hand", {"hy-01", "hy-02"}, "second-hand"),  # the phrase of its parts: "second hand" too
    ("arm-tap", {"hy-03"}, "arm-tap"),
    ("Never-Let-Me-Go", {"hy-04"}, "Never-Let-Me-Go"),
])
def test_hyphenated_words_find_what_they_say(cli, hyphens, query, expected, highlighted):
    result = run_json(cli, "--workspace", hyphens, "search", query)
    assert {r["id"] for r in result["results"]} == expected
    hyphenated = next(r for r in result["results"] if highlighted in r["text"])
    assert [hyphenated["text"][a:b] for a, b in hyphenated["matches"]] == [highlighted]


@pytest.mark.parametrize("query", ["second-ha*", "secnd-hand~"])
def test_prefix_and_fuzzy_hyphenated_words(cli, hyphens, query):
    result = run_json(cli, "--workspace", hyphens, "search", query)
    assert "hy-01" in {r["id"] for r in result["results"]}


def test_not_before_a_hyphenated_word(cli, hyphens):
    result = run_json(cli, "--workspace", hyphens, "search", "hand -second-hand")
    assert [r["id"] for r in result["results"]] == ["hy-06"]
    code, out, err = cli("--workspace", hyphens, "search", "--json", "--", "-second-hand")
    assert code == 0, err
    alone = json.loads(out)
    assert {r["id"] for r in alone["results"]} == {"hy-03", "hy-04", "hy-05", "hy-06"}


@pytest.mark.parametrize("typed,expected", [("open-pl", "nlmg-018"), ("open-plan", "nlmg-018"), ("modern open-pl", "nlmg-018")])
def test_hyphenated_word_as_you_type(demo_workspace_dir, typed, expected):
    session = Session.open(demo_workspace_dir)
    try:
        session.sync()
        hits = session.search(typed, as_you_type=True).hits
        ids = [h.id for h in hits]
        assert expected in ids[:2]
        assert "nlmg-016" in ids
        top = hits[ids.index(expected)]
        assert "open-plan" in [top.text[a:b] for a, b in top.matches]
    finally:
        session.close()


@pytest.mark.parametrize("query", ["the", "to be or not to be", "to be OR not"])
def test_only_common_words_say_so_instead_of_listing_everything(cli, demo_workspace_dir, query):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", query)
    assert result["total"] == 0 and result["results"] == []
    assert "only common words" in result["notice"]
    code, out, _ = cli("--workspace", demo_workspace_dir, "search", query)
    assert code == 0 and "only common words" in out


def test_only_common_words_with_a_filter_list_what_the_filter_allows(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", "the", "--source", "never-let-me-go")
    assert result["total"] > 0 and "only common words" in result["notice"]


def test_only_common_words_as_you_type(demo_workspace_dir):
    session = Session.open(demo_workspace_dir)
    try:
        session.sync()
        done = session.search("to be or not to be ", as_you_type=True)
        assert done.total == 0 and "only common words" in done.notice
        assert session.search("to be or not to be", as_you_type=True).notice is None  # `be` still being typed
    finally:
        session.close()


def test_a_part_of_a_hyphenated_word_finds_it(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", "plan")
    assert {"nlmg-016", "nlmg-018"} <= {r["id"] for r in result["results"]}


def test_did_you_mean_corrects_a_part_of_a_hyphenated_word(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", "open-plam")
    assert result["total"] == 0 and result["suggestion"] == "open-plan"


@pytest.mark.parametrize("query", ["x-ray", "ray", "e-mail", "T-shirt"])
def test_a_hyphenated_word_with_a_one_letter_part_is_highlighted_whole(cli, tmp_path, query):
    """A single letter is never indexed, so it never matched: `x-ray` highlighted only "ray"."""
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init", "--empty")[0] == 0
    notes = tmp_path / "notes.txt"
    notes.write_text("An x-ray came by e-mail, with a T-shirt.\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", notes, "--language", "en")[0] == 0
    result = run_json(cli, "--workspace", ws, "search", query)
    whole = {"x-ray": "x-ray", "ray": "x-ray", "e-mail": "e-mail", "T-shirt": "T-shirt"}[query]
    assert matched_words(result) == [[whole]]


def test_a_hyphenated_word_with_common_words_inside_is_highlighted_whole(cli, tmp_path):
    root = tmp_path / "ws"
    assert cli("init", "--empty", str(root))[0] == 0
    text = tmp_path / "kitchen.txt"
    text.write_text("A state-of-the-art kitchen, and her mother-in-law's arm-tap.\n\nThe state of the art is sad.\n")
    assert cli("import", str(text), "--workspace", root)[0] == 0
    shown = {r["id"]: [r["text"][a:b] for a, b in r["matches"]]
             for r in run_json(cli, "search", "state-of-the-art", "--workspace", root)["results"]}
    assert shown == {"kitchen-p1": ["state-of-the-art"], "kitchen-p2": ["state", "art"]}
    assert matched_words(run_json(cli, "search", '"mother-in-law arm-tap"', "--workspace", root)) == [
        ["mother-in-law", "arm-tap"]]


@pytest.mark.parametrize("question, words", [("hope?", "hope"), ("why?", "why"),
                                             ("where does the book show hope coming from lies?",
                                              "where does the book show hope coming from lies")])
def test_a_question_mark_ends_a_question_and_finds_what_the_words_find(cli, demo_workspace_dir, question, words):
    asked = run_json(cli, "--workspace", demo_workspace_dir, "search", question)
    plain = run_json(cli, "--workspace", demo_workspace_dir, "search", words)
    assert asked["total"] == plain["total"] > 0
    assert [r["id"] for r in asked["results"]] == [r["id"] for r in plain["results"]]


def test_question_marks_alone_are_a_query_with_no_word(cli, demo_workspace_dir):
    result = run_json(cli, "--workspace", demo_workspace_dir, "search", "???")
    assert result["total"] == 0 and result["notice"] == "no word in the query to search for"


def test_a_question_typed_in_the_box_is_a_finished_word(demo_workspace_dir):
    session = Session.open(demo_workspace_dir)
    try:
        session.sync()
        asked = session.search("why?", as_you_type=True)
        assert asked.total > 0 and asked.total == session.search("why").total
    finally:
        session.close()
