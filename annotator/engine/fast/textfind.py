"""A phrase looked for in a segment's stored texts as bytes, in C, instead of document by document.

A phrase of words the index leaves out ("to be or not") can only be found by reading the
passages' texts. A bulk-built segment's term table (annotator.engine.fast.termtable) keeps every
document's stored fields one after the other, pickled (strings as UTF-8) and uncompressed: the
phrase is searched for there with one regular expression over a block of documents at a time
(its ASCII letters lowered first, `bytes.lower`), and only the documents where it matches are
read and checked, as before, by the caller. A phrase no passage holds costs one pass of C over
the bytes, not a decompression and unpickling of every document.

The bytes pattern matches wherever the text pattern (concordance's: the words in a row, anything
but letters between them, ignoring case as `re` does) matches, and more: it has no word
boundaries (a pickle's framing bytes stand right before and after a text, and may be letters),
any non-ASCII byte counts as a non-letter between two words, and the other stored fields are
searched too. So no document that holds the phrase is missed; the others it finds are dropped
by the caller's check.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from functools import lru_cache
from typing import Iterator

from annotator.engine.fast.termtable import TermTable

FIRST_BLOCK = 64 * 1024  # bytes searched first: a common word's first screenful is in them
LARGEST_BLOCK = 4 * 1024 * 1024  # each next block twice the last, up to this
_PICKLE_PROTOCOL_2 = 0x80  # the PROTO opcode: protocol 2 or later, whose strings are UTF-8
# The non-ASCII characters Python's `re` takes for an ASCII letter when ignoring case
# (`(?i)k` matches the Kelvin sign); tests/test_textfind.py checks the list against every character.
ASCII_FOLDS = "\u0130\u0131\u017f\u212a"
# Every character with a case lies below this (Unicode 14: Adlam ends at U+1E943); a test checks it.
CASED_BELOW = 0x1F000


class PhraseBytes:
    """The words in a row, as patterns over bytes lowered by `bytes.lower`: `full` takes each character
    as any that `re` matches with it ignoring case, and a word without accents in every spelling that
    folds to it (annotator.engine.accent_forms: `a` is also `à`, `ss` also `ß`); `plain` takes an ASCII
    character (or pair) as itself alone, and serves a block of bytes holding none of the characters
    `full` adds for ASCII ones (the dotless i, the long s, the Kelvin sign, accented letters, ligatures),
    which is nearly every block of English. `plain` begins with a literal, which `re` looks for fast;
    `full` may not ("is" begins with i or ı)."""

    def __init__(self, words: list[str]):
        added: set[str] = set()  # the non-ASCII characters `full` has for ASCII ones
        self.full = _words_pattern(words, plain=False, added=added)
        self.plain = _words_pattern(words, plain=True)
        folds: dict[bytes, set[bytes]] = {}  # a fold's first byte -> the rest of each fold beginning with it
        for c in added:
            encoded = c.encode("utf-8", "surrogatepass")
            folds.setdefault(encoded[:1], set()).add(encoded[1:])
        # One pattern a first byte, which `re` finds as fast as a literal (an alternation of folds it would not)
        self._folds = [re.compile(re.escape(lead) + b"(?:" + b"|".join(map(re.escape, sorted(rests))) + b")")
                       for lead, rests in sorted(folds.items())]

    def pattern_for(self, block: bytes) -> re.Pattern:
        return self.full if any(fold.search(block) for fold in self._folds) else self.plain


def _words_pattern(words: list[str], plain: bool, added: set[str] | None = None) -> re.Pattern:
    from annotator.engine.accent_forms import spelling_units

    def unit_bytes(unit) -> bytes:
        letters = b"".join(_alternatives(_mates(spellings, plain, added)) for spellings in unit.letters)
        if not unit.ligatures:
            return letters
        ascii_pair = all(spellings[0].isascii() for spellings in unit.letters)
        ligatures = _class_mates(unit.ligatures)
        if ascii_pair and added is not None:
            added.update(ligatures)
        if plain and ascii_pair:
            return letters
        return b"(?:" + letters + b"|" + _alternatives(frozenset(ligatures)) + b")"

    return re.compile(rb"\W+".join(b"".join(map(unit_bytes, spelling_units(word))) for word in words))


def _mates(spellings: str, plain: bool, added: set[str] | None) -> frozenset[str]:
    """What a letter's spellings match ignoring case; `plain`: an ASCII letter alone; `added` gets
    the non-ASCII characters an ASCII letter matches."""
    first = spellings[0]
    if plain and first.isascii():
        return frozenset({first.lower()})
    mates = set(_class_mates(spellings))
    if added is not None and first.isascii():
        added.update(c for c in mates if not c.isascii())
    return frozenset(mates)


@lru_cache(maxsize=1024)
def _alternatives(chars: frozenset[str]) -> bytes:
    forms = sorted({(c.lower() if c.isascii() else c).encode("utf-8", "surrogatepass") for c in chars})
    if len(forms) == 1:
        return re.escape(forms[0])
    return b"(?:" + b"|".join(map(re.escape, forms)) + b")"


@lru_cache(maxsize=4096)
def case_mates(ch: str) -> frozenset[str]:
    """Every character that `re` matches with `ch` when ignoring case (`ch` among them)."""
    candidates = ch.lower() + ch.upper() + ASCII_FOLDS if ch.isascii() else _cased_characters()
    return frozenset({ch, *re.findall(re.escape(ch), candidates, re.IGNORECASE)})


@lru_cache(maxsize=1024)
def _class_mates(chars: str) -> frozenset[str]:
    """`case_mates` of every one of `chars`, in one pass over the cased characters (an accented
    letter's spellings are dozens of characters: one pass each would cost a second a phrase)."""
    if len(chars) == 1:
        return case_mates(chars)
    cls = "[" + "".join(map(re.escape, chars)) + "]"
    return frozenset({*chars, *re.findall(cls, _cased_characters(), re.IGNORECASE)})


@lru_cache(maxsize=1)
def _cased_characters() -> str:
    return "".join(map(chr, range(CASED_BELOW)))


def searchable(table: TermTable | None) -> bool:
    """The table holds its segment's stored fields, pickled with their strings in UTF-8."""
    if table is None or not table.has_stored():
        return False
    buffer, base, starts = table.stored_bytes()
    return starts[-1] == 0 or buffer[base] == _PICKLE_PROTOCOL_2


def matching_documents(table: TermTable, phrase: PhraseBytes) -> Iterator[list[int]]:
    """The segment's documents whose stored bytes match the phrase, a block of documents at a time
    (each block's matches in order, perhaps none: the caller may stop between two blocks).

    `plain` searches the block; `full` (slow: it begins with no literal) only the documents holding
    a character it adds (accented text, or a pickled number whose bytes happen to spell one): a
    match `plain` misses holds one of them, in its own document."""
    buffer, base, starts = table.stored_bytes()
    count, doc, size = len(starts) - 1, 0, FIRST_BLOCK
    while doc < count:
        end = bisect_left(starts, starts[doc] + size, doc + 1, count)  # at least one document
        offset = starts[doc]
        block = buffer[base + offset:base + starts[end]].lower()
        found = set(_documents_matching(phrase.plain, block, offset, starts, doc, end))
        for hit in _documents_holding(phrase._folds, block, offset, starts, doc, end):
            if hit not in found and phrase.full.search(block, starts[hit] - offset, starts[hit + 1] - offset):
                found.add(hit)
        yield sorted(found)
        doc, size = end, min(size * 2, LARGEST_BLOCK)


def _documents_matching(pattern: re.Pattern, block: bytes, offset: int, starts, doc: int, end: int) -> Iterator[int]:
    at = 0
    while (match := pattern.search(block, at)) is not None:
        hit = bisect_right(starts, offset + match.start(), doc, end) - 1
        yield hit
        at = starts[hit + 1] - offset  # on from the next document: a match begins in one document at most once


_ASCII_BYTES = bytes(range(0x80))


def _documents_holding(patterns: list[re.Pattern], block: bytes, offset: int, starts, doc: int, end: int) -> set[int]:
    """The documents holding one of the characters `patterns` find. The block's non-ASCII bytes
    alone (a few in English: the pickles' framing) are looked at first: a character's UTF-8 stays
    whole in them, so none holding one means no document does."""
    high = block.translate(None, _ASCII_BYTES)
    return {hit for pattern in patterns if pattern.search(high) for hit in _documents_matching(pattern, block, offset, starts, doc, end)}
