"""A YAML list of passages -> passages (ids kept) and the tags they name."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from annotator.errors import CorpusError, ImportFailure
from annotator.exchange.importers.checks import check_passage_id
from annotator.corpus.model import Passage
from annotator.corpus.yamlio import parse_yaml

KNOWN_PASSAGE_KEYS = {"id", "text", "location", "themes"}
KNOWN_TOP_KEYS = {"source", "passages"}
KNOWN_SOURCE_KEYS = {"id", "title", "author", "file", "imported_at"}


@dataclass
class YamlImport:
    passages: list[Passage]
    tags: list[tuple[str, str]]  # (passage id, theme as written)
    title: str | None = None
    author: str = ""
    source_id: str | None = None
    warnings: list[str] = field(default_factory=list)
    file: str = ""  # the file the source first came from, as a corpus file records it


def parse_yaml_passages(text: str, path: Path, default_source: str) -> YamlImport:
    try:
        data = parse_yaml(text, path)
    except CorpusError as exc:
        raise ImportFailure(str(exc)) from None
    except ValueError as exc:  # e.g. an integer of thousands of digits, which Python will not convert
        raise ImportFailure(f"{path}: cannot read a value ({str(exc).split(';')[0]})") from None
    if isinstance(data, list):
        data = {"passages": data}
    if not isinstance(data, dict) or not isinstance(data.get("passages"), list):
        raise ImportFailure(f"{path}: expected 'passages:' with a list of {{id, text, location, themes}}")
    warnings = [f"{path}:{getattr(data, 'line', 1)}: unknown key '{k}' ignored" for k in data if k not in KNOWN_TOP_KEYS]
    source = data.get("source") or {}
    if isinstance(source, (str, int, float)) and not isinstance(source, bool):
        source = {"title": str(source)}  # `source: Great Expectations` names the work
    if not isinstance(source, dict):
        raise ImportFailure(f"{path}: 'source' must be a title or a mapping (id, title, author)")
    warnings += [f"{path}: unknown source key '{k}' ignored" for k in source if k not in KNOWN_SOURCE_KEYS]
    source_id = _scalar(source.get("id"), "source id", str(path)) or None
    sid = source_id or default_source
    passages: list[Passage] = []
    tags: list[tuple[str, str]] = []
    seen: set[str] = set()
    for number, item in enumerate(data["passages"], start=1):
        line = getattr(item, "line", None)
        where = f"{path}:{line}" if line else str(path)
        if not isinstance(item, dict):
            raise ImportFailure(f"{where}: each passage must be a mapping with 'text'")
        text_value = item.get("text")
        if not isinstance(text_value, str) or not text_value.strip():
            raise ImportFailure(f"{where}: passage {number} has no 'text'")
        pid = (_scalar(item.get("id"), "passage id", where) or f"{sid}-p{number}").strip()
        check_passage_id(pid, where)
        if pid in seen:
            raise ImportFailure(f"{where}: duplicate passage id '{pid}'")
        seen.add(pid)
        warnings += [f"{where}: unknown key '{k}' ignored" for k in item if k not in KNOWN_PASSAGE_KEYS]
        location = _scalar(item.get("location"), "location", where)
        passages.append(Passage(pid, text_value.strip(), location, sid))
        themes = item.get("themes") or []
        if isinstance(themes, str):
            themes = [themes]
        if not isinstance(themes, list):
            raise ImportFailure(f"{where}: 'themes' must be a list of theme ids or names")
        tags += [(pid, _scalar(theme, "theme", where)) for theme in themes]
    return YamlImport(
        passages=passages,
        tags=tags,
        title=_scalar(source.get("title"), "title", str(path)) or None,
        author=_scalar(source.get("author"), "author", str(path)),
        source_id=source_id,
        warnings=warnings,
        file=_scalar(source.get("file"), "file", str(path)),
    )


def _scalar(value, what: str, where: str) -> str:
    """A plain value as text; a list or mapping where text belongs is an error (and never expanded)."""
    if value is None:
        return ""
    if isinstance(value, (list, dict)):
        raise ImportFailure(f"{where}: {what} must be text, not a {'list' if isinstance(value, list) else 'mapping'}")
    return str(value)
