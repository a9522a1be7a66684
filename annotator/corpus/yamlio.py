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
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

from annotator.corpus import yaml_fast, yaml_roundtrip
from annotator.corpus.yamlstyle import literal_block_fits
from annotator.errors import CorpusError, InvalidText, WriteFailure, os_error_reason, printable

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
    import yaml  # PyYAML: not before the TUI's first frame

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

    def __reduce__(self):
        # Pickled (the index's stored fields, worker processes) as plain text: no pickle anywhere
        # names this class, so moving or renaming it breaks no index.
        return (str, (str(self),))


def _construct_text(loader, node):
    value = node.value  # a scalar node's value is its text (what construct_scalar returns)
    return _plain_text(value) if not node.style else value


def _plain_text(value: str) -> str:
    """A plain scalar's value: text, or AsWritten if YAML 1.1 would read it as another type."""
    if value[:1] in _IMPLICIT_FIRST and not _resolves_as_text(value):
        return AsWritten(value)
    return value


@functools.lru_cache(maxsize=4096)
def _resolves_as_text(value: str) -> bool:
    # Cached: keys (`theme`, `text`) and theme ids repeat in every record of a file.
    return _plain_scalar_tag()(value) == _STR_TAG


# The first characters of plain scalars YAML 1.1 may read as something other than text
# (yaml.resolver.Resolver.yaml_implicit_resolvers' keys; tests check they agree).
_IMPLICIT_FIRST = frozenset("-+0123456789.<=~nNyYtTfFoO&!*") | {""}


def _base_loader():
    import yaml  # PyYAML: not before the TUI's first frame

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


# A plain scalar reads as text, whatever it looks like: `id: 007`, `location: 1:30`,
# `title: no`, `themes: [yes]` keep the text as written (YAML 1.1 would read 7, 90, False,
# True). Only null (`~`, `null`, nothing) and merge keys keep their meaning.
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")


@functools.cache
def _line_loader():
    """The safe loader (the C one when available), building LineDicts and reading every
    plain scalar but null as text."""
    import yaml  # PyYAML: not before the TUI's first frame

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
    import yaml  # PyYAML: not before the TUI's first frame

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
    import yaml  # PyYAML: not before the TUI's first frame

    if "\x00" in text:
        raise CorpusError(path, "the file contains NUL bytes; it is not a text YAML file")
    # The plain YAML annotator writes is read by a fast reader (no aliases, so nothing to expand);
    # anything else, and every error, by PyYAML.
    value = yaml_fast.parse(text, _plain_text, LineDict)
    if value is not yaml_fast.DECLINED:
        return value
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
    text = read_yaml_text(path)
    return None if text is None else parse_yaml(text, path)


def read_yaml_text(path: Path) -> str | None:
    """One YAML file's text (a BOM dropped), None if it is missing; a CorpusError if unreadable."""
    try:
        raw = read_regular_file(path)
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorpusError(path, f"cannot read: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise CorpusError(path, "not valid UTF-8 text", line) from None
    return text


def read_regular_file(path: Path) -> bytes:
    """A file's bytes; an OSError when it is not a regular file. A corpus file that is a named pipe
    or a link to a device (`/dev/zero`, `/dev/tty`: a cloned repository or an unpacked zip can hold
    such a link) would otherwise be read forever, or wait forever for a writer."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # (opening a pipe does not wait)
    with os.fdopen(fd, "rb") as handle:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = "a folder" if stat.S_ISDIR(mode) else "a pipe, a device or a socket, not a file"
            raise OSError(errno.EINVAL, f"it is {kind}")
        return handle.read()


# -- writing ------------------------------------------------------------------------------
#
# Files are written by PyYAML's C emitter (CSafeDumper) in block style, with multi-line text
# as literal `|` blocks. A hand-written emitter wrote them before: measured in one run
# (benchmarks/yaml_write_bench.py) it saved 1-2 ms of CPU on a 200-tag file, 5-10% of a
# durable (fsync-bound) tag toggle, not worth its upkeep. (A 20k-passage source file takes
# ~0.9 s to dump instead of ~0.35 s: an import pays that once.)

_STR_TAG = "tag:yaml.org,2002:str"
# Lone surrogates: what Python makes of a byte that is not UTF-8 in an argument (\udce9).
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.cache
def _plain_scalar_tag():
    """What YAML reads a plain scalar as: text -> tag (str, int, bool, null...)."""
    import yaml  # PyYAML: not before the TUI's first frame

    return functools.partial(yaml.resolver.Resolver().resolve, yaml.ScalarNode, implicit=(True, False))


def _represent_text(dumper, text: str):
    # A literal block when the emitter can hold the text in one (it falls back to quotes if not).
    style = "|" if "\n" in text and literal_block_fits(text) else None
    return dumper.represent_scalar(_STR_TAG, str(text), style=style)


def _represent_as_written(dumper, text: "AsWritten"):
    """`007`, `no`, `1:30` written back unquoted, as the user wrote them: tagged with what YAML 1.1
    reads them as, the emitter may leave them plain; annotator's loader reads them as text."""
    tag = _plain_scalar_tag()(str(text))
    if tag == _STR_TAG or _NULL.match(text):
        return _represent_text(dumper, text)
    return dumper.represent_scalar(tag, str(text))


@functools.cache
def _dumper():
    import yaml  # PyYAML: not before the TUI's first frame

    class CorpusDumper(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):
        pass

    CorpusDumper.add_representer(str, _represent_text)
    CorpusDumper.add_representer(AsWritten, _represent_as_written)
    CorpusDumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)
    return CorpusDumper


def dump_yaml(data: Any) -> str:
    import yaml  # PyYAML: not before the TUI's first frame

    try:
        return yaml.dump(data, Dumper=_dumper(), allow_unicode=True, sort_keys=False, default_flow_style=False,
                         width=1_000_000)
    except (UnicodeEncodeError, yaml.YAMLError):
        bad = next((text for text in _texts(data) if _LONE_SURROGATE.search(text)), None)
        if bad is None:
            raise
        # Written as \udce9 it would read back refused; nothing is written at all instead.
        raise InvalidText(f"'{printable(bad)}' is not valid UTF-8 text (a byte that is not UTF-8, or a lone surrogate)") from None


def _texts(data: Any):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for key, value in data.items():
            yield from _texts(key)
            yield from _texts(value)
    elif isinstance(data, list):
        for item in data:
            yield from _texts(item)


def _current_umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


# mkstemp creates files readable by their owner only; a corpus file is shared work.
_NEW_FILE_MODE = 0o666 & ~_current_umask()


def write_target(path: Path) -> Path:
    """Where a write to `path` goes: through a symbolic link to its target, so a corpus file
    shared by a link stays shared (the new file is renamed over the target, not the link).
    A link to nothing is refused: a file cloned or unpacked with such a link would otherwise
    make a write land wherever it points, outside the workspace too."""
    if not path.is_symlink():
        return path
    target = Path(os.path.realpath(path))
    if not target.is_file():
        raise WriteFailure(f"cannot write {path}: it is a symbolic link to {target}, which is not an existing file; "
                           "nothing was written (remove the link, or point it at the file)")
    return target


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write a file so that a crash leaves either the old file or the new one, never half.
    A refused write (permission, read-only or full disk) leaves the old file and says so."""
    target = write_target(path)
    try:
        _atomic_write(target, data)
    except OSError as exc:
        shown = path if target == path else f"{path} (a link to {target})"
        raise WriteFailure(f"cannot write {shown}: {os_error_reason(exc)}; the file was not changed") from None


def atomic_write_all(files: list[tuple[Path, bytes]]) -> None:
    """Write several files, none of them when one write is refused (a full disk, a permission):
    each is first written whole beside its file, where a refusal comes, and only then are all
    renamed into place. (A crash among the renames still leaves some new and some old.)"""
    staged: list[tuple[str, Path]] = []
    try:
        for path, data in files:
            target = write_target(path)
            try:
                staged.append((_stage(target, data), target))
            except OSError as exc:
                shown = path if target == path else f"{path} (a link to {target})"
                raise WriteFailure(f"cannot write {shown}: {os_error_reason(exc)}; no file was changed") from None
        for tmp_name, target in staged:
            os.replace(tmp_name, target)
    finally:
        for tmp_name, _target in staged:
            try:
                os.unlink(tmp_name)
            except OSError:  # renamed into place
                pass
    for folder in dict.fromkeys(target.parent for _tmp, target in staged):
        fsync_dir(folder)


def _stage(path: Path, data: bytes) -> str:
    """`data` written and synced to a new temporary file beside `path`; its name."""
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
    except BaseException:
        _remove_quietly(tmp_name)
        raise
    return tmp_name


def _atomic_write(path: Path, data: bytes) -> None:
    tmp_name = _stage(path, data)
    try:
        os.replace(tmp_name, path)
    except BaseException:
        _remove_quietly(tmp_name)
        raise
    fsync_dir(path.parent)


def atomic_write_text(path: Path, text: str) -> None:
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate: refused before the file is touched
        raise InvalidText(f"{path} was not changed: '{printable(exc.object[max(0, exc.start - 20):exc.end + 20])}' "
                          "is not valid UTF-8 text") from None
    atomic_write_bytes(path, data)


def _remove_quietly(name: str) -> None:
    """A staged file that could not be put in place (or is gone already) is removed, without a new error."""
    try:
        os.unlink(name)
    except OSError:
        pass


def fsync_dir(folder: Path) -> None:
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
