"""A cache of read and validated annotation files in `index/read-cache/` (derived data).

A class of 30 annotators is 30 large YAML files that every `agreement`, `show` or TUI start
reads again. Once a file has been read, its tags and memos are kept here as JSON, keyed by the
file's full signature (mtime_ns, size, inode, ctime_ns, as the index's freshness): a hand edit,
a `touch`, a replaced file or a restored mtime all change it, and the file is read again. A file
changed in the last two seconds is not cached (its signature could still stand for two contents).

Only files whose records have no unknown fields are cached (those are kept by the YAML reader
alone). The cache is plain JSON checked field by field, so a damaged or crafted cache file
can do nothing but be ignored; and writes never trust it (the store re-reads the YAML under
the lock before changing a file). The folder is made only inside an existing `index/`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from pathlib import Path

from annotator.corpus.model import NO_EXTRA, AnnotationFile, Memo, Tag
from annotator.corpus.workspace import Workspace

FORMAT = 1
FOLDER = "read-cache"
# A file changed this recently is not cached ("racy" as git says): an in-place edit of the same
# size within the file system's timestamp tick would leave its signature as it was.
RACY_NS = 2_000_000_000


def _cache_file(ws: Workspace, path: Path) -> Path:
    return ws.index_dir / FOLDER / f"annotations.{path.name}.json"


def load(ws: Workspace, path: Path, signature: tuple[int, ...]) -> AnnotationFile | None:
    """The file's records as cached for exactly this signature, or None."""
    try:
        data = json.loads(_cache_file(ws, path).read_bytes())
    except (OSError, ValueError, RecursionError):
        return None
    try:
        return _records(data, path, signature)
    except (TypeError, ValueError, KeyError, AttributeError):
        return None


def _records(data: dict, path: Path, signature: tuple[int, ...]) -> AnnotationFile | None:
    if (type(data) is not dict or data.get("format") != FORMAT or data.get("file") != path.name
            or data.get("signature") != list(signature)):
        return None
    name = path.stem
    raw_tags, raw_memos = data["tags"], data["memos"]
    if type(raw_tags) is not list or type(raw_memos) is not list or not all(type(r) is list for r in raw_tags + raw_memos):
        return None
    tags = []
    for passage, theme, at, comment in raw_tags:
        if not (type(passage) is str and type(theme) is str and type(at) is str
                and (comment is None or (type(comment) is str and comment))):
            return None
        tags.append(Tag(passage, theme, name, at, comment, NO_EXTRA))
    memos = []
    for passage, text, at in raw_memos:
        if not (type(passage) is str and type(text) is str and type(at) is str):
            return None
        memos.append(Memo(passage, text, name, at, NO_EXTRA))
    return AnnotationFile(name, tags, memos, NO_EXTRA)


def save(ws: Workspace, path: Path, signature: tuple[int, ...], annotations: AnnotationFile) -> None:
    """Cache a file just read (if its records have no unknown fields); failures are ignored."""
    if annotations.extra or any(t.extra for t in annotations.tags) or any(m.extra for m in annotations.memos):
        return
    if any(t.spans for t in annotations.tags):  # the cache's rows have no room for the words a tag quotes
        return
    mtime_ns, _size, _inode, ctime_ns = signature
    if time.time_ns() - max(mtime_ns, ctime_ns) < RACY_NS:
        return
    data = {
        "format": FORMAT,
        "file": path.name,
        "signature": list(signature),
        "tags": [[t.passage, t.theme, t.at, t.comment] for t in annotations.tags],
        "memos": [[m.passage, m.text, m.at] for m in annotations.memos],
    }
    folder = ws.index_dir / FOLDER
    try:
        if not ws.index_dir.is_dir():
            return  # never make index/ itself: the engine swaps that folder whole when it rebuilds
        folder.mkdir(exist_ok=True)  # (not parents: a folder swapped away meanwhile is not made again)
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, ensure_ascii=False, separators=(",", ":"))
            os.replace(tmp, _cache_file(ws, path))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):  # derived data: a full or read-only disk only costs the next read
        return
