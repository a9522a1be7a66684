"""EPUB 2 and 3 -> passages in reading order, located by chapter.

An EPUB is a zip: `META-INF/container.xml` names the package document (OPF), whose
metadata gives the title and author, whose manifest lists the files and whose spine gives
the reading order. Chapter titles come from the navigation document (EPUB 3) or the NCX
(EPUB 2), including chapters that start at an anchor inside a file; a file with neither
takes its first heading. Cover, title page, table of contents and nav documents are
skipped, and so are spine items marked non-linear (notes, pop-ups). Books with DRM
(`META-INF/rights.xml`, or an `encryption.xml` that encrypts more than fonts) are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

from annotator.errors import ImportFailure
from annotator.exchange.importers.archive import SafeArchive, join_member, local_name
from annotator.exchange.importers.chapters import Book, BookBuilder, clean
from annotator.exchange.importers.htmltext import extract

# Font obfuscation (IDPF and Adobe) "encrypts" embedded fonts only; any other algorithm is DRM.
FONT_OBFUSCATION = {"http://www.idpf.org/2008/embedding", "http://ns.adobe.com/pdf/enc#RC"}
DRM_MARKERS = ("META-INF/rights.xml", "META-INF/sinf.xml", "META-INF/license.lcpl")  # Adobe ADEPT, Apple FairPlay, Readium LCP
SKIPPED_LANDMARKS = {"cover", "toc", "title-page", "titlepage", "loi", "lot", "copyright-page"}
_SKIPPED_NAME = re.compile(r"(^|[-_./])(cover|titlepage|title-page|title_page|toc|nav|contents)([-_.]|\d|$)", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^<\?xml[^>]*encoding=["']([A-Za-z0-9._-]+)["']""")
HTML_TYPES = {"application/xhtml+xml", "text/html", "application/x-dtbook+xml"}


@dataclass
class Item:
    id: str
    member: str
    media_type: str
    properties: set[str] = field(default_factory=set)


def read_epub(path: Path, source_id: str) -> Book:
    with SafeArchive(path, "EPUB") as archive:
        _refuse_drm(archive)
        opf_name = _package_name(archive)
        opf = archive.xml(opf_name)
        manifest = _manifest(opf, opf_name)
        spine, ncx_id = _spine(opf)
        if not spine:
            raise ImportFailure(f"{path}: the EPUB has no spine (no reading order); not a readable book")
        toc = _chapter_titles(archive, manifest, ncx_id)
        skipped = _skipped_members(archive, opf, opf_name, manifest)
        builder = BookBuilder(source_id)
        for idref in spine:
            item = manifest.get(idref)
            if item is None or item.media_type not in HTML_TYPES or item.member in skipped or not archive.has(item.member):
                continue
            if _SKIPPED_NAME.search(item.member.rsplit("/", 1)[-1]) or _SKIPPED_NAME.search(item.id):
                if item.member not in toc.starts:  # a chapter the table of contents names is read, whatever its name
                    continue
            _read_document(builder, _decode(archive.read(item.member)), item.member, toc)
        title, author = _metadata(opf)
        return builder.done(title, author)


def _read_document(builder: BookBuilder, markup: str, member: str, toc: "Toc") -> None:
    page = extract(markup)
    named = member in toc.starts or any(m == member for m, _ in toc.anchors)
    if member in toc.starts:
        builder.heading(toc.starts[member])
    for event in page.events:
        if event.kind == "anchor":
            title = toc.anchors.get((member, event.text))
            if title:
                builder.heading(title)
        elif event.kind == "heading":
            if not named and event.level <= 3:
                builder.heading(event.text)
        else:
            builder.paragraph(event.text)


def _decode(data: bytes) -> str:
    found = _XML_ENCODING.match(data[:200])
    encoding = found.group(1).decode("ascii") if found else "utf-8"
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode("utf-8", errors="replace")


# -- package -------------------------------------------------------------------------------------


def _refuse_drm(archive: SafeArchive) -> None:
    for marker in DRM_MARKERS:
        if archive.has(marker):
            raise ImportFailure(f"{archive.path}: the EPUB is DRM-protected; annotator cannot read it (import a DRM-free copy)")
    if archive.has("META-INF/encryption.xml"):
        root = archive.xml("META-INF/encryption.xml")
        methods = {m.get("Algorithm", "") for m in root.iter() if local_name(m) == "EncryptionMethod"}
        if methods - FONT_OBFUSCATION:
            raise ImportFailure(f"{archive.path}: the EPUB is DRM-protected (its text is encrypted); annotator cannot read it")


def _package_name(archive: SafeArchive) -> str:
    if not archive.has("META-INF/container.xml"):
        raise ImportFailure(f"{archive.path}: not an EPUB (no META-INF/container.xml inside)")
    container = archive.xml("META-INF/container.xml")
    for element in container.iter():
        if local_name(element) == "rootfile" and element.get("full-path"):
            name = join_member("", element.get("full-path"))
            if archive.has(name):
                return name
            raise ImportFailure(f"{archive.path}: the EPUB's package document {name} is missing")
    raise ImportFailure(f"{archive.path}: META-INF/container.xml names no package document; not a readable EPUB")


def _children(element: ET.Element, name: str) -> list[ET.Element]:
    return [child for child in element.iter() if local_name(child) == name]


def _manifest(opf: ET.Element, opf_name: str) -> dict[str, Item]:
    items = {}
    for element in _children(opf, "item"):
        if element.get("id") and element.get("href"):
            items[element.get("id")] = Item(element.get("id"), join_member(opf_name, element.get("href")),
                                            (element.get("media-type") or "").lower(), set((element.get("properties") or "").split()))
    return items


def _spine(opf: ET.Element) -> tuple[list[str], str]:
    spines = _children(opf, "spine")
    if not spines:
        return [], ""
    refs = [ref.get("idref", "") for ref in _children(spines[0], "itemref") if (ref.get("linear") or "yes").lower() != "no"]
    return [r for r in refs if r], spines[0].get("toc", "")


def _metadata(opf: ET.Element) -> tuple[str, str]:
    titles = [clean("".join(t.itertext())) for t in _children(opf, "title")]
    roles = {}  # EPUB 3 says a creator's role in a <meta refines="#id" property="role">
    for meta in _children(opf, "meta"):
        if meta.get("property") == "role" and (meta.get("refines") or "").startswith("#"):
            roles[meta.get("refines")[1:]] = clean(meta.text or "")
    authors = []
    for creator in _children(opf, "creator"):
        role = next((v for k, v in creator.attrib.items() if k.rsplit("}", 1)[-1] == "role"), "") or roles.get(creator.get("id", ""), "")
        name = clean("".join(creator.itertext()))
        if name and role in ("", "aut"):
            authors.append(name)
    return next((t for t in titles if t), ""), " and ".join(authors[:3])


def _skipped_members(archive: SafeArchive, opf: ET.Element, opf_name: str, manifest: dict[str, Item]) -> set[str]:
    """Cover, title page, table of contents: the nav document, the guide's and the landmarks' entries."""
    skipped = {item.member for item in manifest.values() if item.properties & {"nav", "cover-image"}}
    for reference in _children(opf, "reference"):  # EPUB 2 <guide>
        if (reference.get("type") or "").lower() in SKIPPED_LANDMARKS and reference.get("href"):
            skipped.add(join_member(opf_name, reference.get("href")))
    nav = next((item for item in manifest.values() if "nav" in item.properties), None)
    if nav and archive.has(nav.member):
        links = _NavLinks("landmarks")
        links.feed(_decode(archive.read(nav.member)))
        skipped |= {join_member(nav.member, href) for href, _, kind in links.links if kind in SKIPPED_LANDMARKS}
    return skipped


# -- table of contents ---------------------------------------------------------------------------


@dataclass
class Toc:
    starts: dict[str, str] = field(default_factory=dict)  # member -> title of the chapter starting there
    anchors: dict[tuple[str, str], str] = field(default_factory=dict)  # (member, id) -> title

    def add(self, member: str, fragment: str, title: str) -> None:
        title = clean(title)
        if not title or not member:
            return
        if fragment and (member in self.starts or (member, fragment) in self.anchors or self._has_member(member)):
            self.anchors.setdefault((member, fragment), title)
        else:
            self.starts.setdefault(member, title)

    def _has_member(self, member: str) -> bool:
        return any(m == member for m, _ in self.anchors)


class _NavLinks(HTMLParser):
    """The links of one `<nav epub:type=...>` of an EPUB 3 navigation document: (href, text, epub:type)."""

    def __init__(self, nav_type: str):
        super().__init__(convert_charrefs=True)
        self.nav_type = nav_type
        self.depth = 0
        self.href = None
        self.kind = ""
        self.text: list[str] = []
        self.links: list[tuple[str, str, str]] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "nav":
            if self.depth or self.nav_type in (attrs.get("epub:type") or "").split():
                self.depth += 1
        elif self.depth and tag == "a":
            self.href, self.kind, self.text = attrs.get("href") or "", (attrs.get("epub:type") or "").lower(), []

    def handle_endtag(self, tag):
        if tag == "nav" and self.depth:
            self.depth -= 1
        elif tag == "a" and self.href is not None:
            self.links.append((self.href, "".join(self.text), self.kind))
            self.href = None

    def handle_data(self, data):
        if self.href is not None:
            self.text.append(data)


def _chapter_titles(archive: SafeArchive, manifest: dict[str, Item], ncx_id: str) -> Toc:
    toc = Toc()
    nav = next((item for item in manifest.values() if "nav" in item.properties), None)
    if nav and archive.has(nav.member):
        links = _NavLinks("toc")
        links.feed(_decode(archive.read(nav.member)))
        for href, text, _ in links.links:
            toc.add(join_member(nav.member, href), href.partition("#")[2], text)
    if toc.starts or toc.anchors:
        return toc
    ncx = manifest.get(ncx_id) or next((i for i in manifest.values() if i.media_type == "application/x-dtbncx+xml"), None)
    if ncx and archive.has(ncx.member):
        try:
            root = archive.xml(ncx.member)
        except ImportFailure:
            return toc  # a damaged table of contents costs the chapter titles, not the book
        for point in _children(root, "navPoint"):
            label = next(iter(_children(point, "text")), None)
            content = next((c for c in point if local_name(c) == "content"), None)
            if label is not None and content is not None and content.get("src"):
                src = content.get("src")
                toc.add(join_member(ncx.member, src), src.partition("#")[2], "".join(label.itertext()))
    return toc
