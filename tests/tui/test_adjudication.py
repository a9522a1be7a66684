"""The adjudication screen (settling disagreements into a consensus) and blind coding in the TUI.

Pilot tests on the real app over a copy of the demo corpus (demo, tutor and wren disagree on
nlmg-002, nlmg-010 and nlmg-018), and an 80x24 snapshot of the screen.
Update the snapshot after an intended change with
`pytest tests/tui/test_adjudication.py --snapshot-update`.
"""

from __future__ import annotations

import asyncio

from pilot_helpers import SIZE, SMALLEST, settle, wait_until
from textual.app import App

from annotator.tui.adjudication import ACCEPTED, OPEN, REJECTED, AdjudicationScreen
from annotator.tui.app import AnnotatorApp


def run(session, steps, size=SIZE):
    async def main():
        app = AnnotatorApp(session)
        async with app.run_test(size=size) as pilot:
            await settle(app, pilot)
            await steps(app, pilot)

    asyncio.run(main())


async def open_from_palette(app, pilot, words: str, screen_type) -> None:
    await pilot.press("ctrl+p")
    await wait_until(app, pilot, lambda: app.screen.__class__.__name__ == "CommandPalette", "the palette")
    await pilot.press(*words)
    from textual.command import CommandList

    await wait_until(app, pilot, lambda: app.screen.query_one(CommandList).option_count > 0, "a palette match")
    await pilot.press("enter")
    await wait_until(app, pilot, lambda: isinstance(app.screen, screen_type), f"the {screen_type.__name__}")


def states(screen) -> dict[str, str]:
    from textual.widgets import DataTable

    table = screen.query_one(DataTable)
    return {str(table.get_row_at(i)[0]): str(table.get_row_at(i)[2]) for i in range(table.row_count)}


def consensus_tags(session, passage: str) -> set[str]:
    return {t.theme for t in session.store.all_tags() if t.passage == passage and t.annotator == "consensus"}


def test_adjudication_walks_disagreements_accepts_rejects_and_undoes(demo_session):
    async def steps(app, pilot):
        await open_from_palette(app, pilot, "Adjudicate", AdjudicationScreen)
        screen = app.screen
        assert screen.current.passage == "nlmg-002"
        assert "Disagreement 1 of 3 · demo, tutor, wren → consensus" in str(screen.query_one("#adjudication-title").render())
        assert "older boys pick sides" in str(screen.query_one("#adjudication-text").render())
        assert states(screen) == {"conformity": OPEN, "free-will": OPEN}

        await pilot.press("a")  # conformity (demo, wren) into the consensus
        await wait_until(app, pilot, lambda: consensus_tags(demo_session, "nlmg-002") == {"conformity"}, "the accepted tag")
        assert states(screen)["conformity"] == ACCEPTED
        comment = next(t.comment for t in demo_session.store.annotations("consensus").tags)
        assert comment == "wren: The group decides who belongs before the game even starts."

        await pilot.press("down", "r")  # free-will (tutor alone) left out
        await pilot.pause()
        assert states(screen) == {"conformity": ACCEPTED, "free-will": REJECTED}
        await pilot.press("up", "r")  # changed my mind: conformity out too, its tag removed
        await wait_until(app, pilot, lambda: consensus_tags(demo_session, "nlmg-002") == set(), "the tag removed")

        await pilot.press("u")  # undo that: conformity is back in
        await wait_until(app, pilot, lambda: consensus_tags(demo_session, "nlmg-002") == {"conformity"}, "undo")
        assert states(screen) == {"conformity": ACCEPTED, "free-will": REJECTED}

        await pilot.press("n")
        await pilot.pause()
        assert screen.current.passage == "nlmg-010"
        await pilot.press("n", "n")  # past the last: stays, and says so
        await pilot.pause()
        assert screen.current.passage == "nlmg-018"
        assert "last disagreement" in str(screen.query_one("#adjudication-status").render())
        await pilot.press("p")
        await pilot.pause()
        assert screen.current.passage == "nlmg-010"
        await pilot.press("escape")
        await wait_until(app, pilot, lambda: not isinstance(app.screen, AdjudicationScreen), "back to the main screen")

    run(demo_session, steps)


def test_adjudication_continues_an_existing_consensus(demo_session):
    demo_session.consensus(["demo", "tutor", "wren"], "agreed")

    async def steps(app, pilot):
        await open_from_palette(app, pilot, "Adjudicate", AdjudicationScreen)
        screen = app.screen
        assert screen.target == "agreed" and screen.annotators == ["demo", "tutor", "wren"]
        assert states(screen) == {"conformity": ACCEPTED, "free-will": OPEN}  # settled by the majority already

    run(demo_session, steps)


def test_blind_coding_in_the_tui(demo_session, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_NAME", "wren")
    demo_session.set_blind(True)

    async def steps(app, pilot):
        title = str(app.main.search_box.border_title)
        assert title.endswith("· blind · by words")
        assert app.counts["free-will"] == 0  # wren never used it; demo and tutor's tags are not counted
        from pilot_helpers import type_query

        await type_query(app, pilot, "office")
        row = next(hit for hit in app.main.results.hits if hit.id == "nlmg-018")
        assert row.themes == ["willful-ignorance", "hope"]  # wren's own two, nothing of tutor's or demo's
        from annotator.tui.annotator_switch import AnnotatorSwitch

        await app.push_screen(AnnotatorSwitch(app.session))
        await pilot.pause()
        assert [v.label for v in app.screen.views] == ["mine (wren)"]
        await pilot.press("escape")
        from annotator.tui.report_screen import ReportScreen

        await app.push_screen(ReportScreen(app.session))
        await settle(app, pilot)
        assert "tags by wren" in str(app.screen.query_one("#report-title").render())
        await pilot.press("a")  # whose tags: no one else's while blind
        await pilot.pause()
        assert app.screen.annotator == "wren"
        await pilot.press("escape")
        # nothing to compare or settle while blind: the palette does not offer it
        commands = [c.title for c in app.get_system_commands(app.screen)]
        assert not any(title.startswith(("Agreement", "Adjudicate")) for title in commands)

    run(demo_session, steps, size=SMALLEST)


class AdjudicationHost(App):
    def __init__(self, session):
        super().__init__()
        self.session = session

    def on_mount(self) -> None:
        self.push_screen(AdjudicationScreen(self.session))


def test_adjudication_snapshot(snap_compare, demo_session):
    async def run_before(pilot):
        await settle(pilot.app, pilot)
        await pilot.press("a", "down")
        await settle(pilot.app, pilot)

    assert snap_compare(AdjudicationHost(demo_session), run_before=run_before, terminal_size=SMALLEST)


def test_the_header_keeps_blind_when_the_box_switches_mode(demo_session, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_NAME", "wren")
    demo_session.set_blind(True)

    async def steps(app, pilot):
        app.meaning.show()  # what F2 does to the box's top edge (here without embedding the corpus)
        await pilot.pause()
        assert str(app.main.search_box.border_title).endswith("· blind · by words")

    run(demo_session, steps)


def test_blind_switched_in_another_shell_shows_in_the_open_tui(demo_session, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_NAME", "wren")
    from annotator.corpus.identity import set_blind_coding

    async def steps(app, pilot):
        assert "blind" not in str(app.main.search_box.border_title)
        assert app.counts["free-will"] == 2  # tutor's tags are seen
        set_blind_coding(demo_session.ws, True)  # as `annotator config blind on` in another shell does
        await wait_until(app, pilot, lambda: str(app.main.search_box.border_title).endswith("· blind · by words"), "the header says blind")
        await wait_until(app, pilot, lambda: app.counts["free-will"] == 0, "only wren's tags counted")

    run(demo_session, steps)


def test_a_consensus_made_by_adjudication_is_one_the_class_report_compares_with(demo_session):
    async def steps(app, pilot):
        await open_from_palette(app, pilot, "Adjudicate", AdjudicationScreen)
        await pilot.press("a")  # conformity on nlmg-002 into a new 'consensus'
        await wait_until(app, pilot, lambda: consensus_tags(demo_session, "nlmg-002") == {"conformity"}, "the accepted tag")
        await pilot.press("escape")

    run(demo_session, steps)
    text = (demo_session.ws.root / "corpus" / "annotations" / "consensus.yaml").read_text()
    assert "consensus_of:\n- demo\n- tutor\n- wren" in text  # whom it settles, as `annotator consensus` writes
    lines = {line.annotator: line for line in demo_session.report_by_annotator()}
    assert lines["demo"].consensus == "consensus"


def test_the_help_screen_lists_the_adjudication_keys():
    from annotator.tui.help_screen import HELP_FILE

    help_text = HELP_FILE.read_text(encoding="utf-8")
    section = help_text[help_text.index("Adjudicate disagreements"):]
    for binding in AdjudicationScreen.BINDINGS:
        for key in binding.key.split(","):
            assert f"`{key}`" in section, key
