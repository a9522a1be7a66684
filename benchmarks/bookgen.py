"""Generated books as real files: EPUB 2/3, PDF, DOCX, ODT, HTML and plain text of the same words.

Used by the tests (small books with footnote markers, comments, tables, running headers) and by
benchmarks/import_bench.py (a 400-page novel). Everything is written by hand with zipfile and
zlib, so the tests need no document library: the PDF is a minimal but valid PDF 1.4 with
Courier body text, Helvetica-Bold headings, a running header and page numbers on every page.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

FIXED_TIME = (2020, 1, 1, 0, 0, 0)


@dataclass
class Chapter:
    title: str  # "Chapter 1: The Forge"
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class BookSpec:
    title: str
    author: str
    chapters: list[Chapter]

    def words(self) -> int:
        return sum(len(p.split()) for c in self.chapters for p in c.paragraphs)


WORDS = ("the a of and to in that was he she it his her with as for on had at by not but from they which you one "
         "were all we when there been if more an so what said could would into them some her him my time marsh "
         "forge letter river candle garden house money hope guilt ambition expectations blacksmith convict gentleman "
         "fortune village London evening morning window door sister father mother friend stranger promise shadow "
         "quietly slowly suddenly remember afterwards understand wondering considerable circumstances extraordinary").split()


def novel(chapters: int = 40, words: int = 150_000, seed: int = 7, title: str = "The Marsh Country",
          author: str = "Ada Pembroke") -> BookSpec:
    """A deterministic novel of about `words` words in paragraphs of 40-200 words."""
    rng = random.Random(seed)
    per_chapter = words // chapters
    result = []
    for number in range(1, chapters + 1):
        chapter = Chapter(f"Chapter {number}: The {rng.choice(WORDS[40:90]).title()}")
        count = 0
        while count < per_chapter:
            paragraph = _paragraph(rng, rng.randint(40, 200))
            chapter.paragraphs.append(paragraph)
            count += len(paragraph.split())
        result.append(chapter)
    return BookSpec(title, author, result)


def _paragraph(rng: random.Random, words: int) -> str:
    sentences, count = [], 0
    while count < words:
        n = rng.randint(6, 24)
        sentence = " ".join(rng.choice(WORDS) for _ in range(n))
        sentences.append(sentence[0].upper() + sentence[1:] + rng.choice(".....?!"))
        count += n
    return " ".join(sentences)


def plain_text(book: BookSpec) -> str:
    parts = [f"# {book.title}"]
    for chapter in book.chapters:
        parts.append(f"## {chapter.title}")
        parts.extend(chapter.paragraphs)
    return "\n\n".join(parts) + "\n"


def _zip(members: list[tuple[str, str | bytes]]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members:
            info = zipfile.ZipInfo(name, date_time=FIXED_TIME)
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data.encode("utf-8") if isinstance(data, str) else data)
    return buffer.getvalue()


# -- EPUB ------------------------------------------------------------------------------------------


def _xhtml(title: str, body: str) -> str:
    return ('<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops">\n'
            f"<head><title>{escape(title)}</title><style>p {{ text-indent: 1em }}</style></head>\n<body>{body}</body></html>\n")


def epub_bytes(book: BookSpec, version: int = 3, chapter_markup=None) -> bytes:
    """An EPUB: cover, title page, a nav document (EPUB 3) or NCX (EPUB 2), one XHTML file per chapter.
    `chapter_markup(number, chapter)` may return a chapter's body markup (to plant markers in it)."""
    files = [("cover.xhtml", _xhtml("Cover", '<div class="cover"><img src="cover.jpg" alt="Cover"/></div>')),
             ("titlepage.xhtml", _xhtml("Title page", f"<h1>{escape(book.title)}</h1><p>by {escape(book.author)}</p>"))]
    for number, chapter in enumerate(book.chapters, start=1):
        body = chapter_markup(number, chapter) if chapter_markup else None
        if body is None:
            body = f"<h2>{escape(chapter.title)}</h2>" + "".join(f"<p>{escape(p)}</p>" for p in chapter.paragraphs)
        files.append((f"text/ch{number:03d}.xhtml", _xhtml(chapter.title, f'<section epub:type="chapter">{body}</section>')))
    manifest = "".join(f'<item id="f{i}" href="{name}" media-type="application/xhtml+xml"/>' for i, (name, _) in enumerate(files))
    spine = "".join(f'<itemref idref="f{i}"/>' for i in range(len(files)))
    toc_links = "".join(f'<li><a href="text/ch{n:03d}.xhtml">{escape(c.title)}</a></li>' for n, c in enumerate(book.chapters, 1))
    extra_items, guide = "", ""
    if version == 3:
        nav = _xhtml("Contents", f'<nav epub:type="toc"><h1>Contents</h1><ol>{toc_links}</ol></nav>'
                     '<nav epub:type="landmarks"><ol><li><a epub:type="cover" href="cover.xhtml">Cover</a></li>'
                     '<li><a epub:type="titlepage" href="titlepage.xhtml">Title page</a></li></ol></nav>')
        files.append(("nav.xhtml", nav))
        extra_items = '<item id="nav" href="nav.xhtml" properties="nav" media-type="application/xhtml+xml"/>'
        spine = '<itemref idref="nav" linear="yes"/>' + spine
        metadata = (f'<dc:title>{escape(book.title)}</dc:title><dc:creator id="c1">{escape(book.author)}</dc:creator>'
                    '<meta refines="#c1" property="role" scheme="marc:relators">aut</meta>'
                    '<dc:identifier id="uid">urn:uuid:0</dc:identifier><dc:language>en</dc:language>')
        toc_attr = ""
    else:
        points = "".join(f'<navPoint id="n{n}" playOrder="{n}"><navLabel><text>{escape(c.title)}</text></navLabel>'
                         f'<content src="text/ch{n:03d}.xhtml"/></navPoint>' for n, c in enumerate(book.chapters, 1))
        files.append(("toc.ncx", '<?xml version="1.0"?>\n<!DOCTYPE ncx PUBLIC "-//NISO//DTD ncx 2005-1//EN" '
                      '"http://www.daisy.org/z3986/2005/ncx-2005-1.dtd">\n<ncx xmlns="http://www.daisy.org/z3986/2005/ncx/" '
                      f'version="2005-1"><navMap>{points}</navMap></ncx>'))
        extra_items = '<item id="ncx" href="toc.ncx" media-type="application/x-dtbncx+xml"/>'
        metadata = (f'<dc:title>{escape(book.title)}</dc:title><dc:creator opf:role="aut">{escape(book.author)}</dc:creator>'
                    '<dc:identifier id="uid">urn:uuid:0</dc:identifier><dc:language>en</dc:language>')
        toc_attr = ' toc="ncx"'
        guide = '<guide><reference type="cover" href="cover.xhtml" title="Cover"/></guide>'
    opf = (f'<?xml version="1.0" encoding="utf-8"?>\n<package xmlns="http://www.idpf.org/2007/opf" version="{version}.0" '
           'unique-identifier="uid"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:opf="http://www.idpf.org/2007/opf">'
           f'{metadata}</metadata><manifest>{manifest}{extra_items}</manifest><spine{toc_attr}>{spine}</spine>{guide}</package>')
    container = ('<?xml version="1.0"?>\n<container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container">'
                 '<rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>')
    members = [("mimetype", "application/epub+zip"), ("META-INF/container.xml", container), ("OEBPS/content.opf", opf)]
    members += [(f"OEBPS/{name}", data) for name, data in files]
    return _zip(members)


# -- DOCX ------------------------------------------------------------------------------------------

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _w_paragraph(text: str, style: str = "", extra_runs: str = "") -> str:
    style_xml = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    return f'<w:p>{style_xml}<w:r><w:t xml:space="preserve">{escape(text)}</w:t></w:r>{extra_runs}</w:p>'


def docx_bytes(book: BookSpec, body_xml: str | None = None) -> bytes:
    """A Word document: Title paragraph, Heading 1 per chapter, Normal paragraphs; core properties."""
    if body_xml is None:
        parts = [_w_paragraph(book.title, "Title")]
        for chapter in book.chapters:
            parts.append(_w_paragraph(chapter.title, "Heading1"))
            parts.extend(_w_paragraph(p) for p in chapter.paragraphs)
        body_xml = "".join(parts)
    document = (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<w:document xmlns:w="{W}"><w:body>{body_xml}'
                '<w:sectPr/></w:body></w:document>')
    styles = (f'<?xml version="1.0" encoding="UTF-8"?>\n<w:styles xmlns:w="{W}">'
              '<w:style w:type="paragraph" w:styleId="Normal"><w:name w:val="Normal"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Title"><w:name w:val="Title"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="Heading2"><w:name w:val="heading 2"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="TOC1"><w:name w:val="toc 1"/></w:style></w:styles>')
    core = ('<?xml version="1.0" encoding="UTF-8"?>\n<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/'
            'metadata/core-properties" xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:title>{escape(book.title)}</dc:title><dc:creator>{escape(book.author)}</dc:creator></cp:coreProperties>')
    types = ('<?xml version="1.0" encoding="UTF-8"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
             '<Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" '
             'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
             '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.'
             'wordprocessingml.document.main+xml"/></Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8"?>\n<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>')
    comments = (f'<?xml version="1.0" encoding="UTF-8"?>\n<w:comments xmlns:w="{W}"><w:comment w:id="0" w:author="Tutor">'
                '<w:p><w:r><w:t>A COMMENT THAT IS NOT TEXT</w:t></w:r></w:p></w:comment></w:comments>')
    return _zip([("[Content_Types].xml", types), ("_rels/.rels", rels), ("word/document.xml", document),
                 ("word/styles.xml", styles), ("word/comments.xml", comments), ("docProps/core.xml", core)])


# -- ODT -------------------------------------------------------------------------------------------

ODT_NS = ('xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
          'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
          'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
          'xmlns:style="urn:oasis:names:tc:opendocument:xmlns:style:1.0" '
          'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:meta="urn:oasis:names:tc:opendocument:xmlns:meta:1.0"')


def odt_bytes(book: BookSpec, text_xml: str | None = None) -> bytes:
    if text_xml is None:
        parts = []
        for chapter in book.chapters:
            parts.append(f'<text:h text:outline-level="1">{escape(chapter.title)}</text:h>')
            parts.extend(f'<text:p text:style-name="P1">{escape(p)}</text:p>' for p in chapter.paragraphs)
        text_xml = "".join(parts)
    content = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-content {ODT_NS} office:version="1.3">'
               '<office:automatic-styles><style:style style:name="P1" style:family="paragraph" '
               'style:parent-style-name="Text_20_body"/><style:style style:name="P2" style:family="paragraph" '
               'style:parent-style-name="Heading_20_2"/></office:automatic-styles>'
               f'<office:body><office:text>{text_xml}</office:text></office:body></office:document-content>')
    meta = (f'<?xml version="1.0" encoding="UTF-8"?>\n<office:document-meta {ODT_NS} office:version="1.3"><office:meta>'
            f'<dc:title>{escape(book.title)}</dc:title><meta:initial-creator>{escape(book.author)}</meta:initial-creator>'
            '</office:meta></office:document-meta>')
    manifest = ('<?xml version="1.0" encoding="UTF-8"?>\n<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                'xmlns:manifest:1.0" manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
                'manifest:media-type="application/vnd.oasis.opendocument.text"/></manifest:manifest>')
    return _zip([("mimetype", "application/vnd.oasis.opendocument.text"), ("META-INF/manifest.xml", manifest),
                 ("content.xml", content), ("meta.xml", meta)])


# -- HTML ------------------------------------------------------------------------------------------


def html_page(book: BookSpec) -> str:
    """A web page as saved from a browser: navigation, cookie banner, the article, a sidebar, a footer."""
    sections = "".join(f"<section><h2>{escape(c.title)}</h2>" + "".join(f"<p>{escape(p)}</p>" for p in c.paragraphs)
                       + "</section>" for c in book.chapters)
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>{escape(book.title)} | Reading Room</title>'
            f'<meta name="author" content="{escape(book.author)}"><style>body {{ font: 16px serif }}</style>'
            '<script>var tracking = "SCRIPT TEXT";</script></head><body>'
            '<div id="cookie-banner" class="cookie-consent"><p>We use cookies to improve your experience. Accept all?</p>'
            '<button>Accept</button></div>'
            '<header class="site-header"><a href="/">Reading Room</a><nav><ul><li><a href="/books">Books</a></li>'
            '<li><a href="/about">About us</a></li></ul></nav></header>'
            f'<main><article><h1>{escape(book.title)}</h1>{sections}</article></main>'
            '<aside class="sidebar"><h3>Related reading</h3><p>Other novels you may like.</p></aside>'
            '<footer><p>Copyright 2024 Reading Room. All rights reserved.</p></footer></body></html>\n')


# -- PDF -------------------------------------------------------------------------------------------

PAGE_WIDTH, PAGE_HEIGHT, MARGIN = 612, 792, 72
BODY_SIZE, LEADING, HEADING_SIZE = 12, 16, 18
CHARS_PER_LINE = int((PAGE_WIDTH - 2 * MARGIN) / (0.6 * BODY_SIZE))  # Courier: every glyph 0.6 em wide
INDENT = 3  # characters


def _pdf_string(text: str) -> bytes:
    data = text.encode("cp1252", "replace")
    return b"(" + data.replace(b"\\", b"\\\\").replace(b"(", b"\\(").replace(b")", b"\\)") + b")"


def _wrap(paragraph: str, width: int, first_indent: int, hyphenate: bool) -> list[str]:
    """Lines of at most `width` characters; a long word that does not fit is hyphenated (`remem-`/`bered`)."""
    lines, current = [], " " * first_indent
    for word in paragraph.split():
        candidate = f"{current} {word}" if current.strip() else current + word
        if len(candidate) <= width:
            current = candidate
            continue
        room = width - len(current) - 2
        if hyphenate and len(word) >= 8 and room >= 4 and word.isalpha():
            lines.append(f"{current} {word[:room]}-")
            current = word[room:]
        else:
            lines.append(current)
            current = word
    lines.append(current)
    return lines


def pdf_bytes(book: BookSpec, running_header: bool = True, hyphenate: bool = True, indent: bool = True) -> bytes:
    """A book as a PDF: each chapter on a new page under a bold heading; body text in 12 pt Courier
    with indented first lines (or, with `indent=False`, block paragraphs with a gap between them);
    a running header (the title) and a page number on every page."""
    pages: list[list[tuple[str, float, float, str, int]]] = []  # (text, x, y, font, size)
    y = 0.0

    def new_page():
        nonlocal y
        pages.append([])
        y = PAGE_HEIGHT - MARGIN

    for chapter in book.chapters:
        new_page()
        y -= HEADING_SIZE
        pages[-1].append((chapter.title, MARGIN, y, "F2", HEADING_SIZE))
        y -= HEADING_SIZE * 1.5
        for paragraph in chapter.paragraphs:
            if not indent and y < PAGE_HEIGHT - MARGIN - HEADING_SIZE * 3:
                y -= LEADING  # a blank line between block paragraphs
            for line in _wrap(paragraph, CHARS_PER_LINE, INDENT if indent else 0, hyphenate):
                if y - LEADING < MARGIN:
                    new_page()
                y -= LEADING
                stripped = line.lstrip()
                offset = (len(line) - len(stripped)) * 0.6 * BODY_SIZE
                pages[-1].append((stripped, MARGIN + offset, y, "F1", BODY_SIZE))
    for number, page in enumerate(pages, start=1):
        if running_header:
            page.insert(0, (book.title.upper(), MARGIN, PAGE_HEIGHT - 40, "F1", 9))
        page.append((str(number), PAGE_WIDTH / 2, 36, "F1", 9))
    return _pdf_document(book, pages)


def scanned_pdf_bytes(book: BookSpec, pages: int = 3) -> bytes:
    """A PDF as a scanner makes it: pages of picture (here grey boxes), no text layer."""
    return _pdf_document(book, [[] for _ in range(pages)], drawing=b"0.5 g 72 72 468 648 re f\n")


def _pdf_document(book: BookSpec, pages, drawing: bytes = b"") -> bytes:
    objects: list[bytes] = []  # object n is objects[n - 1]

    def add(data: bytes) -> int:
        objects.append(data)
        return len(objects)

    catalog = add(b"")
    page_tree = add(b"")
    body_font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier /Encoding /WinAnsiEncoding >>")
    heading_font = add(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>")
    info = add(b"<< /Title " + _pdf_string(book.title) + b" /Author " + _pdf_string(book.author) + b" >>")
    kids = []
    for page in pages:
        stream = drawing + b"".join(b"BT /%s %d Tf %.2f %.2f Td %s Tj ET\n" % (font.encode(), size, x, y, _pdf_string(text))
                          for text, x, y, font, size in page)
        packed = zlib.compress(stream)
        content = add(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(packed) + packed + b"\nendstream")
        kids.append(add(b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %d %d] /Contents %d 0 R "
                        b"/Resources << /Font << /F1 %d 0 R /F2 %d 0 R >> >> >>"
                        % (page_tree, PAGE_WIDTH, PAGE_HEIGHT, content, body_font, heading_font)))
    objects[catalog - 1] = b"<< /Type /Catalog /Pages %d 0 R >>" % page_tree
    objects[page_tree - 1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (b" ".join(b"%d 0 R" % k for k in kids), len(kids))
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, data in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + data + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % offset for offset in offsets))
    out.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, catalog, info, xref))
    return out.getvalue()
