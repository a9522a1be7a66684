"""Books in other languages in the TUI: found without accents and inside Chinese runs, shown in every script."""

from __future__ import annotations

from pathlib import Path

from annotator.corpus.workspace import init_workspace
from annotator.exchange.importers import import_source
from annotator.session import Session
from annotator.tui.app import AnnotatorApp

from pilot_helpers import SIZE, result_ids, settle, wait_until

BOOKS = Path(__file__).parent.parent / "fixtures" / "languages"


def _library(root: Path) -> Session:
    init_workspace(root, empty=True)
    session = Session.open(root)
    for book, language in (("phare.fr.txt", "fr"), ("deng.zh.txt", "zh"), ("tokei.ja.txt", "ja")):
        import_source(session.store, BOOKS / book, language=language)
    session.sync()
    return session


async def test_typing_without_accents_and_inside_chinese_runs(tmp_path):
    session = _library(tmp_path / "ws")
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SIZE) as pilot:
            await settle(app, pilot)
            await pilot.press(*"esperance")
            await settle(app, pilot)
            assert set(result_ids(app)) == {"phare-fr-p1", "phare-fr-p4"}
            marked = {hit.text[a:b] for hit in app.main.results.hits for a, b in hit.matches}
            assert marked == {"espérance", "esperance"}
            screen = app.export_screenshot()
            assert "espérance" in screen and "Élise" in screen

            app.main.search_box.value = "逃犯"
            await wait_until(app, pilot, lambda: result_ids(app) == ["deng-zh-p1"], "the Chinese passage")
            hit = app.main.results.hits[0]
            assert [hit.text[a:b] for a, b in hit.matches] == ["逃犯"]
            await settle(app, pilot)
            assert "在夜里来到了海边的小村" in app.export_screenshot()  # the words around the marked ones

            app.main.search_box.value = "時計"
            await wait_until(app, pilot, lambda: set(result_ids(app)) == {"tokei-ja-p1", "tokei-ja-p2"}, "the clock")
            await settle(app, pilot)
            assert "の下で暮らしていた" in app.export_screenshot()
    finally:
        session.close()
