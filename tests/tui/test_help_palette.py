"""The help screen (F1/?) names every command the palette (ctrl+p) offers: a new user reading it
finds *Import theme notes…*, the imports, the codebook's edits."""

from __future__ import annotations

from pilot_helpers import SIZE, settle
from textual.app import App


def help_text() -> str:
    from annotator.tui.help_screen import HELP_FILE

    return " ".join(HELP_FILE.read_text(encoding="utf-8").split())


async def test_every_palette_command_is_in_the_help(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        textuals = {c.title for c in App.get_system_commands(app, app.screen)}
        titles = [c.title for c in app.get_system_commands(app.screen) if c.title not in textuals]
    text = help_text()
    for parametrised in ("Toggle theme:", "Agreement:"):  # a theme's or an annotator's name follows
        titles = [parametrised if t.startswith(parametrised) else t for t in titles]
    missing = [t for t in dict.fromkeys(titles)
               if t not in text and t.removeprefix("Codebook: ").lower() not in text.lower()]
    assert "Import theme notes…" in titles and "Colour scheme" in text
    assert missing == [], missing
