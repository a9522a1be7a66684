"""Words with accents are marked where they are, whatever else the text holds (’, œ, Greek, Cyrillic)."""

import pytest
from hypothesis import example, given, settings, strategies as st

from annotator.engine.analysis import query_languages
from annotator.engine.index import text_analyzer
from annotator.engine.search import _candidate_pattern, _joined_at_hyphens, _wanted, analysed_terms, match_offsets

TEXTS = [
    "L’espérance d’Élise, le cœur « gros » — Œdipe; sa sœur l’été-là.",
    "Straße und STRASSE: Ærø, þing, Łódź, čaj; e-mail x-ray 3.été aéro.été ªete µete",
    "Dürfen Mädchen Öl? Über Ärger, ÜBER übel. daß Fluß naïve café-crème",
    "мир Мира, Αθήνα αθηνα άλφα, e\u0301te\u0301 espe\u0301rance",
    # lowercased other than one character for one (İ, a final Σ), or Chinese beside French: the slower paths
    "İstanbul l’ÉTÉ, ΣΟΦΟΣ σοφός; ÉLISE ESPÉRANCE",
    "東京の夏 l’Été d’ÉLISE, SŒUR „Straße“ – Œuvre…",
    # a word after any other character than a letter, a digit or a dot; a token holding `*` (a head the
    # byte scanner's spaces would hide): that scanner steps aside for it
    "«été»(été)[ÉTÉ]/été\\été été,été été;été «Élise»: é*té e*té ét*é ‹cœur› a*b été\x01été 'été' _été x.été",
]
WORDS = ["espérance", "esperance", "elise", "coeur", "oedipe", "soeur", "été", "ete", "strasse", "aero", "thing",
         "lodz", "caj", "mail", "ray", "durfen", "madchen", "ol", "uber", "arger", "dass", "fluss", "naive", "cafe",
         "creme", "мир", "αθηνα", "αλφα", "gros", "istanbul", "σοφος", "oeuvre", "é*té", "e*te", "a*b"]


def generic_offsets(text: str, wanted: frozenset) -> list[list[int]]:
    """What the general pattern (tried at every character, case-insensitively) marks."""
    found = [[m.start(), m.end()] for m in _candidate_pattern(wanted, True).finditer(text) if _wanted(m.group(), wanted)]
    return _joined_at_hyphens(text, found)


@pytest.mark.parametrize("text", TEXTS)
@pytest.mark.parametrize("languages", [("fr",), ("de", "en")])
def test_the_fast_scanners_mark_what_the_general_pattern_marks(text, languages):
    with query_languages(languages):
        for word in WORDS:
            wanted = frozenset(analysed_terms(word)) | ({word} if not word.isascii() else set())
            assert match_offsets(text, wanted) == generic_offsets(text, wanted), word


def test_a_french_word_is_marked_beside_a_typographic_apostrophe_and_a_ligature():
    text = TEXTS[0]
    with query_languages(("fr",)):
        wanted = frozenset(analysed_terms("esperance") + analysed_terms("soeur") + analysed_terms("coeur"))
        assert [text[a:b] for a, b in match_offsets(text, wanted)] == ["espérance", "cœur", "sœur"]



# Words glued to what follows them: accents, ligatures, a capital and final sigma, NUL, apostrophes,
# hyphens and dots inside words, the dotted capital I, letters `re` folds to ASCII: every highlight path.
PIECES = ["e", "é", "É", "ete", "été", "ÉTÉ", "esp", "espérance", "ESPÉRANCE", "elise", "Élise", "Σ", "σ", "ς",
          "ΣΟΦΟΣ", "σοφός", "hopeΣ", "œ", "Œ", "æ", "Æ", "ß", "ẞ", "ss", "oe", "soeur", "SŒUR", "STRASSE", "Straße",
          "a", "x", "hope", "3", "ﬁ", "İ", "ı", "мир", "K", "\u212a", "\u017f"]
JOINERS = ["", " ", " ", ", ", "'", "’", "-", ".", "\x00", "'a ", "’α "]
@settings(max_examples=150, deadline=None, derandomize=True)
@example(pieces=["ΣΟΦΟΣ'a "], words=[], own=[0], languages=("fr",))  # a last Σ before an apostrophe
@example(pieces=["ete ", "ete", "İ"], words=[], own=[0], languages=("en",))  # İ: the byte path gives up
@example(pieces=["été\x00", "ete"], words=["ete"], own=[], languages=("fr",))  # the text's own NUL
@given(pieces=st.lists(st.tuples(st.sampled_from(PIECES), st.sampled_from(JOINERS)).map("".join), max_size=8), words=st.lists(st.sampled_from(WORDS), max_size=2),
       own=st.lists(st.integers(0, 20), max_size=2), languages=st.sampled_from([("fr",), ("de", "en"), ("en",), ("es",)]))
def test_every_highlight_path_marks_what_the_general_pattern_marks(pieces, words, own, languages):
    """Whichever path a text takes (bytes folded and lowercased at once, the accented scanner, the general
    pattern), the words whose terms a search looked for (some the text's own, as the index holds them) are marked alike."""
    text = "".join(pieces)
    with query_languages(languages):
        indexed = [token.text for token in text_analyzer()(text)]
        wanted = frozenset(t for word in words for t in analysed_terms(word)) | {w for w in words if not w.isascii()}
        wanted |= {indexed[n % len(indexed)] for n in own if indexed}
        assert match_offsets(text, wanted) == generic_offsets(text, wanted), (text, sorted(wanted))


@pytest.mark.parametrize(("text", "marked"), [("ΣΟΦΟΣ'a", "ΣΟΦΟΣ"), ("é ΣΟΦΟΣ’α", "ΣΟΦΟΣ"), ("é hopeΣ'a", "hopeΣ"),
                                              ("ss'Σ3 é", "Σ3")])
def test_a_word_with_a_sigma_is_marked_whatever_stands_beside_it(text, marked):
    """The index lowercases a word on its own (its last Σ a final ς, a Σ alone a σ); the text lowercased
    whole gave σ before an apostrophe and a letter (`ΣΟΦΟΣ'a`), ς after a letter and an apostrophe
    (`ss'Σ3`), and the word was not marked."""
    with query_languages(("fr", "en")):
        wanted = frozenset(token.text for token in text_analyzer()(marked))
        assert [text[a:b] for a, b in match_offsets(text, wanted)] == [marked]


BOOK_WORDS = {  # every word of the test books, and the words stemmers rewrite or ligatures shorten
    "en": "eyed eye eyes ties tied tying lies lied cry cries cried crying carry carries carried dry dries happy happily lying dying oxen caesar aether",
    "fr": "cœur cœurs œuvre œuvres sœur bœuf chevaux cheval eaux yeux aïeul naïve maïs cahier cahiers ère été",
    "de": "Straße Straßen Maß Maße groß größer Fuß Füße Häuser Haus Mädchen Bäume Träume Äpfel Öl Übel Tür",
    "es": "",
}


@pytest.mark.parametrize("language", ["en", "fr", "de", "es"])
def test_every_word_begins_with_the_head_its_term_is_scanned_for(language):
    """The byte scanner finds a word by its term's first letters (three for a stem of four or more):
    every word of the test books, folded as the scanner reads it, begins with them, or it goes unmarked."""
    import gzip
    import re
    from pathlib import Path

    from annotator.engine.search import _byte_folded_lower, _scanned_head

    fixtures = Path(__file__).parent / "fixtures"
    books = [p.read_text(encoding="utf-8") for p in fixtures.joinpath("languages").glob(f"*.{language}.txt")]
    if language == "en":
        books.append(gzip.open(fixtures / "novel" / "great-expectations.txt.gz", "rt", encoding="utf-8").read(400_000))
    text = " ".join([BOOK_WORDS[language], *books])
    words = {w.lower() for w in re.findall(r"\w+", text)}
    missed = []
    with query_languages((language,)):
        for word in words:
            folded = _byte_folded_lower(word)
            for term in analysed_terms(word) if folded is not None else ():
                head = _scanned_head(term)
                if not folded[1:].decode("ascii").startswith(head):
                    missed.append((word, term, head))
    assert len(words) > 50 and not missed


@pytest.mark.parametrize("text", ["She eyed the cake.", "She ‘eyed’ the café."])
def test_a_word_its_stemmer_spells_with_an_i_is_marked(text):
    """Porter stems `eyed` to `ei`: the passage was found, and the word went unmarked."""
    with query_languages(("en",)):
        wanted = frozenset(analysed_terms("eyed"))
        assert [text[start:end] for start, end in match_offsets(text, wanted)] == ["eyed"]
