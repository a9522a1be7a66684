"""The Whoosh index over passages and theme notes: derived data, rebuilt when needed.

The index lives in `index/` beside the corpus. A manifest records the signature
(mtime, size) of every corpus file it was built from and the themes each passage
carried, so opening the index can tell what changed and update only that: a
changed source file re-indexes that source, a changed codebook re-indexes the
notes, a changed annotation file re-indexes the passages whose themes moved.
A missing, corrupt or older-format index is rebuilt from the corpus.
"""

from __future__ import annotations

import errno
import json
import os
import pickle
import re
import shutil
import struct
import time
import zlib
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable

from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from annotator.engine import fastpath, whoosh_internals
from annotator.engine.analysis import ENGLISH
from annotator.engine.schema import (  # noqa: F401 - the schema's names, importable from here as before
    INDEX_NAME, NOTE_ORDER_BASE, NOTE_PREFIX, SOURCE_STRIDE, StoredNumberColumn, default_language, make_schema,
    note_doc, passage_doc, position_between, source_language, text_analyzer, with_language,
)
from annotator.errors import AnnotatorError
from annotator.corpus.model import Passage, Source
from annotator.corpus.store import Store, file_signature
from annotator.engine import index_seal
from annotator.corpus.yamlio import atomic_write_text, parse_yaml, read_regular_file

# 2: text postings keep positions only; 3: `order` a stored column, not indexed; 4: bulk-built segments
# carry a term table (annotator.engine.fast.termtable), which an older index lacks: it is rebuilt once, with the
# usual one-line notice, rather than read the slow way (through Whoosh's postings) from then on;
# 5: the term table holds the text field's positions (phrases are checked from it); 6: and the
# segment's stored fields (a page of results is read from it); 7: accents folded, a folding word
# also indexed as written, CJK characters are tokens, each passage in its language (engine.analysis);
# 8: corpus order is sources by id (schema.py), at positions the manifest records, not by import time.
SCHEMA_VERSION = 8
MANIFEST = "manifest.json"
# Segments this small (left by small updates): beyond MAX_SMALL_SEGMENTS of them, each commit folds
# the FOLD_AT_ONCE smallest into its own new segment.
SMALL_SEGMENT = 2_000
MAX_SMALL_SEGMENTS = 10
FOLD_AT_ONCE = 3
# What a passage's index document stores; an unchanged one is not re-indexed.
STORED_PASSAGE_FIELDS = ("kind", "source", "location", "title", "themes", "order", "text", "language")
# Tag changes wait in memory (SearchIndex.pending_tags) until a sync; past this many passages, sync.
MAX_PENDING_TAGS = 500
# What damaged index files raise when Whoosh reads them (a bad compressed block, a short or
# garbled record, a bad pickle of stored fields): never a bug of ours, so the index is rebuilt.
# Any other error that persists is checked for damage (SearchIndex._damage) before a rebuild.
DAMAGE_ERRORS = (zlib.error, struct.error, EOFError, pickle.UnpicklingError, UnicodeDecodeError)

Progress = Callable[[int, int], None]


@dataclass
class Manifest:
    schema: int = SCHEMA_VERSION
    files: dict[str, list[int]] = field(default_factory=dict)
    tags: dict[str, list[str]] = field(default_factory=dict)
    source_positions: dict[str, int] = field(default_factory=dict)  # source id -> its position in corpus order

    @classmethod
    def read(cls, folder: Path) -> "Manifest | None":
        """The manifest, or None: missing, unreadable, or not sealed by this user's annotator for the
        files beside it (annotator.engine.index_seal): such an index is never opened, only rebuilt."""
        try:
            data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
            given = data.pop("seal", None)
            if not index_seal.sealed(folder, json.dumps(data, separators=(",", ":")), given):
                return None
            # (an older manifest has no positions: its index is rebuilt, being of an older schema)
            return cls(int(data["schema"]), dict(data["files"]), dict(data["tags"]), dict(data.get("source_positions") or {}))
        except (OSError, ValueError, KeyError, TypeError, AttributeError):
            return None

    def write(self, folder: Path) -> None:
        """Write it, sealed for the index files in `folder` now: call it after every commit."""
        payload = {"schema": self.schema, "files": self.files, "tags": self.tags, "source_positions": self.source_positions}
        text = json.dumps(payload, separators=(",", ":"))
        sealed = {"seal": index_seal.seal(folder, text), **payload}
        atomic_write_text(folder / MANIFEST, json.dumps(sealed, separators=(",", ":")))


def tag_map(store: Store) -> dict[str, list[str]]:
    """passage id -> sorted theme ids, over every annotator's tags."""
    result: dict[str, set[str]] = {}
    for tag in store.all_tags():
        result.setdefault(tag.passage, set()).add(tag.theme)
    return {pid: sorted(themes) for pid, themes in result.items()}


def document_from_stored(stored: dict) -> dict:
    """The index document again, from a document's stored fields (all but `tagged`, which follows from themes)."""
    doc = {**stored, "tagged": "yes" if stored.get("themes") else "no"}
    return with_language(doc, stored.get("language") or ENGLISH)


def fold_small_segments(writer, segments, searcher=None):
    """A merge policy for BulkWriter: while small updates have left more than MAX_SMALL_SEGMENTS
    small segments, each commit writes the documents of the smallest few again into its new
    segment and drops them, a little at every commit rather than much at once.

    Whoosh's own MERGE_SMALL would, as the number of segments grows, also fold in the
    large segments of a full build, which costs minutes on a large corpus. The stored
    fields are read through `searcher`'s open segment readers where it has them.
    """
    from whoosh.reading import SegmentReader

    small = [seg for seg in segments if seg.doc_count_all() <= SMALL_SEGMENT]
    if len(small) <= MAX_SMALL_SEGMENTS:
        return segments
    small = sorted(small, key=lambda seg: seg.doc_count_all())[:FOLD_AT_ONCE]
    open_readers = {}
    if searcher is not None and not searcher.is_closed:
        open_readers = {r.segment().segment_id(): r for r, _ in searcher.reader().leaf_readers() if r.segment() is not None}
    for seg in small:
        reader = open_readers.get(seg.segment_id())
        own = reader is None
        if own:
            reader = SegmentReader(writer.storage, writer.schema, seg)
        try:
            for docnum in range(seg.doc_count_all()):
                if not seg.is_deleted(docnum):  # the writer's record: it holds this commit's deletions
                    writer.add_document(**document_from_stored(reader.stored_fields(docnum)))
        finally:
            if own:
                reader.close()
    folded = {seg.segment_id() for seg in small}
    return [seg for seg in segments if seg.segment_id() not in folded]


class NoRoomInCorpusOrder(Exception):
    """An update found no position left for a new source between two others: the index is rebuilt."""


@dataclass
class SyncReport:
    rebuilt: bool = False
    reason: str = ""
    sources_updated: list[str] = field(default_factory=list)
    passages_retagged: int = 0
    notes_updated: bool = False

    @property
    def changed(self) -> bool:
        return self.rebuilt or bool(self.sources_updated) or bool(self.passages_retagged) or self.notes_updated


def open_index(folder: Path):
    """Open the index without memory-mapping its files: mapped pages count in the RSS of a
    process that searches a 100k-passage index, and plain reads are as fast here."""
    storage = FileStorage(str(folder), supports_mmap=False)
    return storage.open_index(INDEX_NAME)


def _source_head(path: Path) -> tuple[str, int] | None:
    """(id, passage count estimate) from the `source:` block at the top of a passages file."""
    try:
        text = read_regular_file(path).decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    cut = text.find("\npassages:")
    if cut < 0:
        return None
    try:
        data = parse_yaml(text[:cut], path)
        source = Source.from_yaml(data["source"], path)
    except Exception:  # a head this quick read cannot take: the caller reads the whole file, reporting any error
        return None
    if source.id != path.stem:
        return None
    return source.id, text.count("\n- id:") + text.count("\n  - id:")


def _folder_identity(folder: Path):
    state = _folder_state(folder)
    return state[:2] if state is not None else None


def _folder_state(folder: Path):
    """(device, inode, mtime in ns) of the index folder: a commit adds and removes files in it, which moves its mtime."""
    try:
        st = os.stat(folder)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_mtime_ns)


# A folder mtime this old is trusted to move with the next change, however coarse the file system's clock
# (as git trusts a file's mtime only when it is older than the index that recorded it).
SETTLED_NS = 2_000_000_000


def verify_index(folder: Path) -> str:
    """'' when every segment's stored documents, term lists and corpus order read back; else what failed.

    A read of everything a search reads but the postings: a few seconds at 100k passages,
    paid only when a read has failed twice.
    """
    try:
        ix = open_index(folder)
        try:
            with ix.searcher() as searcher:
                for sub, _ in searcher.leaf_searchers():
                    _verify_segment(sub.reader())
        finally:
            ix.close()
    except Exception as exc:  # whatever fails in reading back is damage: the caller rebuilds
        return _error_name(exc)
    return ""


def _adopt_ctimes(recorded: dict[str, list[int]], current: dict[str, list[int]]) -> bool:
    """A manifest written before signatures held the ctime (mtime, size, inode only) takes the
    current ctime of each file those three still match: the move to the new signature costs no
    re-reading of every source (what it did not catch before, it does not catch this once)."""
    adopted = False
    for path, signature in recorded.items():
        now = current.get(path)
        if len(signature) == 3 and now is not None and now[:3] == signature:
            recorded[path] = now
            adopted = True
    return adopted


def _error_name(exc: Exception) -> str:
    kind = type(exc)
    return kind.__name__ if kind.__module__ == "builtins" else f"{kind.__module__.lstrip('_')}.{kind.__name__}"


def _verify_segment(reader) -> None:
    for docnum in range(reader.doc_count_all()):
        if not reader.is_deleted(docnum) and "id" not in reader.stored_fields(docnum):
            raise KeyError("id")
    for fieldname in reader.indexed_field_names():
        for _ in reader.lexicon(fieldname):
            pass
    if reader.has_column("order"):
        column = reader.column_reader("order")
        for docnum in range(reader.doc_count_all()):
            column[docnum]


# What a killed writer leaves in the index folder: a table of contents or a manifest before its rename.
_LEFTOVER = re.compile(rf"_{INDEX_NAME}_[0-9]+\.toc\..|\.{re.escape(MANIFEST)}\..*\.tmp$")


def _keep_embeddings(old: Path, new: Path) -> None:
    """The passages' embeddings (annotator.engine.meaning) outlive a rebuild: they are keyed by text,
    and computing them again takes minutes."""
    kept = old / "meaning"
    # Never through a link: one planted in a crafted workspace (as `index`, `index.old` or the
    # `meaning` folder) would move a folder from where it points, or have embeddings written there.
    if old.is_symlink() or kept.is_symlink():
        return
    if kept.is_dir() and not (new / "meaning").exists():
        try:
            os.replace(kept, new / "meaning")
        except OSError:
            pass


def _discard(path: Path) -> None:
    """Remove a leftover beside the index: a folder with what it holds, a file or a symbolic link
    by itself (never what a link points to; a crafted workspace can hold one under any name)."""
    if path.is_symlink() or not path.is_dir():
        try:
            path.unlink()
        except OSError:  # gone already: nothing to remove
            pass
    else:
        shutil.rmtree(path, ignore_errors=True)


class SearchIndex:
    """Opens, builds and incrementally updates the Whoosh index of one workspace."""

    def __init__(self, store: Store, *, fast_paths: bool | None = None):
        self.store = store
        # False: every search is Whoosh's own (no NumPy scorer, term tables or reader-keeping
        # refresh), over the same index; the default follows ANNOTATOR_FAST_PATHS (annotator.engine.fastpath).
        self.fast_paths = fastpath.enabled_by_default() if fast_paths is None else fast_paths
        self.folder = store.ws.index_dir
        self._ix = None
        self._manifest: Manifest | None = None
        self._searcher = None
        self._searcher_folder = None
        self._settled_state = None  # the folder's state when the searcher was last found up to date
        # Theme sets changed by this process's tagging and not yet committed to the index:
        # passage id -> sorted theme ids. Searches apply them; a full sync commits them.
        self.pending_tags: dict[str, list[str]] = {}
        self._scorer = None
        self._postings = None
        # Told "rebuilt the index (reason)" when a read found the index damaged and rebuilt it:
        # the CLI warns, the TUI notifies (a rebuild at sync time is reported by sync's SyncReport).
        self.on_rebuild: Callable[[str], None] | None = None

    # -- opening -------------------------------------------------------------------

    def open(self):
        if self._ix is None:
            if Manifest.read(self.folder) is None:  # not sealed here: never opened (see index_seal)
                self.sync()
            try:
                self._ix = self._ix or open_index(self.folder)
            except Exception:  # missing or damaged (derived data): build it from the corpus
                self.sync()
                self._ix = self._ix or open_index(self.folder)
        return self._ix

    def document_count(self) -> int:
        """How many documents (passages and theme notes) the index holds."""
        with self.open().searcher() as searcher:
            return searcher.doc_count()

    def read(self, fn):
        """Run `fn()`, a read of the index, retrying it if another process swapped the index mid-read.

        A commit or rebuild elsewhere can delete the files a reader is about to open;
        the read is retried on the fresh index, then once more after a sync (repair).
        When the read fails again and the index turns out damaged (flipped bytes in a
        segment: a zlib, struct or pickle error), it is rebuilt from the corpus, as a
        missing index is, and the read is answered from the new one.
        """
        for attempt in range(3):
            try:
                return fn()
            except (AnnotatorError, AttributeError, TypeError, NameError):  # a user's error, or a bug: no retry
                raise
            except Exception as exc:  # the index (derived data) swapped or damaged mid-read: read it again, then repair
                if attempt == 2:
                    raise
                self.close()
                if attempt == 1:
                    damage = self._damage(exc)
                    if damage:
                        self._rebuild_damaged(damage)
                    else:
                        self.sync()
                time.sleep(0.02)

    def _damage(self, exc: Exception) -> str:
        """Why the index is damaged, given a read that failed twice with `exc`; '' when it is sound."""
        if isinstance(exc, DAMAGE_ERRORS) or (isinstance(exc, OSError) and exc.errno == errno.EINVAL):
            return f"index damaged ({_error_name(exc)})"  # EINVAL: a seek to a garbled (negative) offset
        found = verify_index(self.folder)
        return f"index damaged ({found})" if found else ""

    def _rebuild_damaged(self, reason: str) -> None:
        self.sync(force=True)
        if self.on_rebuild is not None:
            self.on_rebuild(reason)

    def close(self) -> None:
        self._drop_searcher()
        self._postings = None  # the scorer's segment data, with its memory-mapped term tables
        if self._ix is not None:
            self._ix.close()
        self._ix = None

    # -- a searcher kept open between searches (opening one costs more than a search) --

    def searcher(self):
        """An open searcher on the latest commit; refreshed only when the index changed."""
        ix = self.open()
        current = self._searcher
        state = _folder_state(self.folder)
        folder_id = state[:2] if state is not None else None
        if current is not None and (current.is_closed or folder_id != self._searcher_folder):
            self._drop_searcher()  # closed, or the index was rebuilt (a new folder swapped in)
            current = None
        if current is not None and state is not None and state == self._settled_state:
            return current  # no file added, removed or renamed in the folder since it was last found up to date
        self._settled_state = None
        if current is None:
            current = ix.searcher()
            self._searcher_folder = folder_id
        elif not current.up_to_date():
            if self.fast_paths:
                current = self._refreshed_searcher(ix, current)
            else:  # a new searcher, no reader kept
                current.close()
                current = ix.searcher()
            self._scorer = None
            self._searcher_folder = folder_id
        self._searcher = current
        if self.fast_paths and state is not None and time.time_ns() - state[2] > SETTLED_NS:
            self._settled_state = state  # read before the check above: a later commit moves the mtime
        return current

    @staticmethod
    def _refreshed_searcher(ix, old):
        """A searcher on the latest commit that keeps `old`'s readers of the segments still in it.

        Opening a large segment's reader costs more than a small commit, so readers are
        reused, as Searcher.refresh() does; unlike it, each reused reader takes its
        segment's new record (with the deletions made since), not the stale one.
        """
        leaves = [reader for reader, _ in old.reader().leaf_readers()]
        if not all(whoosh_internals.reader_is_rebaseable(r) for r in leaves):
            old.close()
            return ix.searcher()
        try:
            return SearchIndex._searcher_reusing(ix, leaves)
        except Exception as exc:  # a bug in this fast path: loud under the tests, else logged
            fastpath.failed(Path(ix.storage.folder), "searcher refresh", exc)
            old.close()
            return ix.searcher()

    @staticmethod
    def _searcher_reusing(ix, leaves):
        from whoosh.reading import MultiReader, SegmentReader
        from whoosh.searching import Searcher

        toc = whoosh_internals.read_toc(ix)
        reusable = {reader.segment().segment_id(): reader for reader in leaves}
        readers = []
        for segment in toc.segments:
            reader = reusable.pop(segment.segment_id(), None)
            if reader is None:
                reader = SegmentReader(ix.storage, toc.schema, segment, generation=toc.generation)
            else:
                whoosh_internals.rebase_reader(reader, segment, toc.generation)
            readers.append(reader)
        for reader in reusable.values():
            reader.close()
        if not readers:
            return ix.searcher()
        if len(readers) == 1:
            return Searcher(readers[0], fromindex=ix)
        return Searcher(MultiReader(readers, generation=toc.generation), fromindex=ix)

    def scorer_made(self):
        """The NumPy scorer already made for the searcher, if any: unlike vector_scorer(), this never
        refreshes the searcher (which would close the readers of a search under way)."""
        return self._scorer

    def vector_scorer(self):
        """The NumPy BM25F scorer for the current searcher (annotator.engine.fast.fastscore); None if unusable."""
        if not self.fast_paths:
            return None
        from annotator.engine.fast.fastscore import PostingsCache, Unsupported, VectorScorer  # NumPy: at the first search

        searcher = self.searcher()
        if self._scorer is None or self._scorer.searcher is not searcher:
            if self._postings is None:
                self._postings = PostingsCache()
            try:
                self._scorer = VectorScorer(searcher, self._postings)
                self._scorer.folder = self.folder  # where a failure of it is logged
            except Unsupported:  # a weighting it does not reproduce: Whoosh's own path, by design
                return None
            except Exception as exc:  # a bug in the fast path: loud under the tests, else logged
                fastpath.failed(self.folder, "scorer setup", exc)
                self._postings = None  # whatever it read may be what failed
                return None
        return self._scorer

    def _drop_searcher(self) -> None:
        if self._searcher is not None:
            try:
                self._searcher.close()
            except Exception:  # closing readers of derived data already gone (a rebuilt index): nothing to keep
                pass
        self._searcher = None
        self._scorer = None
        self._settled_state = None

    @property
    def manifest(self) -> Manifest:
        if self._manifest is None:
            self._manifest = Manifest.read(self.folder) or Manifest()
        return self._manifest

    def _problem(self) -> str:
        """Why the index cannot be used as it is, or '' when it can."""
        if not self.folder.exists():
            return "no index yet"
        # Before anything of the folder is opened (Whoosh unpickles its table of contents): the seal.
        manifest = Manifest.read(self.folder)
        if manifest is None:
            return "index manifest missing, unreadable or not made here"
        try:
            present = whoosh_index.exists_in(str(self.folder), indexname=INDEX_NAME)
        except Exception as exc:  # a damaged table of contents
            return f"index unreadable ({type(exc).__name__})"
        if not present:
            return "index missing"
        if manifest.schema != SCHEMA_VERSION:
            return "index from an older version"
        try:
            ix = open_index(self.folder)
            with ix.searcher() as searcher:
                searcher.doc_count()
            if set(ix.schema.names()) != set(make_schema().names()):
                ix.close()
                return "index from an older version"
        except Exception as exc:  # a damaged index can fail in many ways; all mean "rebuild"
            return f"index unreadable ({type(exc).__name__})"
        self._ix = ix
        self._manifest = manifest
        return ""

    # -- syncing with the corpus -----------------------------------------------------

    def sync(self, progress: Progress | None = None, force: bool = False) -> SyncReport:
        """Bring the index up to date with the corpus; rebuild it if it is unusable."""
        with self.store.locked():
            self._clear_leftovers()
            problem = "rebuild requested" if force else self._problem()
            if problem:
                self.rebuild(progress)
                self.pending_tags = {}
                return SyncReport(rebuilt=True, reason=problem)
            try:
                report = self._update()
            except NoRoomInCorpusOrder as exc:  # (found before anything was written)
                self.rebuild(progress)
                self.pending_tags = {}
                return SyncReport(rebuilt=True, reason=str(exc))
            except AnnotatorError:
                raise
            except Exception as exc:  # reading the index to update it: damage found means rebuild
                damage = self._damage(exc)
                if not damage:
                    raise
                self.rebuild(progress)
                self.pending_tags = {}
                return SyncReport(rebuilt=True, reason=damage)
            self.pending_tags = {}  # every annotation file is in the index now
            return report

    def _clear_leftovers(self) -> None:
        """Remove what a build killed before its swap left beside the index (call it holding the lock).

        `index.building` is never read as an index; `index.old` may hold the only copy of the
        embeddings (a kill between the two renames, or just after them), which are kept.
        """
        building = self.folder.with_name(self.folder.name + ".building")
        if building.exists() or building.is_symlink():
            _discard(building)
        old = self.folder.with_name(self.folder.name + ".old")
        if (old.exists() or old.is_symlink()) and self.folder.is_dir():  # (with no index, the rebuild takes them from it)
            _keep_embeddings(old, self.folder)
            _discard(old)
        # Whoosh writes a table of contents as `_annotator_N.toc.TIME`, the manifest `.manifest.json.X.tmp`,
        # then renames it; no commit cleans up one a kill left (none of Whoosh's patterns matches it).
        try:
            names = os.listdir(self.folder)
        except OSError:
            return
        for name in names:
            if _LEFTOVER.match(name):
                try:
                    os.unlink(self.folder / name)
                except OSError:  # gone, or a read-only index: harmless where it is
                    pass

    def rebuild(self, progress: Progress | None = None) -> None:
        self.close()
        tmp = self.folder.with_name(self.folder.name + ".building")
        _discard(tmp)
        tmp.mkdir(parents=True)
        signatures = self.store.signatures()
        ordered = self._sources_in_corpus_order()
        tags = tag_map(self.store)
        from annotator.engine import index_build  # NumPy and the bulk writer: only a full build needs them

        try:
            source_positions = index_build.build(self.store.ws.root, tmp, ordered, self.store.themes(), tags, progress)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        manifest = Manifest(
            files={k: list(v) for k, v in signatures.items()},
            tags={pid: t for pid, t in tags.items()},
            source_positions=source_positions,
        )
        manifest.write(tmp)
        # Swap the finished index in: readers see the old one or the new one.
        old = self.folder.with_name(self.folder.name + ".old")
        _keep_embeddings(old, tmp)  # a swap killed after moving the index aside left them only there
        _discard(old)
        if self.folder.exists():
            os.replace(self.folder, old)
        os.replace(tmp, self.folder)
        _keep_embeddings(old, self.folder)
        _discard(old)
        self._manifest = manifest
        if progress:
            total = sum(count for _, _, count in ordered)
            progress(total, total)

    def _sources_in_corpus_order(self) -> list[tuple[Path, str, int]]:
        """(path, source id, about how many passages) by source id, reading only each file's head."""
        heads = []
        for path in self.store.source_paths():
            head = _source_head(path)
            if head is None:  # an unusual layout: read it whole (and report any error in it)
                sf = self.store.load_source_path(path)
                head = (sf.source.id, len(sf.passages))
            heads.append((head, path))
        heads.sort(key=lambda item: item[0][0])
        return [(path, source_id, count) for (source_id, count), path in heads]

    @staticmethod
    def _placed(positions: dict[str, int], changed_sources: list[str], present: set[str]) -> dict[str, int]:
        """The sources' positions in corpus order after this update: the ones kept where they are (a
        re-imported source too), removed ones gone, new ones each between its neighbours by id."""
        placed = {source_id: position for source_id, position in positions.items() if source_id in present}
        for source_id in changed_sources:
            if source_id in placed or source_id not in present:
                continue
            before = max((s for s in placed if s < source_id), default=None)
            after = min((s for s in placed if s > source_id), default=None)
            position = position_between(placed.get(before), placed.get(after))
            if position is None:
                raise NoRoomInCorpusOrder(f"corpus order renumbered (no room left between {before} and {after})")
            placed[source_id] = position
        return placed

    def _update(self) -> SyncReport:
        report = SyncReport()
        manifest = self.manifest
        current = {k: list(v) for k, v in self.store.signatures().items()}
        if _adopt_ctimes(manifest.files, current):
            manifest.write(self.folder)  # once: from now on the ctime is compared
        if manifest.files == current:
            return report
        changed = {k for k in set(current) | set(manifest.files) if current.get(k) != manifest.files.get(k)}
        passages_rel = os.path.relpath(self.store.ws.passages_dir, self.store.ws.root)
        annotations_rel = os.path.relpath(self.store.ws.annotations_dir, self.store.ws.root)
        themes_rel = os.path.relpath(self.store.ws.themes_file, self.store.ws.root)
        changed_sources = sorted(Path(k).stem for k in changed if Path(k).parent.as_posix() == Path(passages_rel).as_posix())
        tags_changed = any(Path(k).parent.as_posix() == Path(annotations_rel).as_posix() for k in changed)

        present = {Path(k).stem for k in current if Path(k).parent.as_posix() == Path(passages_rel).as_posix()}
        positions = self._placed(manifest.source_positions, changed_sources, present)
        tags = tag_map(self.store) if tags_changed or changed_sources else manifest.tags
        ix = self.open()
        searcher = self.searcher()  # up to date: we hold the workspace lock
        if changed_sources:
            from annotator.engine.fast.bulkindex import BulkWriter  # NumPy: worth importing for a source's passages

            writer = BulkWriter(ix)
        else:  # a few retagged passages or the notes: Whoosh's writer, no NumPy import for `annotator tag`
            writer = ix.writer()
        try:
            for source_id in changed_sources:
                self._update_source(writer, searcher, source_id, positions.get(source_id, 0), tags)
            report.sources_updated = changed_sources
            if themes_rel in changed:
                writer.delete_by_term("kind", "note", searcher)
                default = default_language(self.store)
                for position, theme in enumerate(self.store.themes()):
                    writer.add_document(**note_doc(theme, position, default))
                report.notes_updated = True
            if tags_changed:
                report.passages_retagged = self._retag(writer, searcher, manifest.tags, tags, set(changed_sources))
            writer.commit(mergetype=partial(fold_small_segments, searcher=searcher))
        except BaseException:
            writer.cancel()
            raise
        manifest.files = current
        manifest.tags = tags
        manifest.source_positions = positions
        manifest.write(self.folder)
        self._reopen()
        return report

    def _retag(self, writer, searcher, old: dict, new: dict, skip_sources: set[str]) -> int:
        """Re-index passages whose theme set changed, from their stored fields."""
        moved = [pid for pid in set(old) | set(new) if old.get(pid) != new.get(pid)]
        return sum(self._rewrite_stored(writer, searcher, pid, new.get(pid, ()), skip_sources=skip_sources) for pid in moved)

    @staticmethod
    def _rewrite_stored(writer, searcher, pid: str, themes, passage: Passage | None = None, skip_sources=()) -> bool:
        """Replace a passage's document in its corpus place: with `passage`, or its own stored fields.

        A note is never rewritten, nor a passage of a source re-indexed in the same commit.
        """
        docnum = searcher.document_number(id=pid)
        if docnum is None:
            return False
        stored = searcher.stored_fields(docnum)
        if stored.get("kind") != "passage" or stored.get("source") in skip_sources:
            return False
        passage = passage or Passage(pid, stored["text"], stored.get("location", ""), stored.get("source", ""))
        writer.delete_document(docnum)
        writer.add_document(**passage_doc(passage, stored["order"], themes, stored.get("language") or ENGLISH))
        return True

    def _update_source(self, writer, searcher, source_id: str, position: int, tags: dict) -> None:
        """Re-index the passages of a changed source file that are new, edited, moved or retagged."""
        indexed: dict[str, tuple[int, dict]] = {}
        for docnum in searcher.document_numbers(source=source_id):
            stored = searcher.stored_fields(docnum)
            if stored.get("kind") == "passage":
                indexed[stored["id"]] = (docnum, stored)
        source_file = self.store.load_source(source_id)
        language = source_language(source_file.source, default_language(self.store)) if source_file else ENGLISH
        for n, passage in enumerate(source_file.passages if source_file else ()):
            doc = passage_doc(passage, position * SOURCE_STRIDE + n, tags.get(passage.id, ()), language)
            docnum, stored = indexed.pop(passage.id, (None, None))
            if stored is not None and all(stored.get(key, "") == doc.get(key, "") for key in STORED_PASSAGE_FIELDS):
                continue
            if docnum is not None:
                writer.delete_document(docnum)
            writer.add_document(**doc)
        for docnum, _ in indexed.values():  # passages no longer in the file
            writer.delete_document(docnum)

    def passages_as_indexed(self) -> bool:
        """Whether every passages file is as this index last recorded it: a stat of each, no index read
        (a caller holding the workspace lock knows then that the passages it found here still exist)."""
        root = self.store.ws.root
        manifest = self._manifest if self._manifest is not None else Manifest.read(self.folder)  # (not kept: no sync's)
        if manifest is None:
            return False
        recorded = {k: v for k, v in manifest.files.items()
                    if Path(k).parent == Path(os.path.relpath(self.store.ws.passages_dir, root))}
        current = {}
        for path in self.store.source_paths():
            signature = file_signature(path)
            if signature is not None:
                current[os.path.relpath(path, root)] = list(signature)
        if recorded.keys() != current.keys():
            return False
        # (a manifest from before signatures held the ctime records mtime, size and inode)
        return all(current[k] == v or (len(v) == 3 and current[k][:3] == v) for k, v in recorded.items())

    def sync_tags(self) -> SyncReport:
        """The cheap sync after this process changed tags (the annotation YAML is already durable).

        When only annotation files changed, the new theme sets go into `pending_tags`,
        which searches apply, instead of a Whoosh commit per toggle; the next full
        sync (any command's start, `reindex`, closing the session, or many pending
        changes) commits them. When anything else changed, this is a full sync.
        """
        if self._ix is None or self._manifest is None:
            return self.sync()
        with self.store.locked():
            manifest = self.manifest
            current = {k: list(v) for k, v in self.store.signatures().items()}
            _adopt_ctimes(manifest.files, current)
            changed = {k for k in set(current) | set(manifest.files) if current.get(k) != manifest.files.get(k)}
            if not changed:
                self.pending_tags = {}
                return SyncReport()
            annotations_rel = Path(os.path.relpath(self.store.ws.annotations_dir, self.store.ws.root)).as_posix()
            if any(Path(k).parent.as_posix() != annotations_rel for k in changed):
                return self.sync()
            tags = tag_map(self.store)
            moved = [pid for pid in set(manifest.tags) | set(tags) if manifest.tags.get(pid) != tags.get(pid)]
            if len(moved) > MAX_PENDING_TAGS:
                return self.sync()
            self.pending_tags = {pid: tags.get(pid, []) for pid in moved}
        return SyncReport(passages_retagged=len(moved))

    def flush_pending(self) -> None:
        """Commit pending tag changes to the index (a full sync), if there are any."""
        if self.pending_tags:
            self.sync()

    def update_passages(self, passages: list[Passage]) -> int:
        """Re-index these passages in place (their text changed), keeping order and themes: a small commit."""
        from annotator.engine.fast.bulkindex import BulkWriter  # NumPy: only when passages change

        self.open()
        with self.store.locked():
            tags = self.manifest.tags
            searcher = self.searcher()  # up to date: we hold the workspace lock
            writer = BulkWriter(self._ix)
            try:
                latest = {p.id: p for p in passages}.values()  # one rewrite a passage, the last version given
                count = sum(self._rewrite_stored(writer, searcher, p.id, tags.get(p.id, ()), passage=p) for p in latest)
                writer.commit(mergetype=partial(fold_small_segments, searcher=searcher))  # a small segment of its own
            except BaseException:
                writer.cancel()
                raise
            self.manifest.write(self.folder)  # sealed again for the files the commit made
        return count

    def _reopen(self) -> None:
        if self._ix is not None:
            self._ix = self._ix.refresh() if hasattr(self._ix, "refresh") else self._ix
