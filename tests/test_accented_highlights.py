"""Words with accents are marked where they are, whatever else the text holds (’, œ, Greek, Cyrillic)."""

import pytest

from annotator.engine.analysis import query_languages
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
