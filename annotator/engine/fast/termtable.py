"""A segment's terms and postings as flat arrays: the side file a bulk-built segment carries.

Whoosh keeps a term's postings in pickled blocks, positions interleaved; reading a
common word's list the first time costs milliseconds, and a prefix typed as the
first keystrokes of a search expands to dozens of them. `BulkWriter` holds every
posting of its segment in NumPy arrays anyway, so it also writes, per indexed field,
the sorted terms (each followed by a newline, so that a field's vocabulary is read with
one split), and each term's document numbers (int32) and weights (float32),
term after term, into one file beside the segment: `<segment id>.termtable`. Named
like the segment's own files, it is deleted with its segment by Whoosh's clean_files.

A text field (one the bulk writer analyses itself) also carries its postings' positions,
posting after posting (each posting has as many as its weight, its term frequency), and
where each term's positions begin: a phrase is checked with NumPy over these, without
Whoosh's per-posting reads of its pickled blocks.

A table may also carry its segment's stored fields, each document's as Whoosh stores them
(the dict pickled, here uncompressed), one after the other with where each begins: a page of
results reads them with one slice and one unpickling each, without Whoosh's column reader
and its decompression (`TermTable.stored_fields`). A table without them (written before
they were added) is read as before; the stored fields then come from Whoosh.

The file is memory-mapped: a term's postings are slices of it, read from disk only
when touched; the terms are split into a list on first use, and finding a term or
a prefix's completions is a bisection of it. Its
layout: the arrays, then a JSON directory of their offsets, then the directory's
length and a closing magic number, which a reader checks first; a file cut short,
written by another version or for another segment reads as absent (`open_table`
returns None) and the caller reads Whoosh's own postings instead.
"""

from __future__ import annotations

import json
import mmap
import os
import pickle
import struct
from bisect import bisect_left

import numpy as np

EXTENSION = ".termtable"
VERSION = 2  # 2: positions of text fields
_MAGIC = b"ANNTT\x00\x00\x01"
_TRAILER = struct.Struct("<Q8s")  # directory length, magic
_DTYPES = {"blob": np.uint8, "term_starts": np.dtype("<i8"), "post_starts": np.dtype("<i8"),
           "docs": np.dtype("<i4"), "weights": np.dtype("<f4"),
           "positions": np.dtype("<i4"), "term_positions": np.dtype("<i8"),
           "stored_blob": np.uint8, "stored_starts": np.dtype("<i8")}
_REQUIRED = ("blob", "term_starts", "post_starts", "docs", "weights")
# Past any byte of UTF-8 text: `prefix + _PAST` sorts after every term that begins with prefix.
_PAST = b"\xff"


def table_path(folder: str, segment_id: str) -> str:
    return os.path.join(folder, segment_id + EXTENSION)


def pending_path(folder: str, segment_id: str) -> str:
    """Where the file is written before its segment is committed: a name Whoosh never lists as the segment's."""
    return os.path.join(folder, "." + segment_id + EXTENSION + ".tmp")


def remove_pending(folder: str) -> None:
    """Delete tables left half-written by a killed build (call it holding the index's write lock)."""
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        if name.startswith(".") and name.endswith(EXTENSION + ".tmp"):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:
                pass


class TableWriter:
    """Writes a term table field by field; `close` adds the directory and moves it into place."""

    def __init__(self, path: str, segment_id: str, doc_count: int):
        self.path = path
        self._file = open(path, "wb")
        self._directory = {"version": VERSION, "segment": segment_id, "doc_count": doc_count, "fields": {}}
        self._stored_start: int | None = None  # where the stored fields begin, while they are written
        self._stored_sizes: list[int] = []

    def set_doc_count(self, doc_count: int) -> None:
        self._directory["doc_count"] = doc_count

    def add_stored(self, pickled: list[bytes]) -> None:
        """The next documents' stored fields, each pickled; written at once (nothing is kept but their sizes)."""
        if self._stored_start is None:
            self._pad()
            self._stored_start = self._file.tell()
        self._file.write(b"".join(pickled))
        self._stored_sizes.extend(map(len, pickled))

    def _end_stored(self) -> None:
        if self._stored_start is None:
            return
        size = self._file.tell() - self._stored_start
        starts = np.zeros(len(self._stored_sizes) + 1, dtype=np.int64)
        np.cumsum(np.asarray(self._stored_sizes, dtype=np.int64), out=starts[1:])
        self._pad()
        self._directory["stored"] = {"stored_blob": [self._stored_start, size],
                                     "stored_starts": self._write("stored_starts", starts)}
        self._stored_start = None

    def _pad(self) -> None:
        padding = -self._file.tell() % 8  # the next array starts aligned
        if padding:
            self._file.write(b"\0" * padding)

    def _write(self, name: str, values: np.ndarray) -> list[int]:
        data = np.ascontiguousarray(values, dtype=_DTYPES[name])
        offset = self._file.tell()
        self._file.write(memoryview(data).cast("B"))
        padding = -self._file.tell() % 8  # the next array starts aligned
        if padding:
            self._file.write(b"\0" * padding)
        return [offset, len(data)]

    def add_field(self, fieldname: str, terms: list[bytes], post_starts: np.ndarray, docs: np.ndarray,
                  weights: np.ndarray, positions: np.ndarray | None = None) -> None:
        """One field: its sorted terms; term i's postings are docs/weights[post_starts[i]:post_starts[i + 1]].

        `positions`, for a field whose weights are term frequencies: each posting's
        positions, posting after posting, as many as its weight.
        """
        self._end_stored()  # the stored fields, if any, come first and end here
        lengths = np.fromiter(map(len, terms), dtype=np.int64, count=len(terms)) + 1
        term_starts = np.zeros(len(terms) + 1, dtype=np.int64)
        np.cumsum(lengths, out=term_starts[1:])
        blob = b"\n".join(terms) + b"\n" if terms else b""
        entry = self._directory["fields"][fieldname] = {
            "terms": len(terms),
            "blob": self._write("blob", np.frombuffer(blob, dtype=np.uint8)),
            "term_starts": self._write("term_starts", term_starts),
            "post_starts": self._write("post_starts", post_starts),
            "docs": self._write("docs", docs),
            "weights": self._write("weights", weights),
        }
        if positions is not None:
            # Where each term's positions begin: the frequencies of the postings before its first.
            counted = np.zeros(len(docs) + 1, dtype=np.int64)
            np.cumsum(np.asarray(weights, dtype=np.int64), out=counted[1:])
            entry["positions"] = self._write("positions", positions)
            entry["term_positions"] = self._write("term_positions", counted[np.asarray(post_starts, dtype=np.int64)])

    def close(self, final_path: str) -> None:
        self._end_stored()
        directory = json.dumps(self._directory, separators=(",", ":")).encode("utf-8")
        self._file.write(directory)
        self._file.write(_TRAILER.pack(len(directory), _MAGIC))
        self._file.close()
        os.replace(self.path, final_path)

    def discard(self) -> None:
        self._file.close()
        try:
            os.remove(self.path)
        except OSError:
            pass


def array_of(buffer, name: str, offset: int, count: int) -> np.ndarray:
    return np.frombuffer(buffer, dtype=_DTYPES[name], count=count, offset=offset)


class FieldTable:
    """One field of a term table: sorted terms, with their postings."""

    def __init__(self, buffer, entry: dict):
        def array(name):
            return array_of(buffer, name, *entry[name])

        self.count = int(entry["terms"])
        self._buffer = buffer
        self._base, self._blob_size = entry["blob"]
        self._term_starts = array("term_starts")
        self._post_starts = array("post_starts")
        self.docs = array("docs")
        self.weights = array("weights")
        self._terms: list[bytes] | None = None
        self._lines: bool | None = None
        if len(self._term_starts) != self.count + 1 or len(self._post_starts) != self.count + 1:
            raise ValueError("term table arrays disagree")
        if self.count and (self._term_starts[-1] != self._blob_size or self._post_starts[-1] != len(self.docs)):
            raise ValueError("term table arrays disagree")
        if len(self.weights) != len(self.docs):
            raise ValueError("term table arrays disagree")
        self.positions: np.ndarray | None = None  # None: the field's positions are not in the table
        self._term_positions: np.ndarray | None = None
        if "positions" in entry:
            self.positions = array("positions")
            self._term_positions = array("term_positions")
            if len(self._term_positions) != self.count + 1 or (self.count and self._term_positions[-1] != len(self.positions)):
                raise ValueError("term table arrays disagree")

    def terms(self) -> list[bytes]:
        """Every term, sorted (one list, made on first use and shared: do not change it)."""
        if self._terms is None:
            if not self.count:
                self._terms = []
            elif self._one_term_a_line():
                self._terms = self._buffer[self._base:self._base + self._blob_size - 1].split(b"\n")
            else:
                starts = (self._term_starts + self._base).tolist()
                self._terms = [self._buffer[a:b - 1] for a, b in zip(starts[:-1], starts[1:])]
        return self._terms

    def term(self, i: int) -> bytes:
        return self.terms()[i]

    def find(self, btext: bytes) -> int:
        """The term's index, or -1 when the field lacks it."""
        terms = self.terms()
        i = bisect_left(terms, btext)
        return i if i < self.count and terms[i] == btext else -1

    def doc_frequency(self, btext: bytes) -> int:
        i = self.find(btext)
        return 0 if i < 0 else int(self._post_starts[i + 1] - self._post_starts[i])

    def postings(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Term i's document numbers and weights (views of the file)."""
        start, end = int(self._post_starts[i]), int(self._post_starts[i + 1])
        return self.docs[start:end], self.weights[start:end]

    def gather(self, indexes: list[int]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The postings of these terms one after the other: document numbers, weights, and how many each term has."""
        at = np.asarray(indexes, dtype=np.int64)
        starts = self._post_starts[at]
        counts = self._post_starts[at + 1] - starts
        ends = np.cumsum(counts)
        positions = np.repeat(starts - (ends - counts), counts) + np.arange(ends[-1] if len(ends) else 0)
        return self.docs[positions], self.weights[positions], counts

    def positions_in(self, i: int, docs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Term i's positions in these documents (sorted, each among the term's): (document, position) pairs,
        document by document, positions ascending within each."""
        start, end = self._post_starts[i:i + 2].tolist()
        counts = self.weights[start:end].astype(np.int64)  # term frequencies: positions per posting
        at = self.docs[start:end].searchsorted(docs)
        taken = counts[at]
        # Where each taken posting's positions begin: the term's first, then the frequencies before it.
        begins = counts.cumsum()[at] - taken + int(self._term_positions[i])
        total = int(taken.sum())
        if total == len(docs):  # the word once in each document (the usual case)
            return docs, self.positions[begins]
        ends = taken.cumsum()
        flat = np.repeat(begins - (ends - taken), taken) + np.arange(total)
        return np.repeat(docs, taken), self.positions[flat]

    def position_count(self, i: int) -> int:
        """How many positions term i has in all (the field must hold positions)."""
        return int(self._term_positions[i + 1] - self._term_positions[i])

    def all_positions(self, i: int) -> tuple[np.ndarray, np.ndarray]:
        """Every position of term i: (document, position) pairs, document by document, positions ascending."""
        start, end = self._post_starts[i:i + 2].tolist()
        first, last = self._term_positions[i:i + 2].tolist()
        counts = self.weights[start:end].astype(np.int64)  # term frequencies: positions per posting
        return np.repeat(self.docs[start:end], counts), self.positions[first:last]

    def prefix_range(self, prefix: bytes) -> tuple[int, int]:
        """The indexes [lo, hi) of the terms beginning with `prefix`."""
        terms = self.terms()
        return bisect_left(terms, prefix), bisect_left(terms, prefix + _PAST)

    def doc_frequencies(self, lo: int, hi: int) -> np.ndarray:
        return np.diff(self._post_starts[lo:hi + 1])

    def words(self) -> list[str]:
        """Every term as text (undecodable bytes replaced), sorted."""
        if self._one_term_a_line():
            raw = self._buffer[self._base:self._base + self._blob_size - 1]
            return raw.decode("utf-8", "replace").split("\n") if self.count else []
        return [term.decode("utf-8", "replace") for term in self.terms()]

    def _one_term_a_line(self) -> bool:
        """No term holds a newline (text terms never do), so the terms are the lines of the blob."""
        if self._lines is None:
            self._lines = int(np.count_nonzero(array_of(self._buffer, "blob", self._base, self._blob_size) == 10)) == self.count
        return self._lines


class TermTable:
    """A segment's term table, memory-mapped; `field(name)` is None for a field it does not hold."""

    def __init__(self, buffer, directory: dict):
        self._buffer = buffer
        self._entries = directory["fields"]
        self._fields: dict[str, FieldTable] = {}
        self._stored_starts: list[int] | None = None
        self._stored_base = 0
        stored = directory.get("stored")
        if stored is not None:
            self._stored_base = stored["stored_blob"][0]
            starts = array_of(buffer, "stored_starts", *stored["stored_starts"])
            if len(starts) != directory["doc_count"] + 1 or starts[0] != 0 or starts[-1] != stored["stored_blob"][1]:
                raise ValueError("term table stored fields disagree")
            self._stored_starts = starts.tolist()

    def has_stored(self) -> bool:
        return self._stored_starts is not None

    def stored_fields(self, docnum: int) -> dict:
        """The document's stored fields as Whoosh stored them (the table must have them: has_stored())."""
        starts, base = self._stored_starts, self._stored_base
        return pickle.loads(self._buffer[base + starts[docnum]:base + starts[docnum + 1]])

    def stored_bytes(self) -> tuple:
        """Every document's stored fields as written, for a search of their bytes (the table must have
        them): the buffer, where they begin in it, and each document's start in them then their end."""
        return self._buffer, self._stored_base, self._stored_starts

    def field(self, fieldname: str) -> FieldTable | None:
        found = self._fields.get(fieldname)
        if found is None and fieldname in self._entries:
            found = self._fields[fieldname] = FieldTable(self._buffer, self._entries[fieldname])
        return found


def reader_table(reader) -> TermTable | None:
    """The term table beside a Whoosh segment reader's segment, if there is one to trust."""
    storage = reader.storage() if hasattr(reader, "storage") else None
    storage = getattr(storage, "b", storage)  # a compound segment's files are overlaid on the index folder
    folder = getattr(storage, "folder", None)
    segment = reader.segment() if hasattr(reader, "segment") else None
    if folder is None or segment is None or not hasattr(reader, "doc_count_all"):
        return None
    return open_table(folder, segment.segment_id(), reader.doc_count_all())


def open_table(folder: str, segment_id: str, doc_count: int) -> TermTable | None:
    """The segment's term table, or None when it has none that can be trusted."""
    try:
        with open(table_path(folder, segment_id), "rb") as f:
            size = os.fstat(f.fileno()).st_size
            if size < _TRAILER.size:
                return None
            buffer = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
        length, magic = _TRAILER.unpack(buffer[size - _TRAILER.size:])
        if magic != _MAGIC or length > size - _TRAILER.size:
            return None
        directory = json.loads(bytes(buffer[size - _TRAILER.size - length:size - _TRAILER.size]))
        if (directory.get("version") != VERSION or directory.get("segment") != segment_id
                or directory.get("doc_count") != doc_count):
            return None
        end = size - _TRAILER.size - length
        for entry in [*directory["fields"].values(), *([directory["stored"]] if "stored" in directory else [])]:
            if entry is directory.get("stored"):
                if set(entry) != {"stored_blob", "stored_starts"}:
                    return None
            elif not set(_REQUIRED) <= entry.keys() or ("positions" in entry) != ("term_positions" in entry):
                return None
            for name, dtype in _DTYPES.items():
                if name not in entry:
                    continue
                offset, count = entry[name]
                if offset < 0 or count < 0 or offset + count * np.dtype(dtype).itemsize > end:
                    return None
        table = TermTable(buffer, directory)
        for fieldname in directory["fields"]:
            table.field(fieldname)  # checks each field's arrays agree
        return table
    except Exception:  # whatever is wrong with the file, Whoosh's own postings are read instead
        return None
