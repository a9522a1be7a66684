"""The YAML corpus on disk: themes, sources with their passages, annotations.

Every read goes through the safe loader and the model's validation; every write is
atomic and happens under the workspace lock, re-reading the file first, so two
processes tagging at once never lose each other's work.
"""

from __future__ import annotations

import errno
import glob
import os
import threading
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Iterator

from annotator.errors import AnnotatorError, BadInput, ChangedSince, CorpusError, WriteFailure
from annotator.corpus.model import (
    AnnotationFile,
    Memo,
    SourceFile,
    Span,
    Tag,
    Theme,
    now_iso,
    themes_from_yaml,
)
from annotator.corpus import annotations_fast, outline_cache, read_cache
from annotator.corpus.outline import Outline, read_outline
from annotator.corpus.workspace import Workspace
from annotator.corpus.yamlio import os_error_reason, parse_yaml, read_yaml, read_yaml_text, write_target, write_yaml

LOCK_TIMEOUT_S = 30

# A refused write in a workspace the user cannot write (its index kept elsewhere: Workspace.derived_home).
READ_ONLY_HINT = (" (this workspace is read-only for you: search and read it here, or copy the folder"
                  " somewhere you can write to change it)")

THEMES_HEADER = "# The codebook: one entry per theme. Edit freely; ids are stable, names may change.\n"


def file_signature(path: Path) -> tuple[int, ...] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    # Every atomic write makes a new inode: two writes in one mtime tick with the same size still differ.
    # ctime too, which no user or tool can set back: an in-place edit that keeps the size and restores
    # the mtime (`touch -d`, git checkout, a sync tool) still changes it.
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


class Store:
    """Read and write one workspace's corpus files, caching each by its signature."""

    def __init__(self, workspace: Workspace):
        self.ws = workspace
        self._cache: dict[Path, tuple[tuple[int, ...] | None, object]] = {}
        self._from_read_cache: set[Path] = set()  # entries read from index/read-cache, not the YAML
        self._outlines: dict[Path, tuple[tuple[int, ...] | None, Outline]] = {}  # passages files read without texts
        self._file_lock = None  # made on the first write: importing filelock costs a cold start ~30 ms
        self._file_lock_made = threading.Lock()

    # -- locking -----------------------------------------------------------------

    def _lock(self):
        with self._file_lock_made:  # one FileLock per store, or the lock would not be re-entrant
            if self._file_lock is None:
                from filelock import FileLock  # not before the TUI's first frame

                self._file_lock = FileLock(str(self.ws.lock_file), timeout=LOCK_TIMEOUT_S)
            return self._file_lock

    @contextmanager
    def locked(self) -> Iterator[None]:
        """Hold the workspace write lock (re-entrant within one process)."""
        from filelock import Timeout  # not before the TUI's first frame

        lock = self._lock()
        try:
            lock.acquire()
        except Timeout:
            raise AnnotatorError(
                f"another annotator process has held {self.ws.lock_file} for {LOCK_TIMEOUT_S}s; try again"
            ) from None
        except OSError as exc:  # a read-only or full disk, or a lock file that is a symbolic link
            raise WriteFailure(f"cannot take the workspace lock {self.ws.lock_file}: {_lock_problem(exc)}; nothing was changed") from None
        try:
            yield
        except WriteFailure as exc:
            if not self.ws.read_only or READ_ONLY_HINT in str(exc):
                raise
            raise WriteFailure(f"{exc}{READ_ONLY_HINT}") from None
        finally:
            lock.release()

    # -- cached reading ------------------------------------------------------------

    def _cached(self, path: Path, parse, *, read_cache_ok: bool = True):
        signature = file_signature(path)
        hit = self._cache.get(path)
        if hit is not None and hit[0] == signature and signature is not None:
            return hit[1]
        self._from_read_cache.discard(path)
        value = None
        if parse is annotation_file_from_yaml and signature is not None and read_cache_ok:
            value = read_cache.load(self.ws, path, signature)
            if value is not None:
                self._from_read_cache.add(path)
        if value is None:
            value = _read_annotations(path) if parse is annotation_file_from_yaml else parse(read_yaml(path), path)
            if parse is annotation_file_from_yaml and signature is not None:
                read_cache.save(self.ws, path, signature, value)
        self._cache[path] = (signature, value)
        return value

    def _remember(self, path: Path, value) -> None:
        self._from_read_cache.discard(path)
        self._cache[path] = (file_signature(path), value)

    def _annotations_for_write(self, annotator: str) -> AnnotationFile:
        """A write starts from the YAML itself, never from index/read-cache (derived data)."""
        path = self.ws.annotation_file(annotator)
        if path in self._from_read_cache:
            self.forget(path)
        if not path.exists():
            return AnnotationFile(annotator)
        return self._cached(path, annotation_file_from_yaml, read_cache_ok=False)

    # -- themes ------------------------------------------------------------------

    def themes(self) -> list[Theme]:
        return list(self._cached(self.ws.themes_file, themes_from_yaml))

    def save_themes(self, themes: list[Theme]) -> None:
        with self.locked():
            _write_under_lock(self.ws.themes_file, [t.to_yaml() for t in themes], header=THEMES_HEADER)
            self._remember(self.ws.themes_file, list(themes))

    # -- sources and passages --------------------------------------------------------

    def source_paths(self) -> list[Path]:
        folder = self.ws.passages_dir
        if not folder.is_dir():
            return []
        # By source id (the file's stem), as corpus order has them (annotator.engine.schema): `keeper`
        # before `keeper-2`, which a sort by whole file name puts first.
        return sorted((p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith(".")),
                      key=lambda p: (p.stem, p.name))

    def load_source_path(self, path: Path) -> SourceFile:
        source_file = self._cached(path, SourceFile.from_yaml)
        expected = path.stem
        if source_file.source.id != expected:
            raise CorpusError(path, f"source id '{source_file.source.id}' does not match the file name '{expected}.yaml'")
        return source_file

    def load_source(self, source_id: str) -> SourceFile | None:
        path = self.ws.source_file(source_id)
        return self.load_source_path(path) if path.exists() else None

    def forget(self, path: Path) -> None:
        """Drop one file from the read cache (the index builder streams a large corpus through)."""
        self._cache.pop(path, None)
        self._outlines.pop(path, None)
        self._from_read_cache.discard(path)

    def is_cached(self, path: Path) -> bool:
        return path in self._cache

    def sources(self) -> list[SourceFile]:
        files = [self.load_source_path(p) for p in self.source_paths()]
        check_unique_passage_ids((self.ws.source_file(sf.source.id), [p.id for p in sf.passages]) for sf in files)
        return files

    def outlines(self) -> list[Outline]:
        """Each passages file's source, passage ids and locations, in the order of sources(), with
        the same checks: what the grid needs, read without the texts unless already read whole."""
        outlines = [self._outline(path) for path in self.source_paths()]
        check_unique_passage_ids((self.ws.source_file(o.source.id), o.ids) for o in outlines)
        return outlines

    def _outline(self, path: Path) -> Outline:
        signature = file_signature(path)
        for cache in (self._cache, self._outlines):
            hit = cache.get(path)
            if hit is not None and hit[0] == signature and signature is not None:
                return hit[1] if cache is self._outlines else _outline_of(hit[1])
        kept = outline_cache.load(self.ws, path, signature) if signature is not None else None
        if kept is not None:  # as the last command outlined it (index/read-cache)
            self._outlines[path] = (signature, kept)
            return kept
        text = read_yaml_text(path)
        outline = None if text is None else read_outline(text)
        if outline is None:  # not in annotator's own shape: read whole (which reports any error)
            outline = _outline_of(self.load_source_path(path))
        else:
            if outline.source.id != path.stem:
                self.load_source_path(path)  # says what is wrong, as any read of the file does
            self._outlines[path] = (signature, outline)
        if signature is not None:
            outline_cache.save(self.ws, path, signature, outline)
        return outline

    def save_source(self, source_file: SourceFile) -> None:
        path = self.ws.source_file(source_file.source.id)
        with self.locked():
            _write_under_lock(path, source_file.to_yaml())
            self._remember(path, source_file)

    # -- annotations -------------------------------------------------------------

    def annotation_paths(self) -> list[Path]:
        folder = self.ws.annotations_dir
        if not folder.is_dir():
            return []
        return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and not p.name.startswith("."))

    def annotations(self, annotator: str) -> AnnotationFile:
        path = self.ws.annotation_file(annotator)
        if not path.exists():
            return AnnotationFile(annotator)
        return self._cached(path, annotation_file_from_yaml)

    def all_annotations(self) -> list[AnnotationFile]:
        return [self._cached(p, annotation_file_from_yaml) for p in self.annotation_paths()]

    def annotators(self) -> list[str]:
        return [a.annotator for a in self.all_annotations()]

    def all_tags(self) -> list[Tag]:
        return [tag for af in self.all_annotations() for tag in af.tags]

    def _save_annotations(self, annotator: str, annotations: AnnotationFile) -> None:
        # The file name, never the `annotator:` key inside, says where (the reader refuses a key that differs).
        path = self.ws.annotation_file(annotator)
        _write_under_lock(path, annotations.to_yaml())
        self._remember(path, annotations)

    def _edit_annotations(self, annotator: str, edit) -> object:
        """Read-modify-write one annotator's file under the lock; `edit` returns what changed."""
        validate_annotator(annotator)
        with self.locked():
            # Re-read under the lock if another process wrote since: every atomic write makes a
            # new inode, so the file's signature tells without parsing it again.
            current = self._annotations_for_write(annotator)
            annotations = AnnotationFile(current.annotator, list(current.tags), list(current.memos), current.extra)
            changed = edit(annotations)
            if changed:
                self._save_annotations(annotator, annotations)
            return changed

    def add_tags(
        self, annotator: str, passage_id: str, theme_ids: list[str], comment: str | None = None, at: str | None = None
    ) -> list[str]:
        """Tag a passage; returns the theme ids newly added. A comment is set on each named tag."""
        stamp = at or now_iso()

        def edit(annotations: AnnotationFile) -> list[str]:
            added = []
            changed = False
            for theme_id in theme_ids:
                existing = annotations.find(passage_id, theme_id)
                if existing is None:
                    annotations.tags.append(Tag(passage_id, theme_id, annotator, stamp, comment or None))
                    added.append(theme_id)
                    changed = True
                elif comment is not None and existing.comment != (comment or None):
                    existing.comment = comment or None
                    changed = True
            return added or changed

        result = self._edit_annotations(annotator, edit)
        return result if isinstance(result, list) else []

    def remove_tags(self, annotator: str, passage_id: str, theme_ids: list[str]) -> list[str]:
        """Untag a passage; returns the theme ids actually removed."""

        def edit(annotations: AnnotationFile) -> list[str]:
            wanted = set(theme_ids)
            removed = [t.theme for t in annotations.tags if t.passage == passage_id and t.theme in wanted]
            annotations.tags = [t for t in annotations.tags if not (t.passage == passage_id and t.theme in wanted)]
            return removed

        return self._edit_annotations(annotator, edit) or []

    def remove_tag_as_was(self, tag: Tag, verb: str) -> None:
        """Remove the tag only if it is still exactly `tag` (for undo and redo): one changed since
        (a comment, words, a field added elsewhere) or gone raises ChangedSince, nothing written."""

        def edit(annotations: AnnotationFile) -> bool:
            position = _position(annotations, tag.passage, tag.theme)
            if position is None:
                raise ChangedSince(f"not {verb}: {tag.passage} has no '{tag.theme}' tag by {tag.annotator} any more "
                                   "(changed since, elsewhere); nothing changed")
            current = annotations.tags[position]
            if current != tag or dict(current.extra) != dict(tag.extra):
                raise ChangedSince(f"not {verb}: {tag.annotator}'s '{tag.theme}' tag on {tag.passage} was changed "
                                   "since (its comment, words or fields); nothing changed")
            del annotations.tags[position]
            return True

        self._edit_annotations(tag.annotator, edit)

    def restore_tag(self, tag: Tag) -> bool:
        """Put back a tag exactly as it was (for undo): same time and comment."""

        def edit(annotations: AnnotationFile) -> bool:
            if annotations.find(tag.passage, tag.theme):
                return False
            annotations.tags.append(Tag(tag.passage, tag.theme, annotations.annotator, tag.at, tag.comment, tag.extra,
                                        tag.spans))
            return True

        return bool(self._edit_annotations(tag.annotator, edit))

    def merge_tags(self, annotator: str, tags: list[Tag], file_fields: dict | None = None) -> list[Tag]:
        """Add many tags (their time and comment kept) to one annotator's file in one locked write;
        tags already there stay as they are. `file_fields` are set on the file (e.g. `consensus_of`).
        Returns the tags added."""

        def edit(annotations: AnnotationFile) -> list[Tag] | bool:
            added = []
            have = {(t.passage, t.theme) for t in annotations.tags}
            for tag in tags:
                if (tag.passage, tag.theme) not in have:
                    have.add((tag.passage, tag.theme))
                    added.append(Tag(tag.passage, tag.theme, annotations.annotator, tag.at, tag.comment, spans=tag.spans))
            annotations.tags.extend(added)
            changed_fields = bool(file_fields) and any(annotations.extra.get(k) != v for k, v in file_fields.items())
            if changed_fields:
                annotations.extra = {**annotations.extra, **file_fields}
            return added or changed_fields

        result = self._edit_annotations(annotator, edit)
        return result if isinstance(result, list) else []
    def add_span(self, annotator: str, passage_id: str, theme_id: str, span: Span, comment: str | None = None,
                 at: str | None = None) -> str:
        """Tag some words of a passage: "new" (a new tag), "added" (a span on the tag it had), or ""
        (the tag has that span already; a comment given is still set)."""

        def edit(annotations: AnnotationFile) -> str | bool:
            position = _position(annotations, passage_id, theme_id)
            if position is None:
                annotations.tags.append(Tag(passage_id, theme_id, annotator, at or now_iso(), comment or None, spans=(span,)))
                return "new"
            tag = annotations.tags[position]
            spans = tag.spans if span in tag.spans else tag.spans + (span,)
            new_comment = tag.comment if comment is None else (comment or None)
            if spans == tag.spans and new_comment == tag.comment:
                return False
            annotations.tags[position] = replace(tag, spans=spans, comment=new_comment)
            return "added" if spans != tag.spans else True

        result = self._edit_annotations(annotator, edit)
        return result if isinstance(result, str) else ""

    def remove_span(self, annotator: str, passage_id: str, theme_id: str, span: Span, *, keep_tag: bool = False) -> Tag | None:
        """Take a span off a tag; the tag as it was, or None if it had no such span. The last span
        taken removes the tag too, unless `keep_tag` (it then stands for the whole passage again)."""

        def edit(annotations: AnnotationFile) -> Tag | None:
            position = _position(annotations, passage_id, theme_id)
            if position is None or span not in annotations.tags[position].spans:
                return None
            tag = annotations.tags[position]
            spans = tuple(s for s in tag.spans if s != span)
            if spans or keep_tag:
                annotations.tags[position] = replace(tag, spans=spans)
            else:
                del annotations.tags[position]
            return tag

        return self._edit_annotations(annotator, edit)

    def add_memo(self, annotator: str, passage_id: str, text: str) -> Memo:
        memo = Memo(passage_id, text, annotator, now_iso())

        def edit(annotations: AnnotationFile) -> bool:
            annotations.memos.append(memo)
            return True

        self._edit_annotations(annotator, edit)
        return memo

    def rewrite_all_annotations(self, edit) -> int:
        """Apply `edit` to a fresh copy of every annotator's file under the lock; each changed file is
        rewritten atomically. `edit` returns how many records it changed; returns the total."""
        total = 0
        with self.locked():
            # Read (and so validate) every file before writing any: a malformed one stops the edit untouched.
            copies = []
            for path in self.annotation_paths():
                self.forget(path)  # re-read under the lock, from the YAML
                current = self._cached(path, annotation_file_from_yaml, read_cache_ok=False)
                copies.append((path, AnnotationFile(
                    current.annotator,
                    [Tag(t.passage, t.theme, t.annotator, t.at, t.comment, dict(t.extra), t.spans) for t in current.tags],
                    [Memo(m.passage, m.text, m.annotator, m.at, dict(m.extra)) for m in current.memos],
                    current.extra,
                )))
            for path, copy in copies:
                changed = int(edit(copy) or 0)
                if changed:
                    _write_under_lock(path, copy.to_yaml())
                    self._remember(path, copy)
                    total += changed
        return total

    def signatures(self) -> dict[str, tuple[int, ...]]:
        """mtime and size of every corpus file, keyed by path relative to the workspace."""
        paths = [self.ws.themes_file, *self.source_paths(), *self.annotation_paths()]
        result = {}
        for path in paths:
            sig = file_signature(path)
            if sig is not None:
                result[os.path.relpath(path, self.ws.root)] = sig
        return result


def _position(annotations: AnnotationFile, passage_id: str, theme_id: str) -> int | None:
    return next((i for i, t in enumerate(annotations.tags) if t.passage == passage_id and t.theme == theme_id), None)


def annotation_file_from_yaml(data, path: Path) -> AnnotationFile:
    """One `annotations/<name>.yaml`, whose `annotator:` key (if any) must be its file name: the
    file name decides where a write goes, so a copied file or a key like `../../x` is refused."""
    annotations = AnnotationFile.from_yaml(data, path)
    if annotations.annotator != path.stem:
        raise CorpusError(path, f"annotator '{annotations.annotator}' does not match the file name '{path.name}'; "
                                "rename the file or correct the key", getattr(data, "line", None))
    return annotations


def _outline_of(source_file: SourceFile) -> Outline:
    return Outline(source_file.source, [p.id for p in source_file.passages], [p.location for p in source_file.passages])


def _read_annotations(path: Path) -> AnnotationFile:
    """An annotation file read from its YAML: annotator's own shape by annotations_fast, the rest
    (and every error) by yamlio."""
    text = read_yaml_text(path)
    if text is not None:
        annotations = annotations_fast.read(text, path)
        if annotations is not None and annotations.annotator == path.stem:
            return annotations
    return annotation_file_from_yaml(None if text is None else parse_yaml(text, path), path)


def check_unique_passage_ids(files: Iterable[tuple[Path, list[str]]]) -> None:
    """Raise a CorpusError naming both files if a passage id is used in two source files."""
    owner: dict[str, Path] = {}
    for path, ids in files:
        for passage_id in ids:
            other = owner.setdefault(passage_id, path)
            if other is not path and other != path:  # (`is` first: Path.__eq__ is slow, 100k times)
                raise CorpusError(path, f"passage id '{passage_id}' is also used in {other.name}")


def _write_under_lock(path: Path, data, header: str = "") -> None:
    """write_yaml for a caller holding the workspace lock. A temporary file beside `path` can then
    only be a writer's that was killed between writing and renaming: it is cleared away."""
    target = write_target(path)
    for stale in target.parent.glob(f".{glob.escape(target.name)}.*.tmp"):
        stale.unlink(missing_ok=True)
    write_yaml(path, data, header=header)


def _lock_problem(exc: OSError) -> str:
    if exc.errno == errno.ELOOP:
        return "it is a symbolic link (remove it; it is made again as a plain file)"
    return os_error_reason(exc)


def validate_annotator(name: str) -> str:
    if not name or not all(ch.isalnum() or ch in "-_." for ch in name) or name.startswith(".") or len(name) > 100:
        raise BadInput(f"annotator name '{name}' may use only letters, digits, '-', '_' and '.' (at most 100)")
    return name
