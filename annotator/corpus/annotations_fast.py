"""The tags of an annotation file as annotator writes it, read by one regular expression.

A class's files hold hundreds of thousands of tags; even yaml_fast, reading line by line in
Python, spends ~15 us on each (a cold `annotator agreement` over 30 x 20k tags took 10 s of
CPU). The files annotator writes repeat one shape:

    annotator: NAME
    tags:
    - passage: ID
      theme: THEME
      at: 'TIME'
      comment: TEXT          (optional)
      spans:                 (optional)
      - quote: WORDS
        start: N
        end: N

`read` matches every record of that shape with one regular expression in C, and accepts the
file only if the records tile the whole `tags:` block with nothing left over; every value is
in a form the general readers read the same way (plain text that cannot mean anything else,
or single-quoted text). Anything else (memos, other fields, comments, blank lines, escapes,
multi-line text) returns None and the file is read by yamlio as before, which also reports any
error. So this reader changes how fast a file is read, never what is read from it; the tests
compare both on the same files.
"""

from __future__ import annotations

import functools
import re
from itertools import accumulate
from pathlib import Path

from annotator.corpus.model import NO_EXTRA, AnnotationFile, Span, Tag
from annotator.corpus.yaml_fast import plain_characters_only
from annotator.corpus.yamlio import _plain_text

# Values the general readers read as text, unchanged. An id or a theme: letters, digits and
# `_.-/+`, a letter or digit first (never null). A time: the same and `:` between them. Free
# text (a comment, a quote): a first character that is no YAML indicator; the rest is checked
# in Python (rare: few tags have one).
_NOT_NULL = r"(?!(?:null|Null|NULL)\n)"
_ID = _NOT_NULL + r"[\w][\w.\-/+]*"
_TIME = _NOT_NULL + r"[\w][\w.+\-]*(?::[\w.+\-]+)*"
_TEXT = r"[^\s\-?:,\[\]{}#&*!|>'\"%@`~][^\n]*"
_NULLS = frozenset(("null", "Null", "NULL", "<<"))  # (`~` is no first character of _TEXT)
_QUOTED = r"'([^'\n]*)'"  # single-quoted, no quote inside: its value is what is between
_QUOTED_TEXT = r"'((?:[^'\n]|'')*)'"  # free text may hold quotes, written twice


def _value(form: str) -> str:
    return f"(?:{_QUOTED_TEXT if form is _TEXT else _QUOTED}|({form}))"


_HEADER = re.compile(r"(?:annotator: " + _value(_ID) + r"\n)?tags:\n(?=( *)- )")
_EMPTY = re.compile(r"(?:annotator: " + _value(_ID) + r"\n)?tags: \[\]\n\Z")


@functools.lru_cache(maxsize=8)
def _record(indent: int) -> re.Pattern:
    """One tag whose `- ` stands at `indent`; groups: whole, passage (2), theme (2), at (2),
    comment (2), spans block."""
    base, key = " " * indent, " " * (indent + 2)
    return re.compile(
        f"({base}- passage: {_value(_ID)}\n"
        f"{key}theme: {_value(_ID)}\n"
        f"{key}at: {_value(_TIME)}\n"
        f"(?:{key}comment: {_value(_TEXT)}\n)?"
        f"(?:{key}spans:\n((?:{key}- quote: (?:'(?:[^'\\n]|'')*'|{_TEXT})\n{key}  start: \\d{{1,12}}\n{key}  end: \\d{{1,12}}\n)+))?)"
    )


@functools.lru_cache(maxsize=8)
def _span(indent: int) -> re.Pattern:
    key = " " * (indent + 2)
    return re.compile(f"{key}- quote: {_value(_TEXT)}\n{key}  start: (\\d+)\n{key}  end: (\\d+)\n")


def read(text: str, path: Path) -> AnnotationFile | None:
    """The file's records, or None if it is not in the shape above (then yamlio reads it)."""
    if not plain_characters_only(text):
        return None
    header = _HEADER.match(text)
    if header is None:
        empty = _EMPTY.match(text)
        return None if empty is None else AnnotationFile(empty[1] or empty[2] or path.stem)
    name = header[1] or header[2] or path.stem
    indent = len(header[3])
    records = _record(indent).findall(text, header.end())
    # The records must cover the rest of the file exactly: findall skips what does not match.
    if sum(len(r[0]) for r in records) != len(text) - header.end():
        return None
    tags = [Tag(p1 or p2, t1 or t2, name, a1 or a2, None, NO_EXTRA)
            for _, p1, p2, t1, t2, a1, a2, _c1, _c2, _spans in records]
    for tag, record in zip(tags, records):
        if record[7] or record[8]:
            comment = _free_text(record[7], record[8])
            if comment is None:
                return None
            tag.comment = comment or None
    if any(r[9] for r in records):
        if not _add_spans(tags, records, text.count("\n", 0, header.end()), indent):
            return None
    return AnnotationFile(name, tags, [], NO_EXTRA)


def _free_text(quoted: str, plain: str) -> str | None:
    """A comment's or quote's text; None if plain text yaml_fast would not read inline (`: ` or
    ` #` inside, a space or colon last)."""
    if not plain:
        return quoted.replace("''", "'")
    if ": " in plain or " #" in plain or plain[-1] in " :" or plain in _NULLS:
        return None
    return plain


def _add_spans(tags: list[Tag], records: list[tuple], header_lines: int, indent: int) -> bool:
    """Each span tag's words, with the line its `- quote:` stands on (for messages about it)."""
    starts = accumulate((r[0].count("\n") for r in records), initial=header_lines + 1)
    span_re = _span(indent)
    for position, (record, first_line) in enumerate(zip(records, starts)):
        block = record[9]
        if not block:
            continue
        line = first_line + record[0].count("\n") - block.count("\n")  # the block is the record's last lines
        spans = []
        for q1, q2, start, end in span_re.findall(block):
            quote = _free_text(q1, q2)
            if quote is None:
                return False
            spans.append(Span(int(start), int(end), _plain_text(quote) if q2 else quote, line))
            line += 3
        tags[position].spans = tuple(spans)
    return True
