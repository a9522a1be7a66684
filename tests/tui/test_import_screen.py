"""The palette's *Import a file…*: the dialog, the import in a worker with its progress, the results after."""

from __future__ import annotations

import json

from pilot_helpers import SIZE, SMALLEST, settle, wait_until

from annotator.tui.import_screen import ImportScreen

HIGHLIGHTS = {
    "title": "Great Expectations", "author": "Charles Dickens", "version": "koreader",
    "entries": [
        {"chapter": "Chapter VIII", "page": 61, "text": "I took the opportunity of being alone in the court-yard, "
         "to look at my coarse hands and my common boots.", "note": "shame"},
        {"chapter": "Chapter XXXIX", "page": 320, "text": "I had been a blacksmith's boy but yesterday."},
    ],
}


async def open_import_dialog(app, pilot) -> ImportScreen:
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*"Import a file")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await wait_until(app, pilot, lambda: isinstance(app.screen, ImportScreen), "the import dialog")
    return app.screen


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", ".": "full_stop", "/": "slash"}.get(ch, ch) for ch in text])


async def test_import_from_the_palette_runs_with_progress_and_finds_the_passages(app, workspace_dir, tmp_path, monkeypatch):
    export = tmp_path / "ge.json"
    export.write_text(json.dumps(HIGHLIGHTS), encoding="utf-8")
    heard = []
    original = ImportScreen._show_progress
    monkeypatch.setattr(ImportScreen, "_show_progress", lambda self, *a: (heard.append(a), original(self, *a)))
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        dialog = await open_import_dialog(app, pilot)
        dialog.query_one("#import-path").value = str(export)
        await pilot.press("tab")
        await type_text(pilot, "Great Expectations (1861)")
        await pilot.press("enter")
        await wait_until(app, pilot, lambda: dialog.reports or dialog.error, "the import to finish")
        assert dialog.error is None
        assert "source 'great-expectations', 2 passage(s) (2 new)" in str(dialog.query_one("#import-status").render())
        assert heard[0] == ("reading ge.json", 0, 1) and any(what == "indexing" for what, _, _ in heard)
        bar = dialog.query_one("#import-progress")
        assert bar.progress == bar.total  # the bar ends full
        await pilot.press("escape")
        await settle(app, pilot)
        await pilot.press(*"blacksmith")
        await settle(app, pilot)
        assert app.main.results.hits[0].source == "great-expectations"
    from annotator.session import Session

    source = Session.open(workspace_dir).store.load_source("great-expectations").source
    assert (source.title, source.author) == ("Great Expectations (1861)", "Charles Dickens")


async def test_a_bad_file_is_one_line_in_the_dialog_and_nothing_changes(app, workspace_dir, tmp_path):
    broken = tmp_path / "broken.json"
    broken.write_text('{"title": "X", "entries": [5]}', encoding="utf-8")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        dialog = await open_import_dialog(app, pilot)
        dialog.query_one("#import-path").value = str(broken)
        await pilot.press("enter")
        await wait_until(app, pilot, lambda: dialog.error, "the refusal")
        assert "entry 1 is not an object" in dialog.error and "\n" not in dialog.error
        assert isinstance(app.screen, ImportScreen)  # the dialog stays, for a corrected path
    assert not (workspace_dir / "corpus" / "passages" / "x.yaml").exists()


def test_import_dialog(snap_compare, app):
    async def run_before(pilot):
        await settle(pilot.app, pilot)
        await open_import_dialog(pilot.app, pilot)
        await settle(pilot.app, pilot)

    assert snap_compare(app, run_before=run_before, terminal_size=SMALLEST)
