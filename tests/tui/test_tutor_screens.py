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
from pilot_helpers import settle, wait_until


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


async def type_into(app, pilot, text: str) -> None:
    """Fill the prompt's input (as typing would) and press enter."""
    from textual.widgets import Input

    app.screen.query_one(Input).value = text
    await settle(app, pilot)
    await pilot.press("enter")
    await settle(app, pilot)


def cell(table, row: str, column: str) -> str:
    return str(table.get_cell(row, column))


def _typed_in_order(words: str, title: str) -> bool:
    """Whether `title` holds the characters of `words` in order, as the palette's fuzzy match wants."""
    rest = iter(title.casefold())
    return all(ch in rest for ch in words.casefold() if not ch.isspace())


async def palette(app, pilot, words: str) -> None:
    """Run the command-palette entry that `words` finds, waiting on the palette, never the clock."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    await wait_until(app, pilot, lambda: isinstance(app.screen, CommandPalette), "the command palette")
    shown = app.screen
    await pilot.press(*words)

    def first_match() -> str:
        options = shown.query_one(CommandList)
        return str(options.get_option_at_index(0).prompt) if options.option_count else ""

    await wait_until(app, pilot, lambda: _typed_in_order(words, first_match()), f"a palette entry for '{words}'")
    await pilot.press("enter")
    await wait_until(app, pilot, lambda: app.screen is not shown, "the palette to close")
    await settle(app, pilot)


def test_report_screen_shows_cooccurrence_and_bars(demo_session):
    async def steps(app, pilot):
        await app.push_screen(ReportScreen(demo_session))
        await settle(app, pilot)
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
        await settle(app, pilot)
        assert "tags by demo" in str(screen.query_one("#report-title").render())
        assert cell(table, "communication", "free-will") == "·"
        assert cell(table, "communication", "obligation-to-society") == "1"
        await pilot.press("escape")
        assert not isinstance(app.screen, ReportScreen)

    run(steps, demo_session)


def test_report_is_reachable_from_the_command_palette(demo_session):
    async def steps(app, pilot):
        await palette(app, pilot, "Report")
        assert isinstance(app.screen, ReportScreen)

    run(steps, demo_session)


def test_switching_whose_tags_are_shown(demo_session):
    async def steps(app, pilot):
        await app.push_screen(AnnotatorSwitch(demo_session), app.set_tag_view)
        await settle(app, pilot)
        # mine (tester), all, demo's, tutor's — the current view (all) is highlighted first
        await pilot.press("down", "down", "enter")
        await settle(app, pilot)
        assert app.tag_view == TagView(OTHER, "tester", "tutor")

    run(steps, demo_session)


def test_switch_cancel_keeps_the_view(demo_session):
    async def steps(app, pilot):
        chosen = []
        await app.push_screen(AnnotatorSwitch(demo_session), chosen.append)
        await settle(app, pilot)
        await pilot.press("escape")
        await settle(app, pilot)
        assert chosen == [None]

    run(steps, demo_session)


def test_agreement_screen_lists_disagreements_and_opens_one(demo_session):
    async def steps(app, pilot):
        await app.push_screen(AgreementScreen(demo_session, "demo", "tutor"), lambda pid: pid and app.open_passage(pid))
        await settle(app, pilot)
        screen = app.screen
        rows = screen.query_one("#disagreements")
        assert rows.row_count == 3
        assert "Overall kappa 0.55" in str(screen.query_one("#agreement-summary").render())
        await pilot.press("down", "enter")
        await settle(app, pilot)
        assert app.opened == ["nlmg-010"]

    run(steps, demo_session)


def test_codebook_add_and_merge_from_the_palette(demo_session):
    async def steps(app, pilot):
        await palette(app, pilot, "add a")
        await type_into(app, pilot, "Art and souls")
        await settle(app, pilot)
        assert "art-and-souls" in [t.id for t in demo_session.themes()]
        await palette(app, pilot, "merge a")
        await type_into(app, pilot, "Playing")  # merge Playing God...
        await type_into(app, pilot, "art and")  # ...into Art and souls
        await settle(app, pilot)
        ids = [t.id for t in demo_session.themes()]
        assert "playing-god" not in ids
        assert {t.theme for t in demo_session.store.all_tags() if t.passage == "nlmg-027"} == {"art-and-souls"}

    run(steps, demo_session)


def test_a_theme_name_with_control_characters_is_refused_in_the_codebook_dialogs(demo_session):
    before = [(t.id, t.name) for t in demo_session.themes()]

    def refusals(app) -> list[str]:
        return [str(n.message) for n in app._notifications if "may hold no control" in str(n.message)]

    async def steps(app, pilot):
        await palette(app, pilot, "add a")
        await type_into(app, pilot, "\u202eepoH")
        await wait_until(app, pilot, lambda: len(refusals(app)) == 1, "the refusal")
        await palette(app, pilot, "rename a")
        await type_into(app, pilot, "Hope")
        await type_into(app, pilot, "\x1b[31mHope")
        await wait_until(app, pilot, lambda: len(refusals(app)) == 2, "the refusal")
        assert all("\n" not in line and "\x1b" not in line and "\u202e" not in line for line in refusals(app))
        assert [(t.id, t.name) for t in demo_session.themes()] == before

    run(steps, demo_session)


def test_deleting_a_tagged_theme_asks_first(demo_session):
    async def steps(app, pilot):
        await palette(app, pilot, "delete a")
        await type_into(app, pilot, "Hope")
        await type_into(app, pilot, "no")  # anything but DELETE keeps it
        await settle(app, pilot)
        assert "hope" in [t.id for t in demo_session.themes()]

    run(steps, demo_session)


def test_comment_on_the_selected_passage_from_the_palette(demo_session):
    async def steps(app, pilot):
        app.selected_passage_id = lambda: "nlmg-005"
        await palette(app, pilot, "on the passage")
        await type_into(app, pilot, "Madame's fear matters later.")
        memos = demo_session.memos_on("nlmg-005")
        assert [(m.annotator, m.text) for m in memos] == [("tester", "Madame's fear matters later.")]

    run(steps, demo_session)


def test_a_theme_name_with_markup_is_shown_literally(demo_session):
    from annotator.corpus import codebook

    codebook.add_theme(demo_session.store, "[bold]Loud[/bold]")

    async def steps(app, pilot):
        await app.push_screen(ReportScreen(demo_session))
        await settle(app, pilot)
        assert "[bold]Loud[/bold]" in str(app.screen.query_one("#report-bars").render())

    run(steps, demo_session)


def test_the_main_app_switches_whose_tags_are_shown_and_marks_disagreement(demo_session):
    from annotator.tui.app import AnnotatorApp

    def row(app, passage_id: str) -> str:
        return app.main.results.row_text(passage_id)

    async def main():
        app = AnnotatorApp(demo_session)
        async with app.run_test(size=(120, 40)) as pilot:
            await settle(app, pilot)
            # everyone's tags: nlmg-002 has demo's Conformity and tutor's Free will, marked as a disagreement
            assert "Conformity" in row(app, "nlmg-002") and "Free will" in row(app, "nlmg-002")
            assert "≠" in row(app, "nlmg-002") and "≠" not in row(app, "nlmg-003")  # both chose conformity on nlmg-003
            await palette(app, pilot, "Whose tags")
            assert isinstance(app.screen, AnnotatorSwitch)
            # mine (tester), all, demo's, tutor's: the current view (all) is highlighted; one down is demo's
            await pilot.press("down", "enter")
            await settle(app, pilot)
            assert app.tag_view == TagView(OTHER, "tester", "demo")
            assert "demo's tags" in app.main.status
            assert "Conformity" in row(app, "nlmg-002") and "Free will" not in row(app, "nlmg-002")
            assert "≠" not in row(app, "nlmg-002")  # tester has not tagged it: nothing to compare with demo

    asyncio.run(main())
