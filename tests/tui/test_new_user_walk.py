"""What a new user met walking the TUI from the README: each a defect seen in tmux, fixed.

- the search box's edge said nothing of words or meaning until F2 was pressed once;
- a hint after a theme's chip (the comment dialog, the theme view's head) stood in the chip's colour;
- `/` in the theme panel typed a "/" into the query instead of selecting it.
"""

from __future__ import annotations

from pilot_helpers import SMALLEST, settle
from rich.text import Text

from annotator.tui.render import ThemeLook


def title(app) -> str:
    return str(app.main.search_box.border_title)


async def test_the_search_box_says_by_words_from_the_start(app, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_MEANING", "0")  # the edge says so whether or not meaning can run
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        assert title(app).endswith("· by words")


def test_text_after_a_chip_is_not_in_the_chips_colour(session):
    look = ThemeLook(session.themes())
    theme_id = look.themes[0].id
    row = look.chip(theme_id) + Text("  (tagged, no comment)")
    hint_start = row.plain.index("(")
    styles = [span.style for span in row.spans if span.start <= hint_start < span.end]
    assert row.style == "" and styles == []  # the hint is drawn as itself, not on the theme's colour
    chip = [span.style for span in row.spans if span.start == 0]
    assert chip == [look.span_style(theme_id)]


async def test_the_comment_dialog_hint_is_not_drawn_on_the_theme_colour(app):
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        await pilot.press("c")
        await settle(app, pilot)
        dialog = app.screen
        row = dialog._row(dialog.theme_ids[1])
        hint = row.plain.index("  (")
        assert not any(span.start <= hint < span.end and span.style.bgcolor for span in row.spans)
        assert not row.style


async def test_slash_in_the_theme_panel_selects_the_query_without_typing_it(app):
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        await pilot.press(*"keeper")
        await settle(app, pilot)
        app.main.query_one("#themes").focus()
        await pilot.pause()
        await pilot.press("slash")
        await pilot.press(*"lamp")
        await settle(app, pilot)
        assert app.main.search_box.value == "lamp"
        assert app.focused is app.main.search_box
