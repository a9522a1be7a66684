"""The dialogs at a small terminal (60x20, a split pane): what the user types into stays in view."""

from __future__ import annotations

from pilot_helpers import settle, wait_until

from annotator.tui.app import AnnotatorApp
from annotator.tui.comment_screen import CommentScreen

SMALL = (60, 20)


def inside(inner, outer) -> bool:
    return inner.height > 0 and outer.y <= inner.y and inner.bottom <= outer.bottom


async def test_the_comment_box_stays_in_view_when_the_themes_fill_the_dialog(demo_session):
    # Seven themes, each row wrapped at 60 columns, filled the dialog and cut its text box off:
    # the user typed a comment they could not see.
    app = AnnotatorApp(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await pilot.press("down", "c")
        await wait_until(app, pilot, lambda: isinstance(app.screen, CommentScreen), "the comment dialog")
        await pilot.pause()
        dialog = app.screen.query_one("#comment")
        box = app.screen.query_one("#comment-input")
        assert inside(box.region, dialog.content_region), (box.region, dialog.content_region)
        await pilot.press(*"seen")
        assert box.value == "seen"
        await pilot.press(*["down"] * 7)  # the last theme: the list scrolls to it
        await pilot.pause()
        options = app.screen.query_one("#comment-themes")
        last = options.get_option_at_index(options.option_count - 1)
        assert options.highlighted == options.option_count - 1 and "Playing God" in str(last.prompt)
        assert options.scroll_y > 0 and inside(options.region, dialog.content_region)


async def test_the_report_bars_keep_one_line_per_theme_at_60_columns(demo_session):
    # The names padded to the longest (38 characters) and a 30-cell bar wrapped every bar onto a
    # line of its own under its name at 60 columns: two lines a theme, the bars read as rows.
    from annotator.tui.report_screen import ReportScreen

    app = AnnotatorApp(demo_session)
    async with app.run_test(size=SMALL) as pilot:
        await settle(app, pilot)
        await app.push_screen(ReportScreen(demo_session))
        await settle(app, pilot)
        bars = app.screen.query_one("#report-bars")
        lines = [bars.render_line(y).text.rstrip() for y in range(bars.size.height)]
        lines = [line for line in lines if line.strip()]
        assert len(lines) == 7, lines  # the demo codebook's seven themes
        assert all("█" in line for line in lines), lines
        assert any(line.lstrip().startswith("The individual") for line in lines)
        await pilot.resize_terminal(120, 30)  # wider again: the bars grow back
        await settle(app, pilot)
        longest = max(bars.render_line(y).text.count("█") for y in range(bars.size.height))
        assert longest == 30
