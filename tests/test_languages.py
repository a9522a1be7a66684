"""Books in French, German, Spanish, Chinese and Japanese, imported and searched through the CLI."""

import json
from pathlib import Path

import pytest

from annotator.corpus.model import slugify
from annotator.exchange.importers.plaintext import heading_location
from annotator.exchange.importers.theme_notes import infer_names

BOOKS = Path(__file__).parent / "fixtures" / "languages"


def run_json(cli, *args):
    code, out, err = cli(*args, "--json")
    assert code == 0, err
    return json.loads(out)


@pytest.fixture
def library(cli, tmp_path):
    """A workspace holding the five sample books."""
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init", "--empty")[0] == 0
    for book in sorted(BOOKS.glob("*.txt")):
        code, _, err = cli("--workspace", ws, "import", book)
        assert code == 0, err
    return ws


def found(cli, ws, query, *options):
    """(passage id, the matched words) of every result, best first."""
    result = run_json(cli, "--workspace", ws, "search", query, *options)
    return [(hit["id"], [hit["text"][a:b] for a, b in hit["matches"]]) for hit in result["results"]]


def test_chapter_headings_in_every_language_become_locations(cli, library):
    for source in ("phare-fr", "faehre-de", "faro-es", "deng-zh", "tokei-ja"):
        shown = run_json(cli, "--workspace", library, "show", f"{source}-p1")
        assert shown["location"] == "ch. 1"
        assert not shown["text"].startswith(("Chapitre", "Kapitel", "Capítulo", "第"))
    assert run_json(cli, "--workspace", library, "show", "phare-fr-p3")["location"] == "ch. 2"
    assert run_json(cli, "--workspace", library, "show", "deng-zh-p3")["location"] == "ch. 2"


@pytest.mark.parametrize("line, location", [
    ("Chapitre premier", "ch. 1"), ("CHAPITRE XII", "ch. XII"), ("Kapitel 3", "ch. 3"), ("Kapitel zwei", "ch. 2"),
    ("Capítulo 4", "ch. 4"), ("Capitolo 2", "ch. 2"), ("Hoofdstuk 5", "ch. 5"), ("第十二章", "ch. 12"),
    ("第二十回", "ch. 20"), ("第３章", "ch. 3"), ("IV.", "ch. IV"), ("Teil 2", "part 2"), ("Livre III", "book III"),
    ("CIVIL", None), ("I am here.", None), ("Cap Horn", None),
])
def test_heading_lines_in_other_languages(line, location):
    assert heading_location(line) == location


def test_searching_without_accents_finds_accented_words(cli, library):
    assert [words for _, words in found(cli, library, "Elise")] == [["Élise"], ["Élise"]]
    assert found(cli, library, "strasse") == [("faehre-de-p2", ["Straße"])]
    assert found(cli, library, "soeur") == [("phare-fr-p1", ["sœur"])]
    assert found(cli, library, "noel") == [("phare-fr-p2", ["Noël"])]
    assert found(cli, library, "senora") == [("faro-es-p3", ["señora"])]
    assert {pid for pid, _ in found(cli, library, "corazon")} == {"faro-es-p1"}


def test_an_accented_query_ranks_exact_spellings_first(cli, library):
    accented = found(cli, library, "espérance", "--source", "phare-fr")
    assert accented == [("phare-fr-p1", ["espérance"]), ("phare-fr-p4", ["esperance"])]
    plain = found(cli, library, "esperance source:phare-fr")
    assert {pid for pid, _ in plain} == {"phare-fr-p1", "phare-fr-p4"}
    # Across the books the word is looked for in each book's language: the Spanish "esperanza" too.
    assert {pid for pid, _ in found(cli, library, "espérance")} == {"phare-fr-p1", "phare-fr-p4", "faro-es-p1"}


def test_chinese_and_japanese_words_are_found_inside_runs(cli, library):
    assert found(cli, library, "逃犯") == [("deng-zh-p1", ["逃犯"])]
    assert found(cli, library, "皮普")[0][1] == ["皮普"]
    assert {pid for pid, _ in found(cli, library, "皮普")} == {"deng-zh-p1", "deng-zh-p3"}
    assert found(cli, library, "婚纱") == [("deng-zh-p2", ["婚纱"])]
    assert found(cli, library, "ピップ")[0][1] == ["ピップ"]
    assert {pid for pid, _ in found(cli, library, "時計")} == {"tokei-ja-p1", "tokei-ja-p2"}
    assert found(cli, library, "時計塔") == [("tokei-ja-p1", ["時計塔"])]


def test_a_chinese_word_is_highlighted_where_its_characters_stand_together(cli, tmp_path):
    """皮普 once marked 普皮 too, and 逃犯 the 逃犯逃 of 逃犯逃走: each character was a term of its own."""
    root = tmp_path / "ws"
    assert cli("init", "--empty", str(root))[0] == 0
    text = tmp_path / "pip.txt"
    text.write_text("皮普是一个孤儿。普皮不是名字。\n\n逃犯逃走了。犯逃不是词。\n", encoding="utf-8")
    assert cli("import", str(text), "--language", "zh", "--workspace", root)[0] == 0
    assert found(cli, root, "皮普") == [("pip-p1", ["皮普"])]
    assert found(cli, root, "逃犯") == [("pip-p2", ["逃犯"])]
    assert found(cli, root, '"逃犯逃走"') == [("pip-p2", ["逃犯逃走"])]


def test_slugs_of_names_in_other_alphabets_are_readable():
    assert slugify("L'espérance", "theme") == "l-esperance"
    assert slugify("La culpabilité", "theme") == "la-culpabilite"
    assert slugify("Straße", "theme") == "strasse"
    assert slugify("希望", "theme") == "xiwang"


def test_theme_notes_in_other_languages_get_readable_ids_and_names(cli, tmp_path):
    notes = tmp_path / "themes.txt"
    notes.write_text(
        "Les thèmes du roman\n\n"
        "L'espérance\nÉlise garde l'espérance contre tout : chaque lettre de son frère la rallume, "
        "et le phare devient le signe de cette attente obstinée.\n\n"
        "La société du port observe et juge. Dans cette société fermée, la société impose ses règles "
        "et la honte suit ceux qui refusent de les suivre.\n",
        encoding="utf-8",
    )
    ws = tmp_path / "w"
    cli("--workspace", ws, "init", "--empty")
    code, _, err = cli("--workspace", ws, "import", "--themes", notes)
    assert code == 0, err
    themes = run_json(cli, "--workspace", ws, "themes")
    assert [(t["id"], t["name"]) for t in themes] == [("l-esperance", "L'espérance"), ("societe", "Société")]


def test_unheaded_paragraphs_are_named_on_accented_and_german_words():
    names = infer_names([
        "La société juge chaque personne. Dans cette société, la société impose ses règles.",
        "Die Schuld wächst in ihm. Die Schuld ist überall, und niemand kann der Schuld entkommen.",
    ])
    assert names == ["Société", "Schuld"]


def test_each_source_has_a_language_given_detected_or_the_workspaces(cli, tmp_path):
    ws = tmp_path / "w"
    code, out, _ = cli("--workspace", ws, "init", "--empty", "--language", "fr")
    assert code == 0 and "language: French (fr)" in out
    code, out, err = cli("--workspace", ws, "import", BOOKS / "faehre.de.txt")
    assert code == 0 and "language: German (de, detected)" in out
    code, out, _ = cli("--workspace", ws, "import", BOOKS / "faro.es.txt", "--language", "es-MX")
    assert code == 0 and "language: Spanish (es)" in out
    code, out, err = cli("--workspace", ws, "import", BOOKS / "deng.zh.txt")
    assert "Chinese has no stemmer" in err and err.count("no stemmer") == 1
    assert "language: es" in (ws / "corpus" / "passages" / "faro-es.yaml").read_text(encoding="utf-8")
    status = run_json(cli, "--workspace", ws, "status")
    assert status["language"] == "fr" and status["languages"] == {"de": 1, "es": 1, "zh": 1}
    assert run_json(cli, "--workspace", ws, "show", "faehre-de-p1")["language"] == "de"
    code, out, _ = cli("--workspace", ws, "status")
    assert "French (the workspace's default); sources: de 1, es 1, zh 1" in out
    code, out, _ = cli("--workspace", ws, "show", "faro-es-p1")
    assert "Spanish" in out


def test_a_reimport_keeps_the_language_it_was_given(cli, tmp_path):
    ws = tmp_path / "w"
    cli("--workspace", ws, "init", "--empty")
    book = tmp_path / "livre.txt"
    book.write_text((BOOKS / "phare.fr.txt").read_text(encoding="utf-8"), encoding="utf-8")
    cli("--workspace", ws, "import", book, "--language", "it")  # wrong, but the user's word
    book.write_text(book.read_text(encoding="utf-8") + "\nUn paragraphe de plus.\n", encoding="utf-8")
    code, out, _ = cli("--workspace", ws, "import", book)
    assert code == 0 and "language: Italian (it, kept)" in out


@pytest.mark.parametrize("command", [("init", "--empty"), ("import", str(BOOKS / "faro.es.txt"))])
def test_an_unknown_language_is_a_one_line_error_listing_the_known_ones(cli, tmp_path, command):
    ws = tmp_path / "w"
    if command[0] == "import":
        cli("--workspace", ws, "init", "--empty")
    code, out, err = cli("--workspace", ws, *command, "--language", "klingon")
    assert code == 2
    assert err.strip().count("\n") == 0 and "unknown language 'klingon'" in err and "de, en, es" in err
    assert not (ws / "corpus" / "passages" / "faro-es.yaml").exists()


def test_a_source_file_with_an_unknown_language_names_the_file_and_line(cli, tmp_path):
    ws = tmp_path / "w"
    cli("--workspace", ws, "init", "--empty")
    (ws / "corpus" / "passages" / "s.yaml").write_text(
        "source:\n  id: s\n  language: xx\npassages:\n  - id: s1\n    text: hello\n", encoding="utf-8")
    code, _, err = cli("--workspace", ws, "search", "hello")
    assert code == 2 and "s.yaml" in err and "unknown language 'xx'" in err


def test_a_source_mixing_languages_is_said_once(cli, tmp_path):
    french = ("Élise monte chaque soir l'escalier du phare et regarde la mer pendant que le vent souffle sur les "
              "rochers, et elle pense à son frère qui est parti depuis longtemps sans écrire une seule lettre.")
    english = ("The keeper climbs the tower every evening and watches the sea while the wind blows over the rocks, "
               "and she thinks about her brother who left a long time ago without writing a single letter home.")
    book = tmp_path / "mixed.txt"
    book.write_text("\n\n".join([french, english] * 4), encoding="utf-8")
    ws = tmp_path / "w"
    cli("--workspace", ws, "init", "--empty")
    code, _, err = cli("--workspace", ws, "import", book)
    assert code == 0 and err.count("this source mixes languages") == 1


def test_each_book_is_stemmed_and_stopped_in_its_own_language(cli, library):
    # German: Traum finds Träume (its Snowball stemmer), not only Traum
    assert found(cli, library, "Traum") == [("faehre-de-p3", ["Träume", "Traum"])]
    # French: "et" is a stop word there, so `ete` finds "été" and no passage for its "et"
    assert found(cli, library, "ete") == [("phare-fr-p2", ["été"])]
    # Spanish: señora typed without its tilde, and a plural found by its singular
    assert found(cli, library, "senora") == [("faro-es-p3", ["señora"])]
    assert found(cli, library, "barca") == [("faro-es-p2", ["barcas"])]
    # a highlight marks a passage's words as its own language makes them: French "la" is not marked
    assert found(cli, library, "la mer") == [("phare-fr-p2", ["mer"])]


def test_a_quoted_phrase_is_found_in_each_language(cli, library):
    assert found(cli, library, '"sa soeur"') == [("phare-fr-p1", ["sœur"])]
    assert found(cli, library, '"Schuld und Vergebung"') == [("faehre-de-p2", ["Schuld", "Vergebung"])]
    assert found(cli, library, '"el mar"') == [("faro-es-p2", ["mar"])]


def test_an_english_workspace_searches_as_before(cli, tmp_path):
    ws = tmp_path / "w"
    cli("--workspace", ws, "init", "--empty")
    book = tmp_path / "lamp.txt"
    book.write_text("Chapter 1\n\nThe keeper was sketching boats by the lamp.\n\nShe sketched the sea.\n", encoding="utf-8")
    cli("--workspace", ws, "import", book)
    assert sorted(found(cli, ws, "sketch")) == [("lamp-p1", ["sketching"]), ("lamp-p2", ["sketched"])]
    assert found(cli, ws, "the") == []


def test_did_you_mean_offers_the_accented_spelling(cli, library):
    for typed, offered in [("esprance", "espérance"), ("Strasze", "Straße"), ("Elize", "Élise"), ("soeurr", "sœur"),
                           ("esperence", "espérance")]:  # corrected in its third language's term
        result = run_json(cli, "--workspace", library, "search", typed)
        assert result["total"] == 0 and result["suggestion"] == offered


def test_exports_keep_every_script(cli, library, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("Espérance\nL'espérance que garde Élise, et le phare qui la rallume chaque soir, "
                     "malgré la tempête et le silence du frère.\n", encoding="utf-8")
    assert cli("--workspace", library, "import", "--themes", notes)[0] == 0
    for pid in ("phare-fr-p1", "deng-zh-p1", "tokei-ja-p1", "faehre-de-p2"):
        code, _, err = cli("--workspace", library, "tag", pid, "esperance", "--comment", "希望 — Hoffnung", "--as", "ana")
        assert code == 0, err
    for fmt in ("md", "csv", "json"):
        out = tmp_path / f"sheet.{fmt}"
        assert cli("--workspace", library, "export", "--format", fmt, "-o", out)[0] == 0
        text = out.read_text(encoding="utf-8-sig")
        for words in ("l'espérance", "逃犯在夜里", "ピップは孤児で", "Straße", "希望 — Hoffnung"):
            assert words in text, (fmt, words)


def test_german_words_are_found_inside_compounds_below_the_word_itself(cli, library):
    assert found(cli, library, "Schuld") == [("faehre-de-p2", ["Schuld"]), ("faehre-de-p1", ["Schuldgefühl"])]
    assert found(cli, library, "Tochter") == [("faehre-de-p1", ["Tochter"]), ("faehre-de-p4", ["Fährmannstochter"])]
    # only where a German source is searched: the French book's words are not looked for inside others
    assert found(cli, library, "phare source:phare-fr") == [("phare-fr-p1", ["phare"])]


def test_an_accented_one_letter_prefix_finds_and_marks_what_its_plain_letter_does(cli, tmp_path):
    """`é*` and `Œ*` are single letters, given by the analyzer only as written: their folded
    spellings were not looked for (`é*` found nothing, `Œ*` missed "Oeuvre" and marked nothing)."""
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init", "--empty")[0] == 0
    book = tmp_path / "livre.txt"
    book.write_text("Elle vivait dans l'espérance.\n\nUne Œuvre sans fin.\n\nUne Oeuvre de plus.\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", book, "--language", "fr")[0] == 0
    assert found(cli, ws, "é*") == found(cli, ws, "e*") == [("livre-p1", ["espérance"])]
    assert sorted(found(cli, ws, "Œ*")) == [("livre-p2", ["Œuvre"]), ("livre-p3", ["Oeuvre"])]


def test_suggestions_read_a_french_passage_and_the_notes_in_french(cli, tmp_path):
    # "rallumait" and "rallume" are one French stem; "que", "une", "est", "quand" are French stop
    # words: analysed in English, both notes scored alike (0.5 each) on the passage's first paragraph.
    notes = tmp_path / "notes.md"
    notes.write_text("# Veille\n\nChaque nuit elle rallumait les lampes.\n\n"
                     "# Rumeur\n\nOn dit que c'est une rumeur, quand elle est dite par une voisine.\n", encoding="utf-8")
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init", "--empty", "--language", "fr")[0] == 0
    assert cli("--workspace", ws, "import", "--themes", notes)[0] == 0
    assert cli("--workspace", ws, "import", BOOKS / "phare.fr.txt")[0] == 0
    suggested = run_json(cli, "--workspace", ws, "suggest", "phare-fr-p1")["suggestions"]
    assert [s["theme"] for s in suggested] == ["veille", "rumeur"]
    assert suggested[0]["score"] > 3 * suggested[1]["score"]


def test_suggestions_for_a_german_passage_count_its_nouns_and_not_its_stop_words(cli, tmp_path):
    # German capitalises every noun: "Träume" and "Wasser" are not names to set aside (as an English
    # note's capitalised words are), and "sie", "über", "einem" are stop words, not shared words.
    notes = tmp_path / "notes.md"
    notes.write_text("# Schlaf\n\nDer Schlaf bringt Träume und das Wasser der Erinnerung.\n\n# Gerede\n\n"
                     "Man sagt, dass sie über ihn und über sich selbst nur wenig wissen, denn sie sind in einem Dorf.\n",
                     encoding="utf-8")
    ws = tmp_path / "w"
    assert cli("--workspace", ws, "init", "--empty", "--language", "de")[0] == 0
    assert cli("--workspace", ws, "import", "--themes", notes)[0] == 0
    assert cli("--workspace", ws, "import", BOOKS / "faehre.de.txt")[0] == 0
    suggested = run_json(cli, "--workspace", ws, "suggest", "faehre-de-p3")["suggestions"]
    assert suggested[0]["theme"] == "schlaf"
    assert suggested[0]["score"] > 3 * sum(s["score"] for s in suggested[1:])
