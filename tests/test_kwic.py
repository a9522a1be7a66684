"""`annotator kwic`: every occurrence of a word (stem-mates too) or phrase, in context, sortable."""

from __future__ import annotations

import json


def kwic(cli, ws, *args):
    code, out, err = cli("--workspace", ws, "kwic", *args, "--json")
    assert code == 0, err
    return json.loads(out)


def test_every_occurrence_with_its_context_id_and_location(cli, workspace_dir):
    found = kwic(cli, workspace_dir, "letter")
    assert found["term"] == "letter"
    assert found["lines"] and all(set(line) == {"id", "location", "left", "match", "right"} for line in found["lines"])
    assert {line["match"].lower() for line in found["lines"]} <= {"letter", "letters"}  # stem-mates
    code, out, _ = cli("--workspace", workspace_dir, "show", found["lines"][0]["id"], "--json")
    text = json.loads(out)["text"]
    first = found["lines"][0]
    assert first["left"] + first["match"] + first["right"] in " ".join(text.split())


def test_position_order_follows_the_book_and_left_right_sort_by_the_context(cli, workspace_dir):
    by_position = kwic(cli, workspace_dir, "letter")["lines"]
    ids = [line["id"] for line in by_position]
    assert ids == sorted(ids)  # lh-001 ... lh-012 are in corpus order
    right = kwic(cli, workspace_dir, "letter", "--sort", "right")["lines"]
    firsts = [line["right"].split()[0].strip(".,;").lower() for line in right if line["right"].split()]
    assert firsts == sorted(firsts)
    left = kwic(cli, workspace_dir, "letter", "--sort", "left")["lines"]
    lasts = [line["left"].split()[-1].strip(".,;").lower() for line in left if line["left"].split()]
    assert lasts == sorted(lasts)


def test_a_phrase_is_one_match_and_width_limits_the_context(cli, workspace_dir):
    found = kwic(cli, workspace_dir, '"younger brother"', "--width", "10")
    assert [line["match"] for line in found["lines"]] == ["younger brother"]
    assert len(found["lines"][0]["left"]) <= 10 and len(found["lines"][0]["right"]) <= 10


def test_text_output_aligns_the_matches_and_bad_width_is_one_line(cli, workspace_dir):
    code, out, _ = cli("--workspace", workspace_dir, "kwic", "letter", "--width", "20")
    rows = [line for line in out.splitlines()[1:] if line.strip()]
    assert rows and len({row.index("[") for row in rows}) == 1  # the match column lines up
    code, out, err = cli("--workspace", workspace_dir, "kwic", "letter", "--width", "-3")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_a_phrase_with_a_common_word_in_it_is_found(cli, demo_workspace_dir):
    # "an" and "the" are not indexed: the phrase's passages are found, its occurrences must be too
    found = kwic(cli, demo_workspace_dir, '"such an office"')
    assert [line["match"] for line in found["lines"]] == ["such an office"]
    found = kwic(cli, demo_workspace_dir, '"the window"')
    assert [line["match"] for line in found["lines"]] == ["the window"]


def test_an_empty_term_is_a_one_line_error(cli, demo_workspace_dir):
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "  ")
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_only_common_words_say_why_nothing_is_listed(cli, demo_workspace_dir):
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "the")
    assert code == 0 and "only common words" in out


def test_a_phrase_with_an_apostrophe_is_found_with_either_apostrophe(cli, demo_workspace_dir):
    for phrase in ('"Ruth\'s possible"', '"Ruth\u2019s possible"'):
        found = kwic(cli, demo_workspace_dir, phrase)
        assert found["lines"] and {line["match"] for line in found["lines"]} == {"Ruth's possible"}
