"""Books as students have them: EPUB, PDF, Word, OpenDocument, web pages and Project Gutenberg texts.

Every test builds a real file (benchmarks/bookgen.py writes EPUB, DOCX, ODT, HTML and PDF by
hand) and imports it as a user does, checking the passages, their order and locations, the
title and the author; the CLI tests search across what were line breaks and quote with the work.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from pathlib import Path

import pytest

from annotator.corpus.store import Store
from annotator.corpus.workspace import init_workspace
from annotator.errors import ImportFailure
from annotator.exchange.importers import import_source
from benchmarks import bookgen
from benchmarks.bookgen import BookSpec, Chapter

FIXTURES = Path(__file__).parent / "fixtures"

BOOK = BookSpec(
    "The Lighthouse Keeper",
    "Mara Quist",
    [
        Chapter("Chapter 1: The Lamp", [
            "Eliza climbed the hundred steps of the tower every evening before the light was lit.",
            "The keeper's log recorded storms, ships and the long silences between them, and she read "
            "every entry twice before she trimmed the wick and wound the clockwork of the great lens.",
        ]),
        Chapter("Chapter 2: The Letter", [
            "A letter came on the supply boat in October, addressed in her brother's careful hand.",
            "She did not open it until the lamp was burning, and then she read it by that light alone.",
        ]),
    ],
)
ALL_PARAGRAPHS = [p for chapter in BOOK.chapters for p in chapter.paragraphs]


@pytest.fixture
def store(tmp_path):
    return Store(init_workspace(tmp_path / "ws", empty=True))


def write(tmp_path: Path, name: str, data: bytes | str) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def imported(store: Store, path: Path):
    report = import_source(store, path)
    saved = store.load_source(report.source_id)
    return report, saved.source, saved.passages


def zip_of(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def replace_member(data: bytes, name: str, new: str | bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = {info.filename: archive.read(info) for info in archive.infolist()}
    members[name] = new.encode("utf-8") if isinstance(new, str) else new
    return zip_of(members)


# -- EPUB --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", [3, 2])
def test_epub_reads_the_spine_in_order_with_chapter_locations_title_and_author(store, tmp_path, version):
    report, source, passages = imported(store, write(tmp_path, "keeper.epub", bookgen.epub_bytes(BOOK, version=version)))
    assert report.kind == "epub"
    assert (source.title, source.author) == ("The Lighthouse Keeper", "Mara Quist")
    assert [p.text for p in passages] == ALL_PARAGRAPHS  # no cover, title page ("by Mara Quist") or contents
    assert [p.location for p in passages] == ["ch. 1", "ch. 1", "ch. 2", "ch. 2"]


def test_epub_drops_footnote_markers_page_breaks_and_notes(store, tmp_path):
    def markup(number, chapter):
        if number != 1:
            return None
        return ('<h2>Chapter 1</h2><p>The lamp<sup><a epub:type="noteref" href="#n1">1</a></sup> was lit at '
                'dusk<a href="#n2">[2]</a>, as the <span epub:type="pagebreak" id="p7" title="7">7</span>rules required.</p>'
                '<aside epub:type="footnote" id="n1"><p>A FOOTNOTE: paraffin, not whale oil.</p></aside>')

    _, _, passages = imported(store, write(tmp_path, "notes.epub", bookgen.epub_bytes(BOOK, chapter_markup=markup)))
    assert passages[0].text == "The lamp was lit at dusk, as the rules required."
    assert not any("FOOTNOTE" in p.text for p in passages)


def _package(spine: str, manifest: str, nav: str = "") -> dict[str, str]:
    container = ('<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container" version="1.0">'
                 '<rootfiles><rootfile full-path="content.opf"/></rootfiles></container>')
    opf = ('<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="3.0">'
           '<metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Spine Order</dc:title>'
           '<dc:creator>A. Writer</dc:creator></metadata>'
           f'<manifest>{manifest}</manifest><spine>{spine}</spine></package>')
    return {"mimetype": "application/epub+zip", "META-INF/container.xml": container, "content.opf": opf, **({"nav.xhtml": nav} if nav else {})}


def _xhtml(body: str) -> str:
    return f'<html xmlns="http://www.w3.org/1999/xhtml" xmlns:epub="http://www.idpf.org/2007/ops"><body>{body}</body></html>'


def test_epub_follows_the_spine_not_file_names_and_chapters_starting_mid_file(store, tmp_path):
    manifest = ('<item id="b" href="a-second.xhtml" media-type="application/xhtml+xml"/>'
                '<item id="a" href="z-first.xhtml" media-type="application/xhtml+xml"/>'
                '<item id="nav" href="nav.xhtml" properties="nav" media-type="application/xhtml+xml"/>')
    nav = _xhtml('<nav epub:type="toc"><ol><li><a href="z-first.xhtml">The Crossing</a></li>'
                 '<li><a href="a-second.xhtml#landfall">The Landfall</a></li>'
                 '<li><a href="a-second.xhtml#storm">Chapter 3</a></li></ol></nav>')
    members = _package('<itemref idref="a"/><itemref idref="b"/>', manifest, nav)
    members["z-first.xhtml"] = _xhtml("<p>First in reading order.</p>")
    members["a-second.xhtml"] = _xhtml('<h1 id="landfall">Landfall</h1><p>Second.</p><h1 id="storm">Storm</h1><p>Third.</p>')
    _, source, passages = imported(store, write(tmp_path, "order.epub", zip_of(members)))
    assert [(p.text, p.location) for p in passages] == [
        ("First in reading order.", "The Crossing"), ("Second.", "The Landfall"), ("Third.", "ch. 3")]
    assert (source.title, source.author) == ("Spine Order", "A. Writer")


def test_epub_without_a_toc_takes_chapters_from_headings(store, tmp_path):
    members = _package('<itemref idref="a"/>', '<item id="a" href="one.xhtml" media-type="application/xhtml+xml"/>')
    members["one.xhtml"] = _xhtml("<h1>Chapter Four</h1><p>Heading-located text.</p><h2>XII</h2><p>Numbered.</p>")
    _, _, passages = imported(store, write(tmp_path, "plain.epub", zip_of(members)))
    assert [(p.text, p.location) for p in passages] == [("Heading-located text.", "ch. 4"), ("Numbered.", "ch. XII")]


def test_epub_with_drm_is_refused_in_one_line(store, tmp_path):
    encryption = ('<encryption xmlns="urn:oasis:names:tc:opendocument:xmlns:container" xmlns:enc="http://www.w3.org/2001/04/xmlenc#">'
                  '<enc:EncryptedData><enc:EncryptionMethod Algorithm="http://www.w3.org/2001/04/xmlenc#aes128-cbc"/>'
                  '<enc:CipherData><enc:CipherReference URI="OEBPS/text/ch001.xhtml"/></enc:CipherData></enc:EncryptedData></encryption>')
    data = replace_member(bookgen.epub_bytes(BOOK), "META-INF/encryption.xml", encryption)
    with pytest.raises(ImportFailure, match="DRM"):
        import_source(store, write(tmp_path, "locked.epub", data))
    fonts_only = encryption.replace("http://www.w3.org/2001/04/xmlenc#aes128-cbc", "http://www.idpf.org/2008/embedding")
    data = replace_member(bookgen.epub_bytes(BOOK), "META-INF/encryption.xml", fonts_only)
    assert len(imported(store, write(tmp_path, "fonts.epub", data))[2]) == 4  # obfuscated fonts are not DRM


# -- DOCX and ODT ------------------------------------------------------------------------------------


def test_docx_paragraphs_headings_tables_and_properties(store, tmp_path):
    W = bookgen._w_paragraph
    body = (W("Handout: The Lighthouse Keeper", "Title") + W("Chapter 1 .......... 1", "TOC1") + W("Chapter 1", "Heading1")
            + '<w:p><w:r><w:t xml:space="preserve">Read the first </w:t></w:r><w:commentRangeStart w:id="0"/>'
              '<w:r><w:t>chapter</w:t></w:r><w:del><w:r><w:delText> DELETED</w:delText></w:r></w:del>'
              '<w:r><w:tab/><w:t>aloud.</w:t></w:r><w:r><w:commentReference w:id="0"/></w:r></w:p>'
            + W("Questions to answer", "Heading2")
            + '<w:tbl><w:tr><w:tc><w:p><w:r><w:t>Theme</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>Evidence</w:t></w:r></w:p></w:tc></w:tr>'
              '<w:tr><w:tc><w:p><w:r><w:t>Duty</w:t></w:r></w:p></w:tc><w:tc><w:p><w:r><w:t>The log</w:t></w:r></w:p></w:tc></w:tr></w:tbl>'
            + W("The Letter", "Heading1") + W("Why does she wait for the lamp?"))
    _, source, passages = imported(store, write(tmp_path, "handout.docx", bookgen.docx_bytes(BOOK, body)))
    assert (source.title, source.author) == ("The Lighthouse Keeper", "Mara Quist")  # the properties win over the Title style
    assert [(p.text, p.location) for p in passages] == [
        ("Read the first chapter aloud.", "ch. 1"),
        ("Theme | Evidence", "ch. 1, Questions to answer"),  # a Heading 2 adds to its chapter; a table row is a paragraph
        ("Duty | The log", "ch. 1, Questions to answer"),
        ("Why does she wait for the lamp?", "The Letter"),
    ]
    assert not any("COMMENT" in p.text for p in passages)


def test_docx_book_round_trips_every_paragraph(store, tmp_path):
    _, source, passages = imported(store, write(tmp_path, "book.docx", bookgen.docx_bytes(BOOK)))
    assert [p.text for p in passages] == ALL_PARAGRAPHS
    assert [p.location for p in passages] == ["ch. 1", "ch. 1", "ch. 2", "ch. 2"]


def test_odt_headings_tables_notes_and_comments(store, tmp_path):
    text = ('<text:p text:style-name="Title">Ignored Title Paragraph</text:p>'
            '<text:h text:outline-level="1">Chapter 1</text:h>'
            '<text:p text:style-name="P1">The lamp<text:note><text:note-citation>1</text:note-citation><text:note-body>'
            '<text:p>A NOTE</text:p></text:note-body></text:note> was<text:s text:c="3"/>lit'
            '<office:annotation><text:p>A COMMENT</text:p></office:annotation> at <text:span>dusk</text:span>.</text:p>'
            '<text:p text:style-name="P2">The Tower</text:p>'
            '<table:table><table:table-row><table:table-cell><text:p>Steps</text:p></table:table-cell>'
            '<table:table-cell><text:p>100</text:p></table:table-cell></table:table-row></table:table>'
            '<text:list><text:list-item><text:p>A listed point.</text:p></text:list-item></text:list>')
    _, source, passages = imported(store, write(tmp_path, "notes.odt", bookgen.odt_bytes(BOOK, text)))
    assert (source.title, source.author) == ("The Lighthouse Keeper", "Mara Quist")
    assert [(p.text, p.location) for p in passages] == [
        ("The lamp was lit at dusk.", "ch. 1"), ("Steps | 100", "ch. 1, The Tower"), ("A listed point.", "ch. 1, The Tower")]


def test_odt_book_round_trips_every_paragraph(store, tmp_path):
    _, _, passages = imported(store, write(tmp_path, "book.odt", bookgen.odt_bytes(BOOK)))
    assert [(p.text, p.location) for p in passages] == list(zip(ALL_PARAGRAPHS, ["ch. 1", "ch. 1", "ch. 2", "ch. 2"]))


# -- HTML --------------------------------------------------------------------------------------------


def test_web_page_keeps_the_main_text_only(store, tmp_path):
    report, source, passages = imported(store, write(tmp_path, "keeper.html", bookgen.html_page(BOOK)))
    assert report.kind == "html"
    assert (source.title, source.author) == ("The Lighthouse Keeper", "Mara Quist")
    assert [p.text for p in passages] == ALL_PARAGRAPHS
    assert [p.location for p in passages] == ["ch. 1", "ch. 1", "ch. 2", "ch. 2"]


def test_web_page_without_main_drops_boilerplate_by_element_role_and_class(store, tmp_path):
    page = ('<html><head><title>Essay tips</title><style>p{}</style></head><body>'
            '<div class="cookie-notice">We use cookies.</div><div role="navigation">Home | Blog</div>'
            '<div id="sidebar"><p>Popular posts</p></div><h2>Quoting well</h2>'
            '<p>Quote the words, then say why they matter.<script>alert(1)</script></p>'
            '<p hidden>Hidden text.</p><div class="share-buttons">Share on</div>'
            '<footer>© 2024</footer></body></html>')
    _, source, passages = imported(store, write(tmp_path, "tips.htm", page))
    assert [(p.text, p.location) for p in passages] == [("Quote the words, then say why they matter.", "Quoting well")]
    assert source.title == "Essay tips"


def test_web_page_unclosed_boilerplate_ends_at_the_next_block_and_page_references_stay(store, tmp_path):
    page = ('<body><p class="share-links">Share this page<p>The keeper wrote, see page <a href="#p12">12</a>.'
            '<p>The lamp<sup>3</sup> burned<a href="#n4">[4]</a>.</body>')
    _, _, passages = imported(store, write(tmp_path, "unclosed.html", page))
    assert [p.text for p in passages] == ["The keeper wrote, see page 12.", "The lamp burned."]


# -- PDF ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("indent", [True, False], ids=["indented", "block"])
def test_pdf_joins_lines_into_paragraphs_by_layout(store, tmp_path, indent):
    book = bookgen.novel(chapters=3, words=3000, seed=3)
    expected = [(p, n) for n, c in enumerate(book.chapters, 1) for p in c.paragraphs]
    report, source, passages = imported(store, write(tmp_path, "novel.pdf", bookgen.pdf_bytes(book, indent=indent)))
    assert report.kind == "pdf"
    assert (source.title, source.author) == ("The Marsh Country", "Ada Pembroke")
    # every paragraph whole (hyphenated words rejoined), no running header, no page number
    assert [p.text for p in passages] == [p for p, _ in expected]
    assert all(p.location.startswith(f"ch. {n}, p. ") for p, (_, n) in zip(passages, expected))
    assert passages[0].location == "ch. 1, p. 1"
    pages = [int(p.location.rsplit(" ", 1)[1]) for p in passages]
    assert pages == sorted(pages) and pages[-1] > 5


def test_pdf_rejoins_words_hyphenated_at_a_line_end(store, tmp_path):
    words = "She remembered the extraordinary circumstances of that considerable evening " * 6
    book = BookSpec("Hyphens", "H. Writer", [Chapter("Chapter 1", [words.strip()])])
    data = bookgen.pdf_bytes(book)
    assert b"-) Tj" in zlib_pages(data)  # the generator did hyphenate a word at a line end
    _, _, passages = imported(store, write(tmp_path, "hyphens.pdf", data))
    assert [p.text for p in passages] == [words.strip()]


def zlib_pages(data: bytes) -> bytes:
    import re
    import zlib

    return b"".join(zlib.decompress(m.group(1)) for m in re.finditer(rb"stream\n(.*?)\nendstream", data, re.S))


def test_a_pdf_page_the_parser_chokes_on_is_left_out_and_named(store, tmp_path, monkeypatch):
    from annotator.exchange.importers import pdf

    real = pdf._page_lines

    def choke_on_page_two(page, number):
        if number == 1:
            raise ValueError("a damaged content stream")
        return real(page, number)

    monkeypatch.setattr(pdf, "_page_lines", choke_on_page_two)
    book = bookgen.novel(chapters=1, words=1200, seed=4)
    report, _, passages = imported(store, write(tmp_path, "damaged.pdf", bookgen.pdf_bytes(book)))
    assert report.warnings == [f"{tmp_path / 'damaged.pdf'}: 1 damaged page(s) could not be read and were left out: p. 2"]
    assert passages and not any(p.location.endswith("p. 2") for p in passages)
    monkeypatch.setattr(pdf, "_page_lines", lambda page, number: (_ for _ in ()).throw(ValueError("broken")))
    with pytest.raises(ImportFailure, match=r"cannot read this PDF \(ValueError: broken\)"):
        import_source(store, write(tmp_path, "hopeless.pdf", bookgen.pdf_bytes(book)))


def test_pdf_without_a_text_layer_says_so(store, tmp_path):
    with pytest.raises(ImportFailure, match="no text layer"):
        import_source(store, write(tmp_path, "scan.pdf", bookgen.scanned_pdf_bytes(BOOK)))


def test_encrypted_pdf_is_refused_and_an_empty_password_one_is_read(store, tmp_path):
    from pypdf import PdfReader, PdfWriter

    def encrypted(user_password: str) -> bytes:
        writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bookgen.pdf_bytes(BOOK))))
        writer.encrypt(user_password=user_password, owner_password="owner", algorithm="RC4-128")
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue()

    with pytest.raises(ImportFailure, match="encrypted"):
        import_source(store, write(tmp_path, "locked.pdf", encrypted("secret")))
    assert [p.text for p in imported(store, write(tmp_path, "open.pdf", encrypted("")))[2]] == ALL_PARAGRAPHS


def test_a_placeholder_pdf_title_gives_way_to_the_file_name(store, tmp_path):
    book = BookSpec("Microsoft Word - draft3.docx", "Mara Quist", [Chapter("Chapter 1", ["She could not find the flask."])])
    _, source, _ = imported(store, write(tmp_path, "essay-draft.pdf", bookgen.pdf_bytes(book)))
    assert (source.title, source.author) == ("essay-draft", "Mara Quist")  # the file's name as typed


def test_ligatures_are_spelled_out_so_search_finds_the_words(store, tmp_path):
    members = _package('<itemref idref="a"/>', '<item id="a" href="one.xhtml" media-type="application/xhtml+xml"/>')
    members["one.xhtml"] = _xhtml("<p>She could not \ufb01nd the \ufb02ask in the o\ufb03ce.</p>")
    _, _, passages = imported(store, write(tmp_path, "ligatures.epub", zip_of(members)))
    assert passages[0].text == "She could not find the flask in the office."


def test_pdf_pages_are_cited_as_the_pdf_labels_them(store, tmp_path):
    from pypdf import PdfReader, PdfWriter

    book = BookSpec("Labelled", "L. Writer", [Chapter("Preface", ["A preface on its own page."]),
                                              Chapter("Chapter 1", ["The story begins on page one."])])
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(bookgen.pdf_bytes(book))))
    writer.set_page_label(0, 0, style="/r", start=9)  # the preface is page ix
    writer.set_page_label(1, 1, style="/D", start=1)
    out = io.BytesIO()
    writer.write(out)
    _, _, passages = imported(store, write(tmp_path, "labelled.pdf", out.getvalue()))
    assert [p.location for p in passages] == ["Preface, p. ix", "ch. 1, p. 1"]


# -- Project Gutenberg -------------------------------------------------------------------------------

GUTENBERG_HEADER = """The Project Gutenberg eBook of Great Expectations

This ebook is for the use of anyone anywhere in the United States and
most other parts of the world at no cost and with almost no restrictions
whatsoever.

Title: Great Expectations

Author: Charles Dickens

Release date: July 1, 1998 [eBook #1400]

Language: English

*** START OF THE PROJECT GUTENBERG EBOOK GREAT EXPECTATIONS ***




"""
CONTENTS = "Contents\n\n Chapter I.\n Chapter II.\n Chapter III.\n\n\n"
GUTENBERG_FOOTER = """

*** END OF THE PROJECT GUTENBERG EBOOK GREAT EXPECTATIONS ***

Updated editions will replace the previous one--the old editions will
be renamed.

Creating the works from print editions not protected by U.S. copyright
law means that no one owns a United States copyright in these works.

Section 1. General Terms of Use and Redistributing Project Gutenberg-tm
electronic works
"""


def great_expectations_chapters(count: int) -> str:
    """The novel as pg1400.txt has it between the markers: title, edition, byline, editor's note, chapters."""
    text = gzip.decompress((FIXTURES / "novel" / "great-expectations.txt.gz").read_bytes()).decode("utf-8")
    start, end = text.index("Chapter I\n"), text.index(f"Chapter {['I', 'II', 'III', 'IV', 'V'][count]}\n")
    return text[:start] + CONTENTS + text[start:end].rstrip()


def test_gutenberg_text_loses_header_and_licence_and_keeps_chapters(store, tmp_path):
    body = great_expectations_chapters(3)
    report, source, passages = imported(store, write(tmp_path, "pg1400.txt", GUTENBERG_HEADER + body + GUTENBERG_FOOTER))
    assert report.kind == "gutenberg"
    assert (source.title, source.author) == ("Great Expectations", "Charles Dickens")
    assert passages[0].text.startswith("My father’s family name being Pirrip")
    assert passages[0].location == "ch. I"
    assert {p.location for p in passages} == {"ch. I", "ch. II", "ch. III"}
    everything = " ".join(p.text for p in passages)
    for boilerplate in ("Project Gutenberg", "copyright", "1867 Edition", "Contents", "GREAT EXPECTATIONS"):
        assert boilerplate not in everything


def test_older_gutenberg_header_names_title_and_author(store, tmp_path):
    text = ("The Project Gutenberg EBook of Jane Eyre, by Charlotte Bronte\n\nThis eBook is for the use of anyone.\n\n"
            "*** START OF THIS PROJECT GUTENBERG EBOOK JANE EYRE ***\n\nCHAPTER I\n\n"
            "There was no possibility of taking a walk that day.\n\n"
            "*** END OF THIS PROJECT GUTENBERG EBOOK JANE EYRE ***\n\nEnd of the Project Gutenberg EBook.\n")
    _, source, passages = imported(store, write(tmp_path, "pg1260.txt", text))
    assert (source.title, source.author) == ("Jane Eyre", "Charlotte Bronte")
    assert [(p.text, p.location) for p in passages] == [("There was no possibility of taking a walk that day.", "ch. I")]


# -- the CLI, as a user runs it ----------------------------------------------------------------------


def test_cli_imports_a_pdf_then_finds_a_phrase_across_a_line_break_and_quotes_the_work(cli, tmp_path):
    ws = tmp_path / "w"
    cli("--workspace", ws, "init", "--empty")
    book = bookgen.novel(chapters=2, words=1500, seed=5, title="Marsh Lights", author="Ada Pembroke")
    path = write(tmp_path, "marsh.pdf", bookgen.pdf_bytes(book))
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 0, err
    # two words that the PDF puts at the end of one line and the start of the next
    lines = [line for line in zlib_pages(path.read_bytes()).split(b"\n") if b"F1 12 Tf" in line]
    first = lines[3].rsplit(b"(", 1)[1].rsplit(b")", 1)[0].split()[-1].decode()
    second = lines[4].rsplit(b"(", 1)[1].rsplit(b")", 1)[0].split()[0].decode()
    assert not first.endswith("-")
    result = json.loads(cli("--workspace", ws, "search", f'"{first} {second}"', "--json")[1])
    assert result["total"] >= 1
    hit = result["results"][0]
    assert f"{first} {second}" in hit["text"]
    code, out, _ = cli("--workspace", ws, "show", hit["id"], "--quote")
    assert code == 0 and "(Ada Pembroke, Marsh Lights, ch. 1, p. 1)" in out


BAD_INPUTS = {
    "empty.epub": b"",
    "empty.pdf": b"",
    "empty.docx": b"",
    "renamed.docx": b"These are my notes, saved as text and renamed.\n",
    "renamed.odt": b"plain text\n",
    "truncated.epub": bookgen.epub_bytes(BOOK)[:700],
    "truncated.docx": bookgen.docx_bytes(BOOK)[:-300],
    "broken.pdf": b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    "truncated.pdf": bookgen.pdf_bytes(BOOK)[:900],
    "encrypted.docx": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600),
    "nospine.epub": zip_of(_package("", '<item id="a" href="one.xhtml" media-type="application/xhtml+xml"/>')),
    "slip.epub": zip_of({"mimetype": "application/epub+zip", "../../evil.xhtml": "<p>x</p>"}),
    "absolute.docx": zip_of({"/etc/passwd": "x", "word/document.xml": "<w:document/>"}),
    "entities.epub": zip_of({"mimetype": "application/epub+zip", "META-INF/container.xml":
                             '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><c>&b;</c>'}),
    "entities.docx": zip_of({"word/document.xml": '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><d>&x;</d>'}),
}


def _bomb() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("mimetype", "application/epub+zip")
        archive.writestr("OEBPS/huge.xhtml", b"\0" * (40 * 1024 * 1024))
    return buffer.getvalue()


BAD_INPUTS["pictures.epub"] = zip_of({**_package('<itemref idref="a"/>', '<item id="a" href="p.xhtml" media-type="application/xhtml+xml"/>'),
                                      "p.xhtml": _xhtml('<img src="page1.jpg" alt="page 1"/>')})
BAD_INPUTS["lcp.epub"] = replace_member(bookgen.epub_bytes(BOOK), "META-INF/license.lcpl", "{}")


@pytest.mark.parametrize("name", [*BAD_INPUTS, "bomb.epub"])
def test_bad_book_files_give_one_line_exit_2_and_write_nothing(cli, tmp_path, name):
    ws = tmp_path / "w"
    cli("--workspace", ws, "init", "--empty")
    before = sorted(p.relative_to(ws) for p in (ws / "corpus").rglob("*"))
    path = write(tmp_path, name, _bomb() if name == "bomb.epub" else BAD_INPUTS[name])
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 2
    assert err.strip().count("\n") == 0 and "Traceback" not in err and name in err
    assert sorted(p.relative_to(ws) for p in (ws / "corpus").rglob("*")) == before
    assert not (tmp_path.parent / "evil.xhtml").exists()
