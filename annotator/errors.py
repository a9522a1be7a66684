"""Errors the user sees as one clear line, never as a traceback."""

from __future__ import annotations

import errno
from pathlib import Path


class AnnotatorError(Exception):
    """A problem the user can fix; its message is shown as one line."""

    exit_code = 1


class BadInput(AnnotatorError):
    """An argument the command cannot take (an empty or taken name, a colour that is not #rrggbb,
    a folder that is no workspace): exit status 2, as argparse gives for a malformed option."""

    exit_code = 2


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


class PassageRemoved(NotFound):
    """A tag or comment on a passage another process's re-import removed since the caller found it:
    refused (it would name no passage); the caller's list of passages is out of date."""


class InvalidText(AnnotatorError):
    """Text that cannot be saved as UTF-8: a byte that was not UTF-8 in an argument (Python keeps
    it as a lone surrogate, e.g. \\udce9) or a lone surrogate from a JSON file. Refused before any
    file is written: the reader would refuse the file, and every later command with it."""

    exit_code = 2


class WriteFailure(AnnotatorError):
    """The system refused a write (permission denied, read-only or full disk); nothing was changed."""


def printable(text: str, limit: int = 60) -> str:
    """`text` with bytes that were not UTF-8 shown as \\xe9 and lone surrogates as \\udc80, shortened."""
    try:
        shown = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:
        shown = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return shown if len(shown) <= limit else shown[: limit - 1] + "…"


def os_error_reason(exc: OSError) -> str:
    """Why the system refused, in the words of a message: "permission denied", "no space left..."."""
    if exc.errno == errno.ENOSPC:
        return "no space left on the disk"
    return (exc.strerror or str(exc)).lower()


class ChangedSince(AnnotatorError):
    """An undo or redo found the tag or comment no longer as this session left it (another window,
    the CLI or a hand edit changed it since): refused, so that the other change is not lost."""
