"""The book at a glance in the TUI: chapters x themes from the report (`g`) or the palette;
`enter` on a cell lists its passages, `enter` opens one."""

from __future__ import annotations

from pilot_helpers import SIZE, SMALLEST, settle, wait_until

from annotator.tui.passage_screen import PassageScreen



async def test_the_grid_from_the_report_and_enter_on_a_cell_lists_its_passages(app, workspace_dir):
    from annotator.tui.grid_screen import CellPassages, GridScreen
    from annotator.tui.report_screen import ReportScreen

    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app.push_screen(ReportScreen(app.session))
        await settle(app, pilot)
        await pilot.press("g")
        await wait_until(app, pilot, lambda: isinstance(app.screen, GridScreen) and app.screen.grid is not None, "the grid")
        grid = app.screen.grid
        start = app.screen.query_one("#grid").cursor_coordinate
        first = next((i, c) for i, r in enumerate(grid.rows) for c, t in enumerate(grid.themes) if r.count(t))
        assert (start.row, start.column) == first  # the cursor starts on the first tagged cell, not a chapter's name
        row = next(i for i, r in enumerate(grid.rows) if r.count("memory"))
        column = grid.themes.index("memory")  # the chapters are row labels: column 0 is theme 1
        await pilot.press(*_moves(row - start.row, "down", "up"), *_moves(column - start.column, "right", "left"), "enter")
        await wait_until(app, pilot, lambda: isinstance(app.screen, CellPassages), "the cell's passages")
        ids = [app.screen.query_one("#cell-passages").get_option_at_index(i).id
               for i in range(app.screen.query_one("#cell-passages").option_count)]
        assert ids == grid.rows[row].tagged["memory"]
        await pilot.press("enter")
        await wait_until(app, pilot, lambda: isinstance(app.screen, PassageScreen), "the passage")
        assert app.screen.passage_id == ids[0]


def _moves(steps: int, forward: str, back: str) -> list[str]:
    return [forward] * steps if steps >= 0 else [back] * -steps


def test_grid_screen(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot.app, pilot)
        pilot.app.action_grid()
        await settle(pilot.app, pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)
