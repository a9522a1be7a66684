"""Temporary files a killed process left behind, cleared by the next writer of the same file.

An atomic write (annotator.corpus.yamlio) writes `.NAME.RANDOM.tmp` beside NAME and renames it;
a SIGKILL between the two leaves the temporary file, under a new random name each time. Files
that only one writer at a time writes (under the workspace lock) clear every such leftover
before writing; files written without the lock (an export's output, the read cache) clear only
those older than a write can take, so a writer still at work keeps its own.
"""

from __future__ import annotations

import glob
import os
import time
from pathlib import Path

# No write of one of these files takes a minute: a temporary file that old is a dead writer's.
STALE_SECONDS = 60.0


def temporaries_of(path: Path) -> list[Path]:
    """The temporary files an atomic write of `path` would leave beside it."""
    return list(path.parent.glob(f".{glob.escape(path.name)}.*.tmp"))


def remove_stale_temporaries(path: Path, older_than: float = 0.0) -> int:
    """Delete the leftovers of killed writes of `path` (those older than `older_than` seconds); how many."""
    removed = 0
    now = time.time()
    for leftover in temporaries_of(path):
        try:
            if older_than and now - leftover.lstat().st_mtime < older_than:
                continue
            os.unlink(leftover)
            removed += 1
        except OSError:  # gone already, or not ours to delete: the write itself still works
            pass
    return removed
