"""E-reader highlights: KOReader's JSON, Kobo's KoboReader.sqlite, Readwise's CSV, built here as the
devices and the service write them, imported with the CLI as a user runs it."""

from __future__ import annotations

import csv
import json
import sqlite3
from pathlib import Path

import pytest

from annotator.session import Session


def koreader_export(path: Path, documents: list[dict]) -> Path:
    data = documents[0] if len(documents) == 1 else {"documents": documents}
    data = dict(data, created_on=1733200000, version="koreader-exporter-2024.11")
    path.write_text(json.dumps(data, indent=2), encoding="utf-8")
    return path


GREAT_EXPECTATIONS = {
    "title": "Great Expectations",
    "author": "Charles Dickens",
    "file": "/mnt/us/books/great-expectations.epub",
    "number_of_pages": 540,
    "entries": [
        {"sort": "highlight", "chapter": "Chapter I", "page": 3, "time": 1733100000, "drawer": "lighten",
         "text": "My father's family name being Pirrip"},
        {"sort": "highlight", "chapter": "Chapter I", "page": 3, "time": 1733100100, "drawer": "lighten",
         "text": "My father's family name being Pirrip, and my Christian name Philip, my infant tongue could make "
                 "of both names nothing longer or more explicit than Pip.", "note": "he names himself"},
        {"sort": "highlight", "chapter": "Chapter VIII", "page": 61, "time": 1733100200,
         "text": "I took the opportunity of being alone in the court-yard, to look at my coarse hands and my common boots.",
         "note": "shame: the first time he sees himself through Estella's eyes"},
        {"sort": "highlight", "chapter": "Chapter VIII", "page": 61, "time": 1733100300,
         "text": "I took the opportunity of being alone in the court-yard, to look at my coarse hands and my common boots.",
         "note": "ambition starts here"},
    ],
}
PERSUASION = {
    "title": "Persuasion", "author": "Jane Austen",
    "entries": [{"sort": "highlight", "chapter": "Chapter 23", "page": 201, "time": 1,
                 "text": "You pierce my soul. I am half agony, half hope.", "note": "the letter"}],
}


def make_kobo(path: Path) -> Path:
    """A KoboReader.sqlite with the tables and columns the reader writes (the ones read, and a few more)."""
    with sqlite3.connect(path) as db:
        db.executescript("""
            CREATE TABLE content (ContentID TEXT PRIMARY KEY, ContentType TEXT, BookID TEXT, BookTitle TEXT,
                                  Title TEXT, Attribution TEXT, VolumeIndex INTEGER, ___PercentRead INTEGER);
            CREATE TABLE Bookmark (BookmarkID TEXT PRIMARY KEY, VolumeID TEXT, ContentID TEXT, StartContainerPath TEXT,
                                   Text TEXT, Annotation TEXT, ExtraAnnotationData BLOB, DateCreated TEXT,
                                   ChapterProgress REAL, Hidden TEXT, Version TEXT, DateModified TEXT, Type TEXT);
        """)
        volume = "file:///mnt/onboard/Ishiguro, Kazuo/Never Let Me Go.kepub.epub"
        db.executemany("INSERT INTO content VALUES (?,?,?,?,?,?,?,?)", [
            (volume, "6", None, None, "Never Let Me Go", "Kazuo Ishiguro", -1, 40),
            (volume + "!OEBPS!ch02.xhtml-1", "9", volume, "Never Let Me Go", "Chapter Two", None, 2, 0),
            (volume + "!OEBPS!ch22.xhtml-1", "9", volume, "Never Let Me Go", "Chapter Twenty-Two", None, 22, 0),
        ])
        rows = [
            ("b1", volume, volume + "!OEBPS!ch22.xhtml", "Poor creatures. What did we do to you?", "Madame's pity",
             "2024-03-02T10:00:00Z", 0.5, "false", "highlight"),
            ("b2", volume, volume + "!OEBPS!ch02.xhtml", "I won't be a carer any more come the end of the year",
             None, "2024-03-01T10:00:00Z", 0.1, "false", "highlight"),
            ("b3", volume, volume + "!OEBPS!ch02.xhtml", None, None, "2024-03-01T11:00:00Z", 0.3, "false", "dogear"),
            ("b4", volume, volume + "!OEBPS!ch02.xhtml", "a highlight the reader deleted", None,
             "2024-03-01T12:00:00Z", 0.4, "true", "highlight"),
        ]
        db.executemany("INSERT INTO Bookmark (BookmarkID, VolumeID, ContentID, Text, Annotation, DateCreated,"
                       " ChapterProgress, Hidden, Type) VALUES (?,?,?,?,?,?,?,?,?)", rows)
    db.close()
    return path


READWISE_COLUMNS = ["Highlight", "Book Title", "Book Author", "Amazon Book ID", "Note", "Color", "Tags",
                    "Location Type", "Location", "Highlighted at", "Document tags"]


def make_readwise(path: Path, rows: list[dict]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, READWISE_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow({column: row.get(column, "") for column in READWISE_COLUMNS})
    return path


READWISE_ROWS = [
    {"Highlight": "It was a bright cold day in April, and the clocks were striking thirteen.", "Book Title": "1984",
     "Book Author": "George Orwell", "Location Type": "location", "Location": "12", "Note": "the strangeness at once"},
    {"Highlight": "Who controls the past controls the future.", "Book Title": "1984", "Book Author": "George Orwell",
     "Location Type": "page", "Location": "37"},
    {"Highlight": "Who controls the past controls the future.", "Book Title": "1984", "Book Author": "George Orwell",
     "Location Type": "page", "Location": "37", "Note": "slogan"},
    {"Highlight": "All animals are equal, but some animals are more equal than others.", "Book Title": "Animal Farm",
     "Book Author": "George Orwell", "Location Type": "order", "Location": "3"},
]


@pytest.fixture
def ws(cli, tmp_path) -> Path:
    folder = tmp_path / "ws"
    assert cli("init", folder, "--empty")[0] == 0
    return folder


def sources(ws: Path) -> dict:
    return {sf.source.id: sf for sf in Session.open(ws).store.sources()}


def comments(ws: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for memo in Session.open(ws).store.annotations("tester").memos:
        found.setdefault(memo.passage, []).append(memo.text)
    return found


# -- KOReader ---------------------------------------------------------------------------------------


def test_koreader_book_imports_with_locations_and_notes_as_comments(cli, ws, tmp_path):
    export = koreader_export(tmp_path / "Great Expectations.json", [GREAT_EXPECTATIONS])
    code, out, err = cli("--workspace", ws, "import", export)
    assert code == 0, err
    book = sources(ws)["great-expectations"]
    assert (book.source.title, book.source.author) == ("Great Expectations", "Charles Dickens")
    # the shorter re-highlight and the repeated one collapse: two passages, in the book's order
    assert [p.location for p in book.passages] == ["Chapter I, p. 3", "Chapter VIII, p. 61"]
    assert book.passages[0].text.endswith("more explicit than Pip.")
    assert "repeated highlight(s) collapsed" in err
    notes = comments(ws)
    assert notes[book.passages[0].id] == ["he names himself"]
    assert sorted(notes[book.passages[1].id]) == ["ambition starts here", "shame: the first time he sees himself through Estella's eyes"]
    session = Session.open(ws)
    session.sync()
    assert session.search("coarse hands").hits[0].id == book.passages[1].id


def test_a_newer_koreader_export_keeps_ids_tags_and_comments(cli, ws, tmp_path):
    export = koreader_export(tmp_path / "ge.json", [GREAT_EXPECTATIONS])
    cli("--workspace", ws, "import", export)
    first = [p.id for p in sources(ws)["great-expectations"].passages]
    grown = dict(GREAT_EXPECTATIONS, entries=GREAT_EXPECTATIONS["entries"] + [
        {"sort": "highlight", "chapter": "Chapter XXXIX", "page": 320, "time": 1733200000,
         "text": "I had been a blacksmith's boy but yesterday."}])
    koreader_export(tmp_path / "ge.json", [grown])
    code, out, err = cli("--workspace", ws, "import", export)
    assert code == 0, err
    assert "1 new" in out and "2 unchanged" in out
    after = [p.id for p in sources(ws)["great-expectations"].passages]
    assert after[:2] == first and len(after) == 3
    assert sum(len(texts) for texts in comments(ws).values()) == 3  # no comment doubled


def test_koreader_export_of_several_books_and_book_option(cli, ws, tmp_path):
    export = koreader_export(tmp_path / "all.json", [GREAT_EXPECTATIONS, PERSUASION])
    code, out, err = cli("--workspace", ws, "import", export, "--book", "persuasion", "--dry-run")
    assert code == 0, err
    assert "would import source 'persuasion'" in out and not sources(ws)
    assert cli("--workspace", ws, "import", export)[0] == 0
    assert set(sources(ws)) == {"great-expectations", "persuasion"}
    code, out, err = cli("--workspace", ws, "import", export, "--book", "Middlemarch")
    assert code == 2 and "no book titled 'Middlemarch'" in err and "Persuasion" in err
    code, out, err = cli("--workspace", ws, "import", export, "--title", "Collected")
    assert code == 2 and "pick one with --book" in err


# -- Kobo -----------------------------------------------------------------------------------------


def test_kobo_database_imports_highlights_with_chapters_read_only(cli, ws, tmp_path):
    database = make_kobo(tmp_path / "KoboReader.sqlite")
    database.chmod(0o444)  # read-only, as a mounted reader may be: opened without a write, lock or journal
    before = sorted(p.name for p in tmp_path.iterdir())
    code, out, err = cli("--workspace", ws, "import", database)
    assert code == 0, err
    book = sources(ws)["never-let-me-go"]
    assert (book.source.title, book.source.author) == ("Never Let Me Go", "Kazuo Ishiguro")
    assert [(p.location, p.text[:12]) for p in book.passages] == [("Chapter Two", "I won't be a"), ("Chapter Twenty-Two", "Poor creatur")]
    assert list(comments(ws).values()) == [["Madame's pity"]]
    assert sorted(p.name for p in tmp_path.iterdir()) == before  # no -wal, -shm or -journal left beside it
    session = Session.open(ws)
    session.sync()
    assert session.quote(book.passages[1].id) == "“Poor creatures. What did we do to you?” (Kazuo Ishiguro, Never Let Me Go, Chapter Twenty-Two)"


def test_a_file_that_is_not_a_kobo_database_is_refused_in_one_line(cli, ws, tmp_path):
    broken = tmp_path / "KoboReader.sqlite"
    broken.write_bytes(b"SQLite format 3\x00" + b"\x00" * 80)
    code, out, err = cli("--workspace", ws, "import", broken)
    assert code == 2 and len(err.strip().splitlines()) == 1 and "Kobo database" in err
    other = tmp_path / "other.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE notes (x TEXT)")
    db.close()
    code, out, err = cli("--workspace", ws, "import", other)
    assert code == 2 and "Kobo database" in err
    assert not sources(ws)


# -- Readwise -------------------------------------------------------------------------------------


def test_readwise_csv_makes_a_source_per_book_with_notes(cli, ws, tmp_path):
    export = make_readwise(tmp_path / "readwise-data.csv", READWISE_ROWS)
    code, out, err = cli("--workspace", ws, "import", export, "--json")
    assert code == 0, err
    report = json.loads(out)["imports"][0]
    assert report["kind"] == "readwise" and {s["source"] for s in report["sources"]} == {"1984", "animal-farm"}
    found = sources(ws)
    assert [p.location for p in found["1984"].passages] == ["loc. 12", "p. 37"]
    assert found["animal-farm"].passages[0].location == "#3"
    assert found["animal-farm"].source.author == "George Orwell"
    notes = comments(ws)
    assert notes[found["1984"].passages[1].id] == ["slogan"]  # the duplicate row's note kept, once


def test_readwise_book_option_with_title_and_author(cli, ws, tmp_path):
    export = make_readwise(tmp_path / "readwise.csv", READWISE_ROWS)
    code, out, err = cli("--workspace", ws, "import", export, "--book", "animal", "--title", "Animal Farm: A Fairy Story",
                         "--author", "Orwell, George")
    assert code == 0, err
    source = sources(ws)["animal-farm"].source
    assert (source.title, source.author) == ("Animal Farm: A Fairy Story", "Orwell, George")


# -- bad input ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name, content", [
    ("empty.csv", b""),
    ("koreader.json", b'{"title": "X", "entries": "not a list"}'),
    ("koreader2.json", b'{"title": "X", "entries": [5]}'),
    ("no-highlights.json", b'{"title": "X", "entries": [{"text": ""}]}'),
    ("other.csv", b'Title,Author\nGreat Expectations,Dickens\n'),
    ("zero.sqlite", b""),
])
def test_bad_highlight_files_give_one_line_exit_2_and_write_nothing(cli, ws, tmp_path, name, content):
    bad = tmp_path / name
    bad.write_bytes(content)
    code, out, err = cli("--workspace", ws, "import", bad)
    assert code == 2, (out, err)
    assert len(err.strip().splitlines()) == 1
    assert not sources(ws)
