"""`import --dry-run`: the import runs for real, on a throwaway copy of the corpus.

Running the very same code on a copy (rather than a second, counting-only path) means
the dry run reports exactly what the import would do, refusals included, and the
workspace itself is only read: no corpus file, annotations file, index or lock file is
touched.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from annotator.errors import AnnotatorError, CorpusError
from annotator.corpus.leftovers import STALE_SECONDS
from annotator.corpus.yamlio import read_regular_file
from annotator.corpus.workspace import Workspace


COPY_PREFIX = "annotator-dry-run-"  # then the process id, "-" and a random part

# The folders of a corpus whose YAML files the store reads (annotator.corpus.store): the corpus's
# own (themes.yaml, settings.yaml), the passages' and the annotations'.
CORPUS_FOLDERS = ("", "passages", "annotations")


def corpus_files(corpus: Path) -> list[str]:
    """The YAML files of a corpus folder as the store lists them (through a linked folder too), by
    their path in it: nothing deeper, so a crafted corpus's links in a loop are never walked.
    Hidden files (a write's temporary files, an editor's swap file) and others (an editor's backup
    `x.yaml~`) are not the corpus."""
    found = []
    for sub in CORPUS_FOLDERS:
        try:
            names = sorted(os.listdir(corpus / sub if sub else corpus))
        except OSError:  # missing, or not a folder: the store lists nothing there either
            continue
        found += [f"{sub}/{name}" if sub else name for name in names
                  if not name.startswith(".") and name.endswith((".yaml", ".yml"))]
    return found


@contextmanager
def corpus_copy(ws: Workspace) -> Iterator[Workspace]:
    """A workspace in a temporary folder holding a copy of `ws`'s corpus files; removed afterwards."""
    clear_dead_copies()
    with tempfile.TemporaryDirectory(prefix=f"{COPY_PREFIX}{os.getpid()}-") as folder:
        scratch = Workspace(Path(folder), ws.found_by)
        for sub in CORPUS_FOLDERS:
            (scratch.corpus / sub).mkdir(parents=True, exist_ok=True)
        for name in corpus_files(ws.corpus):
            _copy_file(ws.corpus / name, scratch.corpus / name)
        try:
            yield scratch
        except AnnotatorError as exc:
            raise _as_of(exc, scratch.root, ws.root) from None


def clear_dead_copies() -> None:
    """Remove the copies that imports killed mid-way left in the temporary folder (a whole corpus
    each, never removed otherwise): those whose process is gone, made over a minute ago."""
    if os.name != "posix":  # (os.kill(pid, 0) would end the process on Windows)
        return
    now = time.time()
    for path in Path(tempfile.gettempdir()).glob(f"{COPY_PREFIX}*-*"):
        pid = path.name[len(COPY_PREFIX):].split("-", 1)[0]
        try:
            if not pid.isdigit() or _alive(int(pid)) or now - path.lstat().st_mtime < STALE_SECONDS:
                continue
            if path.is_symlink() or path.lstat().st_uid != os.getuid():
                continue
        except OSError:  # gone meanwhile
            continue
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's: alive
        return True
    return True


def _copy_file(source: Path, target: Path) -> None:
    """One corpus file copied; a pipe or a link to a device (`/dev/zero`, read forever) is refused."""
    try:
        target.write_bytes(read_regular_file(source))
        shutil.copystat(source, target)
    except FileNotFoundError:  # removed meanwhile (or a link to nothing): not in the copy either
        return
    except OSError as exc:
        raise CorpusError(source, f"cannot read: {exc.strerror or exc}") from None


def _as_of(exc: AnnotatorError, scratch_root: Path, real_root: Path) -> AnnotatorError:
    """The error with the copy's folder replaced by the workspace's: a malformed file is named where
    the user can fix it, not in a temporary folder that is already gone."""
    shown = str(exc).replace(str(scratch_root), str(real_root))
    if shown == str(exc):
        return exc
    error = AnnotatorError(shown)
    error.exit_code = exc.exit_code
    return error
