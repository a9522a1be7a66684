"""How text becomes index terms, for every language: accents folded, Chinese and Japanese by character.

- **Accents fold**: `espérance`, `Straße`, `Élise`, `sœur` are indexed as `esperance`, `strasse`,
  `elise`, `soeur`, so a word typed without its accents finds them. A word whose spelling folds
  is indexed a second time, as written, at the same position: an accented query looks for both
  spellings (the parser ORs them), so passages spelled as typed rank first; an unaccented query
  looks for the folded spelling only. Text without accents (English) is indexed exactly as before.
- **Chinese and Japanese** are written without spaces: every Han or kana character is a token of
  its own, and a word of several characters is searched as the phrase of its characters
  (`LanguageQueryParser`), so `逃犯` is found inside `逃犯が逃げた`.

The stop words and the stemmer are Whoosh's English ones, as before.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from whoosh import query as wq
from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter
from whoosh.analysis.filters import STOP_WORDS
from whoosh.qparser import QueryParser

# Hiragana, katakana (and their half-width forms), CJK ideographs and their extensions.
CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
HAS_CJK = re.compile(f"[{CJK_CHARS}]")
# Whoosh's default token expression, `[\w\*]+(\.?[\w\*]+)*`, with each CJK character a token of its own.
LETTER = rf"[^\W{CJK_CHARS}]"  # a letter or digit, not a CJK character
_WORD_CHAR = rf"(?:{LETTER}|\*)"
TOKEN_EXPRESSION = re.compile(rf"[{CJK_CHARS}]|{_WORD_CHAR}+(?:\.?{_WORD_CHAR}+)*", re.UNICODE)
MIN_WORD = 2  # shorter tokens are dropped (Whoosh's StopFilter default), a CJK character excepted

# Letters that do not decompose into a base letter and marks.
_LIGATURES = {"ß": "ss", "ẞ": "ss", "æ": "ae", "Æ": "ae", "œ": "oe", "Œ": "oe", "ø": "o", "Ø": "o",
              "đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "þ": "th", "Þ": "th", "ł": "l", "Ł": "l",
              "ı": "i", "ħ": "h", "Ħ": "h", "ŀ": "l", "Ŀ": "l"}
# Latin (with its extensions) and Greek fold; other scripts keep their marks (Japanese ガ is not カ).
_FOLDED_RANGES = ((0x00C0, 0x024F), (0x1E00, 0x1EFF), (0x0370, 0x03FF), (0x1F00, 0x1FFF))


def _fold_char(char: str) -> str:
    if char in _LIGATURES:
        return _LIGATURES[char]
    decomposed = unicodedata.normalize("NFD", char)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or char


def _fold_table(one_char: bool) -> dict[int, str]:
    table = {}
    for low, high in _FOLDED_RANGES:
        for code in range(low, high + 1):
            folded = _fold_char(chr(code))
            if one_char:
                folded = folded[:1]
            if folded != chr(code):
                table[code] = folded
    for code in range(0x0300, 0x0370):  # combining marks left over from decomposed text
        table[code] = ""
    return table


_FOLD = _fold_table(one_char=False)
# Every character to one: a text's places are kept (highlighting finds candidates in it).
_FOLD_IN_PLACE = {code: (folded or "\u0300") for code, folded in _fold_table(one_char=True).items()}


def fold(text: str) -> str:
    """`Straße` -> `Strasse`, `espérance` -> `esperance`; text without accents is returned as it is."""
    return text if text.isascii() else text.translate(_FOLD)


def fold_in_place(text: str) -> str:
    """Accents dropped one character for one (`ß` -> `s`, `œ` -> `o`): offsets into it are offsets into `text`."""
    return text if text.isascii() else text.translate(_FOLD_IN_PLACE)


def is_exact_spelling(term: str) -> bool:
    """A term indexed as written beside its folded spelling (it has letters that fold)."""
    return not term.isascii() and fold(term) != term


class SpellingFilter(Filter):
    """Short tokens and stop words dropped (positions renumbered), accents folded; a word whose
    spelling folds is yielded twice at one position: as written, then folded."""

    def __init__(self, stops=STOP_WORDS, minsize: int = MIN_WORD):
        self.stops = frozenset(stops)
        self.min = minsize

    def __eq__(self, other):
        return type(other) is type(self) and (self.stops, self.min) == (other.stops, other.min)

    def kept(self, text: str) -> bool:
        return (len(text) >= self.min or bool(HAS_CJK.match(text))) and text not in self.stops

    def __call__(self, tokens):
        pos = None
        for t in tokens:
            text = t.text
            if not self.kept(text):
                if not t.removestops:
                    t.stopped = True
                    yield t
                continue
            if t.positions:
                if pos is None:
                    pos = t.pos
                else:
                    pos += 1
                    t.pos = pos
            t.stopped = False
            folded = fold(text)
            if folded != text:
                yield t
                t.text = folded
            yield t


def text_analyzer():
    # Tokens (CJK by character), lowercased, stop words dropped, accents folded, stemmed:
    # "sketching" finds "sketch", "esperance" finds "espérance".
    return RegexTokenizer(TOKEN_EXPRESSION) | LowercaseFilter() | SpellingFilter() | StemFilter()


def spelling_terms(analyzer, word: str) -> list[str]:
    """The terms a word becomes: [folded] or [as written, folded]; [] for a stop word."""
    return [t.text for t in analyzer(word)]


class LanguageQueryParser(QueryParser):
    """A word of several Chinese or Japanese characters is the phrase of its characters."""

    def multitoken_query(self, spec, texts, fieldname, termclass, boost):
        if termclass is wq.Term and any(HAS_CJK.match(t) for t in texts):
            words = [t for t in texts if not is_exact_spelling(t)]
            return self.phraseclass(fieldname, words, boost=boost) if len(words) > 1 else termclass(fieldname, words[0], boost=boost)
        return super().multitoken_query(spec, texts, fieldname, termclass, boost)


def phrases_folded(q: wq.Query) -> wq.Query:
    """A phrase's words are one term a position: its words' folded spellings (the analyzer gives both)."""
    if isinstance(q, wq.Phrase):
        words = [w for w in q.words if not is_exact_spelling(w)]
        if words == list(q.words):
            return q
        if len(words) == 1:
            return wq.Term(q.fieldname, words[0], boost=q.boost)
        return wq.Phrase(q.fieldname, words, slop=q.slop, boost=q.boost, char_ranges=q.char_ranges)
    return q if q.is_leaf() else q.apply(phrases_folded)


@lru_cache(maxsize=4096)
def stem_heads(term: str) -> str:
    """The start a word of this term has in fold_in_place'd text: two letters, one where a ligature may begin."""
    head = fold_in_place(term)[:2]
    if term[:2] in ("ss", "ae", "oe", "th"):
        head = head[:1]
    return head
