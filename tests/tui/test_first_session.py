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
