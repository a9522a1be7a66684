"""Errors the user sees as one clear line, never as a traceback."""

from __future__ import annotations

from pathlib import Path


class AnnotatorError(Exception):
    """A problem the user can fix; its message is shown as one line."""

    exit_code = 1


class CorpusError(AnnotatorError):
    """A corpus file is malformed. Names the file and, when known, the line."""

    exit_code = 2

    def __init__(self, path: Path | str, message: str, line: int | None = None):
        self.path = Path(path)
        self.line = line
        self.detail = message
        where = f"{self.path}:{line}" if line else f"{self.path}"
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # raised in an index-building worker process, re-raised in the caller
        return (type(self), (self.path, self.detail, self.line))


class ImportFailure(AnnotatorError):
    """An input file cannot be imported (binary, unreadable, wrong shape)."""

    exit_code = 2


class NotFound(AnnotatorError):
    """A passage, theme or source the user named does not exist."""

    exit_code = 3
