"""Search by meaning: passages' embeddings kept beside the index, ranked with the words.

Every passage text is embedded once. Its vector is a row of a memory-mapped float32
matrix in `index/meaning/` (`<model>.f32`), found by the SHA-1 of the text
(`<model>.keys`, one hex key a line, row n on line n): an edited passage is a new
key, an unchanged one is never embedded again, and a rebuilt index keeps the folder
(see SearchIndex.rebuild). Rows are only ever appended, under a file lock; a torn
append (a crash between the two files) is cut back to the rows both files hold.

A meaning search ranks the embedded passages by cosine with the query and fuses that
ranking with the word ranking (reciprocal-rank fusion): a passage found by both comes
first, so a query naming the passage's words still finds it, and a paraphrase still
finds what words cannot. Until every passage is embedded, the answer says how much of
the corpus the meaning part covered.
"""

from __future__ import annotations

import hashlib
import os
import re
import threading
import weakref
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Callable

from annotator.engine import embeddings as emb
from annotator.engine.hits import Hit, SearchResult

FOLDER = "meaning"
BATCH = 8  # passages embedded between two progress reports (and two checks for stopping)
CANDIDATES = 100  # how deep the meaning ranking goes into the fusion
# How deep the word ranking goes: each word hit costs its highlight (most of a word search's time
# at 100k passages), and past rank 40 a word hit's vote, at most 1 / (RRF_K + 41), moves little; a
# longer page asked for goes as deep as the page (a keyword query's full matches stay on top of it).
WORD_CANDIDATES = 40
RRF_K = 10  # reciprocal-rank fusion's constant: a passage scores 1 / (K + rank) in each ranking
# A word hit's vote is weighed by the square of the share of the query's content words it holds:
# a passage with every word of a keyword query counts fully (so it stays on top), one sharing a
# "her" or a "never" with a paraphrase hardly at all. Chosen on the demo corpus's queries, checked
# on Great Expectations' (benchmarks/meaning_search.py).
WORDS_POWER = 2
MEANING_WEIGHT = 1.0
FULL_MATCH = 1.0  # more than any fused score: passages holding every content word of the query come first
FUNCTION_WORDS = frozenset(
    "a an and are as at be been but by can could did do does for from had has have he her hers him his how i if in"
    " into is it its me my no nor not of on or our she so than that the their them then there these they this to"
    " too us was we were what when where which while who whom why will with would you your"
    " about after never out herself himself thei wa ha hi"  # and as the stemmer leaves they, was, has, his
    .split()
)
# Results whose best-matching sentence is found: their sentences are embedded (once, then kept),
# at most MAX_SENTENCES of each; this is most of a first meaning search's time on long passages.
SENTENCE_RESULTS = 3
MAX_SENTENCES = 12
# Two-pass ranking on big corpora (see rank): checked on Great Expectations' vectors, 128 axes and
# the best 1,000 of the first pass give the exact top 100 (recall 1.00, worst query 0.99); 2,000
# leave room on a corpus 25 times its size.
APPROX_FROM = 20_000
REDUCED_DIMS = 128
RERANK = 2_000
BASIS_SAMPLE = 20_000  # vectors the principal axes are found from
PRODUCT_BLOCK = 8192  # rows read at a time for one product with all of them (a mapping of all would hold 150 MB at 100k)
SPARSE_READ = 8  # rows read one by one when fewer than 1 in 8 of the file's are asked for
SOUND_COSINE = 1.01  # a cosine beyond this (or NaN) comes from a damaged row of the cache: not ranked


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8", "surrogatepass")).hexdigest()


class VectorStore:
    """Text key -> row of a memory-mapped (rows × dim) float32 matrix, appended to, shared by processes."""

    def __init__(self, index_dir: Path, model_name: str, dim: int):
        self.folder = index_dir / FOLDER
        self.dim = dim
        self.vectors_path = self.folder / f"{model_name}.f32"
        self.keys_path = self.folder / f"{model_name}.keys"
        self.rows: dict[str, int] = {}
        self._matrix = None
        self._memory: list = []  # rows that could not be written (a read-only index): kept for this process
        self._lock = threading.RLock()
        self._projecting = threading.RLock()  # see reduced()
        self._builder: threading.Thread | None = None
        self.writable = True
        self.reload()

    def reload(self) -> None:
        """Read the keys other processes (or this one) appended; rows past the shorter file are ignored."""
        with self._lock:
            try:
                signature = tuple(p.stat().st_size if p.exists() else -1 for p in (self.keys_path, self.vectors_path))
            except OSError:
                signature = None
            if signature is not None and signature == getattr(self, "_signature", None):
                return  # nothing appended since the last read
            self._signature = signature
            try:
                raw = self.keys_path.read_bytes() if self.keys_path.exists() else b""
                size = self.vectors_path.stat().st_size if self.vectors_path.exists() else 0
            except OSError:
                raw, size = b"", 0
            keys = _well_formed_keys(raw)
            count = min(len(keys), size // (self.dim * 4))
            self.rows = {k: i for i, k in enumerate(keys[:count])}
            self._count = count
            self._matrix = None
            for i, (key, _) in enumerate(self._memory):
                self.rows.setdefault(key, count + i)

    def matrix(self):
        """The (rows × dim) matrix: the file's rows, memory-mapped, then this process's unwritten ones."""
        import numpy as np

        with self._lock:
            if self._matrix is None:
                if self._count:
                    mapped = np.memmap(self.vectors_path, dtype=np.float32, mode="r", shape=(self._count, self.dim))
                else:
                    mapped = np.zeros((0, self.dim), dtype=np.float32)
                if self._memory:
                    mapped = np.vstack([mapped, np.stack([v for _, v in self._memory])])
                self._matrix = mapped
            return self._matrix

    def basis(self):
        """A (dim × REDUCED_DIMS) matrix: the principal axes of the stored vectors (of the uncentred second
        moment, which keeps the most of each dot product), found once from a sample of them."""
        import numpy as np

        with self._projecting:
            size = self._count + len(self._memory)
            found_from = getattr(self, "_basis_from", 0)
            # found again while the store grows from few vectors (a first search during the embedding)
            if found_from < min(BASIS_SAMPLE, size // 2):
                sample = np.asarray(self.read_rows(np.arange(0, size, max(1, size // BASIS_SAMPLE))), dtype=np.float64)
                _, vectors = np.linalg.eigh(sample.T @ sample)
                self._basis = np.ascontiguousarray(vectors[:, ::-1][:, :REDUCED_DIMS], dtype=np.float32)
                self._basis_from = len(sample)
            return self._basis

    def reduced(self, wait: bool = True):
        """(every row projected on the principal axes, the axes): a row is projected once (rows are only
        appended), all of them again if the axes are found again.

        The first projection reads every vector (seconds at 100k): without `wait`, it is started in a
        thread and None returned (a search answers in one pass meanwhile; a one-query process, the CLI,
        never waits for it). The rows appended later are projected as they are asked for."""
        import numpy as np

        if not wait and getattr(self, "_reduced", None) is None:
            with self._lock:
                if self._builder is None:
                    self._builder = threading.Thread(target=self.reduced, name="meaning-projection", daemon=True)
                    self._builder.start()
            return None
        with self._projecting:  # one projection at a time; the store's lock is taken a block at a time
            basis = self.basis()
            size = self._count + len(self._memory)
            kept, kept_basis = getattr(self, "_reduced", None) or (None, None)
            if kept is None or kept_basis is not basis or len(kept) > size:
                kept = np.zeros((0, basis.shape[1]), dtype=np.float32)
            if len(kept) < size:
                grown = np.empty((size, basis.shape[1]), dtype=np.float32)
                grown[: len(kept)] = kept
                for start in range(len(kept), size, 8192):  # never all the full vectors in memory at once
                    grown[start : start + 8192] = self.read_rows(np.arange(start, min(start + 8192, size))) @ basis
                kept = grown
                self._reduced = (kept, basis)
            return kept, basis

    def product(self, vector):
        """Every row's dot product with `vector`, a block of rows at a time (see read_rows)."""
        import numpy as np

        with self._lock:
            size = self._count + len(self._memory)
            found = np.empty(size, dtype=np.float32)
            for start in range(0, size, PRODUCT_BLOCK):
                found[start : start + PRODUCT_BLOCK] = self.read_rows(np.arange(start, min(start + PRODUCT_BLOCK, size))) @ vector
            return found

    def read_rows(self, rows):
        """A copy of these rows (ascending), read through a mapping closed at once: a mapping's pages count in
        the process's memory for as long as it lives (for reading every row once, a block at a time)."""
        import mmap

        import numpy as np

        with self._lock:
            rows = np.asarray(rows, dtype=np.int64)
            out = np.empty((len(rows), self.dim), dtype=np.float32)
            in_file = rows < self._count
            if in_file.any() and in_file.sum() * SPARSE_READ < self._count:
                out[in_file] = self._pread_rows(rows[in_file])
            elif in_file.any():
                with open(self.vectors_path, "rb") as f, mmap.mmap(f.fileno(), self._count * self.dim * 4, access=mmap.ACCESS_READ) as mapped:
                    view = np.frombuffer(mapped, dtype=np.float32).reshape(self._count, self.dim)
                    out[in_file] = view[rows[in_file]]
                    del view  # the mapping closes only when nothing looks into it
            if not in_file.all():
                out[~in_file] = np.stack([self._memory[r - self._count][1] for r in rows[~in_file]])
            return out

    def _pread_rows(self, rows):
        """These rows read one at a time: a few rows here and there (a search's 2,000 of 100k) through a
        mapping bring the file's pages around each into memory too (the kernel maps cached neighbours
        with each fault: 150 MB for one search at 100k)."""
        import numpy as np

        size = self.dim * 4
        with open(self.vectors_path, "rb", buffering=0) as f:
            # a row cut short (the file truncated meanwhile) reads as zeros: a cosine of 0, never ranked first
            raw = b"".join(os.pread(f.fileno(), size, int(row) * size).ljust(size, b"\0") for row in rows)
        return np.frombuffer(raw, dtype=np.float32).reshape(len(rows), self.dim)

    def add(self, keys: list[str], vectors) -> None:
        """Append rows for keys not stored yet (the lock makes two processes' appends line up)."""
        from filelock import FileLock

        import numpy as np

        with self._lock:
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                with FileLock(str(self.folder / ".lock"), timeout=30):
                    self.reload()
                    self._truncate_to_count()
                    fresh = [(k, v) for k, v in zip(keys, vectors) if k not in self.rows]
                    fresh = list({k: v for k, v in fresh}.items())
                    if not fresh:
                        return
                    block = np.ascontiguousarray(np.stack([v for _, v in fresh]), dtype=np.float32)
                    with open(self.vectors_path, "ab") as f:
                        f.write(block.tobytes())
                        f.flush()
                    with open(self.keys_path, "ab") as f:
                        f.write("".join(k + "\n" for k, _ in fresh).encode("ascii"))
                        f.flush()
                    self.reload()
            except (OSError, TimeoutError) as exc:  # a read-only or full disk: this process keeps them in memory
                self.writable = False
                self.problem = emb.one_line(exc)
                known = set(self.rows)
                for k, v in zip(keys, vectors):
                    if k not in known:
                        self._memory.append((k, np.asarray(v, dtype=np.float32)))
                        known.add(k)
                self._signature = None
                self.reload()

    def _truncate_to_count(self) -> None:
        """Cut a torn append back to the rows both files hold."""
        count = self._count
        if self.vectors_path.exists() and self.vectors_path.stat().st_size != count * self.dim * 4:
            os.truncate(self.vectors_path, count * self.dim * 4)
        if self.keys_path.exists() and self.keys_path.stat().st_size != count * 41:
            os.truncate(self.keys_path, count * 41)


def _well_formed_keys(raw: bytes) -> list[str]:
    """The keys up to the first line that is not one (40 hex digits and a newline): row n is line n,
    so a damaged line must not shift the rows after it onto other passages (they are embedded again)."""
    import numpy as np

    lines = len(raw) // 41
    block = np.frombuffer(raw, dtype=np.uint8, count=lines * 41).reshape(lines, 41)
    good = (block[:, 40] == ord("\n")) & _hex_digits()[block[:, :40]].all(axis=1)
    bad = np.flatnonzero(~good)
    kept = int(bad[0]) if len(bad) else lines
    return raw[: kept * 41].decode("ascii").split("\n")[:kept]


@lru_cache(maxsize=1)
def _hex_digits():
    """A 256-entry table: which bytes are lowercase hex digits."""
    import numpy as np

    table = np.zeros(256, dtype=bool)
    table[np.frombuffer(b"0123456789abcdef", dtype=np.uint8)] = True
    return table


@dataclass
class Passages:
    """The index's passages as the meaning search needs them (read once per searcher)."""

    docnums: object  # NumPy int64 array
    ids: list[str]
    keys: list[str]  # the texts' keys (the texts themselves are read again only to embed them)
    rows: tuple = (None, None)  # (the store's size when computed, each passage's row or -1): see rows_in
    by_row: tuple = (None, None, None)  # (those rows, the passages' order by row, the rows in that order)


@dataclass
class Coverage:
    embedded: int
    total: int

    @property
    def complete(self) -> bool:
        return self.embedded >= self.total

    def to_json(self) -> dict:
        return {"embedded": self.embedded, "total": self.total}

    def line(self) -> str:
        if self.complete:
            return ""
        share = 100 * self.embedded // max(self.total, 1)
        return f"by meaning over {self.embedded:,} of {self.total:,} passages ({share}%) so far; the rest by words"


_passages: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()
_stores: dict[tuple, VectorStore] = {}
_stores_lock = threading.Lock()


def store_for(index_dir: Path, embedder) -> VectorStore:
    with _stores_lock:
        key = (Path(index_dir), embedder.name)
        store = _stores.get(key)
        if store is None:
            store = _stores[key] = VectorStore(Path(index_dir), embedder.name, embedder.dim)
        return store


def passages(searcher) -> Passages:
    import numpy as np

    found = _passages.get(searcher)
    if found is None:
        docnums, ids, keys = [], [], []
        for docnum, stored in searcher.iter_docs():
            if stored.get("kind") == "passage":
                docnums.append(docnum)
                ids.append(stored["id"])
                keys.append(text_key(stored.get("text", "")))
        found = _passages[searcher] = Passages(np.array(docnums, dtype=np.int64), ids, keys)
    return found


def coverage(searcher, store: VectorStore) -> Coverage:
    found = passages(searcher)
    return Coverage(int((rows_in(found, store) >= 0).sum()), len(found.keys))


def fill(searcher, store: VectorStore, embedder, progress: Callable[[int, int], None] | None = None,
         stop: Callable[[], bool] | None = None, read_lock=None) -> Coverage:
    """Embed every passage not in the store yet, BATCH at a time, telling `progress(done, total)`.

    The texts are read from the index first, under `read_lock` if given (a shell whose searches
    share the searcher); the embedding, minutes on a big corpus, holds no lock.
    """
    import contextlib

    with read_lock or contextlib.nullcontext():
        found = passages(searcher)
        store.reload()
        absent = (rows_in(found, store) < 0).nonzero()[0]
        missing = {found.keys[i]: int(found.docnums[i]) for i in absent if found.keys[i] not in store.rows}
        todo = [(k, searcher.stored_fields(d).get("text", "")) for k, d in missing.items()]
    total = len(found.keys)
    done = total - len(todo)
    if progress is not None and todo:
        progress(done, total)
    for start in range(0, len(todo), BATCH):
        if stop is not None and stop():
            break
        chunk = todo[start : start + BATCH]
        store.add([k for k, _ in chunk], embedder.embed([t for _, t in chunk], "passage"))
        done += len(chunk)
        if progress is not None:
            progress(done, total)
    return coverage(searcher, store)


def embed_texts(store: VectorStore, embedder, texts: list[str]):
    """Unit vectors for these texts (passage kind), from the store where it has them, else embedded and kept."""
    import numpy as np

    keys = [text_key(t) for t in texts]
    missing = list({k: t for k, t in zip(keys, texts) if k not in store.rows}.items())
    if missing:
        store.add([k for k, _ in missing], embedder.embed([t for _, t in missing], "passage"))
    if not keys:
        return np.zeros((0, store.dim), dtype=np.float32)
    return store.read_rows([store.rows[k] for k in keys])


@dataclass
class MeaningRanking:
    docnums: object  # NumPy int64 array
    ids: list[str]
    scores: list[float]
    coverage: Coverage


def rank(searcher, store: VectorStore, query_vector, allowed: set[int] | None = None, limit: int = CANDIDATES) -> MeaningRanking:
    """The embedded passages by cosine with the query, best first (those in `allowed`, if given).

    Up to APPROX_FROM passages, one product with every vector. Beyond, reading every vector for each
    query costs more than the query's own embedding (memory, not arithmetic: 150 MB at 100k), so
    once the store's projections are made (VectorStore.reduced), a first pass ranks the passages'
    projections on REDUCED_DIMS principal axes (a quarter of the bytes) and the best RERANK of those
    are ranked again with their full vectors."""
    import numpy as np

    found = passages(searcher)
    rows = rows_in(found, store)
    embedded = rows >= 0
    docnums = np.asarray(found.docnums, dtype=np.int64)
    if allowed is not None:
        embedded &= np.isin(docnums, np.fromiter(allowed, dtype=np.int64, count=len(allowed)))
    cover = Coverage(int((rows >= 0).sum()), len(rows))
    if not embedded.any():
        return MeaningRanking([], [], [], cover)
    query_vector = np.asarray(query_vector, dtype=np.float32)
    projected = store.reduced(wait=False) if len(rows) >= APPROX_FROM else None
    with np.errstate(invalid="ignore", over="ignore"):  # a damaged row (NaN, inf) is dropped below
        if projected is not None:
            positions, sims = _two_passes(found, store, rows, embedded, query_vector, limit)
        else:
            positions = np.flatnonzero(embedded)
            # a big store's vectors read once, not kept mapped: its projections are being made to stand in
            whole = store.product(query_vector) if len(rows) >= APPROX_FROM else store.matrix() @ query_vector
            sims = np.asarray(whole, dtype=np.float32)[rows[embedded]]
    # Unit vectors have cosines in [-1, 1]: a row of the cache that gives anything else is damaged
    # (a NaN would print as NaN in --json, which is no JSON, and sort anywhere).
    sound = np.isfinite(sims) & (np.abs(sims) <= SOUND_COSINE)
    if not sound.all():
        positions, sims = positions[sound], sims[sound]
    if not len(sims):
        return MeaningRanking([], [], [], cover)
    top = min(limit, len(sims))
    best = np.argpartition(-sims, top - 1)[:top]
    best = best[np.argsort(-sims[best], kind="stable")]
    chosen = positions[best]
    return MeaningRanking(docnums[chosen].tolist(), [found.ids[i] for i in chosen], sims[best].tolist(), cover)


def _two_passes(found: Passages, store: VectorStore, rows, wanted, query_vector, limit: int):
    """(passages' positions, their cosines): the best rows by their projections, those again in full."""
    import numpy as np

    reduced, basis = store.reduced()
    rough = reduced @ (basis.T @ query_vector)  # every row of the store (sentences' too): kept across searchers
    wanted_rows = np.zeros(len(rough), dtype=bool)
    wanted_rows[rows[wanted]] = True
    rough[~wanted_rows] = -np.inf
    depth = min(max(RERANK, limit), int(wanted_rows.sum()))
    best_rows = np.sort(np.argpartition(-rough, depth - 1)[:depth])
    # read, not kept mapped: a search's 2,000 rows, mapped, would stay in memory, and 40 searches' most of the file
    exact = np.asarray(store.read_rows(best_rows) @ query_vector, dtype=np.float32)
    # the passages holding those rows (a text found in two passages is one row)
    if found.by_row[0] is not rows:
        order = np.argsort(rows, kind="stable")
        found.by_row = (rows, order, rows[order])
    _, order, sorted_rows = found.by_row
    first = np.searchsorted(sorted_rows, best_rows, "left")
    counts = np.searchsorted(sorted_rows, best_rows, "right") - first
    offsets = np.arange(int(counts.sum())) - np.repeat(np.cumsum(counts) - counts, counts)
    positions = order[np.repeat(first, counts) + offsets]
    sims = np.repeat(exact, counts)
    keep = wanted[positions]
    return positions[keep], sims[keep]


def rows_in(found: Passages, store: VectorStore):
    """Each passage's row in the store (-1: not embedded), remembered until the store grows."""
    import numpy as np

    size = len(store.rows)
    if found.rows[0] != size:
        found.rows = (size, np.array([store.rows.get(k, -1) for k in found.keys], dtype=np.int64))
    return found.rows[1]


@dataclass
class Fused:
    id: str
    score: float
    word_rank: int | None = None
    meaning_rank: int | None = None
    similarity: float | None = None
    matches: list = field(default_factory=list)


def content_words(text: str) -> set[str]:
    from annotator.engine.index import text_analyzer

    words = {t.text for t in text_analyzer()(text) if t.text not in FUNCTION_WORDS}
    return words or {t.text for t in text_analyzer()(text)}


def word_shares(query: str, hits: list[Hit]) -> list[float]:
    """For each word hit, the share of the query's content words (stemmed) among its matched words."""
    from annotator.engine.index import text_analyzer

    wanted = content_words(query)
    if not wanted:
        return [0.0] * len(hits)
    analyse = text_analyzer()
    shares = []
    for hit in hits:
        matched = " ".join(dict.fromkeys(hit.text[s:e] for s, e in hit.matches))
        shares.append(len(wanted & {t.text for t in analyse(matched)}) / len(wanted))
    return shares


def fuse(word_ids: list[str], meaning: MeaningRanking, shares: list[float] | None = None) -> list[Fused]:
    """Weighted reciprocal-rank fusion of the two rankings, best first (`shares`: see word_shares)."""
    fused: dict[str, Fused] = {}
    shares = shares if shares is not None else [1.0] * len(word_ids)
    for rank_, (pid, share) in enumerate(zip(word_ids, shares)):
        item = fused.setdefault(pid, Fused(pid, 0.0))
        item.word_rank = rank_ + 1
        item.score += share**WORDS_POWER / (RRF_K + rank_ + 1)
        if share >= 1.0:  # every word of the query is in it: a keyword query finds its words first
            item.score += FULL_MATCH
    for rank_, (pid, sim) in enumerate(zip(meaning.ids, meaning.scores)):
        item = fused.setdefault(pid, Fused(pid, 0.0))
        item.meaning_rank, item.similarity = rank_ + 1, sim
        item.score += MEANING_WEIGHT / (RRF_K + rank_ + 1)
    return sorted(fused.values(), key=lambda f: (-f.score, f.word_rank or 10**9, f.meaning_rank or 10**9))


def best_sentence(store: VectorStore, embedder, text: str, query_vector) -> list[int] | None:
    """[start, end] of the passage's sentence nearest the query (None for a one-sentence passage)."""
    import numpy as np

    spans = sentence_spans(text)
    if len(spans) < 2:
        return list(spans[0]) if spans else None
    vectors = embed_texts(store, embedder, [text[s:e] for s, e in spans])
    with np.errstate(invalid="ignore", over="ignore"):
        sims = np.nan_to_num(vectors @ query_vector, nan=-np.inf)
    return list(spans[int(sims.argmax())])


def best_sentences(store: VectorStore, embedder, hits, query_vector, stop: Callable[[], bool] | None = None) -> dict:
    """Hit id -> [start, end] of its sentence nearest the query (`stop` ends the search between two hits)."""
    best = {}
    for hit in hits:
        if stop is not None and stop():
            break
        span = best_sentence(store, embedder, hit.text, query_vector)
        if span is not None:
            best[hit.id] = span
    return best


def sentences_for_query(index_dir: Path, embedder, text: str, hits, stop: Callable[[], bool] | None = None) -> dict:
    """`best_sentences` for a query as typed, after its search (its vector is kept from the search).

    A shell shows a meaning search's results first and then this: embedding the sentences of a
    novel's long paragraphs takes a few hundred milliseconds the first time, the search itself tens.
    """
    from annotator.engine import search as word_search

    meaning_text = emb.clean(meaning_words(word_search.prepare(text).words))
    if not meaning_text or not hits:
        return {}
    query_vector = _query_vector(_embedding_query(embedder, meaning_text, supersede=False), embedder, meaning_text)
    return best_sentences(store_for(index_dir, embedder), embedder, hits, query_vector, stop)


def sentence_spans(text: str, limit: int = MAX_SENTENCES) -> list[tuple[int, int]]:
    """(start, end) of each sentence (at most `limit`: a long passage's later ones are not weighed)."""
    import re

    spans = []
    for m in re.finditer(r"[^.!?…。！？\n]+(?:[.!?…。！？]+[\"'”’)」』]*|\n|$)", text):
        stripped = m.group().strip()
        if len(stripped) > 1:
            start = m.start() + (len(m.group()) - len(m.group().lstrip()))
            spans.append((start, start + len(stripped)))
        if len(spans) >= limit:
            break
    return spans


_query_vectors: dict = {}  # (model, query) -> vector: the TUI asks again as a query is refined, paged, filtered
QUERY_VECTORS_KEPT = 64
_query_pool = None
_query_lock = threading.Lock()


def _embedding_query(embedder, text: str, *, supersede: bool = True):
    """A future of the query's vector (already done when the query was embedded lately).

    A new query drops the queries still waiting to be embedded: as a query is typed, each key
    asks for its own, and only the latest is worth the model's time (`_query_vector` asks again
    for one dropped while a search still waited on it).
    """
    import concurrent.futures

    global _query_pool
    key = (embedder, text)
    with _query_lock:
        future = _query_vectors.get(key)
        if future is None or future.cancelled() or (future.done() and future.exception() is not None):
            if supersede:
                for other, waiting in list(_query_vectors.items()):
                    if waiting.cancel():  # not started yet
                        del _query_vectors[other]
            if _query_pool is None:
                _query_pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="meaning-query")
            future = _query_pool.submit(lambda: embedder.embed([text], "query")[0])
            if len(_query_vectors) >= QUERY_VECTORS_KEPT:
                _query_vectors.pop(next(iter(_query_vectors)))
            _query_vectors[key] = future
        return future


def _query_vector(future, embedder, text: str):
    """The query's vector, asked for again if a newer query dropped it while it waited."""
    import concurrent.futures

    while True:
        try:
            return future.result()
        except concurrent.futures.CancelledError:
            future = _embedding_query(embedder, text, supersede=False)


@dataclass
class MeaningResult(SearchResult):
    coverage: Coverage | None = None
    meaning: str = ""  # why there is no meaning part ("" when there is)
    sentences: dict = field(default_factory=dict)  # hit id -> [start, end] of its best sentence
    ranks: dict = field(default_factory=dict)  # hit id -> its word_rank, meaning_rank and similarity

    def words_only_reason(self) -> str:
        """Why this search ran on words only, without saying so again ("switched off ($ANNOTATOR_MEANING=0)")."""
        return self.meaning.removesuffix(emb.WORDS_ONLY)

    def to_json(self) -> dict:
        data = super().to_json()
        data["mode"] = "meaning"
        data["coverage"] = self.coverage.to_json() if self.coverage else None
        if self.meaning:
            data["meaning_unavailable"] = self.meaning
        for place, (hit_json, hit) in enumerate(zip(data["results"], self.hits)):
            hit_json["sentence"] = self.sentences.get(hit.id)
            # by words only (no model, or no word for it), the word ranking is the ranking
            hit_json.update(self.ranks.get(hit.id) or {"word_rank": place + 1, "meaning_rank": None, "similarity": None})
        return data


_NEGATED = re.compile(r'(?:(?<![\w-])-|\bNOT\s+)(?:"[^"]*"?|\([^)]*\)?|\S+)', re.UNICODE)
# operators, fuzzy and prefix marks, quotes, brackets, a filter with no value (`theme:` being typed)
_SYNTAX = re.compile(r'\b(?:AND|OR|NOT)\b|~\d*(?:\.\d+)?|[*"()^]|(?<![\w:])(?i:themes?|source|kind):(?=\s|$)', re.UNICODE)


def meaning_words(words: str) -> str:
    """What the model reads of a query (its filters already taken out): the words it asks for, not
    those it excludes (`-word`, `NOT "a phrase"`: embedded, they would draw the ranking towards what
    was excluded) nor its syntax (AND, OR, quotes, `*`, `~`); '' when no word is left."""
    kept = " ".join(_SYNTAX.sub(" ", _NEGATED.sub(" ", words)).split())
    return kept if re.search(r"\w", kept) else ""


def excluded_docs(searcher, words: str, sources=()) -> set[int]:
    """The documents holding what the query excludes at its top level (`silence -nobody`, `NOT word`)."""
    from whoosh import query as wq

    from annotator.engine import search as word_search
    from annotator.engine.analysis import query_languages

    if not words.strip() or ("-" not in words and "NOT" not in words):
        return set()
    with query_languages(word_search.searched_languages(searcher, list(sources))):
        q = word_search._parse_words(words, searcher.schema)
    negated = []
    for node in [q, *(q.subqueries if isinstance(q, wq.And) else ())]:
        if isinstance(node, wq.AndNot):
            negated.append(node.b)
        elif isinstance(node, wq.Not):
            negated.append(node.query)
    if not negated:
        return set()
    return set(searcher.docs_for_query(negated[0] if len(negated) == 1 else wq.Or(negated)))


def search(index, text: str, *, embedder=None, why_not: str = "", themes=(), source: str | None = None,
           untagged: bool = False, limit: int = 20, progress: Callable[[int, int], None] | None = None,
           fill_missing: bool = True, sentences: int = SENTENCE_RESULTS) -> MeaningResult:
    """Passages ranked by meaning and words together (words alone without an `embedder`, saying `why_not`).

    `fill_missing` embeds the passages not embedded yet first (telling `progress`); without
    it, the meaning part covers what is embedded so far and the result says how much.
    """
    from annotator.engine import search as word_search

    prepared = word_search.prepare(text)
    meaning_text = emb.clean(meaning_words(prepared.words))
    # The query's embedding (the model's C engine lets go of the GIL) runs while the words are searched.
    query_vector = _embedding_query(embedder, meaning_text) if embedder is not None and meaning_text else None
    words = word_search.search(index, text, themes=themes, source=source, untagged=untagged, kind="passage", limit=max(WORD_CANDIDATES, limit))
    if embedder is None or not meaning_text:
        hits = words.hits[: max(limit, 0)]
        return MeaningResult(query=text, total=words.total, hits=hits, suggestion=words.suggestion, notice=words.notice,
                             notices=words.notices, meaning=why_not or ("" if meaning_text else "no words to search by meaning"))
    searcher = index.searcher()
    store = store_for(index.folder, embedder)
    if fill_missing:
        fill(searcher, store, embedder, progress)
    else:
        store.reload()
    query_vector = _query_vector(query_vector, embedder, meaning_text)
    restrict = word_search._combined_filter(prepared, themes, source, untagged, None)
    allowed = set(searcher.docs_for_query(restrict)) if restrict is not None else None
    excluded = excluded_docs(searcher, prepared.words, word_search._sources_searched(text, source))
    if excluded:  # `-word`, `NOT word`: passages holding it are left out by meaning as by words
        allowed = (allowed if allowed is not None else set(passages(searcher).docnums.tolist())) - excluded
    ranking = rank(searcher, store, query_vector, allowed)
    fused = fuse([h.id for h in words.hits], ranking, word_shares(prepared.words, words.hits))
    by_id = {h.id: h for h in words.hits}
    docnum_of = dict(zip(ranking.ids, ranking.docnums))
    hits, ranks = [], {}
    for item in fused[: max(limit, 0)]:
        hit = by_id.get(item.id) or word_search._hit(searcher.stored_fields(docnum_of[item.id]), 0.0, set(), index.pending_tags)
        hit.score = item.score
        ranks[hit.id] = {"word_rank": item.word_rank, "meaning_rank": item.meaning_rank,
                         "similarity": None if item.similarity is None else round(item.similarity, 4)}
        hits.append(hit)
    best = best_sentences(store, embedder, hits[:sentences], query_vector)
    for hit in hits:
        if hit.id in best and not hit.matches:
            hit.matches = [best[hit.id]]
    return MeaningResult(query=text, total=len(fused), hits=hits, notices=words.notices,
                         suggestion=words.suggestion, notice=word_search.empty_filters_notice(prepared.empty_filters), coverage=ranking.coverage,
                         sentences=best, ranks=ranks)
