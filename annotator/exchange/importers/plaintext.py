"""Plain text and Markdown -> passages.

Blank-line paragraphs become passages (hard-wrapped lines are joined); Markdown
headings and "Chapter N" lines become the location of what follows; a very long
paragraph is split at sentence boundaries.
"""

from __future__ import annotations

import re

from annotator.exchange.importers.blocks import split_blocks
from annotator.corpus.model import Passage

MAX_PASSAGE_WORDS = 220
TARGET_CHUNK_WORDS = 120
_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.+?)\s*#*\s*$")
# Heading words, by the location label they give: English, French, German, Spanish, Italian, Dutch.
_HEADING_WORDS = {
    "ch.": ("chapter", "ch", "chapitre", "chap", "kapitel", "capítulo", "capitulo", "cap", "capitolo", "hoofdstuk"),
    "part": ("part", "partie", "teil", "parte", "deel"),
    "book": ("book", "livre", "buch", "libro", "boek"),
}
_LABEL = {word: label for label, words in _HEADING_WORDS.items() for word in words}
_CHAPTER = re.compile(
    r"^\s*(%s)\.?\s+([0-9]+|[ivxlcdm]+|\w[\w-]*)\b[\s.:-]*(.*)$"
    % "|".join(sorted(_LABEL, key=len, reverse=True)), re.IGNORECASE)
_ROMAN_ALONE = re.compile(r"^((?=[IVXLC])C{0,3}(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3}))\.?$")  # "IV." alone on its line, as many novels head chapters
# 第三章, 第12回, 第二部: Chinese and Japanese chapter (回: a classical novel's), part and volume headings.
_CJK_HEADING = re.compile(r"^第\s*([0-9０-９〇零一二两三四五六七八九十百千]+)\s*([章回部卷巻篇])(?!.{31})")
_CJK_LABEL = {"章": "ch.", "回": "ch.", "部": "part", "篇": "part", "卷": "book", "巻": "book"}
_CJK_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CJK_UNITS = {"十": 10, "百": 100, "千": 1000}
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]?\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
        "seventeen eighteen nineteen twenty".split()
    )
}
# The first twelve in French, German, Spanish, Italian and Dutch ("Chapitre premier", "Kapitel zwei").
for _words in (
    "zéro premier deux trois quatre cinq six sept huit neuf dix onze douze",
    "null eins zwei drei vier fünf sechs sieben acht neun zehn elf zwölf",
    "cero primero segundo tercero cuarto quinto sexto séptimo octavo noveno décimo undécimo duodécimo",
    "zero primo secondo terzo quarto quinto sesto settimo ottavo nono decimo undicesimo dodicesimo",
    "nul een twee drie vier vijf zes zeven acht negen tien elf twaalf",
):
    for _i, _w in enumerate(_words.split()):
        _NUMBER_WORDS.setdefault(_w, _i)
_NUMBER_WORDS.update({"première": 1, "un": 1, "uno": 1, "dos": 2, "tres": 3, "due": 2, "tre": 3,
                      "prima": 1, "seconda": 2, "terza": 3})  # "Parte prima"


# The ordinal first ("Première partie — Fantine", "Zweites Kapitel", "Segunda parte"), then the
# heading word, then nothing or a title after a dash or colon (a sentence does not begin so).
_ORDINALS = {w: n for n, words in enumerate((
    "première premier premiere erste erster erstes ersten primera primero",
    "deuxième deuxieme second seconde zweite zweiter zweites zweiten segunda segundo seconda",
    "troisième troisieme dritte dritter drittes dritten tercera tercero terza",
    "quatrième quatrieme vierte vierter viertes vierten cuarta cuarto quarta",
    "cinquième cinquieme fünfte fünfter fünftes fünften quinta quinto",
    "sixième sixieme sechste sechster sechstes sechsten sexta sexto sesta",
    "septième septieme siebte siebter siebtes siebente siebenter siebentes séptima séptimo settima",
    "huitième huitieme achte achter achtes achten octava octavo ottava",
    "neuvième neuvieme neunte neunter neuntes neunten novena noveno nona",
    "dixième dixieme zehnte zehnter zehntes zehnten décima décimo decima",
), start=1) for w in words.split()}
_ORDINAL_FIRST = re.compile(
    r"^\s*(%s)\s+(%s)\s*(?:[.:—–-].*)?$" % ("|".join(sorted(_ORDINALS, key=len, reverse=True)),
                                           "|".join(sorted(_LABEL, key=len, reverse=True))), re.IGNORECASE)


def heading_location(line: str) -> str | None:
    """The location a heading line names ("ch. 7", "The Cottages"), or None if it is not a heading."""
    stripped = line.strip()
    md = _MD_HEADING.match(stripped)
    if md:
        inner = md.group(2).strip()
        return _chapter_location(inner) or inner
    if len(stripped.split()) <= 8:
        return _chapter_location(stripped)
    return None


def _chapter_location(text: str) -> str | None:
    roman = _ROMAN_ALONE.match(text)
    if roman:
        return f"ch. {roman.group(1)}"
    cjk = _CJK_HEADING.match(text)
    if cjk:
        return f"{_CJK_LABEL[cjk.group(2)]} {_cjk_number(cjk.group(1))}"
    ordinal = _ORDINAL_FIRST.match(text)
    if ordinal:
        return f"{_LABEL[ordinal.group(2).lower()]} {_ORDINALS[ordinal.group(1).lower()]}"
    match = _CHAPTER.match(text)
    if not match:
        return None
    kind, number = match.group(1).lower(), match.group(2).lower()
    if number in _NUMBER_WORDS:
        number = str(_NUMBER_WORDS[number])
    elif not number.isdigit() and not re.fullmatch(r"[ivxlcdm]+", number):
        return None
    return f"{_LABEL[kind]} {number.upper() if not number.isdigit() else number}"


def _cjk_number(numeral: str) -> int:
    """三 -> 3, 十二 -> 12, 二十 -> 20, 一百零五 -> 105, ４２ -> 42."""
    if numeral.isdigit():
        return int(numeral)
    total, digit = 0, None
    for char in numeral:
        if char in _CJK_UNITS:
            total += (1 if digit is None else digit) * _CJK_UNITS[char]
            digit = None
        else:
            digit = (digit or 0) * 10 + _CJK_DIGITS[char] if digit is not None else _CJK_DIGITS[char]
    return total + (digit or 0)


def split_sentences(text: str) -> list[str]:
    sentences, start = [], 0
    for match in _SENTENCE_END.finditer(text):
        end = match.start() + len(match.group().rstrip())
        sentences.append(text[start:end])
        start = match.end()
    sentences.append(text[start:])
    return [s for s in sentences if s.strip()]


def split_long(text: str) -> list[str]:
    words = text.split()
    if len(words) <= MAX_PASSAGE_WORDS:
        return [text]
    chunks: list[str] = []
    current: list[str] = []
    count = 0
    for sentence in split_sentences(text):
        n = len(sentence.split())
        if current and count + n > TARGET_CHUNK_WORDS:
            chunks.append(" ".join(current))
            current, count = [], 0
        current.append(sentence)
        count += n
    if current:
        chunks.append(" ".join(current))
    # A single sentence longer than the limit is cut at word boundaries.
    result = []
    for chunk in chunks:
        chunk_words = chunk.split()
        for start in range(0, len(chunk_words), MAX_PASSAGE_WORDS):
            result.append(" ".join(chunk_words[start : start + MAX_PASSAGE_WORDS]))
    return result


def parse_plain_text(text: str, source_id: str) -> tuple[str | None, list[Passage]]:
    """Returns (title from a leading '# ' heading, passages)."""
    title = None
    location = ""
    passages: list[Passage] = []
    paragraph = 0
    for block in split_blocks(text):
        first = block.lines[0]
        found = heading_location(first)
        if found is not None:
            md = _MD_HEADING.match(first.strip())
            # `# Never Let Me Go` names the work; `# Chapter 1` is a place in it, as a title it would
            # leave chapter 1 uncited and cite chapter 2 as "(Chapter 1, ch. 2)"
            if md and len(md.group(1)) == 1 and title is None and not passages and not _chapter_location(md.group(2).strip()):
                title = md.group(2).strip()
            else:
                location = found
            rest = block.lines[1:]
            if not rest:
                continue
            body = " ".join(line.strip() for line in rest)
        else:
            body = block.text
        paragraph += 1
        pieces = split_long(body)
        for k, piece in enumerate(pieces):
            suffix = f"-{k + 1}" if len(pieces) > 1 else ""
            # the pieces of a long paragraph are told apart: "para 2, part 3", not 91 times "para 2"
            where = location or f"para {paragraph}" + (f", part {k + 1}" if len(pieces) > 1 else "")
            passages.append(Passage(f"{source_id}-p{paragraph}{suffix}", piece, where, source_id))
    return title, passages
