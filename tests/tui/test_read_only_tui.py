"""The TUI on a workspace the user cannot write: it searches, and its top edge says read-only."""

from __future__ import annotations

from pilot_helpers import result_ids, settle, type_query
import pytest
from read_only_media import read_only_workspace


@pytest.fixture
def read_only_ws(tmp_path, monkeypatch):
    yield from read_only_workspace(tmp_path, monkeypatch)


async def test_the_tui_searches_a_read_only_workspace_and_says_it_is_read_only(read_only_ws):
    from annotator.session import Session
    from annotator.tui.app import AnnotatorApp

    session = Session.open(read_only_ws)
    try:
        app = AnnotatorApp(session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(app, pilot)
            assert "read-only" in str(app.main.search_box.border_title)
            await type_query(app, pilot, "letter")
            assert "lh-002" in result_ids(app)
            await pilot.press("down", "1")
            await settle(app, pilot)
            shown = [str(n.message) for n in app._notifications]
            assert any("read-only for you" in message for message in shown), shown
    finally:
        session.close()
