"""Keep a hand-edited file's comments when annotator rewrites it.

The corpus may be edited by hand, comments included. A file with comments is rewritten
through ruamel.yaml's round-trip mode: the file as it is on disk is loaded with its
comments, the new content is merged into it (records matched by their identity: `id`,
or `passage` and `theme`, or `passage` and `at`), and it is dumped again. Round-trip
mode costs some 50-250 ms on a 200-tag file (against ~5 ms for PyYAML's C emitter), so
only files that hold comments pay it; the others are written by yamlio's dump_yaml. In one
process (the TUI) the document written last is kept, so the next write skips the load, about
half the cost. A comment on a record that is removed goes with it.
"""

from __future__ import annotations

import functools
import io
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from annotator.corpus.yamlstyle import literal_block_fits

# `#` at a line's start or after a blank starts a comment (a `#` inside quoted text may
# match too: that file only takes the slower, equally correct path).
_COMMENT = re.compile(r"(?m)(?:^|[ \t])#")
# Where a file puts `- ` under its key: `tags:\n  - passage` (offset 2) or `tags:\n- passage`.
_SEQUENCE_OFFSET = re.compile(r"(?m)^[^\s#-][^\n]*:[ \t]*\n(?:[ \t]*#[^\n]*\n)*( *)- ")
_IDENTITIES = (("id",), ("passage", "theme"), ("passage", "at"))


def has_comments(text: str, header: str = "") -> bool:
    """Whether `text` holds comments other than annotator's own `header`."""
    if "#" not in text:
        return False
    if header and text.startswith(header):
        text = text[len(header):]
    return bool(_COMMENT.search(text))


@functools.cache
def _round_trip_yaml_class():
    from ruamel.yaml import YAML  # ruamel.yaml: only for a file that holds comments
    from ruamel.yaml.constructor import RoundTripConstructor  # ruamel.yaml: only for a file that holds comments
    from ruamel.yaml.representer import RoundTripRepresenter  # ruamel.yaml: only for a file that holds comments
    from ruamel.yaml.scalarstring import PlainScalarString  # ruamel.yaml: only for a file that holds comments

    class TypedText(PlainScalarString):
        """A scalar YAML reads as a number, boolean or date, kept as text with the tag it had,
        so that it is written back unquoted, as it was (`confidence: 0.8`, `at: 2026-...`)."""

        __slots__ = ("yaml_tag",)

    class TextConstructor(RoundTripConstructor):
        """Every scalar but null is text, as annotator's own loader reads it (`007` stays `007`)."""

    def as_text(constructor, node):
        text = TypedText(node.value)
        text.yaml_tag = node.tag
        return text

    for kind in ("int", "float", "bool", "timestamp"):
        TextConstructor.add_constructor(f"tag:yaml.org,2002:{kind}", as_text)

    class TextRepresenter(RoundTripRepresenter):
        pass

    TextRepresenter.add_representer(TypedText, lambda r, text: r.represent_scalar(text.yaml_tag, str(text)))

    def make(offset: int):
        yaml = YAML()
        yaml.Constructor = TextConstructor
        yaml.Representer = TextRepresenter
        yaml.preserve_quotes = True
        yaml.width = 4096
        yaml.indent(mapping=2, sequence=offset + 2, offset=offset)
        return yaml

    return make


# The document last written to each file, with the text written: the next write to an unchanged
# file (the TUI toggling tags) merges into it instead of loading the file, which is most of the
# cost. Small files only; a document is taken out while it is being merged.
_written: dict[str, tuple[str, Any]] = {}
_written_lock = threading.Lock()
REMEMBER_MAX_CHARS = 1_000_000


@dataclass
class Rewrite:
    """A file's new text, with its comments; `written()` once it is on disk."""

    path: Path
    text: str
    document: Any

    def written(self) -> None:
        if len(self.text) <= REMEMBER_MAX_CHARS:
            with _written_lock:
                _written[str(self.path)] = (self.text, self.document)


def rewrite(path: Path, existing: str, data: Any) -> Rewrite:
    """`data` in the layout of `existing` (the file's text now), with the comments of the records
    it keeps."""
    match = _SEQUENCE_OFFSET.search(existing)
    yaml = _round_trip_yaml_class()(len(match.group(1)) if match else 0)
    with _written_lock:
        remembered = _written.pop(str(path), None)
    # The document last written is reused only while the file still holds exactly its text: compared
    # by content, so an edit that keeps the size and puts the mtime back is read, not overwritten.
    if remembered is not None and remembered[0] == existing:
        document = remembered[1]
    else:
        document = yaml.load(existing)
    document = _merge(document, data)
    out = io.StringIO()
    yaml.dump(document, out)
    return Rewrite(path, out.getvalue(), document)


def _merge(old: Any, new: Any) -> Any:
    """`new`, reusing the parts of `old` (a ruamel document) that carry comments and layout."""
    from ruamel.yaml.comments import CommentedMap, CommentedSeq  # ruamel.yaml: only for a file that holds comments

    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [key for key in old if key not in new]:
            del old[key]
        for key, value in new.items():
            old[key] = _merge(old[key], value) if key in old else _fresh(value)
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        return _merge_list(old, new)
    if isinstance(old, str) and isinstance(new, str) and str(old) == new:
        return old  # unchanged text keeps its quoting and block style
    if old is None and new is None:
        return old
    return _fresh(new)


def _merge_list(old, new: list):
    from ruamel.yaml.comments import CommentedSeq  # ruamel.yaml: only for a file that holds comments

    unused: dict[Any, list[int]] = {}
    for index, item in enumerate(old):
        unused.setdefault(_identity(item), []).append(index)
    merged = CommentedSeq()
    if old.fa.flow_style():
        merged.fa.set_flow_style()
    merged.ca.comment = old.ca.comment
    merged.ca.end = old.ca.end
    for position, item in enumerate(new):
        candidates = unused.get(_identity(item))
        if candidates:
            index = candidates.pop(0)
            merged.append(_merge(old[index], item))
            if index in old.ca.items:
                merged.ca.items[position] = old.ca.items[index]
        else:
            merged.append(_fresh(item))
    return merged


def _identity(item: Any) -> Any:
    if isinstance(item, dict):
        for keys in _IDENTITIES:
            if all(key in item for key in keys):
                return keys + tuple(str(item[key]) for key in keys)
        return None
    return str(item) if isinstance(item, str) else repr(item)


def _fresh(value: Any) -> Any:
    """A new value: multi-line text as a literal block, as yamlio writes it."""
    from ruamel.yaml.scalarstring import LiteralScalarString  # ruamel.yaml: only for a file that holds comments

    if isinstance(value, dict):
        return {str(key): _fresh(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_fresh(item) for item in value]
    if isinstance(value, str):
        text = str(value)  # AsWritten and other subclasses: ruamel represents plain str only
        return LiteralScalarString(text) if "\n" in text and literal_block_fits(text) else text
    return value
