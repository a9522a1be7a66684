"""The palette's Export while blind coding is on: the file holds only the looker's tags, and the
notice says so and how the tutor gets everyone's."""

from __future__ import annotations

import json

from pilot_helpers import SIZE, settle, wait_until
from textual.widgets import Input

from annotator.tui.app import AnnotatorApp


async def test_export_while_blind_holds_only_my_tags_and_says_so(demo_session, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_NAME", "wren")
    demo_session.set_blind(True)
    app = AnnotatorApp(demo_session)
    target = tmp_path / "mine.json"
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app._export()
        await wait_until(app, pilot, lambda: bool(app.screen.query(Input)), "the file name prompt")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_until(app, pilot, target.exists, "the export")
        await settle(app, pilot)
        shown = [n.message for n in app._notifications]
    assert {a["annotator"] for a in json.loads(target.read_text(encoding="utf-8"))["annotations"]} == {"wren"}
    assert any("Blind coding is on: the export holds only wren's tags" in m and "config blind off" in m for m in shown), shown
