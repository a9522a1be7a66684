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

import bisect
import gc
import re
from typing import Any, Callable

DECLINED = object()

# Characters whose presence sends the whole file to PyYAML: tabs and other line breaks
# (\r, NEL, LS, PS) change the line structure, a BOM inside the text, and everything YAML
# refuses as not printable (PyYAML then names the line).
_DECLINE_CHARS = re.compile("[^\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]")
_PLAIN_ASCII = b"\n" + bytes(range(0x20, 0x7F))
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
    if not plain_characters_only(text):
        return DECLINED
    # The reader makes no reference cycles; the collector, run every few hundred of the
    # millions of objects a class's files make, would only rescan them (~10% of the time).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _Reader(text, plain_text, line_dict).document()
    except _Decline:
        return DECLINED
    finally:
        if collecting:
            gc.enable()


def plain_characters_only(text: str) -> bool:
    """No character in `text` that sends it to PyYAML (_DECLINE_CHARS). The regular expression
    alone spends ~20 ms on a 1 MB file; deleting the ASCII allowed (bytes.translate, in C) first
    leaves it only the rest: control characters and whatever is not ASCII."""
    rest = text.encode("utf-8", "surrogatepass").translate(None, _PLAIN_ASCII)
    return not rest or _DECLINE_CHARS.search(rest.decode("utf-8", "surrogatepass")) is None


class _Reader:
    """Reads the document line by line. The lines holding something (comments too) are listed
    once with their indentation; `k` walks that list."""

    def __init__(self, text: str, plain_text, line_dict):
        self.raw = raw = text.split("\n")
        self.ends_with_newline = text.endswith("\n")
        self.plain_text = plain_text
        self.line_dict = line_dict
        contents = [line.lstrip(" ") for line in raw]
        self.where = [i for i, content in enumerate(contents) if content]  # line index of each
        self.contents = [contents[i] for i in self.where]
        self.indents = [len(raw[i]) - len(contents[i]) for i in self.where]
        self.k = 0
        self.depth = 0
        self.keys: dict[str, Any] = {}  # each key's text as read, made once per file

    def _next(self, k: int) -> int:
        """The first entry from k on that is not a comment (len(entries) if none)."""
        contents = self.contents
        while k < len(contents) and contents[k][0] == "#":
            k += 1
        return k

    def _deeper_follows(self, k: int, indent: int) -> bool:
        """Whether the line after entry k (a comment too) is deeper than `indent`: it would
        continue a scalar on line k (multi-line text)."""
        return k + 1 < len(self.indents) and self.indents[k + 1] > indent

    # -- structure ------------------------------------------------------------------

    def document(self) -> Any:
        k = self._next(0)
        if k == len(self.contents):
            return None  # an empty file, or comments only
        if self.contents[k].startswith(("---", "...", "%")):
            raise _Decline
        self.k = k
        value = self._node(self.indents[k])
        if self._next(self.k) < len(self.contents):
            raise _Decline  # something left over: let PyYAML say what
        return value

    def _node(self, indent: int) -> Any:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise _Decline
        value = self._sequence(indent) if self.contents[self.k][:2] == "- " else self._mapping(indent)
        self.depth -= 1
        return value

    def _mapping(self, indent: int) -> dict:
        contents, indents, plain_text = self.contents, self.indents, self.plain_text
        keys, key_match, refused_first = self.keys, _KEY.match, _PLAIN_FIRST_REFUSED  # (locals: the hot loop)
        count = len(contents)
        mapping = self.line_dict()
        mapping.line = self.where[self.k] + 1
        k = self.k
        while k < count:
            content = contents[k]
            if content[0] == "#":
                k += 1
                continue
            line_indent = indents[k]
            if line_indent < indent:
                break
            match = key_match(content) if line_indent == indent else None
            if match is None:
                raise _Decline
            name, value = match.groups()
            if name in _NULLS:
                raise _Decline  # a `null:` key reads as None
            key = keys.get(name)
            if key is None:
                key = keys[name] = plain_text(name)
            if key in mapping:
                raise _Decline  # PyYAML refuses a duplicate key, naming its line
            # The usual case inline: plain one-line text (the value's checks as in _scalar).
            if (value and value[0] not in refused_first and value[-1] != " " and value[-1] != ":"
                    and ": " not in value and " #" not in value and value not in _NULLS and value != "<<"
                    and not (k + 1 < count and indents[k + 1] > indent)):
                mapping[key] = plain_text(value)
                k += 1
                continue
            if (value and value[0] == "'" and value[-1] == "'" and len(value) > 1 and "'" not in value[1:-1]
                    and not (k + 1 < count and indents[k + 1] > indent)):
                mapping[key] = value[1:-1]  # single-quoted text with no quote inside
                k += 1
                continue
            self.k = k
            mapping[key] = self._value(value, indent, in_mapping=True)
            k = self.k
        self.k = k
        return mapping

    def _sequence(self, indent: int) -> list:
        contents, indents = self.contents, self.indents
        items = []
        while True:
            k = self.k = self._next(self.k)
            if k == len(contents):
                return items
            line_indent, content = indents[k], contents[k]
            if line_indent < indent or (line_indent == indent and content[:2] != "- "):
                return items  # (an indentless sequence ends at its mapping's next key)
            if line_indent > indent or content[:2] != "- ":
                raise _Decline
            rest = content[2:]
            stripped = rest.lstrip(" ")
            if _KEY.match(stripped):
                # The mapping starts after the `- `: its entry is rewritten as that (never read again).
                indents[k], contents[k] = indent + 2 + len(rest) - len(stripped), stripped
                self.depth += 1
                items.append(self._mapping(indents[k]))
                self.depth -= 1
            else:
                items.append(self._value(stripped or None, indent, in_mapping=False))

    def _value(self, value: str | None, indent: int, *, in_mapping: bool) -> Any:
        """The value written after `key:` (or `- `) on entry k of a collection at `indent`;
        leaves k on the entry after it."""
        k = self.k
        if not value:
            if not in_mapping:
                raise _Decline  # `-` alone: a nested node on the next lines
            return self._nested(indent)
        if value[0] == "|":
            return self._literal(value, indent)
        if self._deeper_follows(k, indent):
            raise _Decline
        self.k = k + 1
        return self._scalar(value)

    def _scalar(self, value: str) -> Any:
        first = value[0]
        if first == "'":
            return _single_quoted(value)
        if first == '"':
            return _double_quoted(value)
        if value == "[]":
            return []
        if value == "{}":
            mapping = self.line_dict()
            mapping.line = self.where[self.k - 1] + 1
            return mapping
        if first in _PLAIN_FIRST_REFUSED or value == "<<" or value[-1] == " " or value[-1] == ":" or ": " in value or " #" in value:
            raise _Decline
        if value in _NULLS:
            return None
        return self.plain_text(value)

    def _nested(self, indent: int) -> Any:
        """After `key:` with nothing on its line: a deeper node, an indentless sequence, or null."""
        k = self._next(self.k + 1)
        if k == len(self.contents):
            self.k = k
            return None
        line_indent, content = self.indents[k], self.contents[k]
        if line_indent > indent or (line_indent == indent and content[:2] == "- "):
            self.k = k
            return self._node(line_indent)
        self.k = k
        return None

    def _literal(self, header: str, indent: int) -> str:
        if header not in ("|", "|-"):
            raise _Decline  # indentation indicators, `|+`, folded `>` or a comment after the header
        raw = self.raw
        i = self.where[self.k] + 1
        if i >= len(raw) or raw[i] == "":
            raise _Decline  # an empty block, or leading blank lines
        block_indent = len(raw[i]) - len(raw[i].lstrip(" "))
        if block_indent <= indent:
            raise _Decline
        prefix = " " * block_indent
        body = []
        while i < len(raw):
            line = raw[i]
            if line == "":
                body.append("")
            elif line.startswith(prefix):
                if not line.strip(" "):
                    raise _Decline  # a line of spaces only: YAML's rules for those are subtle
                body.append(line[block_indent:])
            else:
                break
            i += 1
        if i == len(raw) and not self.ends_with_newline:
            raise _Decline  # the last line has no line break to clip
        while body and body[-1] == "":
            body.pop()
        self.k = bisect.bisect_left(self.where, i)  # the first entry after the block
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
