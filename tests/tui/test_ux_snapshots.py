"""80x24 snapshots of the dialogs a new user meets: the comment dialog (its chosen row must stand out
while the cursor is in the box below it) and the t picker with its numbers and "Add theme …".

Update after an intended change with `pytest tests/tui/test_ux_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from pilot_helpers import SMALLEST
from pilot_helpers import settle as settle_app




async def settle(pilot) -> None:
    await settle_app(pilot.app, pilot)


def test_comment_dialog(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down", "1")
        await settle(pilot)
        # The "Tagged" toast lives a few seconds: on a busy machine the picture was taken after it
        # went. Cleared while the main screen is on top (clearing it under the dialog left it shown).
        pilot.app.clear_notifications()
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)


def test_theme_picker_with_a_new_name(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot)
        await pilot.press("down", "t", *"sol")
        await settle(pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)
