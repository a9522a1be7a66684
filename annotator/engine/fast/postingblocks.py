"""A field's postings in Whoosh 3's format, written for all its terms at once with NumPy.

Whoosh's W3 postings writer, for each term, pickles each block of up to 128 postings
(document deltas, weights, values), compresses the long ones, pickles a block header,
and packs the term's statistics for the term index. Done a term at a time in Python
that is most of a full build's cost. Here the pickles are assembled from byte arrays:
every posting's pickled delta, weight and value is built in one NumPy pass over a run
of terms, and the blocks, headers and term records are cut from them. Only the
compression of long blocks runs a block at a time.

The bytes differ from Whoosh's (no pickle memo, bytes pickled as protocol-3 bytes
rather than protocol 2's `codecs.encode` call) but read back as the same values:
Whoosh reads a block with `pickle.loads`, which takes any protocol. The values of a
positions field are Positions.encode's bytes exactly. tests/test_bulkindex.py reads
both writers' segments back and compares them posting by posting.
"""

from __future__ import annotations

from hashlib import md5

import numpy as np
from isal import isal_zlib
from whoosh.codec.whoosh3 import WHOOSH3_HEADER_MAGIC
from whoosh.filedb.filetables import md5_hash
from whoosh.formats import Positions
from whoosh.system import pack_ushort
from whoosh.util.numeric import byte_to_length

from annotator.engine import whoosh_internals

MIN_COMPRESSED_BLOCK = 64  # postings in a block worth compressing (as bulkindex's per-term writer)
# Long blocks are compressed by ISA-L (python-isal), whose zlib streams zlib (Whoosh's reader) reads:
# its fastest level takes a seventh of zlib level 1's time on a 100k build's blocks (which were ~8%
# of its CPU), for blocks half as large again (a 100k index's files ~2% larger).
ISAL_LEVEL = 0
CHUNK_POSTINGS = 1 << 17  # postings assembled together: bounds the index arrays' memory

# W3TermInfo's struct ("!BfIBBfII"), then the postings' offset ("!q") and length ("!i").
_TERM_RECORD = np.dtype([
    ("flags", "u1"), ("weight", ">f4"), ("df", ">u4"), ("min_length", "u1"), ("max_length", "u1"),
    ("max_weight", ">f4"), ("min_id", ">u4"), ("max_id", ">u4"), ("offset", ">i8"), ("length", ">i4"),
])
# Whoosh's structs these records repeat: if an upgrade changed them, the per-term writer writes instead.
STRUCTS_MATCH = (whoosh_internals.terminfo_struct().format == "!BfIBBfII"
                 and whoosh_internals.hash_entry_lengths().format == "!ii")
_LENGTH_BYTES = np.array([byte_to_length(code) for code in range(256)], dtype=np.int64)  # ascending
_MAGIC = np.frombuffer(WHOOSH3_HEADER_MAGIC, dtype=np.uint8)


def supports(field, is_positions: bool) -> bool:
    """Whether this module writes the field: positions (given as an array) or no values at all."""
    if not STRUCTS_MATCH:
        return False
    return (is_positions and type(field.format) is Positions) or field.format.fixed_value_size() == 0


def length_bytes(lengths: np.ndarray) -> np.ndarray:
    """whoosh.util.numeric.length_to_byte of each length (0 for 0)."""
    codes = np.searchsorted(_LENGTH_BYTES, lengths, side="left")
    return np.where(lengths >= 106374, 255, codes)


def pickled_ints(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each int (0 <= v < 2**31) as pickle writes it (BININT1, BININT2 or BININT): the
    bytes of all, one after another, and each one's length."""
    table, lengths = _int_table(values)
    return table[np.arange(5) < lengths[:, None]], lengths


def _int_table(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """pickled_ints as rows of 5 bytes, each int's first `length` of its row."""
    values = np.asarray(values, dtype=np.int64)
    small, medium = values < 256, values < 65536
    lengths = np.where(small, 2, np.where(medium, 3, 5))
    table = np.empty((len(values), 5), dtype=np.uint8)
    table[:, 0] = np.where(small, ord("K"), np.where(medium, ord("M"), ord("J")))
    table[:, 1:] = values.astype("<u4").view(np.uint8).reshape(-1, 4)
    return table, lengths


def pickled_floats(values: np.ndarray) -> np.ndarray:
    """Each float as pickle writes it (BINFLOAT, big-endian double): 9 bytes each, one after another."""
    table = np.empty((len(values), 9), dtype=np.uint8)
    table[:, 0] = ord("G")
    table[:, 1:] = np.asarray(values, dtype=">f8").view(np.uint8).reshape(-1, 8)
    return table.ravel()


def _offsets(lengths: np.ndarray) -> np.ndarray:
    result = np.zeros(len(lengths) + 1, dtype=np.int64)
    np.cumsum(lengths, out=result[1:])
    return result


def interleave(parts: list[tuple[np.ndarray, np.ndarray, np.ndarray]], count: int) -> tuple[np.ndarray, np.ndarray]:
    """Record after record, each the concatenation of one piece of every part.

    A part is (bytes, starts, lengths): record i's piece is bytes[starts[i]:starts[i] + lengths[i]]
    (starts and lengths may be scalars, for a piece every record shares). The records' bytes,
    one after another, and each record's length.
    """
    sources = [np.asarray(source, dtype=np.uint8) for source, _, _ in parts]
    bases = _offsets(np.array([len(source) for source in sources], dtype=np.int64))
    starts = np.empty((count, len(parts)), dtype=np.int64)
    lengths = np.empty((count, len(parts)), dtype=np.int64)
    totals = np.zeros(count, dtype=np.int64)  # each record's length (summed by column: faster than by row)
    for column, (_, start, length) in enumerate(parts):
        starts[:, column] = np.asarray(start, dtype=np.int64) + bases[column]
        lengths[:, column] = length
        totals += length
    return np.concatenate(sources)[run_indexes(starts.ravel(), lengths.ravel())], totals


def run_indexes(starts: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """starts[0], starts[0] + 1, ... (lengths[0] of them), then the next run's, ... as one array.

    A running sum of steps that are 1 within a run and jump at each run's start: several
    times faster than np.repeat over millions of short runs."""
    nonempty = lengths > 0
    starts, lengths = starts[nonempty], lengths[nonempty]
    if not len(lengths):
        return np.zeros(0, dtype=np.int64)
    ends = np.cumsum(lengths)
    # int32 halves the memory written and read when the indexes fit (a chunk's bytes always do)
    dtype = np.int32 if int(starts.max()) + int(lengths.max()) < 2**31 else np.int64
    steps = np.ones(int(ends[-1]), dtype=dtype)
    steps[0] = starts[0]
    steps[ends[:-1]] = starts[1:] - (starts[:-1] + lengths[:-1] - 1)
    return np.cumsum(steps, out=steps)


def _constant(data: bytes) -> tuple[np.ndarray, int, int]:
    return np.frombuffer(data, dtype=np.uint8), 0, len(data)


def positions_values(positions: np.ndarray, frequencies: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each posting's value as pickled bytes in a block's values tuple: Positions.encode(its
    positions), as a protocol-3 bytes object. The bytes of all, and each one's length."""
    count = len(frequencies)
    position_starts = _offsets(frequencies)
    deltas = positions.astype(np.int64)
    deltas[1:] -= positions[:-1]
    deltas[position_starts[:-1][frequencies > 0]] = positions[position_starts[:-1][frequencies > 0]]
    int_table, item_lengths = _int_table(deltas)
    items = int_table[np.arange(5) < item_lengths[:, None]]
    item_offsets = _offsets(item_lengths)
    first = position_starts[:-1]
    items_start = item_offsets[first]
    items_length = item_offsets[position_starts[1:]] - items_start
    several = frequencies > 1
    # Positions.encode: pack_uint(len) + pickle.dumps(deltas, 2), a list that is one APPEND or a MARK ... APPENDS
    value_lengths = 4 + 5 + several + items_length + 2
    long_value = value_lengths > 255
    # Most postings hold one position: all of such a value, and the head and first position of
    # the others, is cut from one row of fixed places (bytes object's opcode and length, count,
    # list, MARK, first position, APPEND and STOP), the places a value does not use masked out.
    row = np.empty((count, 22), dtype=np.uint8)
    row[:, 0] = np.where(long_value, ord("B"), ord("C"))
    row[:, 1:5] = value_lengths.astype("<u4").view(np.uint8).reshape(-1, 4)
    row[:, 5:9] = frequencies.astype(">u4").view(np.uint8).reshape(-1, 4)
    row[:, 9:15] = np.frombuffer(b"\x80\x02]q\x00(", dtype=np.uint8)
    row[:, 15:20] = int_table[first]
    row[:, 20:22] = np.frombuffer(b"a.", dtype=np.uint8)
    keep = np.ones((count, 22), dtype=bool)
    keep[:, 2:5] = long_value[:, None]
    keep[:, 14] = several
    first_length = item_lengths[first]
    keep[:, 15:20] = np.arange(5) < first_length[:, None]
    keep[:, 20:22] = ~several[:, None]
    heads = row[keep]
    # keep's row sums, counted from what each mask above drops (3 length bytes, MARK, the
    # first position's unused bytes, or APPEND and STOP)
    head_lengths = 22 - 3 * ~long_value - ~several - (5 - first_length) - 2 * several
    # A value is its head, and for the few postings with several positions (a few percent), the
    # other positions and APPENDS and STOP after it: the heads are laid down around those bytes.
    pickled_lengths = head_lengths + np.where(several, items_length - first_length + 2, 0)
    pickled_offsets = _offsets(pickled_lengths)
    values = np.empty(int(pickled_offsets[-1]), dtype=np.uint8)
    at = np.flatnonzero(several)
    if not len(at):
        values[:] = heads
        return values, pickled_lengths
    extra_lengths = pickled_lengths[at] - head_lengths[at]
    extras, _ = interleave([
        (items, items_start[at] + first_length[at], items_length[at] - first_length[at]),  # the other positions
        (np.frombuffer(b"e.", dtype=np.uint8), 0, 2),  # APPENDS and STOP after them
    ], len(at))
    extra_places = run_indexes(pickled_offsets[at] + head_lengths[at], extra_lengths)
    is_head = np.ones(len(values), dtype=bool)
    is_head[extra_places] = False
    values[is_head] = heads
    values[extra_places] = extras
    return values, pickled_lengths


class FieldPostingsWriter:
    """Writes one field's terms, in order, to a W3 field writer's postings file and term index."""

    def __init__(self, fieldwriter):
        self._postfile, self._terms, fieldid, self._limit, level = whoosh_internals.field_writer_parts(fieldwriter)
        self._prefix = pack_ushort(fieldid)
        self._level = min(level, 1)  # what a compressed block's header says (Whoosh reads it as a flag)

    def write(self, terms: list[bytes], post_starts: np.ndarray, docs: np.ndarray, weights: np.ndarray,
              lengths: np.ndarray, positions: np.ndarray | None = None) -> None:
        """Terms (sorted); term i's postings are docs/weights/lengths[post_starts[i]:post_starts[i + 1]],
        documents ascending; `positions` (a positions field's) all postings' positions, as many as each weight."""
        if not terms:
            return
        post_starts = np.asarray(post_starts, dtype=np.int64)
        position_starts = None
        if positions is not None:
            position_starts = _offsets(weights.astype(np.int64))
        first = 0
        while first < len(terms):
            # a run of terms holding about CHUNK_POSTINGS postings (at least one term)
            last = int(np.searchsorted(post_starts, post_starts[first] + CHUNK_POSTINGS, side="right")) - 1
            last = min(max(last, first + 1), len(terms))
            low, high = int(post_starts[first]), int(post_starts[last])
            chunk_positions = None
            if positions is not None:
                chunk_positions = positions[position_starts[low]:position_starts[high]]
            self._write_chunk(terms[first:last], post_starts[first:last + 1] - low, docs[low:high],
                              weights[low:high], lengths[low:high], chunk_positions)
            first = last

    def _write_chunk(self, terms, post_starts, docs, weights, lengths, positions) -> None:
        limit = self._limit
        docs = np.asarray(docs, dtype=np.int64)
        weights = np.asarray(weights, dtype=np.float32)
        lengths = np.asarray(lengths, dtype=np.int64)
        term_counts = np.diff(post_starts)
        blocks_per_term = -(-term_counts // limit)
        block_term = np.repeat(np.arange(len(terms)), blocks_per_term)
        block_first = _offsets(blocks_per_term)
        in_term = np.arange(len(block_term)) - block_first[block_term]
        block_starts = post_starts[block_term] + in_term * limit
        block_stops = np.minimum(block_starts + limit, post_starts[block_term + 1])
        block_counts = block_stops - block_starts
        block_count = len(block_starts)
        last_block = in_term == blocks_per_term[block_term] - 1

        # every posting's document delta (from the block's previous posting; the first from 0)
        deltas = docs.copy()
        deltas[1:] -= docs[:-1]
        deltas[block_starts] = docs[block_starts]
        id_items, id_lengths = pickled_ints(deltas)
        id_offsets = _offsets(id_lengths)

        # weights: None when all are 1.0, one float when all are equal, else a tuple of floats
        max_weights = np.maximum.reduceat(weights, block_starts)
        min_weights = np.minimum.reduceat(weights, block_starts)
        all_one = (max_weights == 1.0) & (min_weights == 1.0)
        all_same = (max_weights == min_weights) & ~all_one
        mixed = ~(all_one | all_same)
        weight_items = pickled_floats(weights.astype(np.float64))
        same_items = pickled_floats(weights[block_starts].astype(np.float64))

        if positions is not None:
            value_items, value_lengths = positions_values(positions, weights.astype(np.int64))
            value_offsets = _offsets(value_lengths)
            values_part = (value_items, value_offsets[block_starts], value_offsets[block_stops] - value_offsets[block_starts])
        else:
            values_part = (np.empty(0, dtype=np.uint8), 0, 0)
        none_or_mark = np.frombuffer(b"N(", dtype=np.uint8)
        tuple_end = np.frombuffer(b"t\x87.\x87.", dtype=np.uint8)  # values tuple then the block's 3-tuple, or no values
        has_values = positions is not None
        data, data_lengths = interleave([
            _constant(b"\x80\x03("),
            (id_items, id_offsets[block_starts], id_offsets[block_stops] - id_offsets[block_starts]),
            _constant(b"t"),
            (none_or_mark, np.where(mixed, 1, 0), np.where(all_one | mixed, 1, 0)),  # N, or ( before a tuple
            (same_items, np.arange(block_count) * 9, np.where(all_same, 9, 0)),
            (weight_items, block_starts * 9, np.where(mixed, block_counts * 9, 0)),
            (tuple_end, 0, np.where(mixed, 1, 0)),  # the weights tuple's end
            (none_or_mark, 0 if not has_values else 1, 1),  # no values: N; values: their tuple's MARK
            values_part,
            (tuple_end, 0 if has_values else 1, 3 if has_values else 2),
        ], block_count)
        data_offsets = _offsets(data_lengths)

        # long blocks compressed one at a time; short ones stay as they are
        levels = np.where(block_counts >= MIN_COMPRESSED_BLOCK, self._level, 0)
        compressed_at = np.flatnonzero(levels > 0)
        # (a block's header keeps self._level, not ISA-L's: Whoosh's reader only asks whether it is 0)
        compress = isal_zlib.compress
        packed = [compress(data[data_offsets[i]:data_offsets[i + 1]], ISAL_LEVEL) for i in compressed_at.tolist()]
        packed_lengths = np.fromiter(map(len, packed), dtype=np.int64, count=len(packed))
        packed_starts = np.zeros(block_count, dtype=np.int64)
        packed_sizes = np.zeros(block_count, dtype=np.int64)
        packed_starts[compressed_at] = _offsets(packed_lengths)[:-1]
        packed_sizes[compressed_at] = packed_lengths
        packed_bytes = np.frombuffer(b"".join(packed), dtype=np.uint8)
        plain = levels == 0

        # each block's header: (count, last id, max weight, compression, min and max length bytes)
        max_lengths = np.maximum.reduceat(lengths, block_starts)
        nonzero = np.where(lengths > 0, lengths, np.iinfo(np.int64).max)
        min_lengths = np.minimum.reduceat(nonzero, block_starts)
        min_lengths = np.where(max_lengths > 0, min_lengths, 0)
        min_bytes, max_bytes = length_bytes(min_lengths), length_bytes(max_lengths)
        counts_items, counts_lengths = pickled_ints(block_counts)
        last_items, last_lengths = pickled_ints(docs[block_stops - 1])
        small_items, _ = pickled_ints(np.stack([levels, min_bytes, max_bytes], axis=1).ravel())
        count_offsets, last_offsets = _offsets(counts_lengths), _offsets(last_lengths)
        info, info_lengths = interleave([
            _constant(b"\x80\x02("),
            (counts_items, count_offsets[:-1], counts_lengths),
            (last_items, last_offsets[:-1], last_lengths),
            (pickled_floats(max_weights.astype(np.float64)), np.arange(block_count) * 9, 9),
            (small_items, np.arange(block_count) * 6, 6),
            _constant(b"t."),
        ], block_count)
        info_offsets = _offsets(info_lengths)

        sizes = info_lengths + np.where(plain, data_lengths, packed_sizes)
        size_bytes = np.where(last_block, -sizes, sizes).astype(">i4").view(np.uint8)
        postings, block_bytes = interleave([
            (_MAGIC, 0, np.where(in_term == 0, 4, 0)),
            (size_bytes, np.arange(block_count) * 4, 4),
            (info, info_offsets[:-1], info_lengths),
            (data, data_offsets[:-1], np.where(plain, data_lengths, 0)),
            (packed_bytes, packed_starts, packed_sizes),
        ], block_count)

        # the terms' records in the term index
        term_lengths = np.add.reduceat(block_bytes, block_first[:-1])
        offset = self._postfile.tell()
        self._postfile.write(postings.tobytes())
        record = np.zeros(len(terms), dtype=_TERM_RECORD)
        starts = post_starts[:-1]
        record["weight"] = np.add.reduceat(weights.astype(np.float64), starts)
        record["df"] = post_starts[1:] - starts
        term_max_lengths = np.maximum.reduceat(max_lengths, block_first[:-1])
        term_min_lengths = np.minimum.reduceat(np.where(max_lengths > 0, min_lengths, np.iinfo(np.int64).max),
                                               block_first[:-1])
        record["min_length"] = length_bytes(np.where(term_max_lengths > 0, term_min_lengths, 0))
        record["max_length"] = length_bytes(term_max_lengths)
        record["max_weight"] = np.maximum.reduceat(max_weights, block_first[:-1])
        record["min_id"] = docs[starts]
        record["max_id"] = docs[post_starts[1:] - 1]
        record["offset"] = offset + _offsets(term_lengths)[:-1]
        record["length"] = term_lengths
        self._add_terms(terms, record.tobytes())

    def _add_terms(self, terms: list[bytes], records: bytes) -> None:
        """OrderedHashWriter.add for each term: the same entries, index and hash buckets."""
        table = self._terms
        prefix = self._prefix
        keys = [prefix + term for term in terms]
        if keys[0] <= table.lastkey:
            raise ValueError(f"Keys must increase: {table.lastkey!r}..{keys[0]!r}")
        size = _TERM_RECORD.itemsize
        head = np.empty((len(keys), 2), dtype=">i4")
        head[:, 0] = np.fromiter(map(len, keys), dtype=np.int64, count=len(keys))
        head[:, 1] = size
        key_bytes = np.frombuffer(b"".join(keys), dtype=np.uint8)
        key_offsets = _offsets(head[:, 0].astype(np.int64))
        entries, entry_lengths = interleave([
            (head.view(np.uint8).ravel(), np.arange(len(keys)) * 8, 8),
            (key_bytes, key_offsets[:-1], np.diff(key_offsets)),
            (np.frombuffer(records, dtype=np.uint8), np.arange(len(keys)) * size, size),
        ], len(keys))
        position = table.dbfile.tell()
        positions = (position + _offsets(entry_lengths)[:-1]).tolist()
        table.index.extend(positions)
        buckets, hashfn = table.buckets, table.hashfn
        if hashfn is md5_hash:  # the same hash from the digest's last four bytes, without hexdigest's parse
            hashes = [int.from_bytes(md5(key, usedforsecurity=False).digest()[12:], "big") for key in keys]
        else:
            hashes = list(map(hashfn, keys))
        for hashed, at in zip(hashes, positions):
            buckets[hashed & 255].append((hashed, at))
        table.lastkey = keys[-1]
        table.dbfile.write(entries.tobytes())
