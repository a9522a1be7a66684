"""The word lists of the synthetic German corpus (`search_bench.py --language de`).

As benchmarks/synthetic.py's English: German function words at the top ranks, real content
words (umlauts and ß) with their inflections, compounds of two nouns (`schuldgefühl`,
`fährmannstochter`: a noun is found inside them, annotator.engine.analysis.InCompound), then
a long tail of generated word-like strings in German spelling, so that the vocabulary a
compound part is looked for in has the size of a real book's.
"""

from __future__ import annotations

import random

FUNCTION_WORDS = """
der die das und in zu den von ist nicht mit dem sie es ein er auf so eine auch als an nach wie
im für man aber aus durch wenn nur war noch werden bei hat wir was wird sein einen welche sind
oder zur um haben einer mir über ihm diese einem ihr uns da zum kann doch vor dieser mich ihn du
hatte seine mehr am denn nun unter sehr selbst schon hier bis habe ihre dass wo waren dann
""".split()

NOUNS = """
schuld tochter traum fähre fluss nebel hafen straße brief bruder mutter vater schwester kind haus
wasser wind regen schnee winter sommer garten baum wald berg stein mauer fenster tisch stuhl bett
buch papier bild licht stimme gesicht herz hand kopf nacht morgen abend stunde jahr tag welt zeit
leben arbeit schule lehrer geld brot feuer rauch asche uhr himmel wolke stern mond sonne mantel
schuh knopf lied musik tanz spiel weg zug reise hoffnung angst liebe zorn stille güte wahrheit
gefühl mann frau dorf stadt markt laden küche lampe turm wächter boot schiff sturm ufer insel
""".split()

VERB_STEMS = """
erinner geh sprech schau dreh öffn schließ beginn wart brauch helf ruf frag antwort kletter
trag halt schreib les lern lehr hör lach weine sorg hoff träum glaub merk entscheid versprech
besuch reis folg sammel zeichn mal reparier koch back wasch pack komm bleib wechsel zieh
""".split()

ADJECTIVES = """
klein groß jung alt still laut kalt warm dunkel hell weich hart langsam schnell vorsichtig sanft
fremd vertraut leer voll schmal breit schwer leicht müde traurig glücklich einsam ruhig wild grau
grün blau weiß schwarz rot golden silbern fern nah früh spät plötzlich sicher einfach klar
""".split()

_ONSETS = "b d f g h k l m n p r s t w z br dr fl gr pl sch st tr kr schw".split()
_VOWELS = "a e i o u a e i ä ö ü au ei ie eu".split()
_CODAS = ["", "", "n", "r", "l", "s", "t", "ß", "ch", "ck", "ng", "nd", "rt"]
_SUFFIXES = ["", "", "", "", "e", "en", "er", "es", "ung", "heit", "lich", "chen", "ig"]
COMPOUNDS = 400  # two-noun compounds in the vocabulary


def _inflections(stem: str) -> list[str]:
    return [stem + "e", stem + "en", stem + "t", stem + "te", stem + "st", stem + "end"]


def _adjective_forms(word: str) -> list[str]:
    return [word, word + "e", word + "en", word + "er"]


def compounds(rng: random.Random, count: int = COMPOUNDS) -> list[str]:
    """Two nouns written as one word, some with the linking s (`fährmannstochter`)."""
    made: list[str] = []
    seen: set[str] = set()
    while len(made) < count:
        first, second = rng.sample(NOUNS, 2)
        word = first + rng.choice(("", "", "s")) + second
        if word not in seen:
            seen.add(word)
            made.append(word)
    return made


def real_words(rng: random.Random) -> list[str]:
    content = NOUNS + [form for a in ADJECTIVES for form in _adjective_forms(a)]
    content += [form for stem in VERB_STEMS for form in _inflections(stem)]
    content += compounds(rng)
    rng.shuffle(content)
    return FUNCTION_WORDS + content


def generated_word(rng: random.Random) -> str:
    syllables = rng.choice((1, 2, 2, 2, 3))
    word = "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) for _ in range(syllables))
    return word + rng.choice(_CODAS) + rng.choice(_SUFFIXES)
