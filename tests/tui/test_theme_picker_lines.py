"""The t picker at 80x24: one line per theme, its note cut at the edge.

The note was cut for a list 60 columns wide before the list's width was known; at 80 columns it
wrapped, and every theme took two lines, the second holding just "…" (half the themes in view).
"""

from __future__ import annotations

from pilot_helpers import SMALLEST, settle


async def test_each_theme_in_the_picker_takes_one_line_at_80_columns(app):
    from annotator.tui.theme_picker import ThemePicker

    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "t")
        await settle(app, pilot)
        assert isinstance(app.screen, ThemePicker)
        options = app.screen.query_one("#picker-list")
        assert options.option_count == len(app.look.themes)
        assert options.virtual_size.height == options.option_count  # no option wrapped onto a second line
        assert "…" in str(options.render_line(0).text)  # the note is cut, not dropped


def test_theme_picker_at_80_columns(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot.app, pilot)
        await pilot.press("down", "t")
        await settle(pilot.app, pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)
