"""By meaning, a query waiting (for the passage being embedded in the background) shows that it is
searching: not the last query's count above its results, as if they were this one's."""

from __future__ import annotations

import copy
import threading
import time

from pilot_helpers import SIZE, settle

from annotator.tui import main_screen


async def until(pilot, condition, what: str) -> None:
    """Without waiting for the workers (the search worker is held on purpose)."""
    deadline = time.monotonic() + 20
    while not condition():
        assert time.monotonic() < deadline, f"waited for {what}"
        await pilot.pause(0.05)


async def test_a_slow_meaning_query_says_it_is_searching(app, monkeypatch):
    release = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        words_search = app.session.unlocked.search

        def slow_meaning(query, limit):  # as a query held behind an embedding batch
            assert release.wait(20)
            return words_search(query, limit=limit, kind="passage")

        monkeypatch.setattr(app.meaning, "search", slow_meaning)
        app.meaning.on = app.meaning.started = True  # by meaning, the passages all embedded
        status = lambda: app.main.status  # noqa: E731
        before = status()
        assert before.startswith("12 passages")
        await pilot.press("s", "t", "o", "r", "m")
        await until(pilot, lambda: status() == main_screen.SEARCHING, "the counter to say it is searching")
        release.set()
        await until(pilot, lambda: status() != main_screen.SEARCHING, "the results")
        await settle(app, pilot)
        assert app.main.shown_query == "storm" and status() != before


async def test_meaning_results_show_before_their_best_sentences_are_found(app, monkeypatch):
    """Finding a row's best sentence embeds its sentences (hundreds of milliseconds on a novel's long
    paragraphs): the rows are shown first, and highlight their sentence when it is found."""
    from pilot_helpers import type_query, wait_until

    release = threading.Event()
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f2")
        await wait_until(app, pilot, lambda: str(app.main.search_box.border_title).endswith("· by meaning"), "every passage embedded")
        await settle(app, pilot)
        session = app.session.unlocked
        found = session.best_sentences

        def slow_sentences(text, hits, stop=None):
            assert release.wait(20)
            return found(text, hits, stop)

        monkeypatch.setattr(session, "best_sentences", slow_sentences)
        await pilot.press(*"no mail comes any more")
        await until(pilot, lambda: app.main.shown_query == "no mail comes any more", "the results, before the sentences")
        first = copy.copy(app.main.results.hits[0])
        assert first.id == "lh-007"
        assert {first.text[s:e].lower() for s, e in first.matches} <= {"no", "mail", "comes", "any", "more"}  # its words
        release.set()
        await until(pilot, lambda: app.main.results.hits[0].matches != first.matches, "the best sentence")
        [(start, end)] = app.main.results.hits[0].matches
        assert first.text[start:end].startswith(("Then the letters stop", "Three boats arrive"))
        await type_query(app, pilot, "")
