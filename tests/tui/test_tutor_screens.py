"""Pilot tests of the tutors' screens: report, whose tags are shown, agreement, codebook edits.

They run in a small host app that offers the tutors' command-palette entries exactly as
the main app does (`tutor_commands`), on a real demo workspace.
"""

from __future__ import annotations

import asyncio

from textual.app import App

from annotator.tag_view import OTHER, TagView
from annotator.tui.annotator_switch import AgreementScreen, AnnotatorSwitch
from annotator.tui.report_screen import ReportScreen
from annotator.tui.tutor_commands import tutor_commands


class Host(App):
    def __init__(self, session):
        super().__init__()
        self.session = session
        self.tag_view: TagView | None = None
        self.opened: list[str] = []

    def get_system_commands(self, screen):
        yield from super().get_system_commands(screen)
        yield from tutor_commands(self, self.session)

    def set_tag_view(self, view: TagView) -> None:
        self.tag_view = view

    def open_passage(self, passage_id: str) -> None:
        self.opened.append(passage_id)


def run(coroutine_function, session):
    async def main():
        app = Host(session)
        async with app.run_test(size=(120, 50)) as pilot:
            await coroutine_function(app, pilot)
        return app

    return asyncio.run(main())


async def settled(app, pilot) -> None:
    """Wait for the screens' worker threads (counting, comparing) and the redraw after them."""
    await app.workers.wait_for_complete()
    await pilot.pause()


async def type_into(app, pilot, text: str) -> None:
    """Fill the prompt's input (as typing would) and press enter."""
    from textual.widgets import Input

    app.screen.query_one(Input).value = text
    await pilot.pause()
    await pilot.press("enter")
    await pilot.pause()


def cell(table, row: str, column: str) -> str:
    return str(table.get_cell(row, column))


async def palette(pilot, words: str, settle: float = 0.2) -> None:
    """Run the command-palette entry that `words` finds."""
    await pilot.press("ctrl+p")
    await pilot.pause()
    await pilot.press(*words)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await pilot.pause(settle)


def test_report_screen_shows_cooccurrence_and_bars(demo_session):
    async def steps(app, pilot):
        await app.push_screen(ReportScreen(demo_session))
        await settled(app, pilot)
        screen = app.screen
        table = screen.query_one("#cooccurrence")
        assert table.row_count == 7
        assert cell(table, "communication", "free-will") == "1"  # nlmg-010: demo and tutor
        assert cell(table, "conformity", "conformity") == "3"
        assert cell(table, "hope", "playing-god") == "·"
        bars = str(screen.query_one("#report-bars").render())
        assert "Conformity" in bars and "█" in bars
        assert "9 of 30 passages tagged" in str(screen.query_one("#report-summary").render())
        await pilot.press("a")  # only demo's tags
        await settled(app, pilot)
        assert "tags by demo" in str(screen.query_one("#report-title").render())
        assert cell(table, "communication", "free-will") == "·"
        assert cell(table, "communication", "obligation-to-society") == "1"
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)

    run(steps, demo_session)


def test_report_is_reachable_from_the_command_palette(demo_session):
    async def steps(app, pilot):
        await palette(pilot, "Report", settle=0.3)
        assert isinstance(app.screen, ReportScreen)

    run(steps, demo_session)


def test_switching_whose_tags_are_shown(demo_session):
    async def steps(app, pilot):
        await app.push_screen(AnnotatorSwitch(demo_session), app.set_tag_view)
        await pilot.pause()
        # mine (tester), all, demo's, tutor's — the current view (all) is highlighted first
        await pilot.press("down", "down", "enter")
        await pilot.pause()
        assert app.tag_view == TagView(OTHER, "tester", "tutor")

    run(steps, demo_session)


def test_switch_cancel_keeps_the_view(demo_session):
    async def steps(app, pilot):
        chosen = []
        await app.push_screen(AnnotatorSwitch(demo_session), chosen.append)
        await pilot.pause()
        await pilot.press("escape")
        await pilot.pause()
        assert chosen == [None]

    run(steps, demo_session)


def test_agreement_screen_lists_disagreements_and_opens_one(demo_session):
    async def steps(app, pilot):
        await app.push_screen(AgreementScreen(demo_session, "demo", "tutor"), lambda pid: pid and app.open_passage(pid))
        await settled(app, pilot)
        screen = app.screen
        rows = screen.query_one("#disagreements")
        assert rows.row_count == 3
        assert "Overall kappa 0.55" in str(screen.query_one("#agreement-summary").render())
        await pilot.press("down", "enter")
        await pilot.pause()
        assert app.opened == ["nlmg-010"]

    run(steps, demo_session)


def test_codebook_add_and_merge_from_the_palette(demo_session):
    async def steps(app, pilot):
        await palette(pilot, "add a")
        await type_into(app, pilot, "Art and souls")
        await pilot.pause()
        assert "art-and-souls" in [t.id for t in demo_session.themes()]
        await palette(pilot, "merge a")
        await type_into(app, pilot, "Playing")  # merge Playing God...
        await type_into(app, pilot, "art and")  # ...into Art and souls
        await pilot.pause()
        ids = [t.id for t in demo_session.themes()]
        assert "playing-god" not in ids
        assert {t.theme for t in demo_session.store.all_tags() if t.passage == "nlmg-027"} == {"art-and-souls"}

    run(steps, demo_session)


def test_deleting_a_tagged_theme_asks_first(demo_session):
    async def steps(app, pilot):
        await palette(pilot, "delete a")
        await type_into(app, pilot, "Hope")
        await type_into(app, pilot, "no")  # anything but DELETE keeps it
        await pilot.pause()
        assert "hope" in [t.id for t in demo_session.themes()]

    run(steps, demo_session)


def test_comment_on_the_selected_passage_from_the_palette(demo_session):
    async def steps(app, pilot):
        app.selected_passage_id = lambda: "nlmg-005"
        await palette(pilot, "on the passage")
        await type_into(app, pilot, "Madame's fear matters later.")
        memos = demo_session.memos_on("nlmg-005")
        assert [(m.annotator, m.text) for m in memos] == [("tester", "Madame's fear matters later.")]

    run(steps, demo_session)


def test_a_theme_name_with_markup_is_shown_literally(demo_session):
    from annotator.corpus import codebook

    codebook.add_theme(demo_session.store, "[bold]Loud[/bold]")

    async def steps(app, pilot):
        await app.push_screen(ReportScreen(demo_session))
        await settled(app, pilot)
        assert "[bold]Loud[/bold]" in str(app.screen.query_one("#report-bars").render())

    run(steps, demo_session)


def test_the_main_app_switches_whose_tags_are_shown_and_marks_disagreement(demo_session):
    from annotator.tui.app import AnnotatorApp

    def row(app, passage_id: str) -> str:
        return app.main.results.row_text(passage_id)

    async def main():
        app = AnnotatorApp(demo_session)
        async with app.run_test(size=(120, 40)) as pilot:
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            # everyone's tags: nlmg-002 has demo's Conformity and tutor's Free will, marked as a disagreement
            assert "Conformity" in row(app, "nlmg-002") and "Free will" in row(app, "nlmg-002")
            assert "≠" in row(app, "nlmg-002") and "≠" not in row(app, "nlmg-003")  # both chose conformity on nlmg-003
            await palette(pilot, "Whose tags", settle=0.3)
            assert isinstance(app.screen, AnnotatorSwitch)
            # mine (tester), all, demo's, tutor's: the current view (all) is highlighted; one down is demo's
            await pilot.press("down", "enter")
            for _ in range(3):
                await pilot.pause()
                await app.workers.wait_for_complete()
            assert app.tag_view == TagView(OTHER, "tester", "demo")
            assert "demo's tags" in app.main.status
            assert "Conformity" in row(app, "nlmg-002") and "Free will" not in row(app, "nlmg-002")
            assert "≠" not in row(app, "nlmg-002")  # tester has not tagged it: nothing to compare with demo

    asyncio.run(main())
