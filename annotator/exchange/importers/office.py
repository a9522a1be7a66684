"""Word (.docx) and OpenDocument (.odt) files -> passages, located by their headings.

Both are zips of XML, read here with zipfile and defusedxml (archive.py) rather than a
document library: one paragraph of the file is one passage (a long one split at sentence
ends), a paragraph in a heading style (Heading 1-3, or ODT's `<text:h>`) becomes the
location of what follows, a table row becomes one paragraph (its cells joined by " | "),
and comments, footnotes, deleted tracked changes, field codes and tables of contents are
left out. Title and author come from the document properties (docProps/core.xml, meta.xml),
else from a paragraph in the Title style.
"""

from __future__ import annotations

import re
from pathlib import Path
from xml.etree import ElementTree as ET

from annotator.errors import ImportFailure
from annotator.exchange.importers.archive import SafeArchive, local_name
from annotator.exchange.importers.chapters import Book, BookBuilder, chapter_label, clean

_HEADING_STYLE = re.compile(r"^heading[ _]?(?:20_)?([1-9])$", re.IGNORECASE)
CHAPTER_LEVELS = 3  # headings deeper than this are subheadings: they do not change the location
# DOCX elements whose text is not the document's reading text.
DOCX_SKIPPED = {"del", "moveFrom", "delText", "instrText", "pPr", "rPr", "drawing", "pict", "object",
                "commentReference", "footnoteReference", "endnoteReference", "fldChar", "delInstrText"}
DOCX_CONTAINERS = {"body", "tbl", "tc", "sdt", "sdtContent", "customXml", "ins", "moveTo", "smartTag"}
# ODT elements left out of the text (footnotes, comments, change records, generated indexes, frames).
ODT_SKIPPED = {"note", "annotation", "annotation-end", "tracked-changes", "table-of-content", "alphabetical-index",
               "illustration-index", "table-index", "object-index", "user-index", "bibliography", "frame",
               "sequence-decls", "variable-decls", "user-field-decls", "forms", "change", "change-start", "change-end"}
ODT_CONTAINERS = {"text", "section", "list", "list-item", "list-header", "table", "table-rows", "table-header-rows",
                  "table-row-group", "soft-page-break", "index-body"}


def read_docx(path: Path, source_id: str) -> Book:
    with SafeArchive(path, "Word document (.docx)") as archive:
        if not archive.has("word/document.xml"):
            raise ImportFailure(f"{path}: not a Word document (no word/document.xml inside)")
        styles = _docx_styles(archive)
        document = archive.xml("word/document.xml")
        title, author = _core_properties(archive, "docProps/core.xml")
        reader = _DocxReader(BookBuilder(source_id), styles)
        body = next((e for e in document if local_name(e) == "body"), None)
        if body is not None:
            reader.walk(body)
        return reader.builder.done(title or reader.title, author)


def read_odt(path: Path, source_id: str) -> Book:
    with SafeArchive(path, "OpenDocument text (.odt)") as archive:
        if archive.has("META-INF/manifest.xml") and b"encryption-data" in archive.read("META-INF/manifest.xml"):
            raise ImportFailure(f"{path}: the document is password-protected; save it without a password and import again")
        if not archive.has("content.xml"):
            raise ImportFailure(f"{path}: not an OpenDocument text (no content.xml inside)")
        content = archive.xml("content.xml")
        title, author = _core_properties(archive, "meta.xml")
        reader = _OdtReader(BookBuilder(source_id), _odt_heading_styles(content))
        body = next((e for e in content.iter() if local_name(e) == "body"), None)
        for element in body if body is not None else ():
            if local_name(element) == "text":
                reader.walk(element)
        return reader.builder.done(title or reader.title, author)


def _core_properties(archive: SafeArchive, name: str) -> tuple[str, str]:
    if not archive.has(name):
        return "", ""
    values: dict[str, str] = {}
    for element in archive.xml(name).iter():
        key = local_name(element)
        if key in ("title", "creator", "initial-creator") and element.text and key not in values:
            values[key] = clean(element.text)
    # ODF's dc:creator is the last editor, meta:initial-creator the author (DOCX has only dc:creator).
    return values.get("title", ""), values.get("initial-creator") or values.get("creator", "")


class _Reader:
    def __init__(self, builder: BookBuilder):
        self.builder = builder
        self.title = ""
        self.headings: dict[int, str] = {}  # level -> the heading now in force at that level

    def emit(self, text: str, heading_level: int, is_title: bool) -> None:
        text = clean(text)
        if not text:
            return
        if is_title and not self.title and not self.builder.book.passages:
            self.title = text
        elif heading_level and heading_level <= CHAPTER_LEVELS:
            self.heading(text, heading_level)
        elif not heading_level:
            self.builder.paragraph(text)

    def heading(self, text: str, level: int) -> None:
        """A Heading 2 under "Chapter 3" adds to the chapter ("ch. 3, The Storm"), never replaces
        it; a new Heading 1 starts afresh."""
        self.headings = {lvl: label for lvl, label in self.headings.items() if lvl < level}
        self.headings[level] = chapter_label(text)
        self.builder.chapter = ", ".join(label for _, label in sorted(self.headings.items()) if label)


# -- DOCX ----------------------------------------------------------------------------------------


def _docx_styles(archive: SafeArchive) -> dict[str, str]:
    """Style id -> its name ("Heading1" -> "heading 1"): headings are known by name, ids are localised."""
    if not archive.has("word/styles.xml"):
        return {}
    names = {}
    for style in archive.xml("word/styles.xml").iter():
        if local_name(style) != "style":
            continue
        style_id = next((v for k, v in style.attrib.items() if k.endswith("styleId")), "")
        name = next((next((v for k, v in c.attrib.items() if k.endswith("val")), "") for c in style if local_name(c) == "name"), "")
        if style_id:
            names[style_id] = name.lower()
    return names


def _attr(element: ET.Element, name: str) -> str:
    return next((v for k, v in element.attrib.items() if k.rsplit("}", 1)[-1] == name), "")


class _DocxReader(_Reader):
    def __init__(self, builder: BookBuilder, styles: dict[str, str]):
        super().__init__(builder)
        self.styles = styles

    def walk(self, element: ET.Element) -> None:
        for child in element:
            name = local_name(child)
            if name == "p":
                level, is_title = self._style(child)
                if level >= 0:
                    self.emit(self._text(child), level, is_title)
            elif name == "tr":
                cells = [clean(self._text(cell)) for cell in child if local_name(cell) == "tc"]
                self.emit(" | ".join(c for c in cells if c), 0, False)
            elif name in DOCX_CONTAINERS:
                self.walk(child)

    def _style(self, paragraph: ET.Element) -> tuple[int, bool]:
        """(heading level or 0, whether it is the Title); level -1 for an entry of a table of contents."""
        properties = next((c for c in paragraph if local_name(c) == "pPr"), None)
        if properties is None:
            return 0, False
        for child in properties:
            if local_name(child) == "pStyle":
                style = _attr(child, "val")
                name = self.styles.get(style, style.lower())
                found = _HEADING_STYLE.match(name.replace(" ", "")) or _HEADING_STYLE.match(name)
                if found:
                    return int(found.group(1)), False
                if name == "title":
                    return 0, True
                if re.match(r"^toc ?\d|^toc heading$|^table of (contents|figures)", name):
                    return -1, False
            if local_name(child) == "outlineLvl" and _attr(child, "val").isdigit():
                return int(_attr(child, "val")) + 1, False
        return 0, False

    def _text(self, element: ET.Element) -> str:
        parts: list[str] = []
        self._gather(element, parts)
        return "".join(parts)

    def _gather(self, element: ET.Element, parts: list[str]) -> None:
        for child in element:
            name = local_name(child)
            if name == "t":
                parts.append(child.text or "")
            elif name == "tab":
                parts.append("\t")
            elif name in ("br", "cr"):
                parts.append("\n")
            elif name == "noBreakHyphen":
                parts.append("-")
            elif name == "p":  # a paragraph in a cell: cells' paragraphs are joined with spaces
                parts.append(" ")
                self._gather(child, parts)
            elif name not in DOCX_SKIPPED:
                self._gather(child, parts)


# -- ODT -----------------------------------------------------------------------------------------


def _odt_heading_styles(content: ET.Element) -> dict[str, int]:
    """Automatic paragraph styles that inherit a heading style ("P1" -> "Heading_20_1" -> level 1); 0 = Title."""
    levels = {}
    for style in content.iter():
        if local_name(style) == "style":
            name, parent = _attr(style, "name"), _attr(style, "parent-style-name")
            level = _odt_style_level(parent) if parent else None
            if name and level is not None:
                levels[name] = level
    return levels


def _odt_style_level(style: str) -> int | None:
    found = _HEADING_STYLE.match(style)
    if found:
        return int(found.group(1))
    return 0 if style.lower() == "title" else None


class _OdtReader(_Reader):
    def __init__(self, builder: BookBuilder, heading_styles: dict[str, int]):
        super().__init__(builder)
        self.heading_styles = heading_styles

    def walk(self, element: ET.Element) -> None:
        for child in element:
            name = local_name(child)
            if name == "h":
                level = _attr(child, "outline-level")
                self.emit(self._text(child), int(level) if level.isdigit() else 1, False)
            elif name == "p":
                style = _attr(child, "style-name")
                level = self.heading_styles.get(style, _odt_style_level(style))
                self.emit(self._text(child), level or 0, level == 0)
            elif name == "table-row":
                cells = [clean(self._text(cell)) for cell in child if local_name(cell) == "table-cell"]
                self.emit(" | ".join(c for c in cells if c), 0, False)
            elif name in ODT_CONTAINERS:
                self.walk(child)

    def _text(self, element: ET.Element) -> str:
        parts: list[str] = [element.text or ""]
        for child in element:
            name = local_name(child)
            if name == "s":
                count = _attr(child, "c")
                parts.append(" " * (int(count) if count.isdigit() and int(count) < 100 else 1))
            elif name == "tab":
                parts.append("\t")
            elif name == "line-break":
                parts.append("\n")
            elif name == "p":
                parts.append(" " + self._text(child))
            elif name not in ODT_SKIPPED:
                parts.append(self._text(child))
            parts.append(child.tail or "")
        return "".join(parts)
