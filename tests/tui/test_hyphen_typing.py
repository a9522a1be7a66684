"""Typing in the TUI: `open-pl` already finds the open-plan office, highlighted whole; common words alone say so."""

from __future__ import annotations

from annotator.session import Session
from annotator.tui.app import AnnotatorApp

from pilot_helpers import SIZE, result_ids, settle


async def test_typing_a_hyphenated_word_finds_it_as_you_type(demo_workspace_dir):
    session = Session.open(demo_workspace_dir)
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("o", "p", "e", "n", "minus", "p", "l")
            await settle(app, pilot)
            assert app.main.search_box.value == "open-pl"
            assert set(result_ids(app)[:2]) == {"nlmg-016", "nlmg-018"}
            hit = app.main.results.hits[0]
            assert [hit.text[a:b] for a, b in hit.matches] == ["open-plan"]
    finally:
        session.close()


async def test_only_common_words_say_so(demo_workspace_dir):
    session = Session.open(demo_workspace_dir)
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press("t", "h", "e", "space")
            await settle(app, pilot)
            assert result_ids(app) == []
            assert "only common words" in app.main.status
    finally:
        session.close()
