"""What the palette's Export says: while blind coding is on, that the file holds only the looker's tags
(and how the tutor gets everyone's); and each stored span it could not place, or placed elsewhere."""

from __future__ import annotations

import json

from pilot_helpers import SIZE, settle, wait_until
from textual.widgets import Input

from annotator.tui.app import AnnotatorApp


async def export_through_the_tui(app: AnnotatorApp, target) -> list[str]:
    """Export as a user does (*Export*, a file name, enter); the notifications shown."""
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app._export()
        await wait_until(app, pilot, lambda: bool(app.screen.query(Input)), "the file name prompt")
        app.screen.query_one(Input).value = str(target)
        await pilot.press("enter")
        await wait_until(app, pilot, target.exists, "the export")
        await settle(app, pilot)
        return [n.message for n in app._notifications]


async def test_export_while_blind_holds_only_my_tags_and_says_so(demo_session, tmp_path, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_NAME", "wren")
    demo_session.set_blind(True)
    app = AnnotatorApp(demo_session)
    target = tmp_path / "mine.json"
    shown = await export_through_the_tui(app, target)
    assert {a["annotator"] for a in json.loads(target.read_text(encoding="utf-8"))["annotations"]} == {"wren"}
    assert any("Blind coding is on: the export holds only wren's tags" in m and "config blind off" in m for m in shown), shown


async def test_export_names_each_span_a_hand_edit_moved_or_broke(session, tmp_path):
    # as `annotator export` warns on stderr: file and line, never a silent correction
    path = session.ws.annotation_file("carol")
    path.write_text("annotator: carol\ntags:\n- passage: lh-002\n  theme: loss\n  spans:\n  - {quote: lamp oil, start: 1, end: 9}\n"
                    "- passage: lh-003\n  theme: loss\n  spans:\n  - {quote: no such words here, start: 0, end: 18}\n", encoding="utf-8")
    app = AnnotatorApp(session)
    target = tmp_path / "sheet.md"
    shown = await export_through_the_tui(app, target)
    assert any(m.startswith(f"{path}:6: span on lh-002 (loss): offsets 1-9 hold") for m in shown), shown
    assert any(m.startswith(f"{path}:10: span on lh-003 (loss) cannot be placed") for m in shown), shown


async def test_export_never_writes_into_the_workspaces_corpus_or_index(session):
    # The palette's Export goes through the same door as `annotator export -o`: a name inside
    # corpus/ or index/ is refused, so a typo cannot put an export among the user's files.
    app = AnnotatorApp(session)
    before = sorted(p.name for p in session.ws.corpus.rglob("*"))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        app._export()
        await wait_until(app, pilot, lambda: bool(app.screen.query(Input)), "the file name prompt")
        app.screen.query_one(Input).value = str(session.ws.corpus / "annotations" / "evidence.md")
        await pilot.press("enter")
        await wait_until(app, pilot, lambda: any("refusing to write" in n.message for n in app._notifications), "the refusal")
    assert sorted(p.name for p in session.ws.corpus.rglob("*")) == before
