"""Passages files' outlines kept in `index/read-cache/` (derived data), for the next command.

An outline (annotator.corpus.outline: a passages file's source and each passage's id and location)
is what the grid (`report --grid`) reads of the passages: at 100k passages, matching them in the
YAML is nearly all of its time, paid again by every command. Once outlined, a file's outline is
kept here beside the annotation files' records (annotator.corpus.read_cache), keyed by the file's
full signature and checked as they are: a file changed since, one changed in the last two seconds,
a cache file cut short or damaged, crafted or another version's is not used, and the YAML is read.
The ids and locations are columns joined by NUL (no YAML file may hold one): one split gives them.
Outlines only show where passages are; no write starts from one.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import zlib
from pathlib import Path

from annotator.corpus import read_cache
from annotator.corpus.model import Source
from annotator.corpus.outline import Outline
from annotator.corpus.workspace import Workspace

FORMAT = 1
_SOURCE_FIELDS = ("id", "title", "author", "file", "imported_at", "language")


def _cache_file(ws: Workspace, path: Path) -> Path:
    return ws.index_dir / read_cache.FOLDER / f"outline.{path.name}.cache"


def load(ws: Workspace, path: Path, signature: tuple[int, ...]) -> Outline | None:
    """The file's outline as cached for exactly this signature, or None."""
    try:
        header_bytes, body = _cache_file(ws, path).read_bytes().split(b"\x00", 1)
        header = json.loads(header_bytes)
        if (type(header) is not dict or header.get("format") != FORMAT or header.get("file") != path.name
                or header.get("signature") != list(signature) or header.get("crc32") != zlib.crc32(body)):
            return None
        count, source = header["passages"], header["source"]
        if type(count) is not int or count < 0 or type(source) is not dict or set(source) != set(_SOURCE_FIELDS):
            return None
        if not all(type(value) is str for value in source.values()):
            return None
        fields = body.decode("utf-8").split(read_cache.SEP) if count else []
        if len(fields) != 2 * count:
            return None
        return Outline(Source(**source), fields[:count], fields[count:])
    except (OSError, ValueError, RecursionError, TypeError, KeyError, AttributeError):
        return None


def save(ws: Workspace, path: Path, signature: tuple[int, ...], outline: Outline) -> None:
    """Keep an outline just read (a source without fields annotator does not know); failures are ignored."""
    source = outline.source
    if source.extra or not all(type(value) is str for value in [*outline.ids, *outline.locations]):
        return
    mtime_ns, _size, _inode, ctime_ns = signature
    if time.time_ns() - max(mtime_ns, ctime_ns) < read_cache.RACY_NS:
        return
    try:
        body = read_cache.SEP.join([*outline.ids, *outline.locations]).encode("utf-8")
    except UnicodeEncodeError:
        return
    header = json.dumps({"format": FORMAT, "file": path.name, "signature": list(signature), "passages": len(outline.ids),
                         "source": {name: getattr(source, name) for name in _SOURCE_FIELDS}, "crc32": zlib.crc32(body)})
    _write(ws, path, header.encode("utf-8") + b"\x00" + body)


def _write(ws: Workspace, path: Path, data: bytes) -> None:
    try:
        folder = read_cache.writable_folder(ws)
        if folder is None:
            return
        fd, tmp = tempfile.mkstemp(prefix=".", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, _cache_file(ws, path))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, ValueError):  # derived data: a full or read-only disk only costs the next read
        return
