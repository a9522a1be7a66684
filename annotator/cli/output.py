"""Printing for the CLI: one JSON document, or readable text with matches emphasised."""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Iterable

from annotator.textsafe import show_controls

BOLD_YELLOW = "\x1b[1;33m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"


# JSON escapes C0 controls itself; DEL and the C1 range (CSI \x9b, which some terminals obey) it leaves raw.
_DEL_AND_C1 = re.compile("[\x7f-\x9f]")


def print_json(data) -> None:
    text = json.dumps(data, ensure_ascii=False, indent=2)
    sys.stdout.write(_DEL_AND_C1.sub(lambda m: f"\\u{ord(m.group()):04x}", text) + "\n")


def use_color(stream=None) -> bool:
    stream = stream or sys.stdout
    return stream.isatty() and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def emphasise(text: str, matches: Iterable[Iterable[int]], color: bool) -> str:
    """The text with each matched span in bold (on a terminal) or **between stars** (elsewhere)."""
    pieces, cursor = [], 0
    opening, closing = (BOLD_YELLOW, RESET) if color else ("**", "**")
    for start, end in sorted(matches):
        if start < cursor:
            continue
        pieces.append(show_controls(text[cursor:start]))
        pieces.append(opening + show_controls(text[start:end]) + closing)
        cursor = end
    pieces.append(show_controls(text[cursor:]))
    return "".join(pieces)


def dim(text: str, color: bool) -> str:
    return f"{DIM}{text}{RESET}" if color else text


MAX_MESSAGE_CHARS = 500


def format_error(message: str) -> str:
    """A message as one line: controls and newlines made visible, a huge echoed value cut short."""
    line = show_controls(message).replace("\n", "\\n")
    # A lone surrogate (a byte of an argument that is not UTF-8) as \udce9, whatever stderr's error handler.
    line = line.encode("utf-8", "backslashreplace").decode("utf-8")
    if len(line) > MAX_MESSAGE_CHARS:
        half = MAX_MESSAGE_CHARS // 2
        line = f"{line[:half]} … {line[-half:]}"
    return line


def warn(message: str) -> None:
    sys.stderr.write(f"annotator: {format_error(message)}\n")


class ProgressPrinter:
    """A one-line progress counter on stderr, shown only on a terminal."""

    def __init__(self, label: str):
        self.label = label
        self.active = sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int) -> None:
        if not self.active or total < 2000:
            return
        percent = 100 * done // max(total, 1)
        sys.stderr.write(f"\r{self.label}: {done:,}/{total:,} ({percent}%)")
        sys.stderr.flush()
        self.shown = True

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\n")
            self.shown = False
