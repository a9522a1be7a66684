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
