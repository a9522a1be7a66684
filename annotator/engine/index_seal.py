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
import tempfile
import time
from pathlib import Path

from annotator.corpus.yamlio import fsync_dir

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
        # Missing, or damaged: a key is only ever published whole (below), so one of another length
        # is what a crash left (an older version wrote it in place), and kept it would cost a rebuild
        # of every index on every run. A new key costs one rebuild of each.
        made = _publish(path, replace=key is not None)
        if made is not None:
            return made
        time.sleep(0.01)  # another process published its key meanwhile: read that one
    # No key can be kept (a read-only home): this process's own, so its index is rebuilt once.
    return os.urandom(KEY_BYTES)


def _publish(path: Path, replace: bool) -> bytes | None:
    """A new key written whole beside `path`, then put in place at once; None when another
    process's key is there to be read instead."""
    key = os.urandom(KEY_BYTES)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError:
        return key
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o600)
            handle.write(key)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(tmp, path)
            fsync_dir(path.parent)
            return None  # read back: another process replacing it too may have come last
        try:
            os.link(tmp, path)  # fails if another process's key is there: never two keys
        except FileExistsError:
            raise
        except OSError:  # a file system without hard links: a rename (a race costs one rebuild)
            os.replace(tmp, path)
    except FileExistsError:
        return None
    except OSError:
        return key
    finally:
        try:
            os.unlink(tmp)
        except OSError:
            pass
    fsync_dir(path.parent)
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
