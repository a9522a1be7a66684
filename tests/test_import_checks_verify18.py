"""Regressions found by trying issue #18's imports as a new user would (one test per defect)."""

from __future__ import annotations

import io
import zipfile

import pytest

from annotator.corpus.store import Store
from annotator.corpus.workspace import init_workspace
from annotator.exchange.importers import import_source
from benchmarks import bookgen
from benchmarks.bookgen import BookSpec, Chapter

LONG_PARAGRAPH = " ".join(f"The keeper wrote entry {n} in the log before the lamp was lit." for n in range(400))


@pytest.fixture
def store(tmp_path):
    return Store(init_workspace(tmp_path / "ws", empty=True))


@pytest.mark.parametrize("kind", ["docx", "epub", "html"])
def test_a_long_paragraph_of_a_book_without_chapters_keeps_distinct_locations(store, tmp_path, kind):
    book = BookSpec("Handout", "A. Tutor", [Chapter("", ["Read this first.", LONG_PARAGRAPH, "The end."])])
    data = {"docx": bookgen.docx_bytes, "epub": bookgen.epub_bytes, "html": bookgen.html_page}[kind](book)
    path = tmp_path / f"handout.{kind}"
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    report = import_source(store, path)
    passages = store.load_source(report.source_id).passages
    pieces = [p.location for p in passages if p.id.startswith(f"{report.source_id}-p2-")]
    assert len(pieces) > 1
    assert len(set(pieces)) == len(pieces), pieces
    assert pieces[0] == "para 2, part 1"
    assert passages[0].location == "para 1" and passages[-1].location == "para 3"


def test_a_title_page_line_does_not_run_into_the_first_chapter_heading(store, tmp_path):
    # A title page: the title, then the author in the chapter headings' size; chapter 1 on page 2.
    top = bookgen.PAGE_HEIGHT - bookgen.MARGIN
    title_page = [("The Lighthouse Keeper", 150, top - 200, "F2", 24),
                  ("Mara Quist", 200, top - 240, "F2", bookgen.HEADING_SIZE)]
    lines = ["Eliza climbed the hundred steps", "of the tower every evening.", "", "The keeper's log", "recorded storms."]
    body = ["Eliza climbed the hundred steps of the tower every evening.", "The keeper's log recorded storms."]
    chapter = [("Chapter 1: The Lamp", bookgen.MARGIN, top - 20, "F2", bookgen.HEADING_SIZE)]
    chapter += [(text, bookgen.MARGIN, top - 60 - 15 * k, "F1", bookgen.BODY_SIZE) for k, text in enumerate(lines) if text]
    book = BookSpec("The Lighthouse Keeper", "Mara Quist", [])
    path = tmp_path / "keeper.pdf"
    path.write_bytes(bookgen._pdf_document(book, [title_page, chapter]))
    report = import_source(store, path)
    passages = store.load_source(report.source_id).passages
    assert [p.text for p in passages] == body
    assert [p.location for p in passages] == ["ch. 1, p. 2", "ch. 1, p. 2"]


TWO_CITIES = """The Project Gutenberg eBook of A Tale of Two Cities, by Charles Dickens

Title: A Tale of Two Cities

Author: Charles Dickens

*** START OF THE PROJECT GUTENBERG EBOOK A TALE OF TWO CITIES ***


A TALE OF TWO CITIES

By Charles Dickens


CONTENTS

     CHAPTER I.      The Period
     CHAPTER II.     The Mail


CHAPTER I.
The Period


It was the best of times, it was the worst of times, it was the age of wisdom, it was the age
of foolishness, it was the epoch of belief, it was the epoch of incredulity.


CHAPTER II.
The Mail


It was the Dover road that lay, on a Friday night late in November, before the first of the
persons with whom this history has business.

*** END OF THE PROJECT GUTENBERG EBOOK A TALE OF TWO CITIES ***
"""


def test_gutenberg_front_matter_goes_when_chapter_headings_have_a_title_line(store, tmp_path):
    path = tmp_path / "pg98.txt"
    path.write_text(TWO_CITIES)
    report = import_source(store, path)
    texts = [p.text for p in store.load_source(report.source_id).passages]
    assert not any(t in ("A TALE OF TWO CITIES", "By Charles Dickens", "CONTENTS") for t in texts), texts
    assert texts[-1].startswith("It was the Dover road")


def test_an_epub_chapter_declaring_entities_in_its_doctype_leaks_no_markup(store, tmp_path):
    # Some EPUB tools declare entities inline: <!DOCTYPE html [<!ENTITY nbsp "&#160;">]>
    book = BookSpec("Hard Times", "Charles Dickens", [Chapter("Chapter 1: The One Thing Needful", [
        "Now, what I want is, Facts.", "Teach these boys and girls nothing but Facts."])])
    plain = zipfile.ZipFile(io.BytesIO(bookgen.epub_bytes(book)))
    path = tmp_path / "hard-times.epub"
    with zipfile.ZipFile(path, "w") as out:
        for info in plain.infolist():
            data = plain.read(info)
            if info.filename.endswith(".xhtml"):
                data = data.replace(b"<!DOCTYPE html>", b'<!DOCTYPE html [\n  <!ENTITY nbsp "&#160;">\n]>')
            out.writestr(info, data)
    report = import_source(store, path)
    assert [p.text for p in store.load_source(report.source_id).passages] == book.chapters[0].paragraphs


def test_an_odt_author_is_its_initial_creator_not_its_last_editor(store, tmp_path):
    # In ODF, dc:creator is whoever saved the file last; meta:initial-creator wrote it.
    book = BookSpec("Jane Eyre seminar", "Ann Lecturer", [Chapter("Chapter 1", ["There was no possibility of a walk."])])
    plain = zipfile.ZipFile(io.BytesIO(bookgen.odt_bytes(book)))
    path = tmp_path / "seminar.odt"
    with zipfile.ZipFile(path, "w") as out:
        for info in plain.infolist():
            data = plain.read(info)
            if info.filename == "meta.xml":
                data = data.replace(b"</office:meta>", b"<dc:creator>Bob Editor</dc:creator></office:meta>")
            out.writestr(info, data)
    report = import_source(store, path)
    assert store.load_source(report.source_id).source.author == "Ann Lecturer"


def test_a_pdf_import_reports_its_pages_as_they_are_read(tmp_path):
    from annotator.exchange.import_run import ImportRequest
    from annotator.session import Session

    book = bookgen.novel(chapters=3, words=3000)
    path = tmp_path / "marsh.pdf"
    path.write_bytes(bookgen.pdf_bytes(book))
    heard = []
    init_workspace(tmp_path / "ws", empty=True)
    session = Session.open(tmp_path / "ws")
    session.import_files(ImportRequest([path]), progress=lambda what, done, total: heard.append((what, done, total)))
    pages = [(done, total) for what, done, total in heard if what == "reading marsh.pdf" and total > 1]
    assert len(pages) > 3 and pages[-1][0] == pages[-1][1] - 1, heard[:5]


def test_a_bad_file_among_several_stops_the_import_before_any_is_written(cli, tmp_path):
    ws = tmp_path / "ws"
    assert cli("init", ws)[0] == 0
    good = tmp_path / "notes.md"
    good.write_text("Pip on the marshes.\n\nJoe at the forge.\n", encoding="utf-8")
    broken = tmp_path / "novel.epub"
    broken.write_bytes(bookgen.epub_bytes(BookSpec("T", "A", [Chapter("Chapter 1", ["Text."])]))[:1000])  # truncated
    code, out, err = cli("--workspace", ws, "import", good, broken)
    assert code == 2 and len(err.strip().splitlines()) == 1, err
    assert not list((ws / "corpus" / "passages").glob("*.yaml")), "notes.md was written, and nothing said so"


def test_markdown_front_matter_names_the_work_and_is_no_passage(store, tmp_path):
    # Obsidian and most static-site notes open with a YAML block between '---' lines.
    path = tmp_path / "beloved.md"
    path.write_text("---\ntitle: Notes on Beloved\nauthor: Toni Morrison\ntags: [reading]\n---\n\n"
                    "Sethe and the house on Bluestone Road.\n\n# Part One\n\n124 was spiteful.\n", encoding="utf-8")
    report = import_source(store, path)
    saved = store.load_source(report.source_id)
    assert [p.text for p in saved.passages] == ["Sethe and the house on Bluestone Road.", "124 was spiteful."]
    assert (saved.source.title, saved.source.author) == ("Notes on Beloved", "Toni Morrison")


def test_an_rtf_file_is_refused_not_imported_as_its_markup(cli, tmp_path):
    ws = tmp_path / "ws"
    assert cli("init", ws)[0] == 0
    path = tmp_path / "handout.rtf"
    path.write_text(r"{\rtf1\ansi\deff0 {\fonttbl {\f0 Times;}} \f0\fs24 Pip meets the convict.\par }", encoding="ascii")
    code, out, err = cli("--workspace", ws, "import", path)
    assert code == 2 and len(err.strip().splitlines()) == 1 and ".docx" in err, err
    assert not list((ws / "corpus" / "passages").glob("*.yaml"))
