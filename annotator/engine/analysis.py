"""How text becomes index terms, for every language: accents folded, Chinese and Japanese by character.

- **Accents fold**: `espérance`, `Straße`, `Élise`, `sœur` are indexed as `esperance`, `strasse`,
  `elise`, `soeur` (stemmed), so a word typed without its accents finds them. A word whose spelling
  folds is indexed a second time, as written (lowercased, not stemmed), at the same position: an
  accented query looks for both (one word, its terms OR-ed), so passages spelled as typed rank
  first; an unaccented query looks for the folded spelling only. Text without accents (English) is
  indexed exactly as before.
- **Chinese and Japanese** are written without spaces: every Han or kana character is a token of
  its own, and a word of several characters is searched as the phrase of its characters
  (`LanguageQueryParser`), so `逃犯` is found inside `逃犯が逃げた`.
- **Each passage in its own language**: its source's stop words and Snowball stemmer (Whoosh's),
  English as before (Porter); a query is analysed in the languages of the sources it searches,
  every distinct term a word becomes in them OR-ed (`TextAnalyzer`, `query_languages`).
- **Compounds** (German, Dutch, Scandinavian): where such a source is searched, a word's stem is
  also looked for inside the vocabulary's words (`InCompound`, `*schuld*`), weighted below the word.
"""

from __future__ import annotations

import copy
import itertools
import re
import unicodedata
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache

from whoosh import query as wq
from whoosh.analysis import CompositeAnalyzer, Filter, LowercaseFilter, RegexTokenizer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang import has_stemmer, has_stopwords, stemmer_for_language, stopwords_for_language
from whoosh.lang.porter import stem as porter_stem
from whoosh.qparser import QueryParser

# Hiragana, katakana (and their half-width forms), CJK ideographs and their extensions.
CJK_CHARS = "\u3040-\u30ff\u31f0-\u31ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
HAS_CJK = re.compile(f"[{CJK_CHARS}]")
# Whoosh's default token expression, `[\w\*]+(\.?[\w\*]+)*`, with each CJK character a token of its own.
LETTER = rf"[^\W{CJK_CHARS}]"  # a letter or digit, not a CJK character
_WORD_CHAR = rf"(?:{LETTER}|\*)"
TOKEN_EXPRESSION = re.compile(rf"[{CJK_CHARS}]|{_WORD_CHAR}+(?:\.?{_WORD_CHAR}+)*", re.UNICODE)
MIN_WORD = 2  # shorter tokens are dropped (Whoosh's StopFilter default), a CJK character excepted
ENGLISH = "en"
STEM_CACHE = 50_000  # words remembered per stemmer (Whoosh's StemFilter default)

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


# Words of a stop list that are also common content words: French "été" is "been", and "summer".
KEPT_STOP_WORDS = {"fr": {"été"}}


class LanguageText(str):
    """A passage's text with the language it is analysed in; stored (pickled) as plain text."""

    language: str = ENGLISH

    def __new__(cls, text: str, language: str):
        made = super().__new__(cls, text)
        made.language = language
        return made

    def __reduce__(self):
        return (str, (str(self),))


@dataclass(frozen=True)
class Language:
    """What analysis does for one language: its stop words (as written and folded) and its stemmer."""

    code: str
    stops: frozenset
    stem: object  # str -> str

    def kept(self, token: str) -> bool:
        """Not a stop word, as written or without its accents (French "là" is "la")."""
        stops = self.stops
        return (len(token) >= MIN_WORD or bool(HAS_CJK.match(token))) and token not in stops and fold(token) not in stops


@lru_cache(maxsize=None)
def language(code: str) -> Language:
    """English as Whoosh's StemmingAnalyzer does it (Porter, its stop words); other languages with
    Whoosh's Snowball stemmers and stop lists; Chinese, Japanese and the rest unstemmed."""
    if code == ENGLISH:
        stops, stem = frozenset(STOP_WORDS), porter_stem
    else:
        stops = frozenset(stopwords_for_language(code)) if has_stopwords(code) else frozenset()
        stops = stops - KEPT_STOP_WORDS.get(code, set())
        stem = stemmer_for_language(code) if has_stemmer(code) else _unstemmed
    return Language(code, stops | {fold(w) for w in stops}, _cached(stem))


def _unstemmed(word: str) -> str:
    return word


def _cached(stem):
    return lru_cache(maxsize=STEM_CACHE)(stem)


class LanguageFilter(Filter):
    """Short tokens and stop words dropped (positions renumbered), accents folded, stemmed, for each
    of some languages: a token yields, at one position, the word as written (unstemmed) when its
    accents fold, then every distinct term its folded spelling is in those languages."""

    def __init__(self, codes: tuple[str, ...]):
        self.codes = codes
        self.languages = tuple(language(code) for code in codes)

    def __eq__(self, other):
        return type(other) is type(self) and self.codes == other.codes

    def __call__(self, tokens):
        pos = None
        for t in tokens:
            text = t.text
            kept = [lang for lang in self.languages if lang.kept(text)]
            if not kept:
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
            terms = [text] if folded != text else []  # the word as written, unstemmed: exact spellings rank first
            terms += [lang.stem(folded) for lang in kept]
            for term in dict.fromkeys(terms):
                t.text = term
                yield t


_query_languages: ContextVar[tuple[str, ...]] = ContextVar("query_languages", default=(ENGLISH,))


@contextmanager
def query_languages(codes):
    """Queries analysed in these languages (those of the sources searched) while in this block."""
    token = _query_languages.set(tuple(codes) or (ENGLISH,))
    try:
        yield
    finally:
        _query_languages.reset(token)


def current_query_languages() -> tuple[str, ...]:
    return _query_languages.get()


class TextAnalyzer(CompositeAnalyzer):
    """The text field's analyzer: a passage in its own language (a LanguageText's), a query in the
    languages of the sources it searches (`query_languages`), English otherwise."""

    def __init__(self):
        super().__init__(*_chain((ENGLISH,)).items)

    def __eq__(self, other):
        return type(other) is type(self)

    def __reduce__(self):  # pickled in the index's schema: by name, its stemmers made again when read
        return (TextAnalyzer, ())

    def __call__(self, value, **kwargs):
        if kwargs.get("mode") == "query":
            codes = _query_languages.get()
        else:
            codes = (getattr(value, "language", ENGLISH),)
        return _chain(codes)(value, **kwargs)


@lru_cache(maxsize=64)
def _chain(codes: tuple[str, ...]):
    return RegexTokenizer(TOKEN_EXPRESSION) | LowercaseFilter() | LanguageFilter(codes)


def text_analyzer():
    # Tokens (CJK by character), lowercased, stop words dropped, accents folded, stemmed, in each
    # passage's language: "sketching" finds "sketch", "esperance" finds "espérance".
    return TextAnalyzer()


class LanguageQueryParser(QueryParser):
    """Whoosh's parser, for words that may become several terms at one position.

    A word's terms at one position (its spellings, its stems in the query's languages) are one
    word: one slot among the words OR-ed (annotator.engine.coordination), their scores summed, so
    an exact spelling ranks first. A word of several Chinese or Japanese characters is the phrase
    of its characters. A "quoted phrase" is, in each language, the phrase of that language's terms.
    """

    _slots = itertools.count()

    def __init__(self, *args, **kwargs):
        self._text = ""
        super().__init__(*args, **kwargs)

    @property
    def phraseclass(self):
        return self._phrase

    @phraseclass.setter
    def phraseclass(self, value):
        self._phrase_class = value

    def parse(self, text, normalize=True, debug=False):
        self._text = text
        return _regrouped(super().parse(text, normalize=normalize, debug=debug))

    def term_query(self, fieldname, text, termclass, boost=1.0, tokenize=True, removestops=True):
        field = self.schema[fieldname] if self.schema and fieldname in self.schema else None
        if field is None or not isinstance(field.analyzer, TextAnalyzer):
            return super().term_query(fieldname, text, termclass, boost, tokenize, removestops)
        places = _terms_by_position(field.analyzer(text, mode="query", positions=True, tokenize=tokenize,
                                                    removestops=removestops))
        if not places:
            return None
        if len(places) > 1 and termclass is wq.Term and any(HAS_CJK.match(terms[0]) for terms in places):
            words = [_folded(terms) for terms in places]
            return self._phrase_class(fieldname, words, boost=boost)
        if len(places) == 1 and termclass is wq.Term:
            places[0] = places[0] + self._compound_parts(text)
        queries = [self._one_word(fieldname, terms, termclass, boost) for terms in places]
        # Several places (`rock&roll`): as Whoosh's multitoken_query "default", the parser's group
        return queries[0] if len(queries) == 1 else self.group.qclass(queries, boost=boost)

    def _compound_parts(self, text: str) -> list[InCompound]:
        """German writes compounds as one word: `Schuld` is also looked for inside `Schuldgefühl`."""
        found = []
        for code in (code for code in current_query_languages() if code in COMPOUNDING):
            for t in _chain((code,))(text, mode="query"):
                if len(t.text) >= MIN_COMPOUND_PART and not is_exact_spelling(t.text) and not HAS_CJK.search(t.text):
                    found.append(InCompound("text", f"*{t.text}*", boost=COMPOUND_WEIGHT))
        return found

    def _one_word(self, fieldname, terms: list, termclass, boost) -> wq.Query:
        made = [term if isinstance(term, wq.Query) else termclass(fieldname, term, boost=boost) for term in terms]
        return made[0] if len(made) == 1 else _slot(made, next(self._slots))

    def _phrase(self, fieldname, words, slop=1, boost=1.0, char_ranges=None):
        """A quoted phrase: words as the analyzer gave them (several at a place), their places in the query."""
        codes = current_query_languages()
        if char_ranges is None or len(codes) == 1 or not self._text:
            return self._phrase_in(fieldname, [w for w in words if not is_exact_spelling(w)], slop, boost)
        spans = _unique_in_order(tuple(r) for r in char_ranges)
        phrases = []
        for code in codes:
            chain = _chain((code,))
            found = [_folded(terms) for start, end in spans
                     for terms in _terms_by_position(chain(self._text[start:end], mode="query", positions=True))]
            if found:
                phrases.append(self._phrase_in(fieldname, found, slop, boost))
        phrases = _unique_in_order(phrases)
        if not phrases:
            return wq.NullQuery
        return phrases[0] if len(phrases) == 1 else _slot(phrases, next(self._slots))

    def _phrase_in(self, fieldname, words, slop, boost):
        if len(words) == 1:
            return wq.Term(fieldname, words[0], boost=boost)
        return self._phrase_class(fieldname, words, slop=slop, boost=boost)


# Languages that write compounds as one word, and the shortest part looked for inside them: a word's
# stem of fewer letters would be found inside too many words (`Ei` in `Eimer`).
COMPOUNDING = ("de", "nl", "sv", "da", "no")
MIN_COMPOUND_PART = 4
COMPOUND_WEIGHT = 0.1  # a word found inside a compound scores a tenth: the word itself ranks first


class InCompound(wq.Wildcard):
    """A word's stem inside the index's words (`*schuld*`): the compounds holding it, scored as one match."""


def _terms_by_position(tokens) -> list[list[str]]:
    """Each place's terms, in order, from a token stream (a stop word's too, when the stream keeps it:
    a prefix or a fuzzy term is looked for as typed, as Whoosh's process_text gives it)."""
    places: list[list[str]] = []
    last = None
    for t in tokens:
        if t.stopped:
            places.append([t.text])
            last = None
            continue
        if places and last is not None and t.pos == last:
            places[-1].append(t.text)
        else:
            places.append([t.text])
            last = t.pos
    return places


def _folded(terms: list[str]) -> str:
    """The first of a place's terms that is not a spelling as written (there always is one)."""
    return next((term for term in terms if not is_exact_spelling(term)), terms[0])


def _unique_in_order(items):
    seen, result = set(), []
    for item in items:
        key = repr(item) if isinstance(item, wq.Query) else item
        if key not in seen:
            seen.add(key)
            result.append(item)
    return result


def _slot(queries: list[wq.Query], number: int) -> wq.Query:
    """The terms of one word, OR-ed: marked, so that the parser's flattening of nested ORs is undone."""
    for q in queries:
        q.word_slot = number
    return wq.Or(queries)


def _regrouped(q: wq.Query) -> wq.Query:
    """Side by side parts of one word (flattened into the words' OR by Whoosh) OR-ed again, as one word."""
    if q is None or q.is_leaf():
        return q
    q = q.apply(_regrouped)
    if not isinstance(q, (wq.Or, wq.And)):
        return q
    parts, grouped, i = q.subqueries, [], 0
    while i < len(parts):
        number, j = getattr(parts[i], "word_slot", None), i + 1
        while number is not None and j < len(parts) and getattr(parts[j], "word_slot", None) == number:
            j += 1
        grouped.append(wq.Or(parts[i:j]) if j - i > 1 else parts[i])
        i = j
    if len(grouped) == 1 and any(isinstance(part, InCompound) for part in parts):
        return wq.Or([grouped[0]])  # one word: found inside a compound, it ranks below the word itself
    if len(grouped) == len(parts) or len(grouped) == 1:  # a query of one word keeps its parts as words
        return q
    regrouped = copy.copy(q)  # the parser's OR keeps its settings
    regrouped.subqueries = grouped
    return regrouped


def _accented_forms() -> dict[str, str]:
    """Each letter -> the lowercase letters that fold to it in place (`e` -> `eéèêë...`)."""
    forms: dict[str, set[str]] = {}
    for code, folded in _FOLD_IN_PLACE.items():
        char = chr(code)
        if folded and folded.isalpha() and char.lower() == char:
            forms.setdefault(folded.lower(), set()).add(char)
    return {letter: letter + "".join(sorted(chars - {letter})) for letter, chars in forms.items()}


_ACCENTED = _accented_forms()


@lru_cache(maxsize=4096)
def accented_pattern(head: str) -> str:
    """A regular expression for `head` written with or without accents: `es` -> `[eéèêë...]s`."""
    return "".join(f"[{re.escape(_ACCENTED[c])}]" if c in _ACCENTED else re.escape(c) for c in head)


LIGATURE_FOLDS = frozenset(folded for folded in _LIGATURES.values() if len(folded) == 2)  # ß æ œ þ: one character in place


@lru_cache(maxsize=4096)
def stem_heads(term: str, accented: bool = False) -> str:
    """The first letters every word of this term begins with (a stem keeps its word's first two);
    in text with accents, without them, and one letter where a ligature may begin (`oe`: `œ`).
    One letter for a two-letter stem ending in `i`: Porter's y to i may be its second (`eyed`: `ei`)."""
    head = fold_in_place(term)[:2] if accented else term[:2]
    if (accented and head in LIGATURE_FOLDS) or (len(term) == 2 and head.endswith("i")):
        head = head[:1]
    return head
