"""The concordance screen: `k` on the search words, the matches aligned, `o` reorders, `enter` opens the
passage at the match, digits tag the passage."""

from __future__ import annotations

import yaml
from pilot_helpers import SIZE, SMALLEST, settle, type_query, wait_until

from annotator.tui.concordance_screen import ConcordanceScreen
from annotator.tui.passage_screen import PassageScreen


async def open_concordance(app, pilot, words: str) -> ConcordanceScreen:
    await settle(app, pilot)
    await type_query(app, pilot, words)
    await pilot.press("down", "k")
    await wait_until(app, pilot, lambda: isinstance(app.screen, ConcordanceScreen) and app.screen.found is not None,
                     "the concordance")
    return app.screen


async def test_k_shows_each_occurrence_enter_opens_it_and_digits_tag(app, workspace_dir):
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_concordance(app, pilot, "letter")
        assert len(screen.found.lines) >= 3
        ids = [line.id for line in screen.found.lines]
        assert ids == sorted(ids)
        await pilot.press("o")
        assert screen.sort == "left"
        line = screen.found.lines[0]
        await pilot.press("4")  # loss, on the passage of the first line
        stored = yaml.safe_load((workspace_dir / "corpus" / "annotations" / "tester.yaml").read_text(encoding="utf-8"))
        assert {(t["passage"], t["theme"]) for t in stored["tags"]} == {(line.id, "loss")}
        await pilot.press("enter")
        await wait_until(app, pilot, lambda: isinstance(app.screen, PassageScreen), "the passage")
        assert app.screen.passage_id == line.id and app.screen.matches == [[line.start, line.end]]


async def test_k_on_a_common_word_lists_every_occurrence_and_several_words_are_one_phrase(app):
    import re

    async with app.run_test(size=SIZE) as pilot:
        screen = await open_concordance(app, pilot, "the")  # a stop word, not in the index: read in the texts
        texts = [p.text for sf in app.session.store.sources() for p in sf.passages]
        assert len(screen.found.lines) == sum(len(re.findall(r"\bthe\b", t, re.IGNORECASE)) for t in texts) > 20
        assert "only common words" not in str(screen.query_one("#kwic-head").render())
        await pilot.press("escape", "/")
        screen = await open_concordance(app, pilot, "younger brother")  # unquoted: one phrase, as the CLI reads it
        assert [line.match for line in screen.found.lines] == ["younger brother"]
        await pilot.press("escape", "/")
        screen = await open_concordance(app, pilot, '"younger brother"')  # quoted: the same, named once in quotes
        assert [line.match for line in screen.found.lines] == ["younger brother"]
        assert "Concordance of “younger brother”" in str(screen.query_one("#kwic-head").render())


async def test_the_lines_show_before_the_books_are_read_for_the_strip(app, monkeypatch):
    # At 100k passages the strip's reading of every book took seconds, and the lines waited for it
    import threading

    from annotator.session import Session

    books_read = threading.Event()
    places = Session.reading_places

    def slow_places(session):
        books_read.wait(10)
        return places(session)

    monkeypatch.setattr(Session, "reading_places", slow_places)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_concordance(app, pilot, "letter")
        assert screen.places is None and len(screen.found.lines) >= 3
        assert "reading the books" in str(screen.query_one("#kwic-strip").render())
        books_read.set()
        await wait_until(app, pilot, lambda: screen.places is not None, "the strip")
        assert "┃" in str(screen.query_one("#kwic-strip").render())


async def test_leaving_the_screen_stops_a_long_reading_of_the_passages(app, monkeypatch):
    # A phrase of common words few passages hold reads them all (seconds at 100k): escape stops it
    import threading
    import time

    from annotator.session import Session

    stopped = threading.Event()

    def endless_kwic(session, term, cancelled=None, **options):
        deadline = time.monotonic() + 10
        while not cancelled() and time.monotonic() < deadline:
            time.sleep(0.01)
        if cancelled():
            stopped.set()
        return None

    monkeypatch.setattr(Session, "kwic", endless_kwic)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "letter")
        await pilot.press("down", "k")
        await wait_until(app, pilot, lambda: isinstance(app.screen, ConcordanceScreen), "the concordance")
        await pilot.press("escape")
        await wait_until(app, pilot, stopped.is_set, "the reading stopped")
        assert not isinstance(app.screen, ConcordanceScreen)


async def test_k_with_an_empty_search_box_says_what_to_do(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "k")
        await pilot.pause()
        assert not isinstance(app.screen, ConcordanceScreen)


def test_concordance_screen(snap_compare, app):
    async def run_before(pilot):
        await open_concordance(pilot.app, pilot, "letter")
        await settle(pilot.app, pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)


def test_the_help_screen_says_how_the_concordance_reads_several_words():
    from annotator.tui.help_screen import HELP_FILE

    text = " ".join(HELP_FILE.read_text(encoding="utf-8").split())
    assert "several words are one phrase (`Miss Lucy`)" in text and "common words (`the`, `to be`) are listed too" in text


async def test_a_phrase_no_passage_holds_says_so_instead_of_an_empty_box(app):
    # The search finds passages holding either word; the concordance reads the words as one phrase
    async with app.run_test(size=SMALLEST) as pilot:
        screen = await open_concordance(app, pilot, "letter zebra")
        head = str(screen.query_one("#kwic-head").render())
        assert screen.found.lines == []
        assert "No passage holds “letter zebra”" in head and "one phrase" in head and "esc goes back" in head
        assert not screen.query_one("#kwic-lines").display


def test_concordance_screen_with_nothing_found(snap_compare, app):
    async def run_before(pilot):
        await open_concordance(pilot.app, pilot, "letter zebra")
        await settle(pilot.app, pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)
