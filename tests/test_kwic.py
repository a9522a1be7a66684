"""`annotator kwic`: every occurrence of a word (stem-mates too) or phrase, in context, sortable."""

from __future__ import annotations

import json
import re

import pytest


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


def test_a_common_word_lists_every_occurrence_as_a_concordancer_does(cli, demo_workspace_dir):
    # "the" is not indexed (a stop word): it is found by reading the passages, every occurrence listed
    found = kwic(cli, demo_workspace_dir, "the")
    texts = {pid: text for pid, text in passage_texts(cli, demo_workspace_dir, {line["id"] for line in found["lines"]})}
    expected = sum(len(re.findall(r"\bthe\b", text, re.IGNORECASE)) for text in texts.values())
    assert len(found["lines"]) == expected > 50
    assert {line["match"] for line in found["lines"]} <= {"the", "The"}
    ids = [line["id"] for line in found["lines"]]
    assert ids == sorted(ids, key=lambda pid: int(pid.split("-")[1]))  # the book's order
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "the")
    assert code == 0 and "only common words" not in out and f"{expected} occurrences in {len(texts)} passages" in out


def test_a_phrase_of_common_words_is_found_and_the_limit_says_where_it_stopped(cli, demo_workspace_dir):
    found = kwic(cli, demo_workspace_dir, "to be")  # unquoted: one phrase
    assert [(line["id"], line["match"]) for line in found["lines"]] == [("nlmg-004", "to be")]
    assert kwic(cli, demo_workspace_dir, '"to be"') == {**found, "term": '"to be"'}
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "the", "--limit", "2")
    assert code == 0 and out.splitlines()[0].endswith("in the first 2 passages that hold it (--limit 2 stopped the reading there)")
    assert {line.split()[-3] for line in out.splitlines()[1:]} == {"nlmg-001", "nlmg-002"}


def test_a_common_word_with_a_filter_reads_only_the_passages_it_allows(cli, demo_workspace_dir):
    found = kwic(cli, demo_workspace_dir, "the", "source:never-let-me-go")
    assert found["lines"] and len(found["lines"]) == len(kwic(cli, demo_workspace_dir, "the")["lines"])
    assert kwic(cli, demo_workspace_dir, "the", "source:nowhere")["lines"] == []


def test_several_words_unquoted_are_one_phrase(cli, demo_workspace_dir, capsys):
    found = kwic(cli, demo_workspace_dir, "Miss", "Lucy")
    assert found["lines"] and {line["match"] for line in found["lines"]} == {"Miss Lucy"}
    assert kwic(cli, demo_workspace_dir, "Miss Lucy")["lines"] == found["lines"]
    assert kwic(cli, demo_workspace_dir, '"Miss Lucy"')["lines"] == found["lines"]
    # the query language's operators still search word by word
    either = kwic(cli, demo_workspace_dir, "Miss", "OR", "Lucy")
    assert {line["match"] for line in either["lines"]} >= {"Miss", "Lucy"}
    with pytest.raises(SystemExit):
        cli("kwic", "--help")
    assert "Several words are one phrase" in " ".join(capsys.readouterr().out.split())


def passage_texts(cli, ws, ids):
    for pid in sorted(ids):
        code, out, err = cli("--workspace", ws, "show", pid, "--json")
        yield pid, json.loads(out)["text"]


def test_a_phrase_with_an_apostrophe_is_found_with_either_apostrophe(cli, demo_workspace_dir):
    for phrase in ('"Ruth\'s possible"', '"Ruth\u2019s possible"'):
        found = kwic(cli, demo_workspace_dir, phrase)
        assert found["lines"] and {line["match"] for line in found["lines"]} == {"Ruth's possible"}


def test_on_an_80_column_terminal_each_line_fits_and_the_places_line_up(cli, workspace_dir, monkeypatch):
    from annotator.cli import kwic_cmds

    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setattr(kwic_cmds, "_terminal_columns", lambda: 80)
    code, out, err = cli("--workspace", workspace_dir, "kwic", "letter")  # stem-mates: "letter", "letters"
    rows = out.splitlines()[1:]
    assert code == 0 and len(rows) >= 3
    assert all(len(row) <= 80 for row in rows), rows
    assert len({row.index("[") for row in rows}) == 1 and len({row.index("  lh-") for row in rows}) == 1
    assert len({len(row.split("[")[1].split("]")[0]) for row in rows}) > 1  # matches of two lengths, still aligned


def test_a_reading_of_the_passages_stops_when_cancelled(session):
    assert len(session.kwic("the").lines) > 20
    stopped = session.kwic("the", cancelled=lambda: True)
    assert stopped.lines == [] and not stopped.complete


def test_tried_by_a_new_user_a_misspelling_a_filter_alone_and_a_phrase_found_apart(cli, demo_workspace_dir):
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "Tomy")
    assert code == 0 and out.splitlines() == ["0 occurrences in 0 passages", "did you mean: Tommy"]
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "theme:hope")  # no word to list
    assert code == 2 and "give a word or a phrase" in err and err.count("\n") == 1
    # search finds "Ruth's" in passages holding "Ruth" alone too: only those with an occurrence are counted
    found = kwic(cli, demo_workspace_dir, "Ruth's")
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "Ruth's")
    assert out.splitlines()[0] == f"{len(found['lines'])} occurrences in {len({line['id'] for line in found['lines']})} passages"


def test_a_word_typed_without_accents_finds_them_and_one_with_them_only_itself(cli, tmp_path):
    """As search: `a la maison` finds "à la maison" (before, it listed nothing), `ete` finds "été",
    `strasse` finds "Straße"; `à la maison` is not "a la maison"; the match is the text as written."""
    ws = str(tmp_path / "kw")
    assert cli("init", "--empty", "--language", "fr", ws)[0] == 0
    book = tmp_path / "livre.txt"
    book.write_text("Chapitre 1\n\nL'espérance de Cosette était grande. Il a été à la Straße.\n\n"
                    "Une sœur et un frère. Élise arrive à la maison. Paul va a la maison.\n", encoding="utf-8")
    assert cli("import", str(book), "--workspace", ws)[0] == 0

    def matches(term):
        return [line["match"] for line in kwic(cli, ws, term)["lines"]]

    assert matches("a la maison") == ["à la maison", "a la maison"]
    assert matches("à la maison") == ["à la maison"]
    assert matches("ete") == ["été"] and matches('"a ete a"') == ["a été à"]
    assert matches("strasse") == ["Straße"] and matches("soeur") == ["sœur"]
    code, out, _ = cli("--workspace", ws, "kwic", "a la maison")
    assert "[à la maison]" in out and "[a la maison]" in out  # the brackets mark the original characters


def test_a_filter_with_no_value_is_named_not_searched_as_a_word(cli, demo_workspace_dir):
    """`Norfolk source:` lists Norfolk (not the phrase "Norfolk source", found nowhere) and says why
    `source:` filtered nothing; `source:` alone finds nothing, as search says it."""
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "Norfolk source:")
    lines = out.splitlines()
    assert code == 0 and lines[0] != "0 occurrences in 0 passages", out
    assert lines[1] == "'source:' needs a name: source:ID" and "[Norfolk]" in lines[2], out
    code, out, err = cli("--workspace", demo_workspace_dir, "kwic", "source:")
    assert code == 0 and out.splitlines() == ["0 occurrences in 0 passages", "'source:' needs a name: source:ID"], out
