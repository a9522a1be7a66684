"""Searching the index: the query language, ranking, match offsets, "did you mean".

Plain words are OR-ed with a coordination bonus (more of the words ranks higher),
stemmed, and combined freely with Whoosh's own syntax: "phrases", AND/OR/NOT,
-word, prefix*, word~ (fuzzy), and the filters theme:ID, source:ID, kind:passage|note
and the bare word `untagged`. A query Whoosh cannot parse never fails: it falls
back to its plain words.
"""

from __future__ import annotations

import codecs
import os
import re
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import islice

from whoosh import qparser, query as wq
from whoosh.qparser import QueryParser

from annotator.engine.analysis import CJK_CHARS, ENGLISH, LETTER, LIGATURE_FOLDS, HAS_CJK, LanguageQueryParser, current_query_languages, query_languages, fold, fold_in_place, accented_pattern, is_exact_spelling, stem_heads

from annotator.engine.coordination import coordinate
from annotator.engine import fastpath, query_budget, whoosh_internals
from annotator.engine.hits import Hit, SearchResult
from annotator.engine.index import SearchIndex, text_analyzer

# Each extra matching word scales the score up: Whoosh's OrGroup coordination bonus.
COORDINATION = 0.9
# The unfinished last word matches as a prefix from this many letters: `th*` would be a
# thousand words, each scored, on every keystroke, and finds nothing a reader wanted.
AS_YOU_TYPE_MIN = 3
# ...and to at most this many words, the most frequent (as search engines cap "max expansions"):
# `the` begins some 350 words at 100k passages, each read from disk the first time it is typed.
AS_YOU_TYPE_EXPANSIONS = 64
_QUOTED_OR_WORD = re.compile(r'"[^"]*"?|\S+')
_PLAIN_WORD = re.compile(r"^\w[\w'-]*$", re.UNICODE)
_WORDS = re.compile(r"\w+", re.UNICODE)
# A hyphen between letters joins them (`open-plan`, `Never-Let-Me-Go`): such a word is searched as
# the phrase of its parts. A minus at the start of a term (`-Ruth`) is NOT, as before.
_HYPHENATED = re.compile(r"^([-+]?\(*)(\w+(?:-\w+)+)([*~]\d*)?(\)*)$", re.UNICODE)
# The last part of a hyphenated word being typed matches as a prefix from this many letters
# (`open-pl`): the first parts narrow it down, so a short prefix is cheap.
AS_YOU_TYPE_MIN_PART = 2


# Filters a user may type among the words: `theme:hope`, `source:book-1`, `kind:note`, `untagged`.
_FILTER_TOKEN = re.compile(r"^(theme|themes|source|kind):(\S+)$", re.IGNORECASE)
# ...and one typed with no value (`source:`): not a word to search, but a filter still to be named.
_EMPTY_FILTER_TOKEN = re.compile(r"^(theme|themes|source|kind):$", re.IGNORECASE)
# The words of a text as Whoosh's RegexTokenizer finds them (its default expression).
_TOKEN = re.compile(r"\w+(\.?\w+)*", re.UNICODE)
_ANALYSED_CACHE_LIMIT = 200_000
_analysed: dict[tuple[tuple[str, ...], str], tuple[str, ...]] = {}


@dataclass
class Prepared:
    """A query split into what is scored (Whoosh syntax) and what only filters."""

    words: str
    themes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    untagged: bool = False
    empty_filters: list[str] = field(default_factory=list)  # `source:` typed with no value, lowercased
    typing: str = ""  # the unfinished last word, lowercased, when it also matches as a prefix
    typing_exact: str = ""  # that word as itself (Whoosh syntax): it ranks above its completions


def make_parser(schema) -> QueryParser:
    parser = LanguageQueryParser("text", schema, group=qparser.OrGroup.factory(COORDINATION))
    parser.add_plugin(qparser.FuzzyTermPlugin())
    parser.add_plugin(qparser.PlusMinusPlugin())
    parser.remove_plugin_class(qparser.BoostPlugin)
    # Fields other than the text are filters, taken out before parsing; `x:y` left over is words.
    parser.remove_plugin_class(qparser.FieldsPlugin)
    return parser


def prepare(text: str, *, as_you_type: bool = False) -> Prepared:
    """Take the filters out of a query and mark the unfinished last word (search as you type)."""
    tokens = _QUOTED_OR_WORD.findall(text)
    prepared = Prepared("")
    out = []
    for i, token in enumerate(tokens):
        finished = token.endswith("?")
        if not token.startswith('"'):
            # A question's mark (`why?`), not Whoosh's one-letter wildcard; `???` alone stays a query with no word.
            token = token.replace("?", "") or "."
        bare = token.strip("()")
        match = _FILTER_TOKEN.match(bare)
        if bare.lower() == "untagged":
            prepared.untagged = True
        elif _EMPTY_FILTER_TOKEN.match(bare):
            prepared.empty_filters.append(bare.lower())
        elif match:
            name, value = match.group(1).lower(), match.group(2)
            if name.startswith("theme"):
                prepared.themes.append(value.lower())
            elif name == "source":
                prepared.sources.append(value)
            else:
                prepared.kinds.append(value.lower())
        elif as_you_type and i == len(tokens) - 1 and not finished and not text[-1:].isspace() and (typed := _typed_word(token, prepared)):
            out.append(typed)
        elif _HYPHENATED.match(token):
            out.append(_hyphenated_phrase(token))
        else:
            out.append(token)
    prepared.words = " ".join(out)
    return prepared


def _hyphenated_phrase(token: str) -> str:
    """`open-plan` as the phrase `"open plan"` (parentheses and a leading NOT kept)."""
    lead, word, operator, tail = _HYPHENATED.match(token).groups()
    if lead.startswith("-"):  # Whoosh's parser drops `-"a phrase"` standing alone; NOT keeps it
        lead = "NOT " + lead[1:]
    parts = word.split("-")
    if operator == "*":  # `open-pl*`: a phrase has no prefix form; every part, the last one as a prefix
        return f'{lead}({" AND ".join(parts[:-1] + [parts[-1] + operator])}){tail}'
    if operator:  # `secnd-hand~`: every part fuzzy
        return f'{lead}({" AND ".join(part + operator for part in parts)}){tail}'
    return f'{lead}"{" ".join(parts)}"{tail}'


def _typed_word(token: str, prepared: Prepared) -> str:
    """The last word, still being typed, as Whoosh syntax that also finds its completions ('' if none).

    `hands` becomes `hands*` (the word itself is among what the prefix finds; search() ranks
    it above its completions); `open-pl` becomes `(open AND pl*)`, the phrase `"open pl"`
    being the word itself.
    """
    hyphenated = _HYPHENATED.match(token)
    if hyphenated and not any(hyphenated.group(n) for n in (1, 3, 4)):
        parts = token.split("-")
        if len(parts[-1]) < AS_YOU_TYPE_MIN_PART:
            return ""
        prepared.typing = parts[-1].lower()
        prepared.typing_exact = _hyphenated_phrase(token)
        return "(" + " AND ".join(parts[:-1] + [parts[-1] + "*"]) + ")"
    if _PLAIN_WORD.match(token) and "-" not in token and len(token) >= AS_YOU_TYPE_MIN and not HAS_CJK.search(token):
        prepared.typing = token.lower()
        prepared.typing_exact = token
        return f"{token}*"
    return ""


# A word the query excludes (`-word`, `NOT word`): the plain-words fallback leaves it out.
_EXCLUDED_WORD = re.compile(r"(?:(?<![\w-])-|\bNOT\s+)[\"(]*\w[\w'-]*", re.UNICODE)


def plain_words_query(text: str, schema=None) -> wq.Query:
    """The fallback for a query Whoosh cannot parse: its words, OR-ed, without those it excludes
    (Whoosh cannot parse `-word` inside parentheses: `sea (fi* -hope)` must not look for hope)."""
    words = [t.text for t in text_analyzer()(" ".join(_WORDS.findall(_EXCLUDED_WORD.sub(" ", text))))]
    if not words:
        return wq.NullQuery
    return wq.Or([wq.Term("text", w) for w in dict.fromkeys(words)], scale=COORDINATION)


def _lift_negations(q: wq.Query) -> wq.Query:
    """`a b NOT c` means a or b, but not c: Whoosh's OR group would read it as `a OR b OR (not c)`."""
    if isinstance(q, wq.Or):
        positive = [c for c in q.subqueries if not isinstance(c, wq.Not)]
        negative = [c.query for c in q.subqueries if isinstance(c, wq.Not)]
        if negative and positive:
            base = positive[0] if len(positive) == 1 else wq.Or(positive, boost=q.boost, scale=q.scale)
            excluded = negative[0] if len(negative) == 1 else wq.Or(negative)
            return wq.AndNot(base, excluded)
        if negative:  # `NOT a NOT b`: neither a nor b (Whoosh's OR group: lacking a, or lacking b)
            return wq.Not(negative[0] if len(negative) == 1 else wq.Or(negative))
    return q


_PARSE_CACHE_LIMIT = 512
_parsed: dict[tuple[str, int], wq.Query] = {}


def _parse_words(words: str, schema) -> wq.Query:
    """Parsed queries are cached: as-you-type search parses the same prefixes again and again."""
    key = (words, id(schema), current_query_languages())
    cached = _parsed.get(key)
    if cached is None:
        if len(_parsed) >= _PARSE_CACHE_LIMIT:
            _parsed.clear()
        cached = _parsed[key] = _parse_uncached(words, schema)
    return cached


_TYPED_PREFIX = re.compile(r"(\w[\w'-]*)\*", re.UNICODE)


def _unstemmed_prefixes(q: wq.Query, words: str) -> wq.Query:
    """`lies*` must find words that begin with "lies", not every word beginning with its stem "li".

    Whoosh runs a prefix through the field's analyzer, stemmer included; the indexed
    terms are stems, so the prefix as typed (lowercased) is what should be matched.
    """
    typed, stopped_accented = {}, {}
    for raw in _TYPED_PREFIX.findall(words):
        for token in text_analyzer()(raw, mode="query", removestops=False, tokenize=False):
            # The analyzer gives a word as written, then folded: each prefix as typed, or folded.
            typed.setdefault(token.text, raw.lower() if is_exact_spelling(token.text) else fold(raw.lower()))
            if token.stopped and is_exact_spelling(token.text):
                # A single letter or a stop word (`é*`, French `ét*`) comes only as written: its
                # folded spelling is looked for too, as for any other accented prefix (`espé*`).
                stopped_accented[token.text] = fold(token.text)

    def fix(node: wq.Query) -> wq.Query:
        if isinstance(node, wq.Prefix) and node.fieldname == "text" and node.text in stopped_accented:
            folded = stopped_accented[node.text]
            return wq.Or([wq.Prefix("text", node.text), wq.Prefix("text", folded)], boost=node.boost)
        if isinstance(node, wq.Prefix) and node.fieldname == "text" and typed.get(node.text, node.text) != node.text:
            # Words beginning as typed, or the typed word itself (whose stem may be shorter).
            return wq.Or([wq.Prefix("text", typed[node.text]), wq.Term("text", node.text)], boost=node.boost)
        return node if node.is_leaf() else node.apply(fix)

    return fix(q) if typed or stopped_accented else q


class TypingPrefix(query_budget.CappedPrefix):
    """The prefix of the word being typed: its AS_YOU_TYPE_EXPANSIONS most frequent completions only.

    Whoosh's matcher expands it through `_btexts`; annotator's NumPy scorer picks the
    same completions from a segment's term table (fastscore._table_prefix) when the
    segment has one, so they rank alike; a rarer completion is found once the word is typed out.
    """

    max_expansions = AS_YOU_TYPE_EXPANSIONS
    says_cut = False


def _limit_typing_prefix(q: wq.Query, typing: str) -> wq.Query:
    def fix(node: wq.Query) -> wq.Query:
        if type(node) is wq.Prefix and node.fieldname == "text" and node.text == typing:
            return TypingPrefix(node.fieldname, node.text, boost=node.boost, constantscore=False)
        return node if node.is_leaf() else node.apply(fix)

    return fix(q)


# A minus starting a term (not a hyphen inside a word): `-lamp`, `-"a phrase"`, `-(a b)`.
_MINUS = re.compile(r"(?<![\w-])-(?=[\w\"(])", re.UNICODE)


def _parse_uncached(words: str, schema) -> wq.Query:
    try:
        q = make_parser(schema).parse(words)
        if (q is None or q is wq.NullQuery) and _MINUS.search(words):
            # Whoosh's plus/minus syntax drops exclusions with nothing to exclude from: `-lamp` alone
            # (or `-lamp -sea`) parsed to no query, and every passage was listed, the lamp's too.
            q = make_parser(schema).parse(_MINUS.sub("NOT ", words))
    except (AssertionError, IndexError, NotImplementedError, ValueError, qparser.QueryParserError):
        # Whoosh's parser fails on some malformed input (`-word` inside parentheses, stray
        # operators; `" ANDNOT ANDNOT` trips an assert in its syntax tree): the query still
        # searches, as its plain words.
        return plain_words_query(words)
    if q is None:
        return plain_words_query(words)
    if q is wq.NullQuery:
        return q
    q = _unstemmed_prefixes(q, words)
    q = _lift_negations(q)
    if isinstance(q, wq.Not):  # only exclusions: nothing to rank by
        return wq.AndNot(wq.Every(), q.query)
    return q


def parse(text: str, schema, *, as_you_type: bool = False) -> wq.Query:
    """The scored part of a query (filters are taken out by `prepare`), as search() scores it."""
    return scored_query(prepare(text, as_you_type=as_you_type), schema)


def scored_query(prepared: Prepared, schema) -> wq.Query:
    """The query search() ranks by: the words parsed, the typed word's completions limited and
    ranked below it, words OR-ed at the top in strict tiers (annotator.engine.coordination)."""
    q = _parse_words(prepared.words, schema) if prepared.words.strip() else wq.NullQuery
    if prepared.typing:
        q = _limit_typing_prefix(q, prepared.typing)
    q = query_budget.apply(q, prepared.words)  # expansions capped (new nodes: the parse is cached)
    if prepared.typing:
        return coordinate(q, TypingPrefix, _parse_words(prepared.typing_exact, schema))
    return coordinate(q)


class _ExpandingReader:
    """The searcher's reader, with prefix/fuzzy expansions answered from the scorer's cache."""

    def __init__(self, index: SearchIndex, searcher):
        self.reader = searcher.reader()
        self.searcher = searcher
        self.scorer = _scorer_for(index, searcher)
        self.folder = index.folder

    def expand(self, q: wq.MultiTerm) -> set[bytes] | None:
        """The expansions from the scorer's segment data, else from each segment's reader.

        Segment by segment, as a search matches them: the index-wide reader expands a fuzzy
        term otherwise (`it~1` gave `ti` there, in no segment), and highlighted a word no
        passage was found by.
        """
        if self.scorer is None:
            return {t for sub, _ in self.searcher.leaf_searchers() for t in whoosh_internals.expansions(q, sub.reader())}
        found: set[bytes] = set()
        try:
            for _, _, data, _, _ in self.scorer.leaves:
                expanded = data.expansions(q)
                if getattr(expanded, "cut", False) and isinstance(q, query_budget.CappedPrefix | query_budget.CappedWildcard | query_budget.CappedFuzzy):
                    # Said as Whoosh's expansion says it: no document may have been scored (a filter
                    # that allows none), and the notice must not hang on the path the search took.
                    query_budget.note_cut(q)
                found.update(expanded)
        except Exception as exc:  # a bug in the fast path: loud under the tests, else logged
            fastpath.failed(self.folder, "expansion", exc)
            return None
        return found

    def existing(self, q: wq.Term | wq.Phrase) -> set[bytes] | None:
        """The words of a text term or phrase the index has (Whoosh's existing_terms), from the
        scorer's segment data: term tables where there are, no reads of Whoosh's term files."""
        if self.scorer is None:
            return None
        field = self.reader.schema["text"]
        found: set[bytes] = set()
        for word in ([q.text] if isinstance(q, wq.Term) else q.words):
            try:
                btext = field.to_bytes(word)
            except ValueError:
                continue
            if any(data.doc_frequency("text", btext) for _, _, data, _, _ in self.scorer.leaves):
                found.add(btext)
        return found


def _scorer_for(index: SearchIndex, searcher):
    """The NumPy scorer of `searcher`, this search's: the one made for it, without a second look at
    the index's freshness (a directory listing and a stat), else index.vector_scorer()."""
    made = index.scorer_made()
    return made if made is not None and made.searcher is searcher else index.vector_scorer()


def positive_text_terms(q: wq.Query, reader) -> set[bytes]:
    """The indexed `text` terms a query matches on, prefixes and fuzzy terms expanded, NOT branches left out."""
    if isinstance(q, wq.Not):
        return set()
    if isinstance(q, wq.AndNot):
        return positive_text_terms(q.a, reader)
    if q.is_leaf():
        if q.field() != "text":
            return set()
        return _cjk_word_terms(q, reader) if _is_cjk_word(q) else _leaf_terms(q, reader)
    terms: set[bytes] = set()
    for child in q.children():
        terms |= positive_text_terms(child, reader)
    return terms


def _is_cjk_word(q: wq.Query) -> bool:
    return isinstance(q, wq.Phrase) and all(len(word) == 1 and HAS_CJK.match(word) for word in q.words)


def _leaf_terms(q: wq.Query, reader) -> set[bytes]:
    """A text leaf's indexed terms: from the scorer's segment data where it has them, else Whoosh's."""
    if isinstance(reader, _ExpandingReader):
        if isinstance(q, wq.MultiTerm):
            expanded = reader.expand(q)
            if expanded is not None:
                return expanded
        elif type(q) in (wq.Term, wq.Phrase):
            existing = reader.existing(q)
            if existing is not None:
                return existing
        reader = reader.reader
    return {text for field_name, text in q.existing_terms(reader, phrases=True, expand=True) if field_name == "text"}


def _cjk_word_terms(q: wq.Phrase, reader) -> set[bytes]:
    """A Chinese or Japanese word (a phrase of its characters) as one term, the characters joined: it is
    highlighted where the characters stand together, not wherever each of them stands."""
    found = _leaf_terms(wq.Phrase(q.fieldname, q.words), reader)
    return {"".join(q.words).encode("utf-8")} if {w.encode("utf-8") for w in q.words} <= found else set()


_thread_local = threading.local()


def _word_analyzer():
    """One analyzer a thread (making one costs more than analysing a word; its stem cache is not thread-safe)."""
    found = getattr(_thread_local, "analyzer", None)
    if found is None:
        found = _thread_local.analyzer = text_analyzer()
    return found


def analysed(word: str) -> str | None:
    """The index term a word becomes (lowercased, stemmed: in the first of the query's languages it
    is not a stop word in), or None for a stop word; cached."""
    terms = analysed_terms(word)
    return terms[0] if terms else None


def analysed_terms(word: str) -> tuple[str, ...]:
    """The terms a word becomes in the query's languages (folded spellings: every word has one in each
    language it is not a stop word in); () for a stop word or for text of several words; cached."""
    key = (current_query_languages(), word.lower())
    found = _analysed.get(key)
    if found is None:
        places = {}
        for t in _word_analyzer()(key[1], mode="query", positions=True):
            places.setdefault(t.pos, []).append(t.text)
        found = tuple(dict.fromkeys(t for t in places.popitem()[1] if not is_exact_spelling(t))) if len(places) == 1 else ()
        if len(_analysed) >= _ANALYSED_CACHE_LIMIT:
            _analysed.clear()
        _analysed[key] = found
    return found


def left_out(word: str) -> bool:
    """Whether the index leaves the word out altogether (a stop word, a single letter). Unlike
    `analysed(word) is None`, a run of Chinese or Japanese (a term a character) is not left out."""
    return all(is_exact_spelling(t.text) for t in _word_analyzer()(word.lower(), mode="query"))


def _wanted(word: str, wanted: frozenset) -> bool:
    return any(term in wanted for term in analysed_terms(word))


_WANTED_CACHE_LIMIT = 64  # (languages, terms) sets remembered: a page's hits share one
_WANTED_WORDS_LIMIT = 50_000  # words remembered for one of them
_wanted_words: dict[tuple, dict[str, bool]] = {}


def _wanted_test(wanted: frozenset):
    """_wanted for these terms in the current query languages, each word's answer remembered: the
    passages of a page meet the same candidate words (`to`, `too` for a term beginning `to`) again."""
    key = (current_query_languages(), wanted)
    verdicts = _wanted_words.get(key)
    if verdicts is None or len(verdicts) >= _WANTED_WORDS_LIMIT:
        if len(_wanted_words) >= _WANTED_CACHE_LIMIT:
            _wanted_words.clear()
        verdicts = _wanted_words[key] = {}

    def test(word: str) -> bool:
        verdict = verdicts.get(word)
        if verdict is None:
            verdict = verdicts[word] = _wanted(word, wanted)
        return verdict

    return test


def match_offsets(text: str, terms: set) -> list[list[int]]:
    """Character [start, end] of every word in `text` whose analysed form is among `terms`.

    Words the stemmer maps together are matched together: a search for `sketching`
    highlights `sketch` and `sketches` too. Only words sharing a stem's first letters
    are analysed (found by one regular expression), so a page highlights in well under
    a millisecond.
    """
    if not terms or not text:
        return []
    wanted = terms if isinstance(terms, frozenset) else _as_words(terms)
    sequences = _cjk_sequences(wanted)
    if sequences:  # Chinese or Japanese words: where their characters stand together
        found = [[m.start(), m.end()] for m in _sequence_pattern(sequences).finditer(text)]
        words = match_offsets(text, wanted - sequences) if wanted - sequences else []
        return _joined_at_hyphens(text, sorted(found + words))
    is_wanted = _wanted_test(wanted)
    accented = not text.isascii()  # then a word's first letters may be written with accents
    if accented:
        scanner = _byte_scanner(wanted)
        folded = _byte_folded_lower(text) if scanner is not None else None
        if folded is not None:  # Latin letters: as fast as English, one byte a character (is_wanted lowercases)
            found = _byte_scanned(scanner, folded, text, is_wanted)
            return _joined_at_hyphens(text, found) if "-" in text else found  # no hyphen, no CJK: nothing to join
    lowered = text.lower()
    scanner = None if accented else _lowered_scanner(wanted)
    if scanner is not None and len(lowered) == len(text):
        found = [[m.start(), m.end()] for m in scanner.finditer(lowered) if is_wanted(m.group())]
        # Plain ASCII (no Chinese or Japanese characters) without a hyphen: nothing to join or widen.
        return _joined_at_hyphens(text, found) if "-" in text else found
    if accented and len(lowered) == len(text) and not HAS_CJK.search(text):  # heads beyond Latin (Greek, Cyrillic)
        # The word as written: the index lowercases each word on its own (a last Σ is a final ς), the
        # text lowercased whole may not (`ΣΟΦΟΣ'a`: a σ, before an apostrophe and a letter).
        # A σ whatever its place: `ss'Σ3` lowercased whole ends in ς, the word `Σ3` on its own is σ3.
        scanned = lowered.replace("ς", "σ") if "ς" in lowered else lowered
        found = [[m.start(), m.end()] for m in _accented_scanner(wanted).finditer(scanned) if is_wanted(text[m.start():m.end()])]
        return _joined_at_hyphens(text, found)
    pattern = _candidate_pattern(wanted, accented)
    heads = _head_finder(wanted, accented)
    if heads is None or len(lowered) != len(text):  # a letter whose lowercase is longer: places would shift
        found = [[m.start(), m.end()] for m in pattern.finditer(text) if is_wanted(m.group())]
        return _joined_at_hyphens(text, found)
    # What pattern.finditer(text) finds, several times faster: a case-insensitive pattern that begins
    # with a lookbehind is tried at every character; the heads are found by a literal search of the
    # lowercased text, and the pattern is tried only there.
    found, end = [], 0
    for head in heads.finditer(lowered):
        if head.start() < end:
            continue
        m = pattern.match(text, head.start())
        if m:
            end = m.end()
            if is_wanted(m.group()):
                found.append([m.start(), end])
    return _joined_at_hyphens(text, found)


@lru_cache(maxsize=256)
def _cjk_sequences(wanted: frozenset) -> frozenset:
    """The Chinese or Japanese words among the terms (a phrase's characters joined)."""
    return frozenset(term for term in wanted if len(term) > 1 and HAS_CJK.match(term))


@lru_cache(maxsize=256)
def _sequence_pattern(sequences: frozenset) -> re.Pattern:
    return re.compile("|".join(re.escape(word) for word in sorted(sequences, key=lambda word: (-len(word), word))))


@lru_cache(maxsize=256)
def _lowered_scanner(wanted: frozenset) -> re.Pattern | None:
    """_candidate_pattern for the lowercased text, its two-letter heads first and the word-start test
    after them (a lookbehind: no word character or dot before the head), so that the regular
    expression engine skips straight to a head's first letter; None when a head is not two letters."""
    heads = {stem_heads(term).lower() for term in wanted if term}
    if not heads or any(len(head) != 2 for head in heads):
        return None
    return re.compile(r"(?:%s)(?<![\w.]..)\w*(?:\.\w+)*" % "|".join(sorted(map(re.escape, heads))))


def _folded_byte(char: str) -> str:
    """What a character becomes in `_byte_folded_lower`: ASCII as it is; a letter with accents its letter
    without; another letter or digit `_` (a word character, in no head); anything else \\x01."""
    folded = fold_in_place(char)
    if char.isascii() or (folded.isascii() and folded.isalnum()):
        return folded
    return "_" if char.isalnum() else "\x01"


_WORD_OR_DOT = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.")


def _bounded(table: bytes, kept: bytes = b"") -> bytes:
    """A translation table whose bytes other than word characters, dots (and `kept`) become spaces:
    the bytes a word's head may follow, all one, so that `_byte_scanner` looks for a space before a
    head (a literal, which the regular expression engine finds faster than it tests each byte)."""
    return bytes(byte if byte in _WORD_OR_DOT or byte in kept else 32 for byte in table)


_LATIN1_FOLD_LOWER = _bounded("".join(_folded_byte(chr(code).lower()) for code in range(256)).encode("ascii"), b"\x00")
# What lowercases other than one character for one (`İ` becomes two characters), and Chinese or Japanese
# characters: marked \x00 by `_byte_folded_lower`, which then gives up. (A final `Σ` lowercases to
# another letter than an inner one, but both are one non-ASCII letter, `_`; is_wanted lowercases the
# word as written, as the index does.)
_NOT_BYTE_FOLDED = re.compile(f"[\u0130{CJK_CHARS}]")
# Characters beyond Latin-1 common in Western European text, each replaced by what it folds to before the
# encoding: the encoder's error handler, called for each of them, would take longer than the rest.
_COMMON_BEYOND_LATIN1 = tuple((char, _folded_byte(char.lower())) for char in "’‘“”„–—…œŒ")


def _fold_lower_beyond_latin1(error: UnicodeEncodeError):
    """The characters Latin-1 lacks (`œ`, `’`, `ł`) lowercased and folded one byte each as `_folded_byte`
    says, `\\x00` for a `_NOT_BYTE_FOLDED` one."""
    return "".join("\x00" if _NOT_BYTE_FOLDED.match(char) else _folded_byte(char.lower())
                   for char in error.object[error.start:error.end]), error.end


codecs.register_error("annotator-fold-lower", _fold_lower_beyond_latin1)


def _byte_folded_lower(text: str) -> bytes | None:
    """Text as ASCII bytes for `_byte_scanner`: a space, then one byte a character (offsets into them,
    less one, are offsets into the text), lowercased and accents folded in one translation, every word
    character and dot still one (`\\w` finds the same words) and every other character a space;
    None for text that holds a `_NOT_BYTE_FOLDED` character."""
    if "\x00" in text:  # the text's own NUL, a non-word character as \x01 is: \x00 marks giving up
        text = text.replace("\x00", "\x01")
    try:
        encoded = text.encode("latin-1")
    except UnicodeEncodeError:
        for char, folded in _COMMON_BEYOND_LATIN1:
            if char in text:
                text = text.replace(char, folded)
        encoded = text.encode("latin-1", "annotator-fold-lower")
    found = encoded.translate(_LATIN1_FOLD_LOWER)
    return None if b"\x00" in found else b" " + found


def _scanned_head(term: str) -> str:
    """The first letters (folded) every word of this term begins with: three for a stem of four letters
    or more (a stemmer rewrites a word's ending, never its first three letters then: `cry` is `cri`, but
    `carry` is `carri`), unless they may stand for a ligature in the text (`coeur`: `cœur`, three bytes
    `cou`); two otherwise (`stem_heads`). Fewer candidate words to test in French text, full of `de`,
    `le`, `pr`…; tests/test_accented_highlights.py checks it on every word of the test books."""
    folded = fold_in_place(term).lower()
    head = folded[:3]
    if len(folded) >= 4 and head.isascii() and head.isalpha() and not any(pair in folded[:4] for pair in LIGATURE_FOLDS):
        return head
    return stem_heads(term, True).lower()


@lru_cache(maxsize=256)
def _byte_scanner(wanted: frozenset) -> re.Pattern | None:
    """_accented_scanner for `_byte_folded_lower` text: the heads without accents, found as in English
    text, each after a space (no word character or dot before it); a match is the word with that space.
    None when a head is not ASCII once folded (Greek, Cyrillic: _accented_scanner then), or holds what
    the bytes have as a space (`*`, which a token may hold)."""
    heads = {_scanned_head(term) for term in wanted if term}
    if not all(head.isascii() for head in heads):
        return None
    heads = {head.encode("ascii") for head in heads}
    if not all(_WORD_OR_DOT.issuperset(head) for head in heads):
        return None
    by_length = [re.escape(h) for n in (3, 2, 1) for h in sorted(h for h in heads if len(h) == n)]
    return re.compile(rb" (?:%s)\w*(?:\.\w+)*" % b"|".join(by_length or [b"(?!)"]))


_SPAN = re.Match.span


def _byte_scanned(scanner: re.Pattern, folded: bytes, text: str, is_wanted) -> list[list[int]]:
    """[start, end] in `text` of each word `scanner` finds in its `_byte_folded_lower` bytes that is wanted
    (a match's first byte is the space before the word: one place before the word's in the text)."""
    return [[start, end - 1] for start, end in map(_SPAN, scanner.finditer(folded)) if is_wanted(text[start:end - 1])]


@lru_cache(maxsize=256)
def _accented_scanner(wanted: frozenset) -> re.Pattern:
    """_lowered_scanner for lowercased text with accents: each head written with or without them
    (`accented_pattern`), one letter where a ligature may begin (`oe`: `œ`); in one pass of the
    regular expression engine, not a match tried at each head found (a third faster on French)."""
    heads = {stem_heads(term, True).lower().replace("ς", "σ") for term in wanted if term}  # (σ: see match_offsets)
    by_length = [sorted(accented_pattern(h) for h in heads if len(h) == n) for n in (2, 1)]
    alternatives = [r"(?:%s)(?<![\w.]%s)" % ("|".join(found), "." * n)
                    for n, found in zip((2, 1), by_length) if found]
    return re.compile(r"(?:%s)\w*(?:\.\w+)*" % "|".join(alternatives or ["(?!)"]))


@lru_cache(maxsize=256)
def _head_finder(wanted: frozenset, accented: bool = False) -> re.Pattern | None:
    """The lowercased heads _candidate_pattern's words begin with; None when there are none."""
    head = accented_pattern if accented else re.escape
    heads = sorted({head(stem_heads(term, accented).lower()) for term in wanted if term})
    return re.compile("|".join(heads)) if heads else None


def _joined_at_hyphens(text: str, spans: list[list[int]]) -> list[list[int]]:
    """Matched parts of one hyphenated word (`open` and `plan` in "open-plan") as one span: the whole word;
    matched Chinese or Japanese characters side by side as one span too."""
    joined: list[list[int]] = []
    for start, end in spans:
        if joined and (start == joined[-1][1] + 1 and text[joined[-1][1]] == "-" or _common_words_between(text, joined[-1][1], start)):
            joined[-1][1] = end
        elif joined and start == joined[-1][1] and HAS_CJK.match(text, start):
            joined[-1][1] = end
        else:
            joined.append([start, end])
    return _without_stray_characters(text, [_with_lone_letters(text, span) for span in joined])


_HYPHENED_WORDS = re.compile(r"-(?:[^\W\d_]+-)+")


def _common_words_between(text: str, end: int, start: int) -> bool:
    """Only hyphens and unindexed words between two matched parts (`state` and `art` in
    "state-of-the-art", `mother` and `law` in "mother-in-law"): they are one word."""
    gap = _HYPHENED_WORDS.fullmatch(text, end, start)
    return gap is not None and all(analysed(word) is None for word in text[end + 1:start - 1].split("-"))


def _with_lone_letters(text: str, span: list[int]) -> list[int]:
    """A matched part with a one-letter part of its hyphenated word beside it (`x-ray`, `e-mail`,
    `T-shirt`) marks the whole word: a single letter is not indexed, so no query can match it."""
    start, end = span
    if start >= 2 and text[start - 1] == "-" and _LONE_LETTER.fullmatch(text, start - 2, start - 1) \
            and (start == 2 or not _WORD_GOES_ON.match(text, start - 3)):
        start -= 2
    if end + 2 <= len(text) and text[end] == "-" and _LONE_LETTER.fullmatch(text, end + 1, end + 2) \
            and (end + 2 == len(text) or not _WORD_GOES_ON.match(text, end + 2)):
        end += 2
    return [start, end]


_LONE_LETTER = re.compile(LETTER)
_WORD_GOES_ON = re.compile(r"[\w'’-]|\.\w")  # a sentence's full stop ends the word, `e.g` does not


def _without_stray_characters(text: str, spans: list[list[int]]) -> list[list[int]]:
    """A CJK word is found as the phrase of its characters: where it is matched whole, a character of it
    standing elsewhere on its own (婚 of 婚纱 in 婚礼) is not marked."""
    single = [span for span in spans if span[1] - span[0] == 1 and HAS_CJK.match(text, span[0])]
    if not single or not any(span[1] - span[0] > 1 and HAS_CJK.match(text, span[0]) for span in spans):
        return spans
    return [span for span in spans if not (span[1] - span[0] == 1 and HAS_CJK.match(text, span[0]))]


def _as_words(terms) -> frozenset:
    return frozenset(t.decode("utf-8") if isinstance(t, bytes) else t for t in terms)


@lru_cache(maxsize=256)
def _candidate_pattern(wanted: frozenset, accented: bool = False) -> re.Pattern:
    # A stem keeps its word's first two letters (stemming only rewrites endings), so
    # these are the only words that can match. Tokens as Whoosh's tokenizer cuts them.
    # Chinese and Japanese characters are tokens of their own (annotator.engine.analysis).
    head = accented_pattern if accented else re.escape
    heads = sorted({head(stem_heads(term, accented)) for term in wanted if term and not HAS_CJK.match(term)})
    characters = "".join(sorted({re.escape(term) for term in wanted if HAS_CJK.match(term)}))
    words = r"(?<!%s)(?<!\.)(?:%s)%s*(?:\.%s+)*" % (LETTER, "|".join(heads), LETTER, LETTER) if heads else ""
    alternatives = [part for part in (words, f"[{characters}]" if characters else "") if part]
    return re.compile("|".join(alternatives) or "(?!)", re.IGNORECASE | re.UNICODE)


def has_text_terms(q: wq.Query) -> bool:
    if q is wq.NullQuery or isinstance(q, (wq.Every, wq.Not)):
        return False
    if isinstance(q, wq.AndNot):  # what is excluded ranks nothing: `-word` alone lists the rest in order
        return has_text_terms(q.a)
    return any(leaf.field() == "text" for leaf in q.leaves() if not isinstance(leaf, wq.Every) and leaf is not wq.NullQuery)


def filter_query(*, themes=(), source=None, untagged: bool = False, kind=None) -> wq.Query | None:
    parts: list[wq.Query] = []
    if themes:
        parts.append(wq.Or([wq.Term("themes", t) for t in themes]))
    sources = [source] if isinstance(source, str) else list(source or ())
    if sources:
        parts.append(wq.Or([wq.Term("source", s) for s in sources]))
    if untagged:
        parts.append(wq.Term("tagged", "no"))
    kinds = [kind] if isinstance(kind, str) else list(kind or ())
    if kinds:
        parts.append(wq.Or([wq.Term("kind", k) for k in kinds]))
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else wq.And(parts)


def _combined_filter(prepared: Prepared, themes, source, untagged, kind) -> wq.Query | None:
    """The options' filters AND the query's own: `theme:hope` typed and `--theme memory` both apply."""
    option = filter_query(themes=themes, source=source, untagged=untagged, kind=kind)
    typed = filter_query(
        themes=prepared.themes, source=prepared.sources, untagged=prepared.untagged, kind=prepared.kinds
    )
    present = [f for f in (option, typed) if f is not None]
    if not present:
        return None
    return present[0] if len(present) == 1 else wq.And(present)


def search(index: SearchIndex, text: str, *, cancelled=None, **options) -> SearchResult:
    """Search within the query budget (annotator.engine.query_budget): what was cut is in the result's
    `notices`; `cancelled()` true stops the search between steps with SearchCancelled."""
    languages = searched_languages(index.searcher(), _sources_searched(text, options.get("source")))
    with query_budget.running(query_budget.Budget(cancelled)) as budget, query_languages(languages):
        result = _search(index, text, **options)
    result.notices = list(budget.notices)
    return result


def _sources_searched(text: str, source) -> list[str]:
    """The sources a search is limited to (`--source`, `source:ID` typed), or [] for all."""
    typed = prepare(text).sources
    given = [source] if isinstance(source, str) else list(source or ())
    return given + typed


def searched_languages(searcher, sources: list[str]) -> tuple[str, ...]:
    """The languages a query is analysed in: those of the sources searched, else all the index holds."""
    every = index_languages(searcher)
    if not sources or len(every) == 1:
        return every
    found = [code for code in map(_source_language(searcher), sources) if code is not None]
    return tuple(dict.fromkeys(found)) or every


def _source_language(searcher):
    """source id -> its language (None for a source the index does not hold), remembered with the
    searcher: looking a source's document up costs a fifth of a search filtered by source."""
    known = getattr(searcher, "annotator_source_languages", None)
    if known is None:
        known = searcher.annotator_source_languages = {}

    def language_of(source: str) -> str | None:
        if source not in known:
            stored = searcher.document(source=source)
            known[source] = None if stored is None else (stored.get("language") or ENGLISH)
        return known[source]

    return language_of


def index_languages(searcher) -> tuple[str, ...]:
    """The languages of the passages and notes a searcher's index holds (a query is analysed in them);
    remembered with the searcher."""
    found = getattr(searcher, "annotator_languages", None)
    if found is None:
        reader = searcher.reader()
        others = sorted(term.decode("utf-8") if isinstance(term, bytes) else term for term in reader.lexicon("language"))
        in_others = sum(reader.doc_frequency("language", code) for code in others)
        # English documents carry no language: some are there unless every document is another's
        # (a deleted document may still count in a frequency: then English is kept, to be sure).
        english = not others or reader.has_deletions() or in_others < reader.doc_count()
        found = tuple(([ENGLISH] if english else []) + others)
        searcher.annotator_languages = found
    return found


def _search(
    index: SearchIndex,
    text: str,
    *,
    themes=(),
    source: str | None = None,
    untagged: bool = False,
    kind: str | None = None,
    limit: int | None = 20,
    as_you_type: bool = False,
) -> SearchResult:
    searcher = index.searcher()
    prepared = prepare(text, as_you_type=as_you_type)
    prepared.words = query_budget.limit_clauses(prepared.words)
    q = scored_query(prepared, searcher.schema)
    _pin_expansions(index, searcher, q)
    common_only = q is wq.NullQuery and _only_common_words(prepared.words) and not (as_you_type and _still_typing(text))
    restrict = _combined_filter(prepared, themes, source, untagged, kind)
    # A kind filter alone (the TUI always sends one) does not narrow enough to list: the words find nothing.
    narrowed = any((themes, source, untagged, prepared.themes, prepared.sources, prepared.untagged))
    unnamed = empty_filters_notice(prepared.empty_filters)  # `source:`: said, whatever else was typed
    if common_only and not narrowed:  # not every passage of the corpus (or every note), from its first
        return SearchResult(query=text, total=0, hits=[], notice=_notices(unnamed, ONLY_COMMON_WORDS))
    if unnamed and not prepared.words.strip() and not narrowed and not prepared.kinds:
        # `theme:` alone: nothing to look for, not the whole corpus as an empty query lists it
        return SearchResult(query=text, total=0, hits=[], notice=unnamed)
    if _no_word_to_look_for(q, prepared) and not common_only and not narrowed:
        # `(`, `"`, `AND`, `*`: typed, but no word to look for; not the whole corpus as if it matched
        return SearchResult(query=text, total=0, hits=[], notice=unnamed or NO_WORDS)
    scored = has_text_terms(q)
    if not scored and q is not wq.NullQuery and not isinstance(q, wq.Every):
        # e.g. `-word` alone: what remains after the exclusion, in corpus order
        restrict = q if restrict is None else wq.And([q, restrict])
    docnums, scores, total = _ranked(index, searcher, q if scored else None, restrict, limit)
    terms = _as_words(positive_text_terms(q, _ExpandingReader(index, searcher))) if scored else frozenset()
    hits = _hits(_stored_page(index, searcher, docnums), scores, terms, index.pending_tags)
    suggestion = None
    notice = _notices(unnamed, ONLY_COMMON_WORDS_FILTERED if common_only else None)
    if total == 0 and prepared.words.strip() and not (as_you_type and _still_typing(text)):
        suggestion = _did_you_mean(searcher, text, q, index)
    return SearchResult(query=text, total=total, hits=hits, suggestion=suggestion, notice=notice)


def _pin_expansions(index: SearchIndex, searcher, q: wq.Query) -> None:
    """Capped prefix, wildcard and fuzzy terms keep the same words in every segment of the index."""
    if searcher.is_atomic() or not query_budget.capped_leaves(q):
        return
    scorer = _scorer_for(index, searcher)
    if scorer is not None:
        segments = [_segment_data_expansions(data) for _, _, data, _, _ in scorer.leaves]
    else:
        segments = [_reader_expansions(sub.reader()) for sub, _ in searcher.leaf_searchers()]
    query_budget.pin_across_segments(q, segments)


def _segment_data_expansions(data):
    def expanded(leaf):
        return [(term, data.doc_frequency(leaf.field(), term)) for term in data.expansions(query_budget.unlimited(leaf))]
    return expanded


def _reader_expansions(reader):
    def expanded(leaf):
        return [(term, reader.doc_frequency(leaf.field(), term)) for term in leaf.every_btext(reader)]
    return expanded


ONLY_COMMON_WORDS = "only common words were typed (the, to, be, single letters): they are not indexed; add a rarer word"
ONLY_COMMON_WORDS_FILTERED = "only common words were typed (not indexed): showing every passage the filters allow"


NO_WORDS = "no word in the query to search for"  # brackets, quotes, operators, * alone (fits 80 columns)
# What each filter typed with no value needs, as its notice says it.
_FILTER_VALUES = {"theme:": "theme:NAME", "themes:": "themes:NAME", "source:": "source:ID", "kind:": "kind:passage or kind:note"}


def _no_word_to_look_for(q: wq.Query, prepared: Prepared) -> bool:
    """Something was typed, and it is only brackets, quotes, `*`, operators: no word to look for
    (`-lamp` parses to no query too, its exclusion a filter; `an`, typed, is a word still to come)."""
    if prepared.kinds or not prepared.words.strip() or not (q is wq.NullQuery or isinstance(q, wq.Every)):
        return False  # `kind:passage OR kind:note` lists them: the filters typed are the query
    return bool(_SYMBOLS_AND_OPERATORS.fullmatch(prepared.words))


_SYMBOLS_AND_OPERATORS = re.compile(r"(?:[\W_]|\b(?:AND|OR|NOT)\b)*")


def empty_filters_notice(empty_filters: list[str]) -> str | None:
    """One line for the filters typed with no value (`source:`), which filter nothing:
    "'source:' needs a name: source:ID"."""
    named = list(dict.fromkeys(empty_filters))
    if not named:
        return None
    needs = "needs a name" if len(named) == 1 else "need a name"
    typed = ", ".join(f"'{name}'" for name in named)
    return f"{typed} {needs}: {', '.join(_FILTER_VALUES[name] for name in named)}"


def _notices(*notices: str | None) -> str | None:
    """The notices that apply, on one line."""
    return "; ".join(n for n in notices if n) or None


def _only_common_words(words: str) -> bool:
    """Words were typed, and every one is a stop word (which the index leaves out)."""
    found = [w for w in _WORDS.findall(words) if w.upper() not in ("AND", "OR", "NOT")]
    return bool(found) and all(analysed(w) is None for w in found)


_FILTER_WORDS = ("untagged", "theme:", "themes:", "source:", "kind:")


def _still_typing(text: str) -> bool:
    """A last word too short to be a prefix yet, a filter half typed (`theme:`, `unta`), or a
    phrase whose closing quote is still to come: no correction for it."""
    last = text.rsplit(None, 1)[-1] if text.strip() else ""
    if text.count('"') % 2:
        return True
    if text[-1:].isspace():
        return False
    return len(last) < AS_YOU_TYPE_MIN or last.endswith(":") or any(w.startswith(last.lower()) for w in _FILTER_WORDS)


def _ranked(index: SearchIndex, searcher, q, restrict, limit):
    """(docnums, scores, total): the vectorised scorer for the shapes it serves, Whoosh's search otherwise."""
    scorer = _serving_scorer(index, searcher, q, restrict)
    if scorer is not None:
        try:
            if q is None:
                ranked = scorer.list_in_order(restrict, limit, "order")
            else:
                ranked = scorer.rank(q, restrict, limit)
            return ranked.docnums, ranked.scores, ranked.total
        except Exception as exc:  # a bug in the fast path: loud under the tests, else logged and
            fastpath.failed(index.folder, "scorer", exc)  # answered below by Whoosh
    return _whoosh_ranked(index, searcher, q, restrict, limit)


def _stored_page(index: SearchIndex, searcher, docnums: list[int]) -> list[dict]:
    """The shown documents' stored fields: from the term tables where the scorer has them (one slice and
    one unpickling each), else from Whoosh's stored-fields reader (decompression and unpickling)."""
    scorer = _scorer_for(index, searcher) if docnums else None
    if scorer is not None:
        try:
            return scorer.stored_fields(docnums)
        except Exception as exc:  # a bug in the fast path: loud under the tests, else logged
            fastpath.failed(index.folder, "stored fields", exc)
    return [searcher.stored_fields(d) for d in docnums]


def _serving_scorer(index: SearchIndex, searcher, q, restrict):
    """The NumPy scorer when it serves this query and filter (decided before scoring), else None."""
    from annotator.engine.fast.fastscore import Unsupported  # NumPy: not before the first search

    scorer = _scorer_for(index, searcher)
    if scorer is None:
        return None
    try:
        scorer.apply_pending(index.pending_tags)
        scorer.check(q, restrict)
    except Unsupported:  # a shape it does not serve: Whoosh's own path, by design
        return None
    except Exception as exc:  # a bug in the fast path: loud under the tests, else logged
        fastpath.failed(index.folder, "scorer check", exc)
        return None
    return scorer


def _with_pending(searcher, restrict: wq.Query, pending: dict[str, list[str]]) -> set[int]:
    """The docnums `restrict` allows, with the pending theme sets in place of the indexed ones."""
    allowed = set(searcher.docs_for_query(restrict))
    for pid, themes in pending.items():
        docnum = searcher.document_number(id=pid)
        if docnum is not None:
            matched = _matches_with_themes(searcher, restrict, docnum, set(themes))
            (allowed.add if matched else allowed.discard)(docnum)
    return allowed


def _matches_with_themes(searcher, q: wq.Query, docnum: int, themes: set[str]) -> bool:
    if isinstance(q, wq.Term) and q.fieldname == "themes":
        return q.text in themes
    if isinstance(q, wq.Term) and q.fieldname == "tagged":
        return (q.text == "no") == (not themes)
    if isinstance(q, wq.And):
        return all(_matches_with_themes(searcher, c, docnum, themes) for c in q.subqueries)
    if isinstance(q, wq.Or):
        return any(_matches_with_themes(searcher, c, docnum, themes) for c in q.subqueries)
    if isinstance(q, wq.Not):
        return not _matches_with_themes(searcher, q.query, docnum, themes)
    if isinstance(q, wq.AndNot):
        return _matches_with_themes(searcher, q.a, docnum, themes) and not _matches_with_themes(searcher, q.b, docnum, themes)
    return docnum in set(searcher.docs_for_query(q))  # a part the theme sets do not change


def _whoosh_ranked(index: SearchIndex, searcher, q, restrict, limit):
    """(docnums, scores, total) from Whoosh's own search."""
    if restrict is not None and index.pending_tags:
        restrict = _with_pending(searcher, restrict, index.pending_tags)  # the pending theme sets apply here too
        if not restrict:  # Whoosh reads an empty filter as none at all
            return [], [], 0
    if q is None:
        if isinstance(restrict, set):
            results = searcher.search(wq.Every(), limit=limit, filter=restrict, sortedby="order")
        else:
            listing = wq.Every() if restrict is None else restrict
            results = searcher.search(listing, limit=limit, sortedby="order")
    else:
        results = _scored_search(searcher, q, limit, restrict)
    total = len(results)  # exact and cheap: the collector counted every match
    if q is None:  # a listing has no score (Whoosh reports the sort key as one)
        return [r.docnum for r in results], [0.0] * len(results), total
    return [r.docnum for r in results], [float(r.score or 0.0) for r in results], total


def _scored_search(searcher, q, limit, restrict):
    """Whoosh's search, every match scored once (the total needs no second pass), by the matchers as built.

    Whoosh's collector otherwise replaces its matcher every few matches, which drops the
    exhausted terms from an OR's coordination count: the same document then scored
    differently depending on where in the segment it sat.
    """
    from whoosh import collectors

    top = collectors.TopCollector(limit=limit, usequality=False) if limit else collectors.UnlimitedCollector()
    top.replace = 0
    collector = top if restrict is None else collectors.FilterCollector(top, allow=restrict)
    searcher.search_with_collector(q, collector)
    return collector.results()


def _hits(page: list[dict], scores: list[float], terms: frozenset, pending: dict) -> list[Hit]:
    """_hit for each shown document, the documents of one language highlighted together in it: a page
    of a bilingual workspace (English notes, French passages) switches languages once, not once a hit."""
    hits: list[Hit | None] = [None] * len(page)
    by_language: dict[str, list[int]] = {}
    for n, stored in enumerate(page):
        by_language.setdefault(stored.get("language") or ENGLISH, []).append(n)
    for language, places in by_language.items():
        with query_languages((language,)):
            for n in places:
                hits[n] = _hit(page[n], scores[n], terms, pending)
    return hits


def _hit(stored: dict, score: float, terms: set[bytes], pending: dict | None = None) -> Hit:
    text = stored.get("text", "")
    language = (stored.get("language") or ENGLISH,)
    if language == current_query_languages():
        matches = match_offsets(text, terms)
    else:
        with query_languages(language):  # its words as its language makes them
            matches = match_offsets(text, terms)
    return Hit(
        id=stored["id"],
        kind=stored.get("kind", "passage"),
        text=text,
        source=stored.get("source", ""),
        location=stored.get("location", ""),
        themes=_themes(stored, pending),
        score=float(score or 0.0),
        matches=matches,
        title=stored.get("title", ""),
    )


# "Did you mean" is for typed words: longer ones, or more of them, are not corrected.
MAX_CORRECTED_LENGTH = 40
MAX_CORRECTED_WORDS = 12


def _themes(stored: dict, pending: dict | None) -> list[str]:
    if pending and stored.get("kind") == "passage" and stored["id"] in pending:
        return list(pending[stored["id"]])
    return (stored.get("themes") or "").split()


def _did_you_mean(searcher, text: str, q: wq.Query, index: SearchIndex | None = None) -> str | None:
    """The query with each word the index lacks replaced by the closest word it has."""
    reader = searcher.reader()
    words = []
    for leaf in q.leaves():
        if isinstance(leaf, wq.Term) and leaf.fieldname == "text":
            words.append(leaf.text)
        elif isinstance(leaf, wq.Phrase) and leaf.fieldname == "text":  # a hyphenated word too
            words.extend(leaf.words)
    missing = [word for word in words if ("text", word) not in reader]
    if not missing:
        return None
    replacements: dict[str, str] = {}
    for term in list(dict.fromkeys(missing))[:MAX_CORRECTED_WORDS]:
        if len(term) > MAX_CORRECTED_LENGTH:
            continue  # no word is that long; correcting it would take seconds (pasted junk)
        found = _closest_term(searcher, term, index)
        if found:
            surface = _surface_word(searcher, found, term)
            if surface:
                replacements[term] = surface
    if not replacements:
        return None

    def swap(m: re.Match) -> str:
        word = m.group()
        # a word is one term in each of the query's languages: the one corrected may be any of them
        better = next((replacements[term] for term in analysed_terms(word) if term in replacements), None)
        if better is None or not _plausible_spelling(word, better):
            return word
        return better.capitalize() if word[:1].isupper() else better

    corrected = _TOKEN.sub(swap, text)
    return corrected if corrected != text else None


# The index vocabulary, for "did you mean", a sorted list of words per segment: kept for the last searcher only.
_vocabulary_cache: tuple[object, list[list[str]]] | None = None


def _vocabulary(searcher, index: SearchIndex | None = None) -> list[list[str]]:
    global _vocabulary_cache
    if _vocabulary_cache is None or _vocabulary_cache[0] is not searcher:
        scorer = index.scorer_made() if index is not None else None
        per_segment = None
        if scorer is not None and scorer.searcher is searcher:  # term tables: one split a segment
            try:
                per_segment = [data.words("text") for _, _, data, _, _ in scorer.leaves]
            except Exception as exc:  # a bug in the fast path: loud under the tests, else logged
                fastpath.failed(index.folder, "vocabulary", exc)
        if per_segment is None:
            # Segment by segment: the index-wide reader merges the segments' word lists in Python, 3x slower.
            readers = [sub.reader() for sub, _ in searcher.leaf_searchers()] or [searcher.reader()]
            per_segment = [[t.decode("utf-8", "replace") for t in reader.lexicon("text")] for reader in readers]
        _vocabulary_cache = (searcher, per_segment)
    return _vocabulary_cache[1]


def _closest_term(searcher, term: str, index: SearchIndex | None = None) -> str | None:
    """The indexed word spelled nearest to `term` (edit distance 1, or 2 for longer words; a swap of
    two neighbouring letters is one edit), the more frequent on a tie. rapidfuzz scans the
    vocabulary in C; Whoosh's corrector took a second."""
    from rapidfuzz import process
    from rapidfuzz.distance import Levenshtein

    maxdist = _max_edits(term)
    close: set[str] = set()
    for words in _vocabulary(searcher, index):  # segment by segment: no merged list to build
        close.update(word for word, _, _ in process.extract(term, words, scorer=Levenshtein.distance, score_cutoff=maxdist, limit=None))
    # A swap is two edits to Levenshtein: the swapped spellings are looked up, not scanned for with
    # a transposition-aware distance (half as fast again over the whole vocabulary).
    reader = searcher.reader()
    close.update(swapped for swapped in _swaps(term) if ("text", swapped) in reader)
    if not close:
        return None
    nearest = min(_spelling_distance(term, word) for word in close)
    tied = sorted(word for word in close if _spelling_distance(term, word) == nearest)
    return min(tied, key=lambda word: -searcher.doc_frequency("text", word))  # alphabetically first on a tie


def _swaps(word: str) -> set[str]:
    """`word` with two neighbouring letters swapped, each way it can be (`hoep`: `ohep`, `hepo`, `hope`)."""
    return {word[:i] + word[i + 1] + word[i] + word[i + 2:] for i in range(len(word) - 1) if word[i] != word[i + 1]}


def _max_edits(word: str) -> int:
    return 1 if len(word) <= 4 else 2


@lru_cache(maxsize=4096)
def _spelling_distance(typed: str, word: str) -> tuple[int, int, int]:
    """How far `word` is spelled from `typed`, nearest first: the edits (a swap of two neighbouring
    letters is one), then a swap before other edits, then the edits later in the word (a longer
    common beginning: a slip of the finger is seldom on the first letters). For `hopw`, `hope`
    (its last letter) is nearer than `how` (a letter gone from the middle)."""
    from rapidfuzz.distance import OSA, Levenshtein

    edits = OSA.distance(typed, word)
    swapped = edits < Levenshtein.distance(typed, word)
    common = len(os.path.commonprefix([typed, word]))
    return edits, 0 if swapped else 1, -common


def _plausible_spelling(typed: str, better: str) -> bool:
    """The correction is near the word as typed, not only its stem: `lies` (stem `li`) is not `his`
    (stem `hi`, one edit from `li`); the same distances as _closest_term's."""
    from rapidfuzz.distance import OSA

    typed = fold(typed.lower())  # accents folded: `soeurr` is one edit from `sœur` (`soeur`)
    return OSA.distance(typed, fold(better.lower())) <= _max_edits(typed)


def _surface_word(searcher, term: str, typed: str | None = None) -> str | None:
    """A word as it is written in the corpus whose index term is `term` (`hailsham` for `hailsham`):
    of those in its first passages, the one spelled nearest to `typed` (`hope`, not `hoping`, for `hopw`)."""
    docnums = list(islice(searcher.docs_for_query(wq.Term("text", term)), 3))
    forms: list[str] = []
    for docnum in docnums:
        text = searcher.stored_fields(docnum).get("text", "")
        for m in _TOKEN.finditer(text):
            form = m.group().lower()
            if form not in forms and analysed(m.group()) == term:
                if typed is None:
                    return form
                forms.append(form)
    if not forms:
        return term
    return min(forms, key=lambda form: _spelling_distance(typed, form))  # the first found on a tie


def get_document(index: SearchIndex, doc_id: str) -> Hit | None:
    try:
        doc_id.encode("utf-8")
    except UnicodeEncodeError:  # a byte that is not UTF-8 in an argument (a lone surrogate): no id holds one
        return None
    searcher = index.searcher()
    docnum = searcher.document_number(id=doc_id)
    if docnum is None:
        return None
    stored = searcher.stored_fields(docnum)
    return Hit(
        id=stored["id"],
        kind=stored.get("kind", "passage"),
        text=stored.get("text", ""),
        source=stored.get("source", ""),
        location=stored.get("location", ""),
        themes=_themes(stored, index.pending_tags),
        score=0.0,
        title=stored.get("title", ""),
    )


# -- warming up a fresh process -----------------------------------------------------------

WARM_POSTINGS = 2_000_000  # postings of the most frequent words read ahead (half the scorer's cache)
WARM_TERMS_STEP = 500
WARM_POSTINGS_STEP = 5_000
WARM_MIN_COUNT = 500  # rarer words are read on demand


def warm_up(index: SearchIndex, postings: int = WARM_POSTINGS):
    """Read ahead, in small steps, what a fresh process's first searches would read on demand.

    Each `next()` does a few milliseconds of work: the field lengths and corpus order,
    every word of the text field with its document frequency (prefixes then expand by
    bisection), the "did you mean" vocabulary, and the postings of the most frequent
    words. A segment with a term table (annotator.engine.fast.termtable) has its words and postings
    at hand: only the vocabulary is made from it. The caller runs one step at a time,
    between searches, with the index to itself (the TUI holds its session lock per step).
    It stops when the index changes.
    """
    searcher = index.searcher()
    scorer = index.vector_scorer()
    if scorer is None:
        return
    leaves = list(scorer.leaves)
    for sub, _, data, _, _ in leaves:
        data.lengths("text")
        data.column("order")
        yield
    for sub, _, data, _, _ in leaves:
        while not data.scan_terms("text", WARM_TERMS_STEP):
            yield
            if index.searcher() is not searcher:
                return
    global _vocabulary_cache
    if _vocabulary_cache is None or _vocabulary_cache[0] is not searcher:
        per_segment = []
        for _, _, data, _, _ in leaves:
            per_segment.append(data.words("text"))
            yield
        _vocabulary_cache = (searcher, per_segment)
        yield
    frequent = []
    for n, (_, _, data, _, _) in enumerate(leaves):
        if data.field_table("text") is not None:
            continue
        counts = data.doc_frequency
        frequent.extend((count, n, t) for t in data.terms["text"] if (count := counts("text", t)) >= WARM_MIN_COUNT)
        yield
    frequent.sort(reverse=True)
    budget, done = postings, 0
    for count, n, term in frequent:
        if budget < count:
            break
        budget -= count
        sub, _, data, key, _ = leaves[n]
        if not scorer.cache.has(key, "text", term):
            scorer.cache.postings(key, sub.reader(), "text", term)
            done += count
            if done >= WARM_POSTINGS_STEP:
                done = 0
                yield
                if index.searcher() is not searcher:
                    return
