"""The TUI on a workspace with no passage yet (issue 14: it crashed at launch or at the first letter)."""

from __future__ import annotations

from pilot_helpers import settle


async def test_the_tui_opens_and_searches_an_empty_workspace(tmp_path):
    from annotator.cli import main
    from annotator.session import Session
    from annotator.tui.app import AnnotatorApp

    root = tmp_path / "e"

    assert main(["--workspace", str(root), "init", "--empty"]) == 0
    session = Session.open(root)
    try:
        app = AnnotatorApp(session)
        async with app.run_test(size=(100, 30)) as pilot:
            for key in ("h", "o", "p", "e"):
                await pilot.press(key)
                await settle(app, pilot)
            await settle(app, pilot)
            assert app.is_running
            assert app.main.results.hits == []
    finally:
        session.close()
