"""REFI-QDA project exchange (.qdpx): the format of NVivo, MAXQDA, ATLAS.ti and QualCoder.

A .qdpx file is a zip holding `project.qde` (XML in the `urn:QDA-XML:project:1.0`
namespace) and the sources as plain text under `sources/`. annotator writes:

- the codebook as `<Code>`s (sub-themes nested in their parent, description as
  `<Description>`, colour as `color`);
- each source as a `<TextSource>` whose text is its passages joined by blank lines,
  and each passage as a `<PlainTextSelection>` with character offsets into that
  text, named by the passage id, its location as `<Description>`;
- each tag as a `<Coding>` in its passage's selection, by the `<User>` who made it;
- tag comments and comments on passages as `<Note>`s, referenced from the coding
  or the selection.

GUIDs are derived from ids (uuid5), so the same workspace always exports the same
bytes. `annotator.json` in the zip remembers the theme and source ids, which the
schema has no place for; other tools ignore it, and without it ids come from names.

Reading is defensive: XML through defusedxml (no entities, no DTDs), the zip never
extracted to disk, member names with `..` or absolute paths refused, and sizes and
compression ratios bounded so that a zip bomb is refused before it is inflated.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

from annotator import __version__
from annotator.errors import AnnotatorError, ImportFailure
from annotator.exchange.formats import annotation_files_seen, register
from annotator.exchange.importers.checks import (
    check_annotation_files, check_annotations, check_sources, passage_id_problem, valid_source_id,
)
from annotator.exchange.importers.merging import merge_annotations, merge_themes
from annotator.exchange.importers.plaintext import parse_plain_text
from annotator.exchange.importers.saving import replace_source
from annotator.exchange.importers.project_ids import claim_project_ids
from annotator.corpus.identity import clean_name
from annotator.corpus.model import COLOR_RE, SLUG_RE, AnnotationFile, Memo, Passage, Source, Span, Tag, Theme, slugify, unique_id
from annotator.corpus.spans import placed_spans

if TYPE_CHECKING:  # what of the session the writer reads (annotator.session sits above the exchange)
    from annotator.exchange.formats import ExportSession as Session
    from annotator.corpus.store import Store

NS = "urn:QDA-XML:project:1.0"
PROJECT_FILE = "project.qde"
SOURCES_DIR = "sources"
IDS_FILE = "annotator.json"
GUID_NAMESPACE = uuid.UUID("5b0d3c2e-8a57-4c43-9a0e-6f1d2b7c9e41")
PASSAGE_SEPARATOR = "\n\n"
FIXED_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

# Limits on what an imported zip may hold; a tutor's project is far below all of them.
MAX_MEMBERS = 20_000
MAX_MEMBER_BYTES = 64 * 1024 * 1024
MAX_TOTAL_BYTES = 256 * 1024 * 1024
MAX_RATIO = 200  # inflated / compressed, checked for members over RATIO_FLOOR bytes
RATIO_FLOOR = 1024 * 1024
# What the passages of one archive may add up to: sources may share a member and selections overlap,
# so the text can grow far past the archive's inflated size (100 sources x one 2 MB member: 200 MB).
MAX_PROJECT_TEXT = 64 * 1024 * 1024  # characters
MAX_CODE_DEPTH = 100  # codes nest by recursion; a codebook is a few levels deep

_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?$")


def make_guid(kind: str, *parts: str) -> str:
    return str(uuid.uuid5(GUID_NAMESPACE, "\x1f".join((kind, *parts))))


def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


# Characters XML 1.0 cannot carry at all (most C0 controls, lone surrogates, U+FFFE/U+FFFF).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_safe(text: str) -> str:
    return _NOT_XML.sub("\ufffd", text)


def _sub(parent: ET.Element, element_name: str, /, **attrs: str | None) -> ET.Element:
    return ET.SubElement(parent, _q(element_name), {k: xml_safe(v) for k, v in attrs.items() if v is not None})


def _text_element(parent: ET.Element, element_name: str, text: str) -> ET.Element:
    element = _sub(parent, element_name)
    element.text = xml_safe(text)
    return element


def _when(stamp: str | None) -> str | None:
    return stamp if stamp and _DATETIME.match(stamp) else None


# -- export -----------------------------------------------------------------------------------


@register("qdpx")
def write_qdpx(session: "Session", theme_ids: list[str]) -> bytes:
    """The workspace (limited to `theme_ids`) as a REFI-QDA project zip."""
    store = session.store
    wanted = set(theme_ids)
    themes = [t for t in store.themes() if t.id in wanted]
    annotation_files = sorted(annotation_files_seen(session), key=lambda af: af.annotator)  # blind: the viewer's
    tags = [t for af in annotation_files for t in af.tags if t.theme in wanted]
    memos = [m for af in annotation_files for m in af.memos]
    users = sorted({t.annotator for t in tags} | {m.annotator for m in memos})
    user_guid = {name: make_guid("user", name) for name in users}
    code_guid = {t.id: make_guid("theme", t.id) for t in themes}

    ET.register_namespace("", NS)
    project = ET.Element(_q("Project"), {"name": session.ws.root.name or "annotator", "origin": f"annotator {__version__}"})
    if users:
        users_el = _sub(project, "Users")
        for name in users:
            _sub(users_el, "User", guid=user_guid[name], name=name, id=name)
    if themes:
        _write_codebook(_sub(project, "CodeBook"), themes, code_guid)

    notes: list[tuple[str, str, str, str, str]] = []  # guid, name, user, at, text
    tags_by_passage: dict[str, list[Tag]] = {}
    for tag in tags:
        tags_by_passage.setdefault(tag.passage, []).append(tag)
    memos_by_passage: dict[str, list[Memo]] = {}
    for memo in memos:
        memos_by_passage.setdefault(memo.passage, []).append(memo)
    theme_order = {t.id: i for i, t in enumerate(themes)}

    texts: dict[str, str] = {}
    # Nesting codes loses the codebook's order (which numbers the themes 1-9), so it is kept here.
    ids: dict = {"themes": {code_guid[t.id]: t.id for t in themes}, "theme_order": [t.id for t in themes], "sources": {}}
    source_files = store.sources()
    if source_files:
        sources_el = _sub(project, "Sources")
        for sf in source_files:
            source_guid = make_guid("source", sf.source.id)
            ids["sources"][source_guid] = {
                "id": sf.source.id, "author": sf.source.author, "file": sf.source.file, "imported_at": sf.source.imported_at,
            }
            source_el = _sub(
                sources_el, "TextSource", guid=source_guid, name=sf.source.title or sf.source.id,
                plainTextPath=f"internal://{source_guid}.txt", creationDateTime=_when(sf.source.imported_at),
            )
            if sf.source.author:
                _text_element(source_el, "Description", sf.source.author)
            pieces, offset = [], 0
            for passage in sf.passages:
                if pieces:
                    pieces.append(PASSAGE_SEPARATOR)
                    offset += len(PASSAGE_SEPARATOR)
                start, offset = offset, offset + len(passage.text)
                pieces.append(passage.text)
                passage_tags = sorted(tags_by_passage.get(passage.id, []), key=lambda t: (t.annotator, theme_order[t.theme]))
                _write_selection(source_el, passage, start, offset, passage_tags, memos_by_passage.get(passage.id, []),
                                 user_guid, code_guid, notes)
            texts[source_guid] = "".join(pieces)

    if notes:
        notes_el = _sub(project, "Notes")
        for guid, name, user, at, text in notes:
            note_el = _sub(notes_el, "Note", guid=guid, name=name, creatingUser=user_guid.get(user), creationDateTime=_when(at))
            _text_element(note_el, "PlainTextContent", text)

    ET.indent(project, space="  ")
    xml = b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(project, encoding="utf-8") + b"\n"
    members = {PROJECT_FILE: xml, IDS_FILE: (json.dumps(ids, ensure_ascii=False, indent=2, sort_keys=True) + "\n").encode("utf-8")}
    for guid, text in texts.items():
        members[f"{SOURCES_DIR}/{guid}.txt"] = text.encode("utf-8")
    return _zip(members)


def _write_codebook(codebook_el: ET.Element, themes: list[Theme], code_guid: dict[str, str]) -> None:
    codes_el = _sub(codebook_el, "Codes")
    by_id = {t.id: t for t in themes}
    elements: dict[str, ET.Element] = {}

    def nested_under(theme: Theme) -> str | None:
        # A parent outside the export, or a cycle in a hand-edited codebook, puts the code at the top.
        seen, parent = {theme.id}, theme.parent
        while parent in by_id and parent not in seen:
            seen.add(parent)
            parent = by_id[parent].parent
        return theme.parent if theme.parent in by_id and parent not in seen else None

    pending = list(themes)
    while pending:
        progressed = False
        for theme in list(pending):
            parent = nested_under(theme)
            if parent is not None and parent not in elements:
                continue
            container = elements[parent] if parent else codes_el
            element = _sub(container, "Code", guid=code_guid[theme.id], name=theme.name, isCodable="true", color=theme.color)
            if theme.description:
                _text_element(element, "Description", theme.description)
            elements[theme.id] = element
            pending.remove(theme)
            progressed = True
        if not progressed:  # cannot happen with nested_under's cycle check; never loop forever
            break


def _write_selection(source_el, passage: Passage, start: int, end: int, tags: list[Tag], memos: list[Memo],
                     user_guid, code_guid, notes: list) -> None:
    """The passage as a selection with its whole-passage codings, then one selection for each span a
    tag quotes, at its true offsets in the source text, holding that tag's coding."""
    selection = _sub(source_el, "PlainTextSelection", guid=make_guid("passage", passage.id), name=passage.id,
                     startPosition=str(start), endPosition=str(end))
    if passage.location:
        _text_element(selection, "Description", passage.location)
    spans = {id(tag): placed_spans(tag, passage.text) for tag in tags}
    for tag in tags:
        if not spans[id(tag)]:
            _write_coding(selection, tag, passage, "", user_guid, code_guid, notes)
    for number, memo in enumerate(memos):
        note_guid = make_guid("memo", memo.annotator, memo.passage, memo.at, str(number))
        notes.append((note_guid, f"{memo.annotator} on {passage.id}", memo.annotator, memo.at, memo.text))
        _sub(selection, "NoteRef", targetGUID=note_guid)
    by_span: dict[tuple[int, int], list[Tag]] = {}
    for tag in tags:
        for span in spans[id(tag)]:
            by_span.setdefault((span.start, span.end), []).append(tag)
    for (span_start, span_end), span_tags in sorted(by_span.items()):
        where = f"{span_start}-{span_end}"
        span_el = _sub(source_el, "PlainTextSelection", guid=make_guid("span", passage.id, where),
                       name=f"{passage.id} [{where}]", startPosition=str(start + span_start), endPosition=str(start + span_end))
        for tag in span_tags:  # the tag's comment goes with its first span only: one note, read back once
            first = spans[id(tag)][0]
            _write_coding(span_el, tag, passage, where, user_guid, code_guid, notes, with_comment=(first.start, first.end) == (span_start, span_end))


def _write_coding(selection, tag: Tag, passage: Passage, where: str, user_guid, code_guid, notes: list,
                  with_comment: bool = True) -> None:
    coding = _sub(selection, "Coding", guid=make_guid("tag", tag.annotator, tag.passage, tag.theme, *([where] if where else [])),
                  creatingUser=user_guid[tag.annotator], creationDateTime=_when(tag.at))
    _sub(coding, "CodeRef", targetGUID=code_guid[tag.theme])
    if tag.comment and with_comment:
        note_guid = make_guid("tag-comment", tag.annotator, tag.passage, tag.theme)
        notes.append((note_guid, f"{tag.annotator} on {passage.id} ({tag.theme})", tag.annotator, tag.at, tag.comment))
        _sub(coding, "NoteRef", targetGUID=note_guid)


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, members[name])
    return buffer.getvalue()


# -- import -----------------------------------------------------------------------------------


@dataclass
class Project:
    """What a .qdpx holds, in annotator's terms, before anything is written."""

    themes: list[Theme] = field(default_factory=list)
    sources: list[tuple[Source, list[Passage]]] = field(default_factory=list)
    annotations: dict[str, AnnotationFile] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def annotation_file(self, name: str) -> AnnotationFile:
        return self.annotations.setdefault(name, AnnotationFile(name))


class SafeZip:
    """Read members of an untrusted zip into memory, within the limits above."""

    def __init__(self, path: Path):
        self.path = path
        try:
            self.archive = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            raise ImportFailure(f"{path}: not a REFI-QDA project (a .qdpx file is a zip archive): {exc}") from None
        infos = self.archive.infolist()
        if len(infos) > MAX_MEMBERS:
            raise ImportFailure(f"{path}: {len(infos):,} files in the archive; refusing more than {MAX_MEMBERS:,}")
        total = 0
        self.members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            _check_member_name(path, info.filename)
            if info.file_size > MAX_MEMBER_BYTES:
                raise ImportFailure(f"{path}: {info.filename} would inflate to {info.file_size:,} bytes; refusing (limit {MAX_MEMBER_BYTES:,})")
            if info.file_size > RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise ImportFailure(f"{path}: {info.filename} is compressed {info.file_size // max(info.compress_size, 1):,} to 1; refusing a likely zip bomb")
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise ImportFailure(f"{path}: the archive inflates to more than {MAX_TOTAL_BYTES:,} bytes; refusing")
            if not info.is_dir():
                self.members[info.filename.casefold()] = info

    def find(self, name: str) -> zipfile.ZipInfo | None:
        return self.members.get(name.casefold())

    def read(self, info: zipfile.ZipInfo) -> bytes:
        # Read at most the declared size plus one byte: a header that lies about the size is caught.
        try:
            with self.archive.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError, EOFError) as exc:
            raise ImportFailure(f"{self.path}: cannot read {info.filename}: {exc}") from None
        if len(data) > info.file_size:
            raise ImportFailure(f"{self.path}: {info.filename} is larger than its header says; refusing")
        return data

    def close(self) -> None:
        self.archive.close()


def _check_member_name(path: Path, name: str) -> None:
    pure = PurePosixPath(name)
    if "\\" in name or name.startswith("/") or pure.is_absolute() or ".." in pure.parts or re.match(r"^[A-Za-z]:", name):
        raise ImportFailure(f"{path}: refusing an archive member with an unsafe path: {name!r}")


def _local(element: ET.Element) -> str:
    return element.tag.rsplit("}", 1)[-1] if isinstance(element.tag, str) else ""


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element if _local(child) == name]


def _child_text(element: ET.Element, name: str) -> str:
    found = _children(element, name)
    return (found[0].text or "") if found else ""


def parse_project_xml(path: Path, data: bytes) -> ET.Element:
    import defusedxml.ElementTree as SafeET
    from defusedxml import DefusedXmlException  # only when a .qdpx is read

    try:
        root = SafeET.fromstring(data, forbid_dtd=True)
    except DefusedXmlException as exc:
        raise ImportFailure(f"{path}: {PROJECT_FILE} uses XML entities or a DTD, which are refused ({type(exc).__name__})") from None
    except ET.ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else "?"
        raise ImportFailure(f"{path}: {PROJECT_FILE}:{line}: malformed XML ({exc})") from None
    if _local(root) != "Project":
        raise ImportFailure(f"{path}: {PROJECT_FILE} has <{_local(root)}> at the top, not a REFI-QDA <Project>")
    return root


def read_qdpx(path: Path, default_annotator: str) -> Project:
    """Parse a .qdpx into annotator's records; nothing is written."""
    archive = SafeZip(path)
    try:
        info = archive.find(PROJECT_FILE)
        if info is None:
            raise ImportFailure(f"{path}: no {PROJECT_FILE} inside; not a REFI-QDA project")
        root = parse_project_xml(path, archive.read(info))
        ids_info = archive.find(IDS_FILE)
        ids = _read_ids(archive, ids_info) if ids_info else {}
        return _ProjectReader(path, archive, ids, default_annotator).read(root)
    finally:
        archive.close()


def _read_ids(archive: SafeZip, info) -> dict:
    try:
        data = json.loads(archive.read(info).decode("utf-8"))
    except (ValueError, UnicodeDecodeError, RecursionError):  # only hints: a project reads without them
        return {}
    return data if isinstance(data, dict) else {}


class _ProjectReader:
    def __init__(self, path: Path, archive: SafeZip, ids: dict, default_annotator: str):
        self.path = path
        self.archive = archive
        self.theme_ids = ids.get("themes") if isinstance(ids.get("themes"), dict) else {}
        self.source_meta = ids.get("sources") if isinstance(ids.get("sources"), dict) else {}
        order = ids.get("theme_order") if isinstance(ids.get("theme_order"), list) else []
        self.theme_order = [theme_id for theme_id in order if isinstance(theme_id, str)]
        self.default_annotator = default_annotator
        self.project = Project()
        self.users: dict[str, str] = {}
        self.codes: dict[str, str] = {}  # code guid -> theme id
        self.notes: dict[str, tuple[str, str | None, str]] = {}  # guid -> text, user guid, at
        self.passage_ids: set[str] = set()
        self.tagged: dict[tuple[str, str, str], Tag] = {}
        self.source_ids: set[str] = set()
        self.texts: dict[str, str | None] = {}  # member name -> its text, read once however many sources share it
        self.text_chars = 0

    def read(self, root: ET.Element) -> Project:
        for users in _children(root, "Users"):
            for user in _children(users, "User"):
                self._read_user(user)
        for codebook in _children(root, "CodeBook"):
            for codes in _children(codebook, "Codes"):
                for code in _children(codes, "Code"):
                    self._read_code(code, None, depth=1)
        if self.theme_order:
            rank = {theme_id: i for i, theme_id in enumerate(self.theme_order)}
            self.project.themes.sort(key=lambda t: rank.get(t.id, len(rank)))
        for notes in _children(root, "Notes"):
            for note in _children(notes, "Note"):
                guid = note.get("guid", "")
                self.notes[guid] = (self._text_of(note, what=f"note {note.get('name', guid)}") or "", note.get("creatingUser"), note.get("creationDateTime", ""))
        for sources in _children(root, "Sources"):
            skipped = 0
            for source in sources:
                if _local(source) == "TextSource":
                    self._read_source(source)
                else:
                    skipped += 1
            if skipped:
                self.project.warnings.append(f"{skipped} non-text source(s) (pictures, PDF, audio, video) skipped")
        return self.project

    def _read_user(self, user: ET.Element) -> None:
        guid = user.get("guid", "")
        raw = user.get("name") or user.get("id") or f"user-{guid[:8]}"
        try:
            self.users[guid] = clean_name(raw)
        except AnnotatorError:  # a name with no usable letters: named by its guid
            self.users[guid] = f"user-{guid[:8] or 'unknown'}"

    def _annotator(self, user_guid: str | None) -> str:
        return self.users.get(user_guid or "", self.default_annotator)

    def _read_code(self, code: ET.Element, parent: str | None, depth: int) -> None:
        if depth > MAX_CODE_DEPTH:
            raise ImportFailure(f"{self.path}: codes nested more than {MAX_CODE_DEPTH} deep; refusing")
        guid = code.get("guid", "")
        name = (code.get("name") or "").strip() or "Unnamed code"
        taken = {t.id for t in self.project.themes}
        wanted = self.theme_ids.get(guid)
        theme_id = wanted if isinstance(wanted, str) and SLUG_RE.match(wanted) and wanted not in taken else unique_id(slugify(name, "code"), taken)
        color = _color(code.get("color"))
        self.project.themes.append(Theme(theme_id, name, _child_text(code, "Description").strip(), color, parent))
        self.codes[guid] = theme_id
        for child in _children(code, "Code"):
            self._read_code(child, theme_id, depth + 1)

    def _text_of(self, element: ET.Element, what: str) -> str | None:
        """The element's plain text: inline PlainTextContent, or an internal:// file in the zip."""
        inline = _children(element, "PlainTextContent")
        if inline:
            return inline[0].text or ""
        reference = element.get("plainTextPath")
        if not reference:
            return None
        if not reference.startswith("internal://"):
            self.project.warnings.append(f"{what}: its text is outside the project ({reference}); skipped")
            return None
        name = reference[len("internal://"):]
        _check_member_name(self.path, name)
        info = self.archive.find(f"{SOURCES_DIR}/{name}")
        if info is None:
            self.project.warnings.append(f"{what}: {SOURCES_DIR}/{name} is missing from the archive; skipped")
            return None
        if info.filename not in self.texts:
            try:
                self.texts[info.filename] = self.archive.read(info).decode("utf-8-sig")
            except UnicodeDecodeError:
                self.texts[info.filename] = None
        if self.texts[info.filename] is None:
            self.project.warnings.append(f"{what}: {SOURCES_DIR}/{name} is not UTF-8 text; skipped")
        return self.texts[info.filename]

    def _count_text(self, chars: int) -> None:
        """Refuse a project whose passages add up to more text than MAX_PROJECT_TEXT."""
        self.text_chars += chars
        if self.text_chars > MAX_PROJECT_TEXT:
            raise ImportFailure(
                f"{self.path}: its passages add up to more than {MAX_PROJECT_TEXT:,} characters of text "
                f"(sources sharing one file, or overlapping selections); refusing (the limit for one archive)"
            )

    def _read_source(self, element: ET.Element) -> None:
        guid = element.get("guid", "")
        title = (element.get("name") or "").strip() or "Untitled source"
        text = self._text_of(element, what=f"source '{title}'")
        if text is None:
            if element.get("richTextPath"):
                self.project.warnings.append(f"source '{title}': only rich text (no plain text); skipped")
            return
        meta = self.source_meta.get(guid) if isinstance(self.source_meta.get(guid), dict) else {}
        wanted = meta.get("id")
        usable = isinstance(wanted, str) and valid_source_id(wanted) and wanted not in self.source_ids
        source_id = wanted if usable else unique_id(slugify(title, "source"), self.source_ids)
        self.source_ids.add(source_id)
        source = Source(
            source_id, title,
            author=str(meta.get("author") or _child_text(element, "Description")).strip(),
            file=str(meta.get("file") or self.path.name),
            imported_at=str(meta.get("imported_at") or element.get("creationDateTime") or ""),
        )
        selections = sorted(_children(element, "PlainTextSelection"), key=_selection_order)
        if _children(element, "Coding"):
            self.project.warnings.append(f"source '{title}': codes applied to the whole document are not imported (annotator tags passages)")
        if not selections:
            self._count_text(len(text))  # before splitting it: the passages hold about as much
            _, passages = parse_plain_text(text, source_id)
            passages = [p for p in passages if self._claim(p.id)]
            self.project.sources.append((source, passages))
            return
        passages: list[Passage] = []
        holder: tuple[int, int, Passage] | None = None  # the last passage and its offsets in the text
        number = 0
        for selection in selections:
            start, end = _int(selection.get("startPosition")), _int(selection.get("endPosition"))
            if holder and start is not None and end is not None and holder[0] <= start < end <= holder[1] \
                    and (start, end) != holder[:2]:
                self._read_span(selection, holder[2], start - holder[0], end - holder[0])
                continue
            number += 1
            passage = self._read_selection(selection, text, source_id, number, title)
            if passage is not None:
                self._count_text(len(passage.text))
                passages.append(passage)
                holder = (start, end, passage)
        self.project.sources.append((source, passages))

    def _read_span(self, selection: ET.Element, passage: Passage, start: int, end: int) -> None:
        """A selection inside a passage's: the words its codings quote (a span tag)."""
        span = Span(start, end, passage.text[start:end])
        if not span.quote.strip():
            self.project.warnings.append(f"passage {passage.id}: a selection of no words inside it; its codes tag the whole passage")
            span = None
        for coding in _children(selection, "Coding"):
            tag = self._read_coding(coding, passage.id)
            if tag is not None and span is not None and span not in tag.spans:
                tag.spans = tag.spans + (span,)

    def _claim(self, passage_id: str) -> bool:
        if passage_id in self.passage_ids:
            return False
        self.passage_ids.add(passage_id)
        return True

    def _read_selection(self, selection: ET.Element, text: str, source_id: str, number: int, title: str) -> Passage | None:
        start, end = _int(selection.get("startPosition")), _int(selection.get("endPosition"))
        if start is None or end is None or not 0 <= start < end <= len(text):
            self.project.warnings.append(
                f"source '{title}': selection {selection.get('name') or number} has offsets {start}-{end} outside its {len(text)} characters; skipped"
            )
            return None
        name = (selection.get("name") or "").strip()
        passage_id = name if not passage_id_problem(name) and name not in self.passage_ids else ""
        if not passage_id:
            n = number
            while f"{source_id}-{n:03d}" in self.passage_ids:
                n += 1
            passage_id = f"{source_id}-{n:03d}"
        self._claim(passage_id)
        passage = Passage(passage_id, text[start:end], _child_text(selection, "Description").strip(), source_id)
        for coding in _children(selection, "Coding"):
            self._read_coding(coding, passage_id)
        for ref in _children(selection, "NoteRef"):
            note = self.notes.get(ref.get("targetGUID", ""))
            if note and note[0].strip():
                annotator = self._annotator(note[1])
                self.project.annotation_file(annotator).memos.append(Memo(passage_id, note[0].strip(), annotator, note[2]))
        return passage

    def _read_coding(self, coding: ET.Element, passage_id: str) -> Tag | None:
        refs = _children(coding, "CodeRef")
        theme_id = self.codes.get(refs[0].get("targetGUID", "")) if refs else None
        if theme_id is None:
            self.project.warnings.append(f"passage {passage_id}: a coding refers to a code not in the codebook; skipped")
            return None
        annotator = self._annotator(coding.get("creatingUser"))
        comments = [self.notes[r.get("targetGUID", "")][0].strip() for r in _children(coding, "NoteRef") if r.get("targetGUID", "") in self.notes]
        comment = " / ".join(c for c in comments if c) or None
        key = (annotator, passage_id, theme_id)
        if key not in self.tagged:  # two codings of one code by one user: one tag
            self.tagged[key] = Tag(passage_id, theme_id, annotator, coding.get("creationDateTime", ""), comment)
            self.project.annotation_file(annotator).tags.append(self.tagged[key])
        elif comment and not self.tagged[key].comment:
            self.tagged[key].comment = comment
        return self.tagged[key]


def _selection_order(selection: ET.Element) -> tuple[int, int]:
    # A missing or malformed offset sorts first; _read_selection then skips it with a warning.
    # Of two selections that start together the longer comes first: the passage before its spans.
    start, end = _int(selection.get("startPosition")), _int(selection.get("endPosition"))
    return (-1 if start is None else start, 1 if end is None else -end)


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _color(value: str | None) -> str | None:
    if not value:
        return None
    value = value.strip()
    if re.fullmatch(r"#[0-9a-fA-F]{3}", value):
        value = "#" + "".join(ch * 2 for ch in value[1:])
    return value.lower() if COLOR_RE.match(value) else None



def import_qdpx(store: "Store", path: Path, report, default_annotator: str, replace_id: str | None = None) -> None:
    """Merge a .qdpx project into the workspace: themes by id, sources with their passages,
    and each user's tags and comments into that annotator's file. A source of another file
    that has the same id moves to a free one, unless it is `replace_id` (project_ids)."""
    project = read_qdpx(Path(path), default_annotator)
    report.warnings += project.warnings
    if not project.sources and not project.themes:
        raise ImportFailure(f"{path}: the project has no codes and no text sources to import")
    check_annotations(Path(path), list(project.annotations.values()))
    with store.locked():
        project.sources = claim_project_ids(store, Path(path), project.sources, project.annotations.values(), report, replace_id)
        check_sources(store, Path(path), project.sources)
        check_annotation_files(store, project.annotations)
        merge_themes(store, project.themes, report)
        # Tags before passages, as every importer does: a crash in between leaves tags waiting.
        for af in project.annotations.values():
            report.tags_added += merge_annotations(store, af)
        for source, passages in project.sources:
            if passages:
                replace_source(store, source, passages, path, report)
    report.source_id = ", ".join(source.id for source, passages in project.sources if passages)
