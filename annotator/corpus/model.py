"""The typed records of a workspace and their validation from YAML.

Each `from_yaml` checks one record where it enters, so a bad field is reported
as `file:line: what is wrong` and never travels further into the program.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from anyascii import anyascii

from annotator.corpus.yamlio import AsWritten
from annotator.errors import CorpusError

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")

# The fields each record knows; any other field in a record is kept as it is (see `extra`).
THEME_KEYS = ("id", "name", "description", "color", "parent")
SOURCE_KEYS = ("id", "title", "author", "file", "imported_at", "language")
PASSAGE_KEYS = ("id", "text", "location")
TAG_KEYS = ("passage", "theme", "at", "comment", "spans")
MEMO_KEYS = ("passage", "text", "at")


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat()


def slugify(text: str, fallback: str = "item") -> str:
    """`L'espérance` -> `l-esperance`, `Straße` -> `strasse`, `希望` -> `xiwang`: ASCII (ids name files)."""
    slug = re.sub(r"[^a-z0-9]+", "-", anyascii(text).lower()).strip("-")
    return slug[:60].strip("-") or fallback


# An English possessive or contraction: the apostrophe goes, not the word ("individual's" ->
# "individuals", not "individual-s"); an elision keeps its break ("L'espérance" -> "l-esperance").
_CONTRACTION = re.compile(r"(?<=[A-Za-z])['\u2019\u02bc](?=(?:s|t|re|ve|ll|d|m)\b)")


def theme_slug(name: str) -> str:
    """The id a new theme gets from its name: `The individual's obligation` ->
    `the-individuals-obligation`. Theme ids only: source ids keep `slugify`, since a source
    re-imported from the same file must find the id it was given before."""
    return slugify(_CONTRACTION.sub("", name), "theme")


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`... whichever is not taken yet."""
    candidate, n = base, 2
    while candidate in taken:
        candidate = f"{base}-{n}"
        n += 1
    return candidate


def _line(record: Any) -> int | None:
    return getattr(record, "line", None) or None


def _text(record: dict, key: str, path: Path, *, required: bool = False, default: str = "") -> str:
    value = record.get(key)
    if value is None:
        if required:
            raise CorpusError(path, f"missing '{key}'", _line(record))
        return default
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise CorpusError(path, f"'{key}' must be text, not {yaml_kind(value)}", _line(record))
    return str(value)


def yaml_kind(value: Any) -> str:
    """What a YAML value is, in the words of someone editing the file: not a Python class's name
    ("not LineDict", "not AsWritten")."""
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    return type(value).__name__


# The `extra` of the (many) records with no unknown field: one shared empty dict, not one in
# each of 100k passages. `extra` is never changed in place (records are rebuilt instead).
NO_EXTRA: Mapping[str, Any] = {}


def _no_extra() -> Mapping[str, Any]:
    return NO_EXTRA


def _unknown(record: dict, known: tuple[str, ...]) -> Mapping[str, Any]:
    """Fields a hand edit added (`confidence:` on a tag, `aliases:` on a theme): kept and written back."""
    if len(record) <= len(known) and all(key in known for key in record):
        return NO_EXTRA
    return {key: value for key, value in record.items() if key not in known}


def _with_unknown(data: dict, extra: Mapping[str, Any]) -> dict:
    for key, value in extra.items():
        data.setdefault(key, value)
    return data


def _mapping(record: Any, path: Path, what: str, line: int | None = None) -> dict:
    if not isinstance(record, dict):
        raise CorpusError(path, f"each {what} must be a mapping (key: value), not {yaml_kind(record)}", line)
    return record


@dataclass
class Theme:
    id: str
    name: str
    description: str = ""
    color: str | None = None
    parent: str | None = None

    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False, repr=False)

    @classmethod
    def from_yaml(cls, record: Any, path: Path) -> "Theme":
        record = _mapping(record, path, "theme")
        theme_id = _text(record, "id", path, required=True).strip()
        if not SLUG_RE.match(theme_id):
            raise CorpusError(path, f"theme id '{theme_id}' must be a slug (lowercase letters, digits, '-')", _line(record))
        color = _text(record, "color", path) or None
        if color and not COLOR_RE.match(color):
            raise CorpusError(path, f"theme '{theme_id}': color '{color}' must look like #rrggbb", _line(record))
        return cls(
            id=theme_id,
            name=_text(record, "name", path) or theme_id,
            description=_text(record, "description", path).strip(),
            color=color,
            parent=_text(record, "parent", path) or None,
            extra=_unknown(record, THEME_KEYS),
        )

    def to_yaml(self) -> dict:
        data: dict[str, Any] = {"id": self.id, "name": self.name}
        if self.color:
            data["color"] = self.color
        if self.parent:
            data["parent"] = self.parent
        data["description"] = self.description
        return _with_unknown(data, self.extra)


@dataclass
class Source:
    id: str
    title: str = ""
    author: str = ""
    file: str = ""
    imported_at: str = ""
    language: str = ""  # an ISO 639-1 code (annotator.corpus.languages); "" for the workspace's

    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False, repr=False)

    @classmethod
    def from_yaml(cls, record: Any, path: Path) -> "Source":
        record = _mapping(record, path, "source")
        source_id = _text(record, "id", path, required=True).strip()
        if not SLUG_RE.match(source_id):
            raise CorpusError(path, f"source id '{source_id}' must be a slug", _line(record))
        return cls(
            id=source_id,
            title=_text(record, "title", path) or source_id,
            author=_text(record, "author", path),
            file=_text(record, "file", path),
            imported_at=_text(record, "imported_at", path),
            language=_language(record, path),
            extra=_unknown(record, SOURCE_KEYS),
        )

    def to_yaml(self) -> dict:
        data = {
            "id": self.id,
            "title": self.title,
            "author": self.author,
            "file": self.file,
            "imported_at": self.imported_at,
        }
        if self.language:
            data["language"] = self.language
        return _with_unknown(data, self.extra)


def _language(record: dict, path: Path) -> str:
    from annotator.corpus.languages import UnknownLanguage, normalise

    code = _text(record, "language", path).strip()
    if not code:
        return ""
    try:
        return normalise(code)
    except UnknownLanguage as error:
        raise CorpusError(path, str(error), _line(record)) from None


# Theme notes share the index with passages, each under this prefix and its theme's id: no passage may use it.
NOTE_ID_PREFIX = "note:"


def reserved_for_notes(passage_id: str) -> bool:
    return passage_id[: len(NOTE_ID_PREFIX)].casefold() == NOTE_ID_PREFIX


@dataclass
class Passage:
    id: str
    text: str
    location: str = ""
    source: str = ""

    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False, repr=False)

    @classmethod
    def from_yaml(cls, record: Any, path: Path, source: str) -> "Passage":
        record = _mapping(record, path, "passage")
        passage_id, text, location = record.get("id"), record.get("text"), record.get("location")
        if type(passage_id) is str and type(text) is str and (location is None or type(location) is str):
            # The usual record, checked at C speed: the same checks and values as below.
            passage_id = passage_id.strip()
            if passage_id.split() == [passage_id] and not reserved_for_notes(passage_id):
                return cls(passage_id, text, location or "", source, _unknown(record, PASSAGE_KEYS))
        passage_id = _text(record, "id", path, required=True).strip()
        if not passage_id or any(ch.isspace() for ch in passage_id):
            raise CorpusError(path, f"passage id '{passage_id}' must be non-empty and have no spaces", _line(record))
        if reserved_for_notes(passage_id):
            # The index holds each theme's note under `note:<theme id>`: a passage so named would take its place.
            raise CorpusError(path, f"passage id '{passage_id}' must not start with '{NOTE_ID_PREFIX}' (theme notes use it)",
                              _line(record))
        return cls(
            id=passage_id,
            text=_text(record, "text", path, required=True),
            location=_text(record, "location", path),
            source=source,
            extra=_unknown(record, PASSAGE_KEYS),
        )

    def to_yaml(self) -> dict:
        data = {"id": self.id}
        if self.location:
            data["location"] = self.location
        data["text"] = self.text
        return _with_unknown(data, self.extra)


@dataclass
class SourceFile:
    """One `passages/<source-id>.yaml`: a source and its passages, in order."""

    source: Source
    passages: list[Passage] = field(default_factory=list)

    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False, repr=False)

    @classmethod
    def from_yaml(cls, data: Any, path: Path) -> "SourceFile":
        if data is None:
            raise CorpusError(path, "the file is empty; expected 'source:' and 'passages:'")
        data = _mapping(data, path, "passages file")
        if "source" not in data:
            raise CorpusError(path, "missing 'source:' (id, title, author)", _line(data))
        source = Source.from_yaml(data["source"], path)
        raw = data.get("passages") or []
        if not isinstance(raw, list):
            raise CorpusError(path, "'passages' must be a list", _line(data))
        passages = [Passage.from_yaml(item, path, source.id) for item in raw]
        seen: set[str] = set()
        for passage, item in zip(passages, raw):
            if passage.id in seen:
                raise CorpusError(path, f"duplicate passage id '{passage.id}'", _line(item))
            seen.add(passage.id)
        return cls(source, passages, _unknown(data, ("source", "passages")))

    def to_yaml(self) -> dict:
        data = {"source": self.source.to_yaml(), "passages": [p.to_yaml() for p in self.passages]}
        return _with_unknown(data, self.extra)


@dataclass(frozen=True)
class Span:
    """Some words of a passage a tag is about: `quote` is text[start:end] (character offsets).

    A span a hand edit made unreadable keeps its YAML in `raw` (written back as it was) and
    says why in `problem`; the tag then counts as a tag on the whole passage.
    """

    start: int
    end: int
    quote: str
    line: int | None = field(default=None, compare=False)
    raw: Any = field(default=None, compare=False, repr=False)
    problem: str = field(default="", compare=False)

    @classmethod
    def from_yaml(cls, record: Any, line: int | None) -> "Span":
        line = _line(record) or line
        if not isinstance(record, dict):
            return cls(-1, -1, "", line, record, "a span must be a mapping (quote:, start:, end:)")
        quote = record.get("quote")
        start, end = _whole_number(record.get("start")), _whole_number(record.get("end"))
        if not isinstance(quote, str) or start is None or end is None:
            return cls(-1, -1, "", line, record, "a span needs quote: (text), start: and end: (whole numbers)")
        return cls(start, end, quote, line)

    def to_yaml(self) -> Any:
        if self.raw is not None:
            return self.raw
        # Numbers as the loader reads them back (text, written unquoted), so that a file keeping its
        # comments (yaml_roundtrip) compares equal to what was meant to be written.
        return {"quote": self.quote, "start": AsWritten(self.start), "end": AsWritten(self.end)}

    def to_json(self) -> dict:
        return {"quote": self.quote, "start": self.start, "end": self.end}


def _whole_number(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,12}\s*", value):
        return int(value)
    return None


def _spans(record: dict) -> tuple[Span, ...]:
    value = record.get("spans")
    if value is None:
        return ()
    if not isinstance(value, list):  # kept (inside a list) and reported, never dropped
        return (Span(-1, -1, "", _line(record), value, "'spans' must be a list"),)
    return tuple(Span.from_yaml(item, _line(record)) for item in value)


@dataclass
class Tag:
    passage: str
    theme: str
    annotator: str
    at: str = ""
    comment: str | None = None

    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False, repr=False)
    # The words the tag is about; none: the whole passage. Several spans of one theme share a tag,
    # so a tag is still one (passage, theme) per annotator and counts by passage.
    spans: tuple[Span, ...] = ()

    @classmethod
    def from_yaml(cls, record: Any, path: Path, annotator: str) -> "Tag":
        record = _mapping(record, path, "tag")
        get = record.get
        passage, theme, at, comment = get("passage"), get("theme"), get("at"), get("comment")
        if (type(passage) is str and type(theme) is str and (at is None or type(at) is str)
                and (comment is None or type(comment) is str) and "spans" not in record):
            # The usual record, checked at C speed: the same values as below (missing `at` is "");
            # a span tag's words take the full path, which reads them.
            return cls(passage, theme, annotator, at or "", comment or None, _unknown(record, TAG_KEYS))
        return cls(
            passage=_text(record, "passage", path, required=True),
            theme=_text(record, "theme", path, required=True),
            annotator=annotator,
            at=_text(record, "at", path),
            comment=_text(record, "comment", path) or None,
            extra=_unknown(record, TAG_KEYS),
            spans=_spans(record),
        )

    def to_yaml(self) -> dict:
        data = {"passage": self.passage, "theme": self.theme, "at": self.at}
        if self.comment:
            data["comment"] = self.comment
        if self.spans:
            data["spans"] = [span.to_yaml() for span in self.spans]
        return _with_unknown(data, self.extra)


@dataclass
class Memo:
    """A comment on a passage as a whole, not on one of its tags."""

    passage: str
    text: str
    annotator: str
    at: str = ""

    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False, repr=False)

    @classmethod
    def from_yaml(cls, record: Any, path: Path, annotator: str) -> "Memo":
        record = _mapping(record, path, "memo")
        return cls(
            passage=_text(record, "passage", path, required=True),
            text=_text(record, "text", path, required=True),
            annotator=annotator,
            at=_text(record, "at", path),
            extra=_unknown(record, MEMO_KEYS),
        )

    def to_yaml(self) -> dict:
        return _with_unknown({"passage": self.passage, "at": self.at, "text": self.text}, self.extra)


@dataclass
class AnnotationFile:
    """One `annotations/<annotator>.yaml`: everything one person tagged and wrote."""

    annotator: str
    tags: list[Tag] = field(default_factory=list)
    memos: list[Memo] = field(default_factory=list)

    extra: Mapping[str, Any] = field(default_factory=_no_extra, compare=False, repr=False)

    @classmethod
    def from_yaml(cls, data: Any, path: Path) -> "AnnotationFile":
        default_name = path.stem
        if data is None:
            return cls(default_name)
        data = _mapping(data, path, "annotations file")
        name = _text(data, "annotator", path) or default_name
        raw_tags = data.get("tags") or []
        raw_memos = data.get("memos") or []
        if not isinstance(raw_tags, list):
            raise CorpusError(path, "'tags' must be a list", _line(data))
        if not isinstance(raw_memos, list):
            raise CorpusError(path, "'memos' must be a list", _line(data))
        return cls(
            annotator=name,
            tags=[Tag.from_yaml(item, path, name) for item in raw_tags],
            memos=[Memo.from_yaml(item, path, name) for item in raw_memos],
            extra=_unknown(data, ("annotator", "tags", "memos")),
        )

    def to_yaml(self) -> dict:
        data: dict[str, Any] = {"annotator": self.annotator, "tags": [t.to_yaml() for t in self.tags]}
        if self.memos:
            data["memos"] = [m.to_yaml() for m in self.memos]
        return _with_unknown(data, self.extra)

    def find(self, passage: str, theme: str) -> Tag | None:
        for tag in self.tags:
            if tag.passage == passage and tag.theme == theme:
                return tag
        return None


def themes_from_yaml(data: Any, path: Path) -> list[Theme]:
    """Read `themes.yaml`: a list of themes (a `themes:` key around it is accepted too)."""
    if data is None:
        return []
    if isinstance(data, dict) and "themes" in data:
        data = data["themes"]
    if not isinstance(data, list):
        raise CorpusError(path, "expected a list of themes (- id: ..., name: ..., description: ...)", _line(data))
    themes = [Theme.from_yaml(item, path) for item in data]
    seen: set[str] = set()
    for theme, item in zip(themes, data):
        if theme.id in seen:
            raise CorpusError(path, f"duplicate theme id '{theme.id}'", _line(item))
        seen.add(theme.id)
    return themes
