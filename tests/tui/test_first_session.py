"""What a new user trips on in a first session with the TUI (a walk through it at 80x24)."""

from __future__ import annotations

import yaml
from pilot_helpers import SMALLEST, settle, type_query

from annotator.tui.app import AnnotatorApp


def add_source(workspace_dir, passages: list[dict]) -> None:
    source = {"source": {"id": "walk", "title": "The Walk"}, "passages": passages}
    (workspace_dir / "corpus" / "passages" / "walk.yaml").write_text(yaml.safe_dump(source), encoding="utf-8")


async def test_a_passage_whose_words_fit_the_screen_opens_with_its_citation_in_view(workspace_dir):
    from annotator.session import Session

    # Five lines at 80 columns, the word searched for on the fourth: all of it fits on one screen.
    text = ("The keeper climbs the stairs at dusk and trims the wick, as his father did before him, "
            "and his father before that. The lamp has not failed in forty years, and the keeper "
            "means to keep it so, though the ships are fewer now than they were when he was young. "
            "Tonight an albatross circles the gallery twice and settles on the rail, and the keeper "
            "watches it until the light comes round and it lifts away over the dark water.")
    add_source(workspace_dir, [{"id": "walk-1", "text": text, "location": "p. 3"}])
    session = Session.open(workspace_dir)
    session.sync()
    session.tag("walk-1", ["hope", "memory", "friendship", "loss"])  # their notes run below the screen
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SMALLEST) as pilot:
            await settle(app, pilot)
            await type_query(app, pilot, "albatross")
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert app.screen.query_one("#passage-scroll").scroll_y == 0
            screen = app.export_screenshot()
            assert "walk-1" in screen and "albatross" in screen  # the citation line and the words, together
    finally:
        session.close()


NOTES = """The Keeper's Island: Themes

Duty

The keeper climbs the tower every evening because the ships depend on her light, whatever the weather and whatever news the boat brings. Her duty is the frame of her days.

Old letters and a tin of buttons hold the people who are far away; the keeper returns to them when the nights are long and the memory of her brother is loud.
"""


async def test_the_palette_imports_theme_notes_into_an_empty_workspace(tmp_path):
    from pilot_helpers import wait_until

    from annotator.cli import main
    from annotator.session import Session
    from annotator.tui.import_screen import ImportScreen

    root, notes = tmp_path / "essay", tmp_path / "guide.txt"
    notes.write_text(NOTES, encoding="utf-8")
    assert main(["init", str(root), "--empty"]) == 0
    session = Session.open(root)
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SMALLEST) as pilot:
            await settle(app, pilot)
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"Import theme notes")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await wait_until(app, pilot, lambda: isinstance(app.screen, ImportScreen), "the import dialog")
            dialog = app.screen
            assert not dialog.query("#import-title")  # theme notes name no work: no title or author asked
            dialog.query_one("#import-path").value = str(notes)
            await pilot.press("enter")
            await wait_until(app, pilot, lambda: dialog.reports or dialog.error, "the import to finish")
            assert dialog.error is None
            status = str(dialog.query_one("#import-status").render())
            assert "guide.txt: 2 theme(s) added" in status
            await pilot.press("escape")
            await settle(app, pilot)
            assert [t.name for t in app.look.themes][0] == "Duty" and app.main.query_one("#themes").option_count == 2
    finally:
        session.close()


async def test_an_empty_workspace_says_where_passages_and_themes_come_from(tmp_path):
    from annotator.cli import main
    from annotator.session import Session

    root = tmp_path / "essay"
    assert main(["init", str(root), "--empty"]) == 0
    session = Session.open(root)
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SMALLEST) as pilot:
            await settle(app, pilot)
            assert str(app.main.results.border_title) == "No passages yet: ctrl+p, Import a file…"  # was "0 passages"
            panel = app.main.query_one("#themes")
            assert panel.option_count == 1 and "Import theme notes" in str(panel.get_option_at_index(0).prompt)
            await pilot.press("tab", "tab")  # through the panel: nothing to select, nothing breaks
            await settle(app, pilot)
            await type_query(app, pilot, "storm")
            assert str(app.main.results.border_title) == "0 passages"  # a query that finds nothing says so
    finally:
        session.close()


async def test_the_book_at_a_glance_keeps_blind_coding_and_says_whose_tags(workspace_dir):
    from pilot_helpers import wait_until

    from annotator.cli import main
    from annotator.session import Session
    from annotator.tui.grid_screen import GridScreen

    assert main(["--workspace", str(workspace_dir), "tag", "lh-001", "memory"]) == 0  # the tester's one tag
    assert main(["--workspace", str(workspace_dir), "config", "blind", "on"]) == 0
    for name in ("The individual's obligation to society", "Playing God with other people's lives"):
        assert main(["--workspace", str(workspace_dir), "theme", "add", name]) == 0  # a legend of two lines
    session = Session.open(workspace_dir)
    session.sync()
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SMALLEST) as pilot:
            await settle(app, pilot)
            app.action_grid()  # the palette's "Book at a glance"
            await wait_until(app, pilot, lambda: isinstance(app.screen, GridScreen) and app.screen.grid is not None, "the grid")
            grid = app.screen.grid
            # alice's four tags were counted: a student saw where the others tagged
            assert sum(row.count(t) for row in grid.rows for t in grid.themes) == 1
            assert "(tags by tester)" in str(app.screen.query_one("#grid-head").render())
            legend = str(app.screen.query_one("#grid-themes").render()).splitlines()
            assert len(legend) > 1 and all(line.strip()[0].isdigit() for line in legend)  # no line starts with a name cut from its number
    finally:
        session.close()


async def test_a_malformed_file_at_start_is_said_whole_and_mending_it_opens_the_corpus(workspace_dir):
    from pilot_helpers import wait_until

    from annotator.session import Session

    bob = workspace_dir / "corpus" / "annotations" / "bob.yaml"
    bob.write_text("tags:\n  - passage: [unclosed\n", encoding="utf-8")
    session = Session.open(workspace_dir)
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SMALLEST) as pilot:
            await wait_until(app, pilot, lambda: "bob.yaml" in app.main.status, "the error in the counter")
            toasts = [n.message for n in app._notifications]
            assert len(toasts) == 1 and "bob.yaml:3" in toasts[0] and "malformed YAML" in toasts[0]  # whole, not cut
            bob.unlink()  # the tutor mends the workspace; the app was stuck on the error until restarted
            await wait_until(app, pilot, lambda: app.index_ready and app.main.results.hits, "the corpus to open")
            assert len(list(app._notifications)) <= 1  # the poll did not repeat the toast
    finally:
        session.close()


async def test_the_theme_view_marks_a_cut_note_and_says_whose_comment_is_whose(workspace_dir):
    from annotator.cli import main
    from annotator.session import Session
    from annotator.tui.theme_screen import NOTE_LINES, ThemeScreen

    note = " ".join(["Hope in this story is the expectation that the next boat will bring news."] * 12 + ["LAST"])
    assert main(["--workspace", str(workspace_dir), "theme", "describe", "hope", note]) == 0
    for who, comment in (("bob", "the boat as a promise"), ("carol", "news that never comes")):
        assert main(["--workspace", str(workspace_dir), "tag", "lh-001", "hope", "--as", who, "--comment", comment]) == 0
    session = Session.open(workspace_dir)
    session.sync()
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SMALLEST) as pilot:
            await settle(app, pilot)
            app.push_screen(ThemeScreen("hope"))
            await settle(app, pilot)
            shown = str(app.screen.query_one("#theme-note").render()).splitlines()
            assert len(shown) == NOTE_LINES and shown[-1].rstrip().endswith("…") and "LAST" not in "".join(shown)
            rows = app.screen.query_one("#theme-passages")
            row = next(str(rows.get_option_at_index(i).prompt) for i in range(rows.option_count)
                       if rows.get_option_at_index(i).id == "lh-001")
            assert "bob: “the boat as a promise”" in row and "carol: “news that never comes”" in row
    finally:
        session.close()


async def test_the_search_box_hint_is_whole_at_80_columns(app):
    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        box = app.main.search_box
        assert len(box.placeholder) <= box.content_region.width - 1  # the cursor cell too; was cut after "theme:ID,"


async def test_a_suggested_theme_is_announced_as_a_digit_tag_is(app):
    from pilot_helpers import wait_until

    async with app.run_test(size=SMALLEST) as pilot:
        await settle(app, pilot)
        app.add_tag("lh-002", "memory")  # what accepting a suggestion (or the theme picker's add) does
        # Other toasts may come and go meanwhile on a busy machine: wait for the tag's own.
        await wait_until(app, pilot, lambda: any(n.message.startswith("Tagged") for n in app._notifications), "the toast")
        assert [n.message for n in app._notifications if n.message.startswith("Tagged")] == ["Tagged lh-002: Memory"]  # was "Tagged: lh-002 Memory"


async def test_the_error_toast_goes_once_the_broken_file_is_mended(app, workspace_dir):
    # It stayed up for its 15 seconds, "Cannot read the corpus" over a corpus read again.
    from pilot_helpers import wait_until

    bob = workspace_dir / "corpus" / "annotations" / "bob.yaml"
    async with app.run_test(size=SMALLEST) as pilot:
        await wait_until(app, pilot, lambda: app.index_ready and app.main.results.hits, "the corpus open")
        bob.write_text("tags:\n  - passage: [unclosed\n", encoding="utf-8")
        app.poll_corpus()
        await wait_until(app, pilot, lambda: "bob.yaml" in app.main.status, "the error in the counter")
        assert any("malformed YAML" in n.message for n in app._notifications)
        bob.unlink()
        app.poll_corpus()
        await wait_until(app, pilot, lambda: "bob.yaml" not in app.main.status, "the corpus read again")
        await pilot.pause()
        assert not any("malformed YAML" in n.message for n in app._notifications)
