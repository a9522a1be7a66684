"""A word as the letters that may spell it in a text, accents folded as search folds them.

Search indexes `espérance` as `esperance` too (annotator.engine.analysis), so a word typed without
accents finds it, while a word typed with them is looked for as written. What reads the texts
themselves (the concordance of common words, its bytes search) follows the same rule: a word
whose spelling folds (`à`, `été`) is itself alone; any other word (`a`, `ete`, `strasse`) is each
of its letters or a letter that folds to it (`e`: `é`, `è` …), a pair of letters or the ligature
that folds to it (`ss`: `ß`, `oe`: `œ`). Pairs are taken left to right (`sss` is `ss` then `s`:
`sß` is not found, a spelling no language has).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from annotator.engine.analysis import fold, is_exact_spelling

FOLDED_BELOW = 0x2000  # the letters that fold (Latin, Greek and their extensions) lie below this


@dataclass(frozen=True)
class Unit:
    """One letter, or a pair a ligature may stand for: `letters` holds each letter's spellings
    (the letter first, then those that fold to it); `ligatures` what may stand for the pair."""

    letters: tuple[str, ...]
    ligatures: str = ""


@lru_cache(maxsize=1)
def _folds_to() -> tuple[dict[str, str], dict[str, str]]:
    """Lowercase letter -> the characters that fold to it; pair of letters -> the ligatures that do."""
    letters: dict[str, str] = {}
    pairs: dict[str, str] = {}
    for code in range(0x80, FOLDED_BELOW):
        char = chr(code)
        folded = fold(char).lower()
        if fold(char) == char or len(folded) not in (1, 2):
            continue
        into = letters if len(folded) == 1 else pairs
        into[folded] = into.get(folded, "") + char
    return letters, pairs


def _key(char: str) -> str:
    lowered = char.lower()
    return lowered if len(lowered) == 1 else char


@lru_cache(maxsize=1024)
def spelling_units(word: str) -> tuple[Unit, ...]:
    """`word` as units in a row: as written when it has accents, else with every folded spelling."""
    if is_exact_spelling(word):
        return tuple(Unit((char,)) for char in word)
    letters, pairs = _folds_to()
    units, at = [], 0
    while at < len(word):
        pair = _key(word[at]) + _key(word[at + 1]) if at + 1 < len(word) else ""
        width = 2 if pair in pairs else 1
        spellings = tuple(word[i] + letters.get(_key(word[i]), "") for i in range(at, at + width))
        units.append(Unit(spellings, pairs[pair] if width == 2 else ""))
        at += width
    return tuple(units)
