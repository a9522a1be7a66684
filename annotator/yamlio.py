"""Safe YAML reading with line numbers, and atomic, durable writing.

Reading uses PyYAML's safe loader (the C one when available), so a corpus file can
never construct Python objects. Every mapping remembers the line it started on, so
a validation error can name `file:line`. Writing goes to a temporary file in the
same folder, is fsynced, then renamed over the old file: a crash at any instant
leaves either the old or the new file, never half of one.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Any

import yaml

from annotator.errors import CorpusError

_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_BaseDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# Aliases make "billion laughs" documents cheap to write and ruinous to expand;
# corpus files never need them, so more than a handful is refused outright.
MAX_ALIASES = 100
# ...and a few aliases nested inside each other can still stand for billions of nodes.
MAX_EXPANDED_NODES = 5_000_000


class LineDict(dict):
    """A mapping read from YAML that knows the line it started on (1-based)."""

    line: int = 0


class _LineLoader(_BaseLoader):
    """The safe loader, building LineDicts and leaving timestamps as text."""


def _construct_mapping(loader, node):
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


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Timestamps stay text: the corpus stores ISO strings and compares them as such.
_LineLoader.add_constructor("tag:yaml.org,2002:timestamp", _LineLoader.construct_yaml_str)


def _too_many_aliases(text: str) -> bool:
    """Many aliases, or few that expand to a huge document (nested "billion laughs")."""
    # A cheap text test first; only a file that might hold aliases is parsed for them.
    if "*" not in text or "&" not in text:
        return False
    aliases = 0
    sizes: dict[str, int] = {}  # anchor -> nodes it stands for, expanded
    open_nodes: list[list] = [[None, 0]]  # [anchor, nodes so far] for each open collection
    for event in yaml.parse(text, Loader=_BaseLoader):
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
    if "\x00" in text:
        raise CorpusError(path, "the file contains NUL bytes; it is not a text YAML file")
    try:
        too_many = _too_many_aliases(text)
    except yaml.YAMLError:
        too_many = False  # the real parse below reports the syntax error with its line
    if too_many:
        raise CorpusError(path, f"too many YAML aliases (more than {MAX_ALIASES}, or expanding past {MAX_EXPANDED_NODES:,} values); refusing to expand them")
    loader = _LineLoader(text)
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


class _Dumper(_BaseDumper):
    """Block style, keys in the order given, long text as folded-free literal blocks."""


def _represent_str(dumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def _represent_linedict(dumper, value):
    return dumper.represent_dict(value.items())


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(LineDict, _represent_linedict)
_Dumper.add_representer(dict, lambda d, v: d.represent_dict(v.items()))


def dump_yaml(data: Any) -> str:
    return yaml.dump(data, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100, default_flow_style=False)


def atomic_write_text(path: Path, text: str) -> None:
    """Write text so that a crash leaves either the old file or the new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
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


def write_yaml(path: Path, data: Any, header: str = "") -> None:
    atomic_write_text(path, header + dump_yaml(data))
