"""A progress bar on stderr for long imports: `keeper.epub  [#########-----------]  45%`.

Shown only on a terminal and only for work that takes a while (a file of many passages to
index, or several files): a short import prints nothing but its result.
"""

from __future__ import annotations

import shutil
import sys
import time

BAR_CELLS = 24
SHOW_AFTER_S = 0.5  # an import finished sooner shows no bar at all


def bar_line(what: str, done: int, total: int, width: int) -> str:
    """`indexing  [##########--------------]  42%`, cut to `width` columns."""
    fraction = min(max(done / total, 0.0), 1.0) if total > 0 else 0.0
    filled = round(fraction * BAR_CELLS)
    line = f"{what}  [{'#' * filled}{'-' * (BAR_CELLS - filled)}] {round(fraction * 100):3d}%"
    return line[: max(width - 1, 10)]


class ProgressBar:
    """Called as `progress(what, done, total)`; `finish()` clears the line."""

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.active = self.stream.isatty()
        self.started = time.monotonic()
        self.shown = False

    def __call__(self, what: str, done: int, total: int) -> None:
        if not self.active or time.monotonic() - self.started < SHOW_AFTER_S:
            return
        from annotator.textsafe import show_line

        width = shutil.get_terminal_size((80, 24)).columns
        self.stream.write("\r" + bar_line(show_line(what), done, total, width).ljust(width - 1))
        self.stream.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\r" + " " * (shutil.get_terminal_size((80, 24)).columns - 1) + "\r")
            self.stream.flush()
            self.shown = False
