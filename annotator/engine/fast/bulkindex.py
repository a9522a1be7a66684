"""Writing a whole Whoosh segment at once, for full index builds.

Whoosh's own writer sends every posting through a pool that pickles sorted runs
to disk and merges them back, then writes the postings one call each; for a
100k-passage corpus that takes minutes. A full build knows its documents up
front, so `BulkWriter` analyses the text of many documents at a time with NumPy
(ASCII text is tokenised over its bytes, without a string per token), keeps the segment's postings in flat arrays,
puts them in term order at commit (the text's without a sort), and writes them in Whoosh's format
(annotator.engine.fast.postingblocks, all terms of a field at once; a field whose values
it cannot encode goes a term at a time through `_TermWriter`). Readers see exactly what Whoosh's writer would have written
(tests compare the two, posting by posting). The text field's analyzer
(annotator.engine.analysis) is reproduced step by step (tokenizer, lowercase, stop words,
accents folded, stemmer, position renumbering); an ID field takes its value as its term; any other field goes
through the field's own `index()`.
"""

from __future__ import annotations

import re
import zlib
from array import array
from itertools import chain, repeat
from operator import sub
from pickle import dumps
from struct import Struct

import numpy as np
from whoosh.analysis import IDTokenizer
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.fields import KEYWORD
from whoosh.formats import Existence, Positions
from whoosh.system import pack_int, pack_long, pack_ushort
from whoosh.util.numeric import byte_to_length, length_to_byte
from whoosh.writing import NO_MERGE, SegmentWriter

from annotator.engine import whoosh_internals
from annotator.engine.analysis import ENGLISH, HAS_CJK, TOKEN_EXPRESSION, TextAnalyzer, fold, language
from annotator.engine.fast import postingblocks
from annotator.engine.fast.termtable import TableWriter, pending_path, remove_pending, table_path

_ENTRY_LENGTHS = whoosh_internals.hash_entry_lengths()  # Whoosh's private structs (whoosh_internals)
_TERMINFO = whoosh_internals.terminfo_struct()

# The default tokenizer pattern without its capturing group (so findall returns whole tokens).
_TOKENS = re.compile(r"[\w\*]+(?:\.[\w\*]+)*")
_STOPPED = -1  # the code of a token the stop filter drops
_UNKNOWN = -2  # a token not yet looked up
# Lowercased token -> its terms (b"" when stopped), per language, shared by all writers of a
# process: stemming a corpus's vocabulary is much of a small update's cost.
_STEMMED: dict[str, dict[str, tuple[bytes, bytes]]] = {}
BATCH = 2000  # documents analysed together
FLUSH_BYTES = 4 << 20  # postings queued before a write
MIN_COMPRESSED_BLOCK = 64  # postings in a block worth compressing
_STORED_BLOCK = Struct("<BHH")  # a deflate stored block's header: final flag, length, its complement
_ADLER = Struct(">I")


class FastAnalysis:
    """Term positions of many texts at once, exactly as annotator.engine.analysis.TextAnalyzer gives them."""

    def __init__(self, analyzer):
        if type(analyzer) is not TextAnalyzer:
            raise TypeError("not annotator's text analyzer")
        self._term_numbers: dict[bytes, int] = {}
        self.terms: list[bytes] = []  # term number -> term bytes
        self._languages: dict[str, _LanguageCodes] = {}

    def _number(self, term: bytes) -> int:
        code = self._term_numbers.get(term)
        if code is None:
            code = self._term_numbers[term] = len(self.terms)
            self.terms.append(term)
        return code

    def analyse(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For every kept token of these texts, in order: (text index, term number, position).

        A token whose accents fold has a second entry, the word as written, after all the others of
        its language's texts.
        """
        by_language: dict[str, list[int]] = {}
        for index, text in enumerate(texts):
            by_language.setdefault(getattr(text, "language", ENGLISH), []).append(index)
        if len(by_language) == 1:
            (code,) = by_language
            return self._codes_for(code).analyse(texts)
        parts = []
        for code, indexes in by_language.items():
            doc, codes, positions = self._codes_for(code).analyse([texts[i] for i in indexes])
            parts.append((np.array(indexes, dtype=np.int64)[doc], codes, positions))
        return tuple(np.concatenate([part[k] for part in parts]) for k in range(3))

    def finish(self) -> None:
        """No more texts: the tokens' lookup tables are dropped (`terms` stays), so that their memory
        is free before the segment is written, a build's peak."""
        self._languages = {}

    def _codes_for(self, code: str) -> "_LanguageCodes":
        found = self._languages.get(code)
        if found is None:
            found = self._languages[code] = _LanguageCodes(language(code), self._number)
        return found


class _LanguageCodes:
    """FastAnalysis for the texts of one language: its tokens' term numbers, remembered."""

    def __init__(self, lang, number):
        self._lang = lang
        self._number = number
        self._stemmed = _STEMMED.setdefault(lang.code, {})  # token -> (folded term, term as written or b"")
        self._codes: dict[str, int] = {}  # lowercased token -> term number, or _STOPPED
        self._spelled: dict[str, int] = {}  # lowercased token whose term as written differs -> its number
        self._keyed = _TokenTable()  # ASCII tokens of up to 16 bytes, as numbers -> term number (or _STOPPED)

    def _terms(self, token: str) -> tuple[bytes, bytes]:
        """The token's folded term and its term as written (b"" when the same), or (b"", b"") when stopped."""
        lang = self._lang
        if not lang.kept(token):
            return b"", b""
        folded = fold(token)
        # LanguageFilter yields the word as written (when its accents fold), then its folded term
        return lang.stem(folded).encode("utf-8"), (token.encode("utf-8") if folded != token else b"")

    def _codes_of(self, lowered: list[str]) -> np.ndarray:
        """Each lowercased token's term number (or _STOPPED)."""
        codes = np.fromiter(map(self._codes.get, lowered, repeat(_UNKNOWN, len(lowered))), dtype=np.int64, count=len(lowered))
        unknown = np.flatnonzero(codes == _UNKNOWN).tolist()  # tokens new to this analysis
        if unknown:
            for token in {lowered[index] for index in unknown}:
                self._code(token)
            codes[unknown] = list(map(self._codes.__getitem__, map(lowered.__getitem__, unknown)))
        return codes

    def _ascii_codes(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """ASCII texts' token counts and their tokens' term numbers, found without a string per token.

        _TOKENS on lowercased ASCII text, done over the bytes with NumPy: a token is a run of word
        characters and of dots between two word characters. A token of up to 16 characters is known
        by its bytes read as two 64-bit numbers, looked up in a hash table of the tokens seen
        before; only a new one is made a string (and stemmed). Longer tokens are looked up as strings.
        """
        joined = "\n".join(texts).lower()  # a line break is in no token, so none spans two texts
        raw = joined.encode("ascii") + bytes(16)  # 16 bytes can be read from any place
        data = np.frombuffer(raw, dtype=np.uint8)[:-16]
        starts, ends = _ascii_token_bounds(data)
        text_starts = np.zeros(len(texts), dtype=np.int64)
        if len(texts) > 1:
            np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))[:-1] + 1, out=text_starts[1:])
        counts = np.diff(np.append(np.searchsorted(starts, text_starts), len(starts)))
        lengths = ends - starts
        keyed = lengths <= 16
        if keyed.all():
            return counts, self._keyed_codes(joined, raw, starts, lengths)
        codes = np.empty(len(starts), dtype=np.int64)
        codes[keyed] = self._keyed_codes(joined, raw, starts[keyed], lengths[keyed])
        long_at = np.flatnonzero(~keyed)
        codes[long_at] = self._codes_of([joined[s:e] for s, e in zip(starts[long_at].tolist(), ends[long_at].tolist())])
        return counts, codes

    def _keyed_codes(self, joined: str, raw: bytes, starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
        """The term numbers of tokens of at most 16 characters, looked up by their bytes as two numbers."""
        if not len(starts):
            return np.zeros(0, dtype=np.int64)
        # Byte i of the 8 read from a place is the token's, or 0 past its end: no token holds a 0.
        windows = np.ndarray((len(raw) - 7,), dtype="<u8", buffer=raw, strides=(1,))
        low = windows[starts] & _LOW_MASKS[lengths]
        high = windows[starts + 8] & _HIGH_MASKS[lengths]
        codes, found = self._keyed.find(low, high)
        if not found.all():
            new = np.flatnonzero(~found)
            codes[new] = self._learn_keys(joined, low[new], high[new], starts[new], lengths[new])
        return codes

    def _learn_keys(self, joined: str, low: np.ndarray, high: np.ndarray, starts: np.ndarray,
                    lengths: np.ndarray) -> np.ndarray:
        """The term numbers of tokens not seen before, their keys added to the known ones."""
        order = np.lexsort((high, low))  # stable: each key's first token leads its run
        low_sorted, high_sorted = low[order], high[order]
        first = np.ones(len(order), dtype=bool)
        first[1:] = (low_sorted[1:] != low_sorted[:-1]) | (high_sorted[1:] != high_sorted[:-1])
        leaders = order[first]
        new_codes = []
        for start, length in zip(starts[leaders].tolist(), lengths[leaders].tolist()):
            token = joined[start:start + length]
            code = self._codes.get(token)
            new_codes.append(self._code(token) if code is None else code)
        codes = np.array(new_codes, dtype=np.int64)
        self._keyed.add(low[leaders], high[leaders], codes)
        inverse = np.empty(len(order), dtype=np.int64)
        inverse[order] = np.cumsum(first) - 1
        return codes[inverse]

    def _code(self, token: str) -> int:
        terms = self._stemmed.get(token)
        if terms is None:
            terms = self._stemmed[token] = self._terms(token)
        term, exact = terms
        code = self._number(term) if term else _STOPPED
        self._codes[token] = code
        if exact:
            self._spelled[token] = self._number(exact)
        return code

    def analyse(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        all_ascii = all(map(str.isascii, texts))
        if all_ascii:
            counts, codes = self._ascii_codes(texts)
        else:
            per_text = [_tokens(text) for text in texts]
            tokens = list(chain.from_iterable(per_text))
            # One lower() for all tokens: joined by spaces (never in a token), each lowers as it would alone.
            lowered = " ".join(tokens).lower().split(" ") if tokens else []
            counts = np.fromiter(map(len, per_text), dtype=np.int64, count=len(per_text))
            codes = self._codes_of(lowered)
        doc = np.repeat(np.arange(len(texts)), counts)
        starts = np.cumsum(counts) - counts
        in_doc = np.arange(len(codes)) - starts[doc]  # place among the text's tokens, stopped ones included
        kept = codes >= 0
        spelled = None
        if not all_ascii:
            spelled = np.array(list(map(self._spelled.get, lowered, repeat(_STOPPED, len(lowered)))), dtype=np.int64)[kept]
        doc, in_doc, codes = doc[kept], in_doc[kept], codes[kept]
        # The stop words are dropped and the rest renumbered: a text's first kept token keeps its place,
        # the rest follow on.
        first = np.ones(len(doc), dtype=bool)
        first[1:] = doc[1:] != doc[:-1]
        first_at = np.flatnonzero(first)
        run = np.diff(np.append(first_at, len(doc)))
        positions = np.repeat(in_doc[first_at] - first_at, run) + np.arange(len(doc))
        if spelled is not None and (spelled >= 0).any():
            also = spelled >= 0
            doc = np.concatenate((doc, doc[also]))
            codes = np.concatenate((codes, spelled[also]))
            positions = np.concatenate((positions, positions[also]))
        return doc, codes, positions


# For a token of n bytes (n = 0..16): which of the 8 bytes read at its start, and of the 8 read
# 8 bytes further, are its own (read as little-endian numbers).
_LOW_MASKS = np.array([(1 << (8 * min(n, 8))) - 1 for n in range(17)], dtype=np.uint64)
_HIGH_MASKS = np.array([(1 << (8 * max(n - 8, 0))) - 1 for n in range(17)], dtype=np.uint64)
_MIX_LOW = np.uint64(0x9E3779B97F4A7C15)  # odd constants of multiplicative hashing
_MIX_HIGH = np.uint64(0xC2B2AE3D27D4EB4F)


class _TokenTable:
    """Keys of two 64-bit numbers (a short token's bytes; the first never 0) -> int64 codes.

    An open-addressing hash table with linear probing, probed for many keys at once with NumPy:
    a batch's hundreds of thousands of tokens are found in a few vectorised rounds.
    """

    def __init__(self, bits: int = 12):
        self._bits = bits
        self._low = np.zeros(1 << bits, dtype=np.uint64)  # 0: an empty slot
        self._high = np.zeros(1 << bits, dtype=np.uint64)
        self._codes = np.zeros(1 << bits, dtype=np.int64)
        self._count = 0

    def _slots(self, low: np.ndarray, high: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            mixed = (low ^ (high * _MIX_HIGH)) * _MIX_LOW
        return (mixed >> np.uint64(64 - self._bits)).astype(np.int64)

    def find(self, low: np.ndarray, high: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Each key's code, and whether it is there (where it is not, its code is undefined)."""
        codes = np.empty(len(low), dtype=np.int64)
        found = np.zeros(len(low), dtype=bool)
        at = np.arange(len(low))
        slots = self._slots(low, high)
        mask = (1 << self._bits) - 1
        while len(at):
            held = self._low[slots]
            hit = (held == low) & (self._high[slots] == high)
            codes[at[hit]] = self._codes[slots[hit]]
            found[at[hit]] = True
            going_on = ~hit & (held != 0)  # another key in the slot: the next one may hold it
            at, low, high, slots = at[going_on], low[going_on], high[going_on], (slots[going_on] + 1) & mask
        return codes, found

    def add(self, low: np.ndarray, high: np.ndarray, codes: np.ndarray) -> None:
        """Add keys not there yet, each once."""
        if 2 * (self._count + len(low)) > len(self._low):  # kept at most half full: short probes
            used = np.flatnonzero(self._low)
            old = self._low[used], self._high[used], self._codes[used]
            bits = self._bits
            while 1 << bits < 4 * (self._count + len(low)):
                bits += 1
            self.__init__(bits)
            self._insert(*old)
        self._insert(low, high, codes)

    def _insert(self, low: np.ndarray, high: np.ndarray, codes: np.ndarray) -> None:
        self._count += len(low)
        slots = self._slots(low, high)
        mask = (1 << self._bits) - 1
        while len(low):
            free = np.flatnonzero(self._low[slots] == 0)
            taken, first = np.unique(slots[free], return_index=True)  # one key for each free slot
            winners = free[first]
            self._low[taken], self._high[taken], self._codes[taken] = low[winners], high[winners], codes[winners]
            rest = np.ones(len(low), dtype=bool)
            rest[winners] = False  # the others' slots are all taken now: on to the next
            low, high, codes, slots = low[rest], high[rest], codes[rest], (slots[rest] + 1) & mask
_ASCII_CLASS = np.zeros(256, dtype=np.uint8)  # 1: a character of a token (lowercased ASCII); 2: a dot
_ASCII_CLASS[np.frombuffer(b"abcdefghijklmnopqrstuvwxyz0123456789_*", dtype=np.uint8)] = 1
_ASCII_CLASS[ord(".")] = 2


def _ascii_token_bounds(data: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where _TOKENS finds tokens in lowercased ASCII bytes: each token's start and end."""
    classes = _ASCII_CLASS[data]
    word = classes == 1  # a letter, digit, underscore or star
    in_token = word.copy()
    if len(data) > 2:  # a dot joins the word characters on either side of it
        dots = np.flatnonzero(classes[1:-1] == 2) + 1
        in_token[dots[word[dots - 1] & word[dots + 1]]] = True
    edges = np.diff(in_token.view(np.int8), prepend=np.int8(0), append=np.int8(0))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def _tokens(text: str) -> list[str]:
    return TOKEN_EXPRESSION.findall(text) if not text.isascii() and HAS_CJK.search(text) else _TOKENS.findall(text)


class _FieldPostings:
    """One field's postings in arrival order: term number, document, weight, length, value."""

    def __init__(self):
        self.term_numbers: dict[bytes, int] = {}
        self.terms = array("I")
        self.docs = array("I")
        self.weights = array("f")
        self.lengths = array("I")
        self.values: list[bytes] = []
        self.positions = array("i")  # a fast text field's: each posting's, in arrival order (for the term table)
        # A fast text field's: each posting's place among its term's postings, and each term's postings so far
        self.occurrences = array("I")
        self.term_counts = np.zeros(0, dtype=np.int64)

    def add_term_sorted(self, terms: np.ndarray) -> None:
        """Count a batch's postings, given sorted by term: each one's place among its term's postings
        (earlier batches' first), so that commit puts them in term order without a sort."""
        if not len(terms):
            return
        first = np.ones(len(terms), dtype=bool)
        first[1:] = terms[1:] != terms[:-1]
        run_starts = np.flatnonzero(first)
        runs = np.diff(np.append(run_starts, len(terms)))
        highest = int(terms[-1])
        if highest >= len(self.term_counts):
            grown = np.zeros(max(highest + 1, 2 * len(self.term_counts)), dtype=np.int64)
            grown[:len(self.term_counts)] = self.term_counts
            self.term_counts = grown
        within = np.arange(len(terms)) - np.repeat(run_starts, runs)
        self.occurrences.frombytes((self.term_counts[terms] + within).astype(np.uint32).tobytes())
        self.term_counts[terms[run_starts]] += runs

    def add(self, docnum: int, length: int, items) -> None:
        numbers = self.term_numbers
        for btext, weight, vbytes in items:
            number = numbers.get(btext)
            if number is None:
                number = numbers[btext] = len(numbers)
            self.terms.append(number)
            self.docs.append(docnum)
            self.weights.append(weight)
            self.lengths.append(length)
            self.values.append(vbytes)

    def extend(self, terms, docs, weights, lengths, values) -> None:
        self.terms.frombytes(terms.astype(np.uint32).tobytes())
        self.docs.frombytes(docs.astype(np.uint32).tobytes())
        self.weights.frombytes(weights.astype(np.float32).tobytes())
        self.lengths.frombytes(lengths.astype(np.uint32).tobytes())
        self.values.extend(values)


def _sorted_array(typecode: str, data, dtype, order) -> array:
    """`data` (a buffer of `dtype`) reordered by `order`, as an array (whose slices are cheap)."""
    values = np.frombuffer(data, dtype=dtype) if not isinstance(data, np.ndarray) else data
    result = array(typecode)
    result.frombytes(memoryview(np.ascontiguousarray(values if order is None else values[order])).cast("B"))
    return result


def zlib_stored(data: bytes) -> bytes:
    """`data` as a zlib stream of stored (uncompressed) deflate blocks, as zlib.compress(data, 0)
    gives it, without zlib's set-up of tens of microseconds a call (more than the pickling)."""
    pieces = [b"\x78\x01"]  # deflate, 32K window, no dictionary, the check bits
    end = len(data)
    start = 0
    while True:
        chunk = data[start:start + 0xFFFF]
        start += 0xFFFF
        pieces.append(_STORED_BLOCK.pack(start >= end, len(chunk), len(chunk) ^ 0xFFFF))
        pieces.append(chunk)
        if start >= end:
            break
    pieces.append(_ADLER.pack(zlib.adler32(data)))
    return b"".join(pieces)


def _quantised(length: int) -> int:
    """The length Whoosh's reader gives back: its one-byte approximation (0 stays 0)."""
    code = length_to_byte(length) if length else 0
    return byte_to_length(code) if code else 0


class BulkWriter(SegmentWriter):
    """A SegmentWriter that builds its new segment from many documents in one go.

    Postings stay in memory until commit (a few dozen bytes each), so give it a
    bounded number of documents. Deleting documents of older segments works as in
    SegmentWriter; updating by unique field (update_document) is not its business.
    """

    def __init__(self, ix, **kwargs):
        super().__init__(ix, **kwargs)
        self._fields: dict[str, _FieldPostings] = {}
        self._fast_text: dict[str, FastAnalysis] = {}
        self._id_fields: set[str] = set()
        self._pending: list[tuple[int, dict]] = []
        self._table: TableWriter | None = None
        self._table_tried = False
        self._plain_names = frozenset(name for name in self.schema.names() if not name.startswith("_"))
        for name, field in self.schema.items():
            if not field.indexed or field.vector or field.separate_spelling():
                continue
            if (type(field.format) is Positions and field.scorable and field.format.field_boost == 1.0
                    and postingblocks.supports(field, True)):  # which encodes its positions
                try:
                    self._fast_text[name] = FastAnalysis(field.analyzer)
                except TypeError:
                    pass
            elif type(field.format) is Existence and type(field.analyzer) is IDTokenizer:
                self._id_fields.add(name)

    def commit(self, mergetype=None, optimize=False, merge=True):
        """Write the new segment beside the existing ones.

        Whoosh's merge policies copy old segments' postings through the pool this writer
        bypasses, so none runs here; a custom `mergetype` may fold segments in by adding
        their documents again with add_document.
        """
        return super().commit(mergetype=mergetype or NO_MERGE)

    def add_reader(self, reader):
        raise NotImplementedError("BulkWriter does not merge segments")

    def _postings(self, fieldname: str) -> _FieldPostings:
        postings = self._fields.get(fieldname)
        if postings is None:
            postings = self._fields[fieldname] = _FieldPostings()
        return postings

    # -- adding documents: queued, then analysed a batch at a time --------------------

    def add_document(self, **fields):
        self._check_state()
        if not self._plain_names.issuperset(fields):  # the usual document needs only this one test
            if any(name.startswith("_") for name in fields):
                raise ValueError("BulkWriter takes no boosts or custom stored values")
            self._check_fields(self.schema, fields)
        self._pending.append((self.docnum, fields))
        self._added = True
        self.docnum += 1
        if len(self._pending) >= BATCH:
            self._add_pending()

    def _add_pending(self) -> None:
        pending, self._pending = self._pending, []
        if not pending:
            return
        lengths = {name: self._index_texts(name, pending) for name in self._fast_text}
        posted = {name for name in self._id_fields if self._index_ids(name, pending)}
        table = self._opened_table()
        columns = whoosh_internals.doc_columns(self.perdocwriter)
        if columns is not None:
            self._add_docs_at_once(pending, lengths, posted, table, columns)
        else:
            self._add_docs_one_by_one(pending, {name: found.tolist() for name, found in lengths.items()}, posted, table)

    def _add_docs_at_once(self, pending, lengths: dict[str, np.ndarray], posted: set[str], table, columns) -> None:
        """A batch's stored fields, field lengths and column values, written field by field for all
        its documents (whoosh_internals.DocColumns): the same bytes as _add_docs_one_by_one."""
        schema = self.schema
        first = pending[0][0]
        columns.finish_docs(first, len(pending))
        stored_dicts: list[dict] = [{} for _ in pending]
        # Field by field in name order: each document's stored dict takes its fields in that order,
        # as Whoosh's writer (given them sorted) stores them.
        for fieldname in sorted({name for _, fields in pending for name in fields}):
            field = schema[fieldname]
            values = [fields.get(fieldname) for _, fields in pending]
            rows = [row for row, value in enumerate(values) if value is not None]
            if field.stored:  # a LanguageText as plain text: unpickled without a call to str()
                for row in rows:
                    value = values[row]
                    stored_dicts[row][fieldname] = str(value) if isinstance(value, str) else value
            if fieldname in lengths:
                field_lengths = lengths[fieldname]
            elif fieldname in posted or not field.indexed:
                field_lengths = None
            else:
                field_lengths = np.zeros(len(pending), dtype=np.int64)
                for row in rows:
                    field_lengths[row] = self._index_field(fieldname, field, values[row], pending[row][0])
            if field_lengths is not None:
                columns.add_lengths(fieldname, first, postingblocks.length_bytes(field_lengths), int(field_lengths.sum()))
            if field.column_type and rows:
                column_values = [field.to_column_value(values[row]) if values[row] is not None else None
                                 for row in range(len(pending))]
                if len(rows) == len(pending):
                    columns.add_numbers(fieldname, field.column_type, first, column_values)
                else:  # (documents without the field add nothing to its column)
                    for row in rows:
                        columns.add_numbers(fieldname, field.column_type, first + row, column_values[row:row + 1])
        # Stored fields are pickled once, for the term table and for Whoosh's stored column (as
        # Whoosh's per-doc writer pickles them), where they go in a zlib stream of stored blocks.
        pickles = [dumps(stored, 2) for stored in stored_dicts]
        if all(stored_dicts):
            columns.add_stored(first, list(map(zlib_stored, pickles)))
        else:  # Whoosh's writer stores nothing for a document without stored fields
            for row, pickled in enumerate(pickles):
                if stored_dicts[row]:
                    columns.add_stored(first + row, [zlib_stored(pickled)])
        if table is not None:
            table.add_stored(pickles)

    def _add_docs_one_by_one(self, pending, lengths: dict[str, list[int]], posted: set[str], table) -> None:
        perdoc = self.perdocwriter
        # Stored fields are pickled once, for the term table and for Whoosh's stored column (as
        # Whoosh's per-doc writer pickles them), where they go in a zlib stream of stored blocks.
        store_raw = whoosh_internals.stored_bytes_writer(perdoc)
        schema = self.schema
        stored_pickles = []
        plans: dict[tuple, list] = {}  # the documents' field names (most share them) -> the fields, sorted
        for row, (docnum, fields) in enumerate(pending):
            perdoc.start_doc(docnum)
            stored = {}
            names = tuple(fields)
            plan = plans.get(names)
            if plan is None:
                plan = plans[names] = [(name, schema[name]) for name in sorted(fields)]
            for fieldname, field in plan:
                value = fields[fieldname]
                if value is None:
                    continue
                if field.stored:  # a LanguageText as plain text: unpickled without a call to str()
                    stored[fieldname] = str(value) if isinstance(value, str) else value
                if fieldname in lengths:
                    length = lengths[fieldname][row]
                elif fieldname in posted:
                    length = 0
                else:
                    length = self._index_field(fieldname, field, value, docnum) if field.indexed else 0
                if length or store_raw is None:  # else add_field has nothing to do
                    perdoc.add_field(fieldname, field, value if store_raw is None else None, length)
                if field.column_type:
                    perdoc.add_column_value(fieldname, field.column_type, field.to_column_value(value))
            perdoc.finish_doc()
            if table is not None or store_raw is not None:
                pickled = dumps(stored, 2)
                stored_pickles.append(pickled)
                if store_raw is not None and stored:  # Whoosh's writer stores nothing for no stored fields
                    store_raw(docnum, zlib_stored(pickled))
        if table is not None:
            table.add_stored(stored_pickles)

    def _index_texts(self, fieldname: str, pending) -> np.ndarray:
        """Post a batch's values of a fast text field; each document's field length."""
        rows = [(row, fields[fieldname]) for row, (_, fields) in enumerate(pending) if fields.get(fieldname) is not None]
        if any(not isinstance(value, str) for _, value in rows):
            raise ValueError(f"field {fieldname!r} takes text")
        analysis = self._fast_text[fieldname]
        doc, terms, positions = analysis.analyse([value for _, value in rows])
        row_of = np.array([row for row, _ in rows], dtype=np.int64)
        docnums = np.array([docnum for docnum, _ in pending], dtype=np.int64)
        lengths = np.zeros(len(pending), dtype=np.int64)
        if len(doc):
            np.add.at(lengths, row_of[doc], 1)
        # Group the tokens into postings: by term, then document (tokens come in document order).
        if len(doc) and (doc[1:] >= doc[:-1]).all():  # (as they are, but for words also indexed as written)
            order = _stable_order(terms)
        else:
            order = np.lexsort((doc, terms))
        doc, terms, positions = doc[order], terms[order], positions[order]
        new = np.ones(len(doc), dtype=bool)
        new[1:] = (doc[1:] != doc[:-1]) | (terms[1:] != terms[:-1])
        starts = np.flatnonzero(new)
        freqs = np.diff(np.append(starts, len(doc)))
        quantised = np.array([_quantised(int(n)) for n in lengths], dtype=np.int64)
        posted = doc[starts]
        postings = self._postings(fieldname)
        # No values: postingblocks encodes the positions, term by term, as the segment is written.
        postings.extend(terms[starts], docnums[row_of[posted]], freqs.astype(np.float32), quantised[row_of[posted]], ())
        postings.add_term_sorted(terms[starts])
        postings.positions.frombytes(positions.astype(np.int32).tobytes())  # posting by posting
        return lengths

    def _index_ids(self, fieldname: str, pending) -> bool:
        """Post a batch's values of an unscored ID field, each its own term, if all are text."""
        field = self.schema[fieldname]
        values = [fields.get(fieldname) for _, fields in pending]
        if field.scorable or not all(value is None or isinstance(value, str) for value in values):
            return False
        numbers = self._postings(fieldname).term_numbers
        terms, docnums = array("I"), array("I")
        for (docnum, _), value in zip(pending, values):
            if value is not None:
                btext = value.encode("utf-8")
                number = numbers.get(btext)
                if number is None:
                    number = numbers[btext] = len(numbers)
                terms.append(number)
                docnums.append(docnum)
        count = len(terms)
        postings = self._postings(fieldname)
        postings.terms.extend(terms)
        postings.docs.extend(docnums)
        postings.weights.extend(repeat(field.format.field_boost, count))
        postings.lengths.extend(repeat(0, count))
        postings.values.extend(repeat(b"", count))
        return True

    def _index_field(self, fieldname: str, field, value, docnum: int) -> int:
        """Post one field's terms through the field itself; its length."""
        boost = field.format.field_boost
        if fieldname in self._id_fields and isinstance(value, str):
            length, items = 1, [(value.encode("utf-8"), boost, b"")]
        elif type(field) is KEYWORD and isinstance(value, str) and not value.strip():
            length, items = 0, []  # no keywords (an untagged passage's themes)
        else:
            length, items = 0, []
            for btext, freq, weight, vbytes in field.index(value):
                length += freq
                items.append((btext, weight, vbytes or b""))
        if not field.scorable:
            length = 0
        self._postings(fieldname).add(docnum, _quantised(length), items)
        return length

    # -- writing the segment ------------------------------------------------------------

    def _flush_segment(self):
        self._add_pending()
        for analysis in self._fast_text.values():
            analysis.finish()
        self.perdocwriter.close()
        fieldwriter = self.fieldwriter
        self._table = self._opened_table()
        if self._table is not None:
            self._table.set_doc_count(self.docnum)  # started with the first batch: all are in now
        for fieldname in sorted(self._fields):
            postings = self._fields.pop(fieldname)
            if fieldname in self._fast_text:  # numbered by the analysis (texts go nowhere else)
                term_numbers = {name: number for number, name in enumerate(self._fast_text[fieldname].terms)}
            else:
                term_numbers = postings.term_numbers
            field = self.schema[fieldname]
            if postingblocks.supports(field, fieldname in self._fast_text) and _positive(postings.weights):
                self._write_field_at_once(fieldname, field, postings, term_numbers)
                continue
            terms = np.frombuffer(postings.terms, dtype=np.uint32)
            order = np.argsort(terms, kind="stable")  # documents stay ascending within a term
            bounds = np.zeros(max(term_numbers.values(), default=-1) + 2, dtype=np.int64)
            np.cumsum(np.bincount(terms, minlength=len(bounds) - 1), out=bounds[1:])
            docs = _sorted_array("I", postings.docs, np.uint32, order)
            weights = _sorted_array("f", postings.weights, np.float32, order)
            lengths = _sorted_array("I", postings.lengths, np.uint32, order)
            values = postings.values  # stays in arrival order, read through `order`
            order = _sorted_array("I", order.astype(np.uint32), np.uint32, None)
            del postings, terms
            fieldwriter.start_field(fieldname, field)
            terms = _TermWriter(fieldwriter, field, docs, weights, lengths, values, order)
            in_order = [btext for btext in sorted(term_numbers) if bounds[term_numbers[btext] + 1] > bounds[term_numbers[btext]]]
            for btext in in_order:
                number = term_numbers[btext]
                terms.write(btext, int(bounds[number]), int(bounds[number + 1]))
            terms.flush()
            fieldwriter.finish_field()
            if self._table is not None and not field.unique:  # ids are looked up by Whoosh, never scored
                numbers = np.fromiter((term_numbers[btext] for btext in in_order), dtype=np.int64, count=len(in_order))
                _add_table_field(self._table, fieldname, in_order, bounds, numbers, docs, weights)
        whoosh_internals.write_hashes_at_once(whoosh_internals.term_index_writer(fieldwriter))
        fieldwriter.close()

    def _write_field_at_once(self, fieldname: str, field, postings: _FieldPostings, term_numbers: dict[bytes, int]) -> None:
        """A field's postings regrouped into term order once, written for Whoosh by
        annotator.engine.fast.postingblocks and, from the same arrays, to the term table."""
        if fieldname in self._fast_text:
            self._write_text_field(fieldname, field, postings, term_numbers)
            return
        terms = np.frombuffer(postings.terms, dtype=np.uint32)
        counts = np.bincount(terms, minlength=len(term_numbers))
        in_order = [btext for btext in sorted(term_numbers) if counts[term_numbers[btext]]]
        rank = np.zeros(len(counts), dtype=np.int64)  # term number -> place in term order
        rank[np.fromiter((term_numbers[btext] for btext in in_order), dtype=np.int64, count=len(in_order))] = np.arange(len(in_order))
        places = rank[terms]
        order = np.argsort(places, kind="stable")  # documents stay ascending within a term
        post_starts = np.zeros(len(in_order) + 1, dtype=np.int64)
        np.cumsum(np.bincount(places, minlength=len(in_order)), out=post_starts[1:])
        del places, rank
        docs = np.frombuffer(postings.docs, dtype=np.uint32)[order]
        weights = np.frombuffer(postings.weights, dtype=np.float32)[order]
        lengths = np.frombuffer(postings.lengths, dtype=np.uint32)[order]
        del postings, order
        self._write_sorted_field(fieldname, field, in_order, post_starts, docs, weights, lengths, None)

    def _write_text_field(self, fieldname: str, field, postings: _FieldPostings, term_numbers: dict[bytes, int]) -> None:
        """_write_field_at_once for a fast text field: each posting (and its positions) moved straight to
        its place in term order, known from its place among its term's postings (no sort, 32-bit arrays:
        a worker's fresh memory is much of its cost)."""
        terms = np.frombuffer(postings.terms, dtype=np.uint32)
        counts = np.zeros(len(term_numbers), dtype=np.int64)
        counts[:len(postings.term_counts)] = postings.term_counts[:len(term_numbers)]
        in_order = [btext for btext in sorted(term_numbers) if counts[term_numbers[btext]]]
        numbers = np.fromiter((term_numbers[btext] for btext in in_order), dtype=np.int64, count=len(in_order))
        post_starts = np.zeros(len(in_order) + 1, dtype=np.int64)
        np.cumsum(counts[numbers], out=post_starts[1:])
        first_place = np.zeros(len(counts), dtype=np.int32)  # term number -> where its postings begin
        first_place[numbers] = post_starts[:-1]
        places = first_place[terms]
        places += np.frombuffer(postings.occurrences, dtype=np.int32)  # (places are below 2**31)
        del first_place
        docs = _placed(np.frombuffer(postings.docs, dtype=np.uint32), places)
        arrival_weights = np.frombuffer(postings.weights, dtype=np.float32)
        weights = _placed(arrival_weights, places)
        lengths = _placed(np.frombuffer(postings.lengths, dtype=np.uint32), places)
        # Each posting's positions follow one another: moved by how far its first one moves.
        frequencies = arrival_weights.astype(np.int32)
        arrival_starts = np.cumsum(frequencies, dtype=np.int32)
        arrival_starts -= frequencies
        sorted_frequencies = weights.astype(np.int32)
        sorted_starts = np.cumsum(sorted_frequencies, dtype=np.int32)
        sorted_starts -= sorted_frequencies
        moves = sorted_starts[places]
        moves -= arrival_starts
        del places, arrival_starts, sorted_starts, sorted_frequencies
        arrival_positions = np.frombuffer(postings.positions, dtype=np.int32)
        if len(frequencies) and frequencies.max() == 1:  # one position a posting: the postings' own places
            token_places = moves
        else:
            token_places = np.repeat(moves, frequencies)
        token_places += np.arange(len(arrival_positions), dtype=np.int32)
        positions = _placed(arrival_positions, token_places)
        del postings, token_places, moves, frequencies
        self._write_sorted_field(fieldname, field, in_order, post_starts, docs, weights, lengths, positions)

    def _write_sorted_field(self, fieldname: str, field, in_order: list[bytes], post_starts: np.ndarray,
                            docs: np.ndarray, weights: np.ndarray, lengths: np.ndarray, positions) -> None:
        fieldwriter = self.fieldwriter
        fieldwriter.start_field(fieldname, field)
        postingblocks.FieldPostingsWriter(fieldwriter).write(in_order, post_starts, docs, weights, lengths, positions)
        fieldwriter.finish_field()
        if self._table is not None and not field.unique:  # ids are looked up by Whoosh, never scored
            # Document numbers are below 2**31: their uint32 bytes read as int32 unchanged.
            self._table.add_field(fieldname, in_order, post_starts, docs.view(np.int32), weights, positions)

    # -- the term table beside the segment (annotator.engine.fast.termtable) -------------------------

    def _opened_table(self) -> TableWriter | None:
        """The segment's term table, started with the first documents (their stored fields go first)."""
        if self._table is None and not self._table_tried:
            self._table_tried = True
            self._table = self._start_table()
        return self._table

    def _start_table(self) -> TableWriter | None:
        folder = getattr(self.storage, "folder", None)
        if folder is None or self.docbase != 0:
            return None
        remove_pending(folder)  # we hold the write lock: no other writer is writing one
        segment_id = self.newsegment.segment_id()
        return TableWriter(pending_path(folder, segment_id), segment_id, self.docnum)

    def _assemble_segment(self):
        """Assemble the segment's files, then move its term table beside them (not into its compound file)."""
        super()._assemble_segment()
        table, self._table = self._table, None
        if table is not None:
            table.close(table_path(self.storage.folder, self.newsegment.segment_id()))

    def cancel(self):
        table, self._table = self._table, None
        if table is not None:
            table.discard()
        super().cancel()


def _stable_order(keys: np.ndarray) -> np.ndarray:
    """np.argsort(keys, kind="stable") for keys below 2**32, by NumPy's radix sort of 16-bit keys
    (a pass for each half): several times faster than a merge sort."""
    if int(keys.max()) < 1 << 16:
        return np.argsort(keys.astype(np.uint16), kind="stable")
    order = np.argsort((keys & 0xFFFF).astype(np.uint16), kind="stable")
    return order[np.argsort((keys[order] >> 16).astype(np.uint16), kind="stable")]


def _placed(values: np.ndarray, places: np.ndarray) -> np.ndarray:
    """values[i] put at places[i] (a permutation)."""
    result = np.empty_like(values)
    result[places] = values
    return result


def _positive(weights: array) -> bool:
    return not len(weights) or bool(np.frombuffer(weights, dtype=np.float32).min() > 0)


def _add_table_field(table: TableWriter, fieldname: str, in_order: list[bytes], bounds: np.ndarray,
                     numbers: np.ndarray, docs: array, weights: array) -> None:
    """A field's postings regrouped from term-number order into term order, for the term table."""
    starts = bounds[numbers]
    counts = bounds[numbers + 1] - starts
    post_starts = np.zeros(len(in_order) + 1, dtype=np.int64)
    np.cumsum(counts, out=post_starts[1:])
    gather = np.repeat(starts - post_starts[:-1], counts) + np.arange(post_starts[-1])
    # Document numbers are below 2**31: their uint32 bytes read as int32 unchanged.
    table_weights = np.frombuffer(weights, dtype=np.float32)[gather]
    table.add_field(fieldname, in_order, post_starts, np.frombuffer(docs, dtype=np.int32)[gather], table_weights)


class _TermWriter:
    """Writes one field's terms in Whoosh 3's format: postings in blocks, then the term's info.

    The bytes are those of Whoosh's W3PostingsWriter and W3FieldWriter.finish_term,
    without their per-posting calls; tests read both back and compare them.
    """

    def __init__(self, fieldwriter, field, docs, weights, lengths, values, order):
        self._postfile, self._terms, fieldid, self._limit, self._level = whoosh_internals.field_writer_parts(fieldwriter)
        self._prefix = pack_ushort(fieldid)  # self._terms: an OrderedHashWriter
        self._fixed_size = field.format.fixed_value_size()
        self._docs, self._weights, self._lengths = docs, weights, lengths
        self._values, self._order = values, order
        # Both files are written in large pieces: postings and term entries wait here, their
        # positions counted, instead of a write() and tell() per block and per term.
        self._postings: list[bytes] = []
        self._postings_at = self._postfile.tell()
        self._entries: list[bytes] = []
        self._entries_at = self._terms.dbfile.tell()
        self._queued = 0

    def _add_posting_bytes(self, data: bytes) -> int:
        """Queue bytes for the postings file; their offset in it."""
        offset = self._postings_at
        self._postings.append(data)
        self._postings_at += len(data)
        self._queued += len(data)
        if self._queued > FLUSH_BYTES:
            self.flush()
        return offset

    def _add_term(self, key: bytes, value: bytes) -> None:
        """OrderedHashWriter.add, with the entry queued: the same table, index and hash buckets."""
        terms = self._terms
        if key <= terms.lastkey:
            raise ValueError(f"Keys must increase: {terms.lastkey!r}..{key!r}")
        position = self._entries_at
        terms.index.append(position)
        entry = _ENTRY_LENGTHS.pack(len(key), len(value)) + key + value
        self._entries.append(entry)
        self._entries_at += len(entry)
        hashed = terms.hashfn(key)
        terms.buckets[hashed & 255].append((hashed, position))
        terms.lastkey = key

    def flush(self) -> None:
        self._postfile.write(b"".join(self._postings))
        self._terms.dbfile.write(b"".join(self._entries))
        self._postings, self._entries, self._queued = [], [], 0

    def write(self, btext: bytes, start: int, end: int) -> None:
        if end - start == 1:
            self._write_single(btext, start)
            return
        pieces = [WHOOSH3_HEADER_MAGIC]
        total_weight, min_length, max_length, max_weight = 0.0, None, 0, 0
        for block in range(start, end, self._limit):
            stop = min(block + self._limit, end)
            block_bytes, block_weight, block_min, block_max = self._block(block, stop, last=stop == end)
            pieces.append(block_bytes)
            total_weight += sum(self._weights[block:stop])
            if block_min is not None:
                min_length = block_min if min_length is None else min(min_length, block_min)
            max_length = max(max_length, block_max)
            max_weight = max(max_weight, block_weight)
        data = b"".join(pieces)
        offset = self._add_posting_bytes(data)
        info = _TERMINFO.pack(
            False, total_weight, end - start,
            0 if min_length is None else length_to_byte(min_length), length_to_byte(max_length),
            max_weight, self._docs[start], self._docs[end - 1],
        )
        self._add_term(self._prefix + btext, info + pack_long(offset) + pack_int(len(data)))

    def _write_single(self, btext: bytes, index: int) -> None:
        """`write` for a term in one document (every id, most rare words): the same bytes, fewer steps."""
        docnum, weight, length = self._docs[index], self._weights[index], self._lengths[index]
        fixed = self._fixed_size
        if fixed == 0:
            mini_values = None
        else:
            value = self._values[self._order[index]]
            values = (value,) if value else ()
            mini_values = values if fixed is None or fixed < 0 else b"".join(values)
        data = dumps(((docnum,), None if weight == 1.0 else weight, mini_values), 2)
        max_weight = max(0, weight)
        length_byte = length_to_byte(length) if length else 0
        info = dumps((1, docnum, max_weight, 0, length_byte, length_byte), 2)
        block = WHOOSH3_HEADER_MAGIC + pack_int(-(len(info) + len(data))) + info + data
        offset = self._add_posting_bytes(block)
        term = _TERMINFO.pack(False, weight, 1, length_byte, length_byte, max_weight, docnum, docnum)
        self._add_term(self._prefix + btext, term + pack_long(offset) + pack_int(len(block)))

    def _block(self, start: int, stop: int, last: bool):
        """One block's bytes (length, info, data) and its max weight, min and max length."""
        ids = self._docs[start:stop]
        weights = self._weights[start:stop]
        lengths = self._lengths[start:stop]
        count = stop - start
        max_weight = max(0, max(weights))
        max_length = max(lengths)
        if not max_length:
            min_length = None
        elif lengths.count(0):
            min_length = min(n for n in lengths if n)
        else:
            min_length = min(lengths)
        deltas = tuple(map(sub, ids, (0, *ids[:-1])))
        first = weights[0]
        if weights.count(1.0) == count:
            mini_weights = None
        elif weights.count(first) == count:
            mini_weights = first
        else:
            mini_weights = tuple(weights)
        fixed = self._fixed_size
        if fixed == 0:
            mini_values = None
        else:
            all_values = self._values
            values = [v for v in map(all_values.__getitem__, self._order[start:stop]) if v]
            mini_values = tuple(values) if fixed is None or fixed < 0 else b"".join(values)
        data = dumps((deltas, mini_weights, mini_values), 2)
        # zlib's set-up costs more than it saves on a short block (Whoosh meant to skip those too:
        # its writer's `len(databytes) < 20` test is overwritten); a block's info says how it is stored.
        # zlib's fastest level: blocks come out within 1% of level 3's size in ~15% less time.
        level = min(self._level, 1) if count >= MIN_COMPRESSED_BLOCK else 0
        if level:
            data = zlib.compress(data, level)
        info = dumps((count, ids[-1], max_weight, level, length_to_byte(min_length), length_to_byte(max_length)), 2)
        size = len(info) + len(data)
        return pack_int(-size if last else size) + info + data, max_weight, min_length, max_length
