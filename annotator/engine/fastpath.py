"""The fast paths beside Whoosh's own: the switch that turns them all off, and what a failing one does.

annotator answers searches faster than Whoosh alone through its own code: the NumPy
scorer (annotator.engine.fast.fastscore) with the term tables (annotator.engine.fast.termtable), and a searcher
refresh that keeps the readers of unchanged segments (SearchIndex._refreshed_searcher).
Each declares up front which query shapes it serves; any other shape goes to Whoosh's
own path by design. An exception *inside* a fast path is a bug: with ANNOTATOR_DEBUG
set (the tests set it) it is raised; in normal use the search is answered by Whoosh's
own path and one line goes to `index/annotator.log`.

ANNOTATOR_FAST_PATHS=0 (or `SearchIndex(store, fast_paths=False)`) switches every read-side
fast path off: each search is Whoosh's own, over the same index. The oracle test
(tests/test_search_oracle.py) compares the two.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

SWITCH = "ANNOTATOR_FAST_PATHS"
LOG_FILE = "annotator.log"
_logger = logging.getLogger("annotator.engine.fastpath")


def enabled_by_default() -> bool:
    """False when ANNOTATOR_FAST_PATHS=0: every search runs Whoosh's own path."""
    return os.environ.get(SWITCH, "1").strip() != "0"


def strict() -> bool:
    """Whether a failing fast path raises (ANNOTATOR_DEBUG set, as under the tests)."""
    return bool(os.environ.get("ANNOTATOR_DEBUG"))


class _AppendToFile(logging.Handler):
    """Appends each record to a file, opened only for the write: the index folder is swapped
    whole on a rebuild, and an open handle would keep writing into the deleted one."""

    def __init__(self, path: Path):
        super().__init__()
        self.path = path

    def emit(self, record: logging.LogRecord) -> None:
        try:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(self.format(record) + "\n")
        except OSError:
            pass  # a log line is not worth failing a search for


def failed(index_folder: Path | None, where: str, exc: BaseException) -> None:
    """A fast path raised `exc`: re-raise it when strict; otherwise log one line in the index folder.

    Call it from an `except` block; the caller then answers with Whoosh's own path.
    """
    if strict():
        raise exc
    handler = _AppendToFile(Path(index_folder) / LOG_FILE) if index_folder is not None else logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(message)s"))
    _logger.addHandler(handler)
    _logger.propagate = False  # never onto the terminal: the user's search was answered
    try:
        _logger.error("fast path %s failed, answered by Whoosh: %s: %s", where, type(exc).__name__,
                      str(exc).replace("\n", " ")[:300])
    finally:
        _logger.removeHandler(handler)
