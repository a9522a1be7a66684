"""`?` shows the help wherever a key is not text being typed (DESIGN: "`?`/`F1` shows help").

In the theme panel `?` was typed into the search box as a query ("0 passages — no word in the
query"), and on the report and the book at a glance it did nothing; their footers say f1 Help.
"""

from __future__ import annotations

from pilot_helpers import SIZE, settle

from annotator.tui.help_screen import HelpScreen


async def test_question_mark_in_the_theme_panel_shows_the_help_and_leaves_the_query(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(*"lamp")
        await settle(app, pilot)
        app.main.set_focus(app.main.query_one("#themes"))
        await pilot.press("question_mark")
        await settle(app, pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(app, pilot)
        assert app.main.search_box.value == "lamp"
        await pilot.press("h")  # a letter still goes to the search box, as the help says
        await settle(app, pilot)
        assert app.focused is app.main.search_box and app.main.search_box.value == "h"


async def test_question_mark_on_the_report_and_the_book_at_a_glance_shows_the_help(app):
    from annotator.tui.grid_screen import GridScreen
    from annotator.tui.report_screen import ReportScreen

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        for screen in (ReportScreen(app.session), GridScreen()):
            app.push_screen(screen)
            await settle(app, pilot)
            await pilot.press("question_mark")
            await settle(app, pilot)
            assert isinstance(app.screen, HelpScreen), type(screen).__name__
            await pilot.press("escape")
            await settle(app, pilot)
            assert app.screen is screen
            app.pop_screen()
            await settle(app, pilot)


async def test_question_mark_in_the_search_box_is_typed(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(*"why", "question_mark")
        await settle(app, pilot)
        assert not isinstance(app.screen, HelpScreen) and app.main.search_box.value == "why?"
