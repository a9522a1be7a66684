"""What the screens look like (pytest-textual-snapshot), on the lighthouse fixture at 80x24.

Update after an intended change with `pytest tests/tui/test_snapshots.py --snapshot-update`
and look at the SVGs in the report before committing them.
"""

from __future__ import annotations

from pilot_helpers import SMALLEST
from pilot_helpers import settle as settle_app




async def settle(pilot) -> None:
    await settle_app(pilot.app, pilot)


def test_main_screen_with_highlighted_results(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press(*"letter")
        await settle(pilot)
        await pilot.press("down")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)


def test_passage_view(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_passage("lh-006")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)


def test_theme_view(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot)
        pilot.app.open_theme("memory")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)


def test_help_screen(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)
