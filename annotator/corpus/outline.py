"""A passages file's outline: its source and each passage's id and location, without the texts.

The grid (`report --grid`) needs where each passage is, not what it says; reading 100k passages
whole takes ~2 s of CPU, most of it making the texts. `read_outline` matches the passage records
annotator writes with one regular expression in C and reads only ids and locations. Each text is
still checked to be one yaml_fast would read as text (plain, quoted or a `|` block), so a file is
outlined only if reading it whole would give the same ids and locations without an error;
anything else (comments, other fields, flow collections, escapes, multi-line plain text...) returns
None and the caller reads the file whole, which also reports what is wrong with it.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

from annotator.corpus import yaml_fast
from annotator.corpus.model import Source, _unknown
from annotator.corpus.yamlio import LineDict, _plain_text
from annotator.errors import CorpusError

_PASSAGES = re.compile(r"^passages:\n(?=( *)- id: )", re.MULTILINE)
# A plain value may not start with these (yaml_fast._PLAIN_FIRST_REFUSED, and a space: two after the colon).
_REFUSED_FIRST = frozenset("-?:,[]{}#&*!|>'\"%@` ~") | {""}
_NULLS = frozenset(("~", "null", "Null", "NULL", "<<"))  # (and `<<`, a merge key)


@dataclass
class Outline:
    source: Source
    ids: list[str]
    locations: list[str]


@functools.lru_cache(maxsize=8)
def _record(indent: int) -> re.Pattern:
    """One passage whose `- ` stands at `indent`: groups whole, id (a plain one of letters, digits
    and `_.-/+`, or any other), location, the text's first line, the lines after it that are
    deeper than the keys or empty (a `|` block's)."""
    base, key = " " * indent, " " * (indent + 2)
    return re.compile(
        f"({base}- id: (?:([\\w][\\w.\\-/+]*)|([^\\n]*))\n(?:{key}location: ([^\\n]*)\n)?"
        f"{key}text: ([^\\n]*)\n((?:(?:{key} [^\\n]*)?\n)*))"
    )


def read_outline(text: str) -> Outline | None:
    """The outline of a passages file's text, or None if it is not in the shape annotator writes."""
    if not yaml_fast.plain_characters_only(text):
        return None
    found = _PASSAGES.search(text)
    if found is None:
        return None
    source = _source(text[: found.start()])
    if source is None:
        return None
    indent = len(found[1])
    records = _record(indent).findall(text, found.end())
    if sum(len(r[0]) for r in records) != len(text) - found.end():
        return None  # the records do not cover the rest of the file exactly
    ids, locations = [], []
    known_location = {"": ""}  # (locations repeat: each is checked once)
    # Searching each text for `: ` and ` #` is most of the time; when the file holds no more `: `
    # than its keys (at least one a record, two with a location) and no ` #`, no text holds either.
    keys = 2 * len(records) + sum(1 for r in records if r[3])
    search_texts = text.count(": ", found.end()) != keys or text.find(" #", found.end()) >= 0
    for _, plain_id, other_id, raw_location, first, rest in records:
        if not plain_id:
            plain_id = _one_line(other_id)
            if plain_id is None or plain_id.split() != [plain_id]:
                return None
        location = known_location.get(raw_location)
        if location is None:
            location = known_location[raw_location] = _one_line(raw_location)
            if location is None:
                return None
        # The usual text, plain on one line, checked inline; the others by _text_ok.
        if (rest or first[:1] in _REFUSED_FIRST or first[-1] in " :" or (len(first) < 5 and first in _NULLS)
                or (search_texts and (": " in first or " #" in first))) and not _text_ok(first, rest, indent + 2):
            return None
        ids.append(plain_id)
        locations.append(location)
    distinct = set(ids)
    if len(distinct) != len(ids) or not _NULLS.isdisjoint(distinct):
        return None  # a repeated id (the whole read says where), or a plain one that reads as null
    return Outline(source, ids, locations)


def _text_ok(first: str, rest: str, key_indent: int) -> bool:
    if first[:1] == "|":
        return _block_ok(first, rest, key_indent)
    return not rest.strip("\n") and _one_line(first) is not None


def _source(header: str) -> Source | None:
    """The `source:` mapping before `passages:`, read by yaml_fast, checked as the whole read does."""
    data = yaml_fast.parse(header, _plain_text, LineDict)
    if type(data) is not LineDict or "source" not in data or "passages" in data:
        return None
    if _unknown(data, ("source",)):
        return None  # a field of its own beside source and passages: kept by the whole read
    try:
        return Source.from_yaml(data["source"], Path("passages.yaml"))
    except CorpusError:  # the whole read reports it, naming the file
        return None


def _one_line(value: str) -> str | None:
    """What yaml_fast reads a one-line value as, if text; None if null or not read inline."""
    if not value:
        return None
    first = value[0]
    if first == "'":
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != "'" or "'" in inner.replace("''", ""):
            return None
        return inner.replace("''", "'")
    if first == '"':
        inner = value[1:-1]
        if len(value) < 2 or value[-1] != '"' or '"' in inner or "\\" in inner:
            return None
        return inner
    if first in _REFUSED_FIRST or value[-1] in " :" or ": " in value or " #" in value or value in _NULLS:
        return None
    return value


def _block_ok(header: str, rest: str, key_indent: int) -> bool:
    """A `|` or `|-` block yaml_fast reads: its first line not empty, every line at the first's
    indentation or empty, none of spaces only, the file's last line ending with a line break."""
    if header not in ("|", "|-") or not rest or rest[0] == "\n":
        return False
    lines = rest.rstrip("\n").split("\n")
    prefix = " " * (len(lines[0]) - len(lines[0].lstrip(" ")))
    if len(prefix) <= key_indent:
        return False
    return all(line.startswith(prefix) and line.strip(" ") or not line for line in lines)
