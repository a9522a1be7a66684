"""What a student with a French, German or Chinese/Japanese book met in the CLI, each fixed:
kwic found no Chinese or Japanese word, columns of wide characters stood out of line, and a
French note paragraph about "la société" was named "Les"."""

from __future__ import annotations

import json

import pytest
from rich.cells import cell_len

from annotator.cell_width import clip_cells, fit_left, fit_right
from annotator.exchange.importers.theme_notes import infer_names


@pytest.fixture
def cjk(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("init", "--empty", ws)[0] == 0
    book = tmp_path / "deng.txt"
    book.write_text("第一章\n\n皮普在墓地遇见了逃犯，心里十分害怕。\n\n他偷了食物，送给那个逃犯。\n\n"
                    "第二章\n\n所有的時計都停了。\n", encoding="utf-8")
    code, _, err = cli("--workspace", ws, "import", book, "--language", "zh")
    assert code == 0, err
    return ws


def test_kwic_finds_a_chinese_word_inside_a_run(cli, cjk):
    code, out, err = cli("--workspace", cjk, "kwic", "逃犯", "--json")
    assert code == 0, err
    lines = json.loads(out)["lines"]
    assert [(line["id"], line["match"], line["left"][-2:]) for line in lines] == [("deng-p1", "逃犯", "见了"), ("deng-p2", "逃犯", "那个")]


def test_kwic_lines_up_the_matches_in_columns_when_the_context_is_wide(cli, cjk):
    code, out, _ = cli("--workspace", cjk, "kwic", "逃犯", "--width", "12")
    assert code == 0
    rows = [row for row in out.splitlines() if "[" in row]
    assert len(rows) == 2
    assert len({cell_len(row[: row.index("[")]) for row in rows}) == 1  # the matches start in one column
    assert len({cell_len(row[: row.index("deng-")]) for row in rows}) == 1  # and the ids too


def test_the_themes_table_keeps_its_columns_with_chinese_names(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("init", "--empty", ws)[0] == 0
    for name in ("希望", "L'espérance", "Straße der Träume"):
        assert cli("--workspace", ws, "theme", "add", name)[0] == 0
    code, out, _ = cli("--workspace", ws, "themes")
    assert code == 0
    rows = out.splitlines()
    assert len({cell_len(row[: row.index(" tagged")]) for row in rows}) == 1, out


def test_text_fitted_to_columns():
    assert fit_right("希望ab", 7) == "希望ab "
    assert fit_left("希望希望", 5) == " 希望"  # a wide character is never cut in half
    assert fit_left("ab", 4) == "  ab"
    assert clip_cells("希望希望", 5) == "希望…"
    assert clip_cells("hope", 5) == "hope"


def test_an_unheaded_french_paragraph_is_not_named_by_an_article():
    """Snowball's French stop words hold "le" and "la" but not "les"."""
    paragraph = ("La société française condamne les pauvres sans les comprendre. Les lois et la police écrasent "
                 "ceux qui sont déjà tombés, et la société ne leur laisse aucune chance de se relever.")
    assert infer_names([paragraph]) == ["Société"]


def test_a_colleague_is_named_in_agreement_as_in_config_name(cli, demo_workspace_dir):
    """`config name "Ana Lima"` and `--as "Ana Lima"` file her tags as Ana-Lima; agreement and
    consensus refused "Ana Lima" (no annotator 'Ana Lima') though tag and show took it."""
    ws = demo_workspace_dir
    assert cli("--workspace", ws, "tag", "nlmg-002", "conformity", "--as", "Ana Lima")[0] == 0
    code, out, err = cli("--workspace", ws, "agreement", "demo", "Ana Lima", "--json")
    assert code == 0, err
    assert json.loads(out)["annotators"] == ["demo", "Ana-Lima"]
    code, out, err = cli("--workspace", ws, "agreement", "demo", "tutor", "ana lima", "--json")
    assert code == 0, err
    assert json.loads(out)["annotators"] == ["demo", "tutor", "Ana-Lima"]
    code, _, err = cli("--workspace", ws, "agreement", "demo", "Ana Lim")
    assert code == 2 and "no annotator 'Ana Lim'" in err


@pytest.mark.parametrize("line, location", [
    ("PREMIÈRE PARTIE — FANTINE", "part 1"),
    ("Deuxième partie", "part 2"),
    ("Zweites Kapitel", "ch. 2"),
    ("Erstes Kapitel: Die Verhaftung", "ch. 1"),
    ("Erster Teil", "part 1"),
    ("Segunda parte", "part 2"),
    ("Parte prima", "part 1"),
    ("Première partie de la soirée fut calme.", None),  # a sentence, not a heading
])
def test_headings_with_the_ordinal_first(line, location):
    from annotator.exchange.importers.plaintext import heading_location

    assert heading_location(line) == location


def test_a_french_book_in_parts_and_books_is_located_by_them(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("init", "--empty", ws)[0] == 0
    book = tmp_path / "miserables.txt"
    book.write_text("PREMIÈRE PARTIE — FANTINE\n\nL'évêque accueille le forçat sans poser de question.\n\n"
                    "DEUXIÈME PARTIE — COSETTE\n\nLa petite fille porte un seau trop lourd dans la forêt.\n",
                    encoding="utf-8")
    assert cli("--workspace", ws, "import", book, "--language", "fr")[0] == 0
    code, out, _ = cli("--workspace", ws, "search", "foret", "--json")
    assert [(hit["id"], hit["location"]) for hit in json.loads(out)["results"]] == [("miserables-p2", "part 2")]


def test_kwic_sorted_left_sorts_a_chinese_context_by_the_characters_nearest_the_match(cli, tmp_path):
    ws = tmp_path / "w"
    assert cli("init", "--empty", ws)[0] == 0
    book = tmp_path / "deng.txt"
    # nearest the match: 了 (U+4E86) in p1, 个 (U+4E2A) in p2; from the runs' starts 一 (U+4E00) < 那 (U+90A3)
    book.write_text("一直等了逃犯。\n\n那个逃犯。\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", book, "--language", "zh")[0] == 0
    code, out, err = cli("--workspace", ws, "kwic", "逃犯", "--sort", "left", "--json")
    assert code == 0, err
    assert [line["id"] for line in json.loads(out)["lines"]] == ["deng-p2", "deng-p1"]
