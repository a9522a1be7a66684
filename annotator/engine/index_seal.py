"""Which index folders this user's annotator wrote: only those are ever opened.

Whoosh keeps its schema pickled in the table of contents and each document's stored fields
pickled in its segments (the term tables too), and opening an index unpickles them, which runs
whatever a crafted pickle says. An index folder copied from someone else (a classmate's zipped
workspace) must therefore never be opened: like a damaged one, it is rebuilt from the corpus.

The manifest written after every commit carries a seal: an HMAC, under a key only this user
holds (`index.key` in their data folder, made on first use), over the manifest and the name,
size and inode of every file Whoosh reads. No one else can make the seal, and a copied or
unpacked folder has new inodes: its files are deleted unread. (Not the mtime: bytes damaged in
place are Whoosh's to find and the engine's to repair, as before.)
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import re
import time
from pathlib import Path

KEY_ENV = "ANNOTATOR_INDEX_KEY_FILE"  # where the key is kept, instead of the data folder (tests)
KEY_BYTES = 32
# The files Whoosh opens: tables of contents, segments and their term tables (not the write lock,
# the read cache, the embeddings: none of those is unpickled).
_READ_BY_WHOOSH = re.compile(r"_annotator_[0-9]+\.toc|annotator_[0-9a-z]+\.[a-z]+")
_keys: dict[Path, bytes] = {}


def key_path() -> Path:
    override = os.environ.get(KEY_ENV)
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("annotator", appauthor=False)) / "index.key"


def _key() -> bytes:
    path = key_path()
    key = _keys.get(path)
    if key is None:
        key = _keys[path] = _read_or_make(path)
    return key


def _read_or_make(path: Path) -> bytes:
    for _attempt in range(50):
        try:
            key = path.read_bytes()
        except FileNotFoundError:
            key = None
        except OSError:
            break
        if key is not None and len(key) == KEY_BYTES:
            return key
        if key is None:
            made = _make(path)
            if made is not None:
                return made
        time.sleep(0.01)  # another process is writing it
    # No key can be kept (a read-only home): this process's own, so its index is rebuilt once.
    return os.urandom(KEY_BYTES)


def _make(path: Path) -> bytes | None:
    key = os.urandom(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return None  # made meanwhile by another process: read it
    except OSError:
        return os.urandom(KEY_BYTES)
    with os.fdopen(fd, "wb") as handle:
        handle.write(key)
        handle.flush()
        os.fsync(handle.fileno())
    return key


def _files(folder: Path) -> list:
    found = []
    with os.scandir(folder) as entries:
        for entry in entries:
            if _READ_BY_WHOOSH.fullmatch(entry.name):
                st = entry.stat(follow_symlinks=False)
                found.append([entry.name, st.st_size, st.st_ino])
    return sorted(found)


def seal(folder: Path, manifest_text: str) -> str:
    """The seal of a manifest about to be written into `folder`, over it and Whoosh's files there."""
    files = json.dumps(_files(folder), separators=(",", ":"))
    return hmac.new(_key(), manifest_text.encode("utf-8") + b"\x00" + files.encode("ascii"), hashlib.sha256).hexdigest()


def sealed(folder: Path, manifest_text: str, given: object) -> bool:
    try:
        return isinstance(given, str) and hmac.compare_digest(given, seal(folder, manifest_text))
    except OSError:
        return False
