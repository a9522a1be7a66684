"""The TUI shows hostile passage text literally: markup is text, escape sequences are made visible."""

from __future__ import annotations

import html
import json

import pytest

from annotator.exchange.importers import import_source
from annotator.session import Session
from pilot_helpers import settle

HOSTILE_TEXT = "Ada wrote \x1b[2J then [red]x[/] and [bold]not bold[/bold] \x07 done."


@pytest.fixture
def hostile_session(workspace_dir, tmp_path):
    source = tmp_path / "hostile.yaml"
    source.write_text(json.dumps({
        "source": {"id": "hostile", "title": "Title \x1b[2J[blink]T[/blink]"},
        "passages": [{"id": "hostile-1", "text": HOSTILE_TEXT, "location": "ch. [i]9[/i]"}],
    }))
    session = Session.open(workspace_dir)
    import_source(session.store, source, annotator="tester", resolve_theme=session.resolve_theme)
    themes = session.store.themes()
    themes[0].name = "Hope [red]x[/]"
    session.store.save_themes(themes)
    session.sync()
    yield session
    session.close()


def screen_text(app) -> str:
    svg = app.export_screenshot()
    return html.unescape(svg).replace("\xa0", " ")


async def test_passage_markup_and_escapes_render_literally(hostile_session):
    from annotator.tui.app import AnnotatorApp

    app = AnnotatorApp(hostile_session)
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(app, pilot)
        await pilot.press(*"wrote")
        await settle(app, pilot)
        await settle(app, pilot)
        results = screen_text(app)
        assert "[red]x[/]" in results  # markup in a passage is text
        assert "\\x1b[2J" in results  # the escape is shown, not obeyed
        assert "Hope [red]x[/]" in results  # a theme name is text too
        await pilot.press("down", "enter")
        await settle(app, pilot)
        full = screen_text(app)
        assert "[bold]not bold[/bold]" in full and "\\x1b[2J" in full
        assert "\x1b" not in full and "\x07" not in full
