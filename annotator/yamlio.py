"""Safe YAML reading with line numbers, and atomic, durable writing.

Reading uses PyYAML's safe loader (the C one when available), so a corpus file can
never construct Python objects. Every mapping remembers the line it started on, so
a validation error can name `file:line`. Writing goes to a temporary file in the
same folder, is fsynced, then renamed over the old file: a crash at any instant
leaves either the old or the new file, never half of one.
"""

from __future__ import annotations

import errno
import functools
import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from annotator.errors import CorpusError, InvalidText, WriteFailure, printable

# PyYAML is imported on first use, not with this module: its import takes some 30 ms,
# which the TUI would otherwise pay before its first frame.

# Aliases make "billion laughs" documents cheap to write and ruinous to expand;
# corpus files never need them, so more than a handful is refused outright.
MAX_ALIASES = 100
# ...and a few aliases nested inside each other can still stand for billions of nodes.
MAX_EXPANDED_NODES = 5_000_000


class LineDict(dict):
    """A mapping read from YAML that knows the line it started on (1-based)."""

    line: int = 0


def _refuse_duplicate_keys(loader, node) -> None:
    """Two `tags:` blocks (a bad merge) must not read as the last one: the next write would
    make the loss of the first permanent. Merge keys (`<<`) may still be overridden."""
    keys = [key_node.value for key_node, _value in node.value]
    if len(set(keys)) == len(keys):  # the usual case, decided at C speed
        return
    import yaml

    seen: set = set()
    for key_node, _value in node.value:
        if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == "tag:yaml.org,2002:merge":
            continue
        if key_node.value in seen:
            raise CorpusError(loader.name, f"duplicate key '{key_node.value}'", key_node.start_mark.line + 1)
        seen.add(key_node.value)


def _construct_mapping(loader, node):
    _refuse_duplicate_keys(loader, node)
    loader.flatten_mapping(node)
    mapping = LineDict()
    mapping.line = node.start_mark.line + 1
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        try:
            hash(key)
        except TypeError:
            raise CorpusError(loader.name, "a mapping key must be plain text", key_node.start_mark.line + 1)
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


class AsWritten(str):
    """Text written unquoted that YAML 1.1 would read as another type (`007`, `0.8`, `no`, `1:30`):
    read as text, and written back unquoted, as the user wrote it."""

    __slots__ = ()


def _construct_text(loader, node):
    value = node.value  # a scalar node's value is its text (what construct_scalar returns)
    if not node.style and value[:1] in _IMPLICIT_FIRST and _plain_scalar_tag()(value) != _STR_TAG:
        return AsWritten(value)
    return value


# The first characters of plain scalars YAML 1.1 may read as something other than text
# (yaml.resolver.Resolver.yaml_implicit_resolvers' keys; tests check they agree).
_IMPLICIT_FIRST = frozenset("-+0123456789.<=~nNyYtTfFoO&!*") | {""}


def _base_loader():
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# A plain scalar reads as text, whatever it looks like: `id: 007`, `location: 1:30`,
# `title: no`, `themes: [yes]` keep the text as written (YAML 1.1 would read 7, 90, False,
# True). Only null (`~`, `null`, nothing) and merge keys keep their meaning.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


@functools.cache
def _line_loader():
    """The safe loader (the C one when available), building LineDicts and reading every
    plain scalar but null as text."""
    import yaml

    class LineLoader(_base_loader()):
        yaml_implicit_resolvers: dict = {}

    LineLoader.add_implicit_resolver("tag:yaml.org,2002:null", _NULL, ["~", "n", "N", ""])
    LineLoader.add_implicit_resolver("tag:yaml.org,2002:merge", re.compile(r"^(?:<<)$"), ["<"])

    LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    LineLoader.add_constructor(_STR_TAG, _construct_text)
    # Timestamps stay text: the corpus stores ISO strings and compares them as such.
    LineLoader.add_constructor("tag:yaml.org,2002:timestamp", LineLoader.construct_yaml_str)
    return LineLoader


def _too_many_aliases(text: str) -> bool:
    """Many aliases, or few that expand to a huge document (nested "billion laughs")."""
    # A cheap text test first; only a file that might hold aliases is parsed for them.
    if "*" not in text or "&" not in text:
        return False
    import yaml

    aliases = 0
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, expanded
    open_nodes: list[list] = [[None, 0]]  # [anchor, nodes so far] for each open collection
    for event in yaml.parse(text, Loader=_base_loader()):
        if isinstance(event, yaml.AliasEvent):
            aliases += 1
            open_nodes[-1][1] += sizes.get(event.anchor, 1)
        elif isinstance(event, yaml.ScalarEvent):
            open_nodes[-1][1] += 1
            if event.anchor:
                sizes[event.anchor] = 1
        elif isinstance(event, yaml.CollectionStartEvent):
            open_nodes.append([event.anchor, 1])
        elif isinstance(event, yaml.CollectionEndEvent):
            anchor, size = open_nodes.pop()
            open_nodes[-1][1] += size
            if anchor:
                sizes[anchor] = size
        if aliases > MAX_ALIASES or open_nodes[0][1] > MAX_EXPANDED_NODES:
            return True
    return False


def parse_yaml(text: str, path: Path | str) -> Any:
    """Parse YAML text safely; any problem becomes a CorpusError naming path and line."""
    import yaml

    if "\x00" in text:
        raise CorpusError(path, "the file contains NUL bytes; it is not a text YAML file")
    try:
        too_many = _too_many_aliases(text)
    except yaml.YAMLError:
        too_many = False  # the real parse below reports the syntax error with its line
    if too_many:
        raise CorpusError(path, f"too many YAML aliases (more than {MAX_ALIASES}, or expanding past {MAX_EXPANDED_NODES:,} values); refusing to expand them")
    loader = _line_loader()(text)
    loader.name = str(path)
    try:
        return loader.get_single_data()
    except CorpusError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        problem = exc.problem or exc.context or "malformed YAML"
        raise CorpusError(path, f"malformed YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise CorpusError(path, f"malformed YAML: {exc}") from None
    except (RecursionError, MemoryError):
        raise CorpusError(path, "the YAML nests too deeply or is too large to read") from None
    finally:
        loader.dispose()


def read_yaml(path: Path) -> Any:
    """Read and parse one YAML file; a missing file reads as None."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorpusError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CorpusError(path, "not valid UTF-8 text", line) from None
    return parse_yaml(text, path)


# -- writing ------------------------------------------------------------------------------
#
# Corpus files hold only mappings, lists, text, numbers, booleans and nulls, so they are
# written by a small emitter of block-style YAML rather than PyYAML's representer, which
# spends some 0.1 ms per tag in Python: rewriting a 200-tag annotations file on every
# toggle cost 20 ms. What it writes is read back identically by the safe loader (tests).

_STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_FIRST_FORBIDDEN = set("-?:,[]{}#&*!|>'\"%@`") | set(" \t")
# Characters YAML lets stand unescaped in a double-quoted scalar.
# (NEL and the Unicode line and paragraph separators are line breaks to YAML: escaped too.)
_NOT_PRINTABLE_CHARS = "[^\x09\x0a\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"


@functools.cache
def _plain_scalar_tag():
    """What YAML reads a plain scalar as: text -> tag (str, int, bool, null...)."""
    import yaml

    return functools.partial(yaml.resolver.Resolver().resolve, yaml.ScalarNode, implicit=(True, False))


@functools.cache
def _not_printable() -> re.Pattern:
    return re.compile(_NOT_PRINTABLE_CHARS)  # compiled on first write: 14 ms every command would pay


# Inside a plain scalar, ":" before a blank starts a mapping value and "#" after a blank a
# comment; YAML's blanks are the space and the tab.
_ENDS_PLAIN = re.compile(r":[ \t]|[ \t]#")


def _is_plain_safe(text: str, as_written: bool = False) -> bool:
    """Whether `text` can be written unquoted and read back as the same text (`as_written`: by
    annotator's loader, which reads every plain scalar but null as text)."""
    return (
        bool(text)
        and text[0] not in _PLAIN_FIRST_FORBIDDEN
        and text[-1] not in " \t:"
        and not _ENDS_PLAIN.search(text)
        and "\n" not in text
        and "\t" not in text  # libyaml reads `0\t0: x` as a key; PyYAML's own scanner refuses it
        and not _not_printable().search(text)
        and (_plain_scalar_tag()(text) == _STR_TAG or (as_written and not _NULL.match(text)))
    )


_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def _quoted(text: str) -> str:
    if _LONE_SURROGATE.search(text):
        # Written as \udce9 it would read back refused; nothing is written at all instead.
        raise InvalidText(f"'{printable(text)}' is not valid UTF-8 text (a byte that is not UTF-8, or a lone surrogate)")
    # JSON's escapes (\" \\ \n \t \uXXXX) are a subset of YAML's double-quoted ones.
    body = json.dumps(text, ensure_ascii=False)
    return _not_printable().sub(lambda m: f"\\u{ord(m.group()):04x}", body)


def _literal_block(text: str, indent: str) -> str | None:
    """A multi-line text as a `|-` block, when YAML can hold it literally."""
    if "\r" in text or text.endswith("\n") or _not_printable().search(text):
        return None
    lines = text.split("\n")
    first = next((line for line in lines if line), "")
    if first[:1] in ("", " ", "\t"):  # YAML takes the block's indentation from its first non-empty line
        return None
    return "|-\n" + "\n".join(f"{indent}{line}" if line else "" for line in lines)


def _scalar(value: Any, indent: str) -> str:
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value != value:
            return ".nan"
        if value in (float("inf"), float("-inf")):
            return ".inf" if value > 0 else "-.inf"
        mantissa, e, exponent = repr(value).partition("e")
        if e and "." not in mantissa:  # YAML 1.1 floats need a dot: 1e+20 -> 1.0e+20
            mantissa += ".0"
        return mantissa + e + exponent
    text = str(value)
    if _is_plain_safe(text, as_written=type(value) is AsWritten):
        return text
    if "\n" in text:
        block = _literal_block(text, indent + "  ")
        if block is not None:
            return block
    return _quoted(text)


def _emit(value: Any, indent: str, out: list[str]) -> None:
    """Append the lines of a mapping or list at `indent` (the value's own lines only)."""
    if isinstance(value, dict):
        for key, item in value.items():
            key_text = str(key) if _is_plain_safe(str(key)) else _quoted(str(key))
            if isinstance(item, (dict, list)) and item:
                out.append(f"{indent}{key_text}:")
                _emit(item, indent + ("" if isinstance(item, list) else "  "), out)
            else:
                out.append(f"{indent}{key_text}: {_inline(item, indent)}")
    else:
        for item in value:
            if isinstance(item, dict) and item:
                lines: list[str] = []
                _emit(item, indent + "  ", lines)
                lines[0] = f"{indent}- " + lines[0][len(indent) + 2 :]
                out.extend(lines)
            elif isinstance(item, list) and item:
                lines = []
                _emit(item, indent + "  ", lines)
                lines[0] = f"{indent}- " + lines[0][len(indent) + 2 :]
                out.extend(lines)
            else:
                out.append(f"{indent}- {_inline(item, indent)}")


def _inline(value: Any, indent: str) -> str:
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return _scalar(value, indent)


def dump_yaml(data: Any) -> str:
    if isinstance(data, (dict, list)) and data:
        lines: list[str] = []
        _emit(data, "", lines)
        return "\n".join(lines) + "\n"
    return _inline(data, "") + "\n"


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; a corpus file is shared work.
_NEW_FILE_MODE = 0o666 & ~_current_umask()


def write_target(path: Path) -> Path:
    """Where a write to `path` goes: through a symbolic link to its target, so a corpus file
    shared by a link stays shared (the new file is renamed over the target, not the link)."""
    return Path(os.path.realpath(path)) if path.is_symlink() else path


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the disk"
    return (exc.strerror or str(exc)).lower()


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that a crash leaves either the old file or the new one, never half.
    A refused write (permission, read-only or full disk) leaves the old file and says so."""
    target = write_target(path)
    try:
        _atomic_write(target, data)
    except OSError as exc:
        shown = path if target == path else f"{path} (a link to {target})"
        raise WriteFailure(f"cannot write {shown}: {_reason(exc)}; the file was not changed") from None


def _atomic_write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        mode = path.stat().st_mode & 0o7777
    except OSError:
        mode = _NEW_FILE_MODE
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except OSError:
            pass
        raise
    _fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: refused before the file is touched
        raise InvalidText(f"{path} was not changed: '{printable(exc.object[max(0, exc.start - 20):exc.end + 20])}' "
                          "is not valid UTF-8 text") from None
    atomic_write_bytes(path, data)


def _fsync_dir(folder: Path) -> None:
    # The rename itself is durable only once the directory entry is on disk.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def literal_block_fits(text: str) -> bool:
    """Whether multi-line `text` reads back unchanged from a `|-` block."""
    return _literal_block(text, "  ") is not None


def write_yaml(path: Path, data: Any, header: str = "") -> None:
    """Write `data` to `path` atomically; a file holding comments (a hand edit) keeps them."""
    try:
        text = header + dump_yaml(data)  # also refuses text that is not valid UTF-8
    except InvalidText as exc:
        raise InvalidText(f"{path} was not changed: {exc}") from None
    kept = _keeping_comments(path, data, header)
    atomic_write_text(path, kept.text if kept else text)
    if kept:
        kept.written()


def _keeping_comments(path: Path, data: Any, header: str):
    """The file rewritten with its comments (yaml_roundtrip), if it holds any and the result reads
    back as `data`; else None, and the file is written by the emitter (the data comes first)."""
    existing = _existing_text(path)
    if existing is None:
        return None
    from annotator import yaml_roundtrip

    if not yaml_roundtrip.has_comments(existing, header):
        return None
    try:
        kept = yaml_roundtrip.rewrite(path, existing, data)
        return kept if parse_yaml(kept.text, path) == data else None
    except Exception:  # noqa: BLE001 - a file ruamel cannot merge is written without its comments
        return None


def _existing_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
