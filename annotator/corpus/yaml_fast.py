"""A fast reader for the plain block YAML that annotator itself writes; anything else is declined.

PyYAML's safe loader spends ~130 us per tag building nodes, marks and Python objects one by
one (80 s of CPU for a class of 30 x 20k tags). The corpus files annotator writes use a small
part of YAML: block mappings and sequences, simple keys, plain or single-quoted one-line text,
`|` blocks, `[]`/`{}`. `parse` reads exactly that part, line by line, and returns the same value
PyYAML's loader in yamlio would (LineDicts with their lines, AsWritten text, None for null); on
anything outside it (anchors, aliases, tags, flow collections, escapes, tabs, multi-line plain
text, duplicate keys, comments after a value...) it returns DECLINED and yamlio parses the file
with PyYAML, which also gives the precise error for a malformed one. So a hand-edited file that
uses more of YAML is read exactly as before, only not faster.
"""

from __future__ import annotations

import re
from typing import Any, Callable

DECLINED = object()

# Characters whose presence sends the whole file to PyYAML: tabs and other line breaks
# (\r, NEL, LS, PS) change the line structure, a BOM inside the text, and everything YAML
# refuses as not printable (PyYAML then names the line).
_DECLINE_CHARS = re.compile("[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
# A simple key: what yamlio's dumper writes for the record fields, and hand-added ones like `confidence`.
_KEY = re.compile(r"([A-Za-z0-9_][A-Za-z0-9_.\-]*):(?: +(.*))?$")
# A plain value may not start with a YAML indicator (nor with a space: it was stripped).
_PLAIN_FIRST_REFUSED = frozenset("-?:,[]{}#&*!|>'\"%@`")
_NULLS = frozenset(("~", "null", "Null", "NULL"))
MAX_DEPTH = 40


class _Decline(Exception):
    pass


def parse(text: str, plain_text: Callable[[str], Any], line_dict: type) -> Any:
    """The document in `text`, or DECLINED. `plain_text(value)` makes a plain scalar's value
    (text or AsWritten); `line_dict` is the mapping type with a `line` attribute."""
    if _DECLINE_CHARS.search(text):
        return DECLINED
    try:
        return _Reader(text, plain_text, line_dict).document()
    except _Decline:
        return DECLINED


class _Reader:
    def __init__(self, text: str, plain_text, line_dict):
        self.lines = text.split("\n")
        self.ends_with_newline = text.endswith("\n")
        self.plain_text = plain_text
        self.line_dict = line_dict
        self.i = 0
        self.depth = 0
        # (indent, content) overriding a line: the mapping that starts after a `- ` on it.
        self.override: dict[int, tuple[int, str]] = {}

    # -- lines ----------------------------------------------------------------------

    def _line(self, i: int) -> tuple[int, str]:
        hit = self.override.get(i)
        if hit is not None:
            return hit
        line = self.lines[i]
        content = line.lstrip(" ")
        return len(line) - len(content), content

    def _next(self, comments_count: bool = False) -> int:
        """The index of the next line holding something (blank lines and comments skipped), or -1."""
        lines = self.lines
        i = self.i
        while i < len(lines):
            if i in self.override:
                return i
            content = lines[i].lstrip(" ")
            if content and (comments_count or content[0] != "#"):
                return i
            i += 1
        return -1

    # -- structure ------------------------------------------------------------------

    def document(self) -> Any:
        first = self._next()
        if first < 0:
            return None  # an empty file, or comments only
        self.i = first
        indent, content = self._line(first)
        if content.startswith(("---", "...", "%")):
            raise _Decline
        value = self._node(indent)
        if self._next() >= 0:
            raise _Decline  # something left over: let PyYAML say what
        return value

    def _node(self, indent: int) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Decline
        _, content = self._line(self.i)
        value = self._sequence(indent) if content[:2] == "- " else self._mapping(indent)
        self.depth -= 1
        return value

    def _mapping(self, indent: int) -> dict:
        mapping = self.line_dict()
        mapping.line = self.i + 1
        while True:
            i = self._next()
            if i < 0:
                return mapping
            line_indent, content = self._line(i)
            if line_indent < indent:
                return mapping
            match = _KEY.match(content) if line_indent == indent else None
            if match is None:
                raise _Decline
            if match.group(1) in _NULLS:
                raise _Decline  # a `null:` key reads as None
            key = self.plain_text(match.group(1))
            if key in mapping:
                raise _Decline  # PyYAML refuses a duplicate key, naming its line
            self.i = i + 1
            mapping[key] = self._value(match.group(2), indent, i, in_mapping=True)

    def _sequence(self, indent: int) -> list:
        items = []
        while True:
            i = self._next()
            if i < 0:
                return items
            line_indent, content = self._line(i)
            if line_indent < indent or (line_indent == indent and content[:2] != "- "):
                return items  # (an indentless sequence ends at its mapping's next key)
            if line_indent > indent or content[:2] != "- ":
                raise _Decline
            rest = content[2:]
            stripped = rest.lstrip(" ")
            item_indent = indent + 2 + len(rest) - len(stripped)
            if _KEY.match(stripped):
                self.override[i] = (item_indent, stripped)
                self.i = i
                self.depth += 1
                items.append(self._mapping(item_indent))
                self.depth -= 1
                del self.override[i]
            else:
                self.i = i + 1
                items.append(self._value(stripped or None, indent, i, in_mapping=False))

    def _value(self, value: str | None, indent: int, i: int, *, in_mapping: bool) -> Any:
        """The value written after `key:` (or `- `) on line i of a collection at `indent`."""
        if not value:
            if not in_mapping:
                raise _Decline  # `-` alone: a nested node on the next lines
            return self._nested(indent)
        first = value[0]
        if first == "'":
            self._no_continuation(indent)
            return _single_quoted(value)
        if first == '"':
            self._no_continuation(indent)
            return _double_quoted(value)
        if first == "|":
            return self._literal(value, indent)
        if value == "[]":
            self._no_continuation(indent)
            return []
        if value == "{}":
            self._no_continuation(indent)
            mapping = self.line_dict()
            mapping.line = i + 1
            return mapping
        if first in _PLAIN_FIRST_REFUSED or value == "<<" or value[-1] == " " or value[-1] == ":" or ": " in value or " #" in value:
            raise _Decline
        self._no_continuation(indent)
        if value in _NULLS:
            return None
        return self.plain_text(value)

    def _nested(self, indent: int) -> Any:
        """After `key:` with nothing on its line: a deeper node, an indentless sequence, or null."""
        i = self._next()
        if i < 0:
            return None
        line_indent, content = self._line(i)
        if line_indent > indent or (line_indent == indent and content[:2] == "- "):
            self.i = i
            return self._node(line_indent)
        return None

    def _no_continuation(self, indent: int) -> None:
        """A deeper line after a scalar would continue it (multi-line text): declined."""
        i = self._next(comments_count=True)
        if i >= 0 and self._line(i)[0] > indent:
            raise _Decline

    def _literal(self, header: str, indent: int) -> str:
        if header not in ("|", "|-"):
            raise _Decline  # indentation indicators, `|+`, folded `>` or a comment after the header
        lines = self.lines
        start = i = self.i
        while i < len(lines) and lines[i] == "":
            i += 1
        if i == len(lines) or i in self.override:
            raise _Decline
        block_indent = len(lines[i]) - len(lines[i].lstrip(" "))
        if block_indent <= indent or i > start:
            raise _Decline  # an empty block, or leading blank lines
        prefix = " " * block_indent
        body = []
        while i < len(lines):
            line = lines[i]
            if line == "":
                body.append("")
            elif line.startswith(prefix):
                if not line.strip(" "):
                    raise _Decline  # a line of spaces only: YAML's rules for those are subtle
                body.append(line[block_indent:])
            else:
                break
            i += 1
        if i == len(lines) and not self.ends_with_newline:
            raise _Decline  # the last line has no line break to clip
        while body and body[-1] == "":
            body.pop()
            i -= 1
        # Trailing blank lines belong to the block (and are chomped); skipping them is harmless.
        self.i = i
        text = "\n".join(body)
        return text if header == "|-" else text + "\n"


def _single_quoted(value: str) -> str:
    inner = value[1:-1]
    if len(value) < 2 or value[-1] != "'" or "'" in inner.replace("''", ""):
        raise _Decline
    return inner.replace("''", "'")


def _double_quoted(value: str) -> str:
    inner = value[1:-1]
    if len(value) < 2 or value[-1] != '"' or '"' in inner or "\\" in inner:
        raise _Decline
    return inner
