"""Study-guide theme notes -> themes.

The shape such pages have in the wild: a title line or two, then one paragraph per
theme, some with a short heading line before them and some with none. Title lines
are skipped, a heading names the paragraph after it, and an unheaded paragraph is
named after the word that most distinguishes it from the other paragraphs
(TF-IDF over stemmed words, proper nouns left out).
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from annotator.engine.language import stem as stem_word, stop_word_lists
from annotator.exchange.importers.blocks import Block, split_blocks

TITLE_WORDS = re.compile(r"\b(themes?|study guide|summary|analysis|notes|contents)\b", re.IGNORECASE)
MAX_HEADING_WORDS = 8
# Whoosh's stop words leave pronouns in; none of them names a theme.
CAPITALISED_NOUNS = 0.25  # the share of capitalised words above which a text capitalises its nouns
PRONOUNS = frozenset("her hers him his she they them their theirs its our ours your yours who whom whose one".split())
_WORD = re.compile(r"[^\W\d_][\w'’-]*")  # a word in any alphabet: "société", "Schuldgefühl"


@dataclass
class NoteTheme:
    name: str
    description: str
    named_from: str  # "heading" or "inferred"


def is_heading(block: Block) -> bool:
    line = block.text.strip()
    words = line.split()
    return (
        len(block.lines) == 1
        and 0 < len(words) <= MAX_HEADING_WORDS
        and not line.endswith((".", "!", "?", ";", ","))
        and len(line) <= 80
    )


def parse_theme_notes(text: str) -> list[NoteTheme]:
    blocks = split_blocks(text)
    first_paragraph = next((i for i, b in enumerate(blocks) if not is_heading(b)), len(blocks))
    themes_raw: list[tuple[str | None, str]] = []
    heading: str | None = None
    for i, block in enumerate(blocks):
        if is_heading(block):
            if i < first_paragraph and not _leading_heading(blocks, i, first_paragraph, _headed_later(blocks, first_paragraph)):
                continue  # a title line
            heading = block.text.strip()
            continue
        if heading is None and is_heading_block_start(block):
            heading, body = block.lines[0].strip(), " ".join(line.strip() for line in block.lines[1:])
        else:
            body = block.text
        themes_raw.append((heading, body))
        heading = None
    bodies = [body for _, body in themes_raw]
    names = infer_names(bodies)
    result = []
    for (heading, body), inferred in zip(themes_raw, names):
        if heading:
            result.append(NoteTheme(heading.rstrip(":").strip(), body, "heading"))
        else:
            result.append(NoteTheme(inferred, body, "inferred"))
    return result


def _leading_heading(blocks: list[Block], i: int, first_paragraph: int, headed_later: bool = False) -> bool:
    """Of the short lines before the first paragraph, only the last can be its heading:
    when one blank line separates them and it does not read like a page title. The file's
    very first line is a heading too when the notes go on with headings: a file may start
    straight with its first theme (`Ambition⏎⏎Pip wants to rise…⏎⏎Guilt⏎⏎…`)."""
    if i != first_paragraph - 1 or first_paragraph >= len(blocks):
        return False
    line = blocks[i].text
    return blocks[first_paragraph].blank_lines_before == 1 and not TITLE_WORDS.search(line) and (i > 0 or headed_later)


def _headed_later(blocks: list[Block], first_paragraph: int) -> bool:
    """Whether a heading line stands before some paragraph after the first."""
    return any(is_heading(block) and not is_heading(after)
               for block, after in zip(blocks[first_paragraph + 1:], blocks[first_paragraph + 2:]))


def is_heading_block_start(block: Block) -> bool:
    """A heading written on the line right above its paragraph, with no blank between."""
    if len(block.lines) < 2:
        return False
    first = block.lines[0].strip()
    rest_words = sum(len(line.split()) for line in block.lines[1:])
    return 0 < len(first.split()) <= 5 and not first.endswith((".", ",", ";")) and rest_words >= 8 and len(first) < 50


def _stem(word: str) -> str:
    return stem_word(word)


def _stop_words(words: list[str]) -> frozenset[str]:
    """English stop words, and those of the language whose stop words the text uses most: a theme is
    not named "dans" or "und" (and an English "sea" is not a Spanish stop word)."""
    lists = stop_word_lists()
    lowered = [w.lower() for w in words]
    best = max(lists, key=lambda code: (sum(w in lists[code] for w in lowered), code == "en"))
    return lists["en"] | lists[best] | NOT_NAMES.get(best, frozenset())


# Function words Snowball's stop lists leave out, which a paragraph repeats often enough to be
# named by them: its French list has "le" and "la" but not "les" (a note on "la société" was "Les").
NOT_NAMES = {
    "fr": frozenset({"les", "cette", "cet", "comme", "plus", "tout", "tous", "toute", "toutes", "sans",
                     "dont", "où", "aussi", "très", "bien", "ceux", "celle", "celles", "celui", "leurs",
                     "entre", "sous", "vers", "chez", "encore", "alors", "donc", "quand"}),
}


def _content_words(text: str) -> list[tuple[str, str]]:
    """(stem, surface) for each content word; capitalised words inside a sentence are names and left out."""
    result = []
    words = _WORD.findall(text)
    lowercase_seen = {w.lower() for w in words if w[0].islower()}
    # German capitalises every noun: where capitals are that common, they are not names.
    nouns_capitalised = sum(w[0].isupper() for w in words) > CAPITALISED_NOUNS * max(len(words), 1)
    stop_words = _stop_words(words)
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        for position, match in enumerate(_WORD.finditer(sentence)):
            word = match.group().strip("'-")
            lower = word.lower()
            if len(lower) < 3 or lower in stop_words or lower in PRONOUNS or lower.endswith("'s") and lower[:-2] in stop_words:
                continue
            if word[0].isupper() and not nouns_capitalised and (position > 0 or lower not in lowercase_seen):
                continue  # a proper noun: a character or a place is not a theme's name
            lower = re.sub(r"'s$", "", lower)
            result.append((_stem(lower), lower))
    return result


def infer_names(paragraphs: list[str]) -> list[str]:
    """A one- or two-word name for each paragraph: its most distinctive word."""
    analysed = [_content_words(p) for p in paragraphs]
    doc_freq = Counter(stem for words in analysed for stem in {s for s, _ in words})
    total = max(len(paragraphs), 1)
    names = []
    for words in analysed:
        counts = Counter(stem for stem, _ in words)
        if not counts:
            names.append("Untitled theme")
            continue
        first_seen = {}
        for index, (stem, _) in enumerate(words):
            first_seen.setdefault(stem, index)

        def weight(stem: str) -> tuple[float, int]:
            idf = math.log((1 + total) / (1 + doc_freq[stem])) + 1
            early = 1.25 if first_seen[stem] < 12 else 1.0  # topic words tend to come first
            return (counts[stem] * idf * early, -first_seen[stem])

        best = max(counts, key=weight)
        surfaces = Counter(surface for stem, surface in words if stem == best)
        surface = max(surfaces, key=lambda s: (surfaces[s], len(s)))
        names.append(surface[:1].upper() + surface[1:])
    return names
