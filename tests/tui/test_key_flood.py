"""Keys that come faster than they are handled (a terminal typing a paste key by key, without
bracketed paste; a held key) start one search after them, not one each.

Each search worker cancelled every earlier one still listed, so 16,000 pasted characters froze
the TUI for minutes (quadratic), the results showing an old query all the while.
"""

from __future__ import annotations

from textual import events
from pilot_helpers import SMALLEST, settle


async def test_a_flood_of_keys_searches_once_after_them_and_shows_the_last_query(app):
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        screen = app.main
        started = []
        search = screen.search
        screen.search = lambda *a, **k: (started.append(a), search(*a, **k))[1]
        box = screen.search_box
        box.focus()
        await pilot.pause()
        text = "letter keeper lamp " * 20
        for ch in text:  # all queued before the first is handled, as a terminal's paste arrives
            box.post_message(events.Key("space" if ch == " " else ch, ch))
        await settle(app, pilot)
        assert box.value == text
        assert screen.shown_query == text and screen.results.hits  # the results are the whole query's
        assert len(started) < 10, len(started)  # not one search per key (380 keys)
