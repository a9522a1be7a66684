"""Kindle 'My Clippings.txt' (a fixture in the real format: BOMs, CRLF, old and new metadata lines)."""

from __future__ import annotations

from pathlib import Path

from annotator.exchange.importers.kindle import parse_clippings, split_title

CLIPPINGS = Path(__file__).parent / "fixtures" / "My Clippings.txt"


def _parsed():
    return parse_clippings(CLIPPINGS.read_bytes().decode("utf-8-sig"))


def test_each_book_is_found_with_its_author():
    books = {b.title: b.author for b in _parsed().books}
    assert books == {"The Salt Road": "Mara Quill", "Harbour Lights: Stories": "Ilse Brandt", "A Winter Almanac": "Fenwick, Oliver"}


def test_rehighlights_and_repeats_collapse_to_the_fuller_one():
    parsed = _parsed()
    salt = next(b for b in parsed.books if b.title == "The Salt Road")
    assert [h.text[:28] for h in salt.highlights] == ["The caravan left before dawn", '"We are not lost," said the ']
    assert "counted the camels twice" in salt.highlights[0].text
    assert parsed.duplicates == 2
    assert parsed.bookmarks == 1


def test_locations_prefer_pages_and_expand_old_short_ranges():
    parsed = _parsed()
    locations = {h.text[:10]: h.location for b in parsed.books for h in b.highlights}
    assert locations["The carava"] == "p. 12"
    assert locations["She kept t"] == "loc. 45-47"
    assert locations["Frost writ"] == "loc. 1710-1712"


def test_title_line_with_parentheses_in_the_title():
    assert split_title("\ufeffDubliners (Annotated) (James Joyce)") == ("Dubliners (Annotated)", "James Joyce")
    assert split_title("Untitled notes") == ("Untitled notes", "")


def test_import_makes_one_source_per_book_and_notes_become_memos(cli, tmp_path):
    ws = tmp_path / "ws"
    assert cli("init", ws, "--empty")[0] == 0
    code, out, err = cli("--workspace", ws, "import", CLIPPINGS)
    assert code == 0, err
    assert "no highlight there" in err and "clipping limit" in err
    from annotator.session import Session

    session = Session.open(ws)
    session.sync()
    sources = {sf.source.id: sf for sf in session.store.sources()}
    assert set(sources) == {"the-salt-road", "harbour-lights-stories", "a-winter-almanac"}
    assert sources["the-salt-road"].source.title == "The Salt Road"
    assert [p.id for p in sources["the-salt-road"].passages] == ["the-salt-road-l170", "the-salt-road-l410"]
    memos = session.store.annotations("tester").memos
    assert [(m.passage, m.text[:8]) for m in memos] == [("the-salt-road-l170", "Counting")]
    assert session.quote("the-salt-road-l410") == "“'We are not lost,' said the guide. 'We are only early.'” (Mara Quill, The Salt Road, p. 30)"
    assert session.search("camels").hits[0].id == "the-salt-road-l170"


def test_reimporting_the_grown_file_keeps_ids_and_memos(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws, "--empty")
    grown = tmp_path / "My Clippings.txt"
    grown.write_bytes(CLIPPINGS.read_bytes())
    cli("--workspace", ws, "import", grown)
    with grown.open("ab") as handle:
        handle.write(
            "\ufeffThe Salt Road (Mara Quill)\r\n- Your Highlight on page 40 | Location 600-601 | Added on Thursday, 6 March 2025 10:00:00\r\n\r\nThe well was never dry.\r\n==========\r\n".encode()
        )
    code, out, err = cli("--workspace", ws, "import", grown)
    assert code == 0, err
    assert "1 new" in out and "removed" in out
    from annotator.session import Session

    session = Session.open(ws)
    assert [p.id for p in session.store.load_source("the-salt-road").passages][-1] == "the-salt-road-l600"
    assert len(session.store.annotations("tester").memos) == 1


def test_source_option_puts_every_book_in_one_source(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws, "--empty")
    code, out, err = cli("--workspace", ws, "import", CLIPPINGS, "--source", "kindle")
    assert code == 0, err
    from annotator.session import Session

    sources = Session.open(ws).store.sources()
    assert [sf.source.id for sf in sources] == ["kindle"]
    assert len(sources[0].passages) == 4


def test_a_highlight_deleted_from_the_kindle_reports_its_tags_and_comments(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws)
    clippings = tmp_path / "My Clippings.txt"
    clippings.write_bytes(CLIPPINGS.read_bytes())
    cli("--workspace", ws, "import", clippings)
    assert cli("--workspace", ws, "tag", "the-salt-road-l410", "hope")[0] == 0
    text = clippings.read_bytes().decode("utf-8")
    kept = [c for c in text.split("==========\r\n") if "Location 410-412" not in c]
    clippings.write_bytes("==========\r\n".join(kept).encode("utf-8"))
    code, out, err = cli("--workspace", ws, "import", clippings, "--json")
    assert code == 0, err
    import json

    report = json.loads(out)["imports"][0]
    assert report["removed"] == 1
    assert [t["passage"] for t in report["unplaced_tags"]] == ["the-salt-road-l410"]


def test_highlights_never_replace_a_text_import_of_the_same_book(cli, tmp_path):
    ws = tmp_path / "ws"
    cli("init", ws, "--empty")
    book = tmp_path / "the-salt-road.txt"
    book.write_text("The caravan left before dawn.\n\nThe guide laughed.\n", encoding="utf-8")
    assert cli("--workspace", ws, "import", book)[0] == 0
    code, out, err = cli("--workspace", ws, "import", CLIPPINGS)
    assert code == 0, err
    from annotator.session import Session

    store = Session.open(ws).store
    assert [p.id for p in store.load_source("the-salt-road").passages] == ["the-salt-road-p1", "the-salt-road-p2"]
    assert [p.id for p in store.load_source("the-salt-road-kindle").passages][0] == "the-salt-road-kindle-l170"
    # importing the clippings again updates the same Kindle source
    assert cli("--workspace", ws, "import", CLIPPINGS)[0] == 0
    assert not store.load_source("the-salt-road-kindle-2")
