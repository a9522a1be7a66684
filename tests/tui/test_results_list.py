"""The results list: rows of one height, only those on screen drawn; keys, paging and the mouse."""

from __future__ import annotations

from pilot_helpers import SIZE, result_ids, settle, wait_until

from annotator.tui.app import AnnotatorApp
from annotator.tui.passage_screen import PassageScreen
from annotator.tui.render import ROW_LINES


async def test_a_click_on_a_row_opens_that_passage(session):
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        # the list's first line is its title (the counter); the second result's rows follow the first's
        await pilot.click("#results", offset=(10, 1 + ROW_LINES + 2))
        await settle(app, pilot)
        assert isinstance(app.screen, PassageScreen) and app.screen.passage_id == "lh-002"
        assert app.main.results.selected_id == "lh-002"


async def test_paging_keys_move_by_a_screenful_and_keep_the_cursor_in_view(session):
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        results = app.main.results
        await pilot.press("down")  # from the search box into the results
        assert results.highlighted == 0
        page = results.scrollable_content_region.height // ROW_LINES
        await pilot.press("pagedown")
        await settle(app, pilot)
        assert results.highlighted == page
        await pilot.press("end")
        await settle(app, pilot)  # near the end: the rest of the 12 passages load
        await pilot.press("end")
        assert result_ids(app)[-1] == "lh-012" and results.selected_id == "lh-012"
        top, height = results.scroll_offset.y, results.scrollable_content_region.height
        assert top <= 11 * ROW_LINES and 12 * ROW_LINES <= top + height  # the last row is wholly in view
        await pilot.press("home", "down", "up")
        assert results.selected_id == "lh-001" and results.scroll_offset.y == 0


async def test_a_taller_window_or_the_mouse_wheel_loads_the_results_it_shows(session):
    app = AnnotatorApp(session)
    async with app.run_test(size=(100, 16)) as pilot:
        await settle(app, pilot)
        shown_first = len(result_ids(app))
        assert shown_first < 12  # a short window: a screenful and a few more
        await pilot.resize_terminal(100, 70)
        every = [f"lh-{n:03d}" for n in range(1, 13)]
        await wait_until(app, pilot, lambda: result_ids(app) == every, "the taller window to load all 12 results")
    app = AnnotatorApp(session)
    async with app.run_test(size=(100, 16)) as pilot:
        await settle(app, pilot)
        for _ in range(12):
            app.main.results.scroll_down(animate=False)  # what a turn of the mouse wheel does
            await settle(app, pilot)
        await wait_until(app, pilot, lambda: result_ids(app)[-1:] == ["lh-012"], "scrolling to load the last result")


def test_a_location_with_a_line_break_keeps_the_citation_on_one_line():
    from annotator.engine.hits import Hit
    from annotator.tui.render import ThemeLook, result_lines
    from annotator.corpus.model import Theme

    hit = Hit(id="p1", kind="passage", text="text", source="book", location="ch. 1\nsecond line",
              themes=["hope"], score=1.0, matches=[])
    citation = result_lines(hit, ThemeLook([Theme("hope", "Hope")]), 60)[0].plain
    assert "\n" not in citation and "second line" in citation and "Hope" in citation


async def test_the_mouse_wheel_scrolls_the_first_results_a_fresh_window_shows(session):
    # Textual re-measured the scrollbars only when the list's size changed, not its content's:
    # on the first launch the wheel did nothing until the window was resized.
    app = AnnotatorApp(session)
    async with app.run_test(size=(100, 16)) as pilot:
        await settle(app, pilot)
        results = app.main.results
        assert results.virtual_size.height > results.scrollable_content_region.height  # more rows than fit
        results.scroll_down(animate=False)  # what a turn of the mouse wheel does
        await settle(app, pilot)
        assert results.scroll_offset.y > 0
