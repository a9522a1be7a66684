"""A cache of read and validated annotation files in `index/read-cache/` (derived data).

A class of 30 annotators is 30 large YAML files that every `agreement`, `show` or TUI start
reads again. Once a file has been read, its tags (with their spans) and memos are kept here,
keyed by the file's full signature (mtime_ns, size, inode, ctime_ns, as the index's freshness):
a hand edit, a `touch`, a replaced file or a restored mtime all change it, and the file is read
again. A file changed in the last two seconds is not cached (its signature could still stand for
two contents).

The format is columns of text joined by NUL, a character no YAML file may hold: one split in C
gives every field, ~3x faster than JSON and than annotations_fast reading the YAML itself. A
JSON header names the format, the file, its signature, how many records and spans follow and
the CRC-32 of what follows; a cache file whose header, checksum or counts do not match (cut
short, damaged, crafted, another version's) is ignored, and a crafted one can give nothing but text to a read: writes never trust the cache
(the store re-reads the YAML under the lock before changing a file). Only files whose records
have no unknown fields, and whose spans all read cleanly, are cached (the others keep what the
YAML reader alone keeps). The folder is made only inside an existing `index/`.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
import zlib
from itertools import chain, repeat
from operator import attrgetter
from pathlib import Path

from annotator.corpus.leftovers import STALE_SECONDS, remove_stale_temporaries
from annotator.corpus.model import NO_EXTRA, AnnotationFile, Memo, Span, Tag
from annotator.corpus.yamlio import AsWritten
from annotator.corpus.workspace import Workspace

FORMAT = 2
FOLDER = "read-cache"
# A file changed this recently is not cached ("racy" as git says): an in-place edit of the same
# size within the file system's timestamp tick would leave its signature as it was.
RACY_NS = 2_000_000_000
SEP = "\x00"
TAG_FIELDS, MEMO_FIELDS, SPAN_FIELDS = 4, 3, 6


def _cache_file(ws: Workspace, path: Path) -> Path:
    return ws.index_dir / FOLDER / f"annotations.{path.name}.cache"


def load(ws: Workspace, path: Path, signature: tuple[int, ...]) -> AnnotationFile | None:
    """The file's records as cached for exactly this signature, or None."""
    try:
        header_bytes, body = _cache_file(ws, path).read_bytes().split(b"\x00", 1)
        header = json.loads(header_bytes)
        if type(header) is not dict or header.get("crc32") != zlib.crc32(body):
            return None  # cut short or damaged
        return _records(header, [""] + body.decode("utf-8").split(SEP), path, signature)
    except (OSError, ValueError, RecursionError, TypeError, KeyError, AttributeError, IndexError):
        return None


def _records(header: dict, fields: list[str], path: Path, signature: tuple[int, ...]) -> AnnotationFile | None:
    if (type(header) is not dict or header.get("format") != FORMAT or header.get("file") != path.name
            or header.get("signature") != list(signature)):
        return None
    n_tags, n_memos, n_spans = header["tags"], header["memos"], header["spans"]
    if not all(type(n) is int and n >= 0 for n in (n_tags, n_memos, n_spans)):
        return None
    if len(fields) != 1 + TAG_FIELDS * n_tags + MEMO_FIELDS * n_memos + SPAN_FIELDS * n_spans:
        return None
    name = path.stem
    at = 1
    passages, themes, times, comments = (fields[at + i * n_tags: at + (i + 1) * n_tags] for i in range(TAG_FIELDS))
    at += TAG_FIELDS * n_tags
    tags = list(map(Tag, passages, themes, repeat(name), times,
                    map(_none_if_empty, comments) if any(comments) else repeat(None), repeat(NO_EXTRA)))
    memo_passages, texts, memo_times = (fields[at + i * n_memos: at + (i + 1) * n_memos] for i in range(MEMO_FIELDS))
    at += MEMO_FIELDS * n_memos
    memos = list(map(Memo, memo_passages, texts, repeat(name), memo_times, repeat(NO_EXTRA)))
    _add_spans(tags, fields[at:])
    return AnnotationFile(name, tags, memos, NO_EXTRA)


def _none_if_empty(text: str) -> str | None:
    return text or None


def _add_spans(tags: list[Tag], fields: list[str]) -> None:
    """Spans are rows of (tag index, start, end, line, kind, quote), in each tag's order."""
    spans: dict[int, list[Span]] = {}
    for i in range(0, len(fields), SPAN_FIELDS):
        index, start, end, line, kind, quote = fields[i: i + SPAN_FIELDS]
        quote = AsWritten(quote) if kind == "a" else quote  # plain text that YAML 1.1 reads otherwise
        spans.setdefault(int(index), []).append(Span(int(start), int(end), quote, int(line) if line else None))
    for index, found in spans.items():
        tags[index].spans = tuple(found)


def save(ws: Workspace, path: Path, signature: tuple[int, ...], annotations: AnnotationFile) -> None:
    """Cache a file just read (if its records have no unknown fields); failures are ignored."""
    tags, memos = annotations.tags, annotations.memos
    if annotations.extra or any(map(attrgetter("extra"), tags)) or any(map(attrgetter("extra"), memos)):
        return
    mtime_ns, _size, _inode, ctime_ns = signature
    if time.time_ns() - max(mtime_ns, ctime_ns) < RACY_NS:
        return
    spanned = [(i, t) for i, t in enumerate(tags) if t.spans] if any(map(attrgetter("spans"), tags)) else []
    if any(s.raw is not None or s.problem for _, t in spanned for s in t.spans):
        return  # a span a hand edit made unreadable is kept as its YAML, which only the YAML holds
    spans = [(str(i), str(s.start), str(s.end), "" if s.line is None else str(s.line),
              "a" if type(s.quote) is AsWritten else "s", s.quote) for i, t in spanned for s in t.spans]
    columns = [list(map(attrgetter(name), tags)) for name in ("passage", "theme", "at")]
    columns.append([t.comment or "" for t in tags] if any(map(attrgetter("comment"), tags)) else [""] * len(tags))
    columns += [list(map(attrgetter(name), memos)) for name in ("passage", "text", "at")]
    columns.append([field for span in spans for field in span])
    try:
        body = SEP.join(chain.from_iterable(columns)).encode("utf-8")
    except UnicodeEncodeError:  # (text from a read is valid UTF-8; nothing else is cached)
        return
    header = json.dumps({"format": FORMAT, "file": path.name, "signature": list(signature), "tags": len(tags),
                         "memos": len(memos), "spans": len(spans), "crc32": zlib.crc32(body)})
    _write(ws, path, header.encode("ascii") + b"\x00" + body)


def writable_folder(ws: Workspace) -> Path | None:
    """`index/read-cache`, made if missing, or None: when `index/` is missing (never made here: the
    engine swaps that folder whole when it rebuilds) or either is a symbolic link, which a crafted
    workspace would plant to make the cache be written wherever it points, outside the workspace."""
    if ws.index_dir.is_symlink() or not ws.index_dir.is_dir():
        return None
    folder = ws.index_dir / FOLDER
    folder.mkdir(exist_ok=True)  # (not parents: a folder swapped away meanwhile is not made again)
    return None if folder.is_symlink() else folder


def _write(ws: Workspace, path: Path, data: bytes) -> None:
    try:
        folder = writable_folder(ws)
        if folder is None:
            return
        target = _cache_file(ws, path)
        remove_stale_temporaries(target, older_than=STALE_SECONDS)  # a killed reader's (readers take no lock)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=folder)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(data)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        (folder / f"annotations.{path.name}.json").unlink(missing_ok=True)  # the JSON of format 1
    except (OSError, ValueError):  # derived data: a full or read-only disk only costs the next read
        return
