"""The footer offers the tag keys (1-9, t, s, c, y) only while a passage is selected: with an empty
result list they only warned "Select a passage first"."""

from __future__ import annotations

from pilot_helpers import SIZE, settle, type_query


def footer_keys(app) -> set[str]:
    return {key for key, active in app.screen.active_bindings.items() if active.binding.show}


async def test_tag_keys_come_and_go_with_a_selected_passage(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "zzqqxx")
        await pilot.press("tab")  # into the empty results list
        await settle(app, pilot)
        assert app.focused is app.main.results and not app.main.results.hits
        keys = footer_keys(app)
        assert not keys & {"1", "t", "s", "c", "y"}, keys
        assert "u" in keys  # undo needs no passage
        await pilot.press("slash", "s", "t", "o", "r", "m")
        await settle(app, pilot)
        await pilot.press("down")
        await settle(app, pilot)
        assert app.selected_passage_id() == "lh-010"
        assert {"1", "t", "s", "c", "y"} <= footer_keys(app)


async def test_a_palette_command_on_no_passage_still_says_why(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await type_query(app, pilot, "zzqqxx")
        await app._run_command("pick_theme")
        await settle(app, pilot)
        assert any("Select a passage first" in str(n.message) for n in app._notifications)
