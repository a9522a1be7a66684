"""`import --dry-run`: the import runs for real, on a throwaway copy of the corpus.

Running the very same code on a copy (rather than a second, counting-only path) means
the dry run reports exactly what the import would do, refusals included, and the
workspace itself is only read: no corpus file, annotations file, index or lock file is
touched.
"""

from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from annotator.errors import AnnotatorError
from annotator.corpus.workspace import Workspace


@contextmanager
def corpus_copy(ws: Workspace) -> Iterator[Workspace]:
    """A workspace in a temporary folder holding a copy of `ws`'s corpus; removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="annotator-dry-run-") as folder:
        scratch = Workspace(Path(folder), ws.found_by)
        try:
            shutil.copytree(ws.corpus, scratch.corpus, ignore_dangling_symlinks=True)
        except (OSError, shutil.Error) as exc:
            first = exc.args[0][0] if isinstance(exc, shutil.Error) and exc.args and exc.args[0] else exc
            raise AnnotatorError(f"--dry-run could not copy the corpus to try the import on: {first}") from None
        try:
            yield scratch
        except AnnotatorError as exc:
            raise _as_of(exc, scratch.root, ws.root) from None


def _as_of(exc: AnnotatorError, scratch_root: Path, real_root: Path) -> AnnotatorError:
    """The error with the copy's folder replaced by the workspace's: a malformed file is named where
    the user can fix it, not in a temporary folder that is already gone."""
    shown = str(exc).replace(str(scratch_root), str(real_root))
    if shown == str(exc):
        return exc
    error = AnnotatorError(shown)
    error.exit_code = exc.exit_code
    return error
