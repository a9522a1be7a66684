"""A search under way never holds up a tag, a newer keystroke or quitting (#14.6).

A slow search is simulated by a search that runs until it is cancelled, checking for
it between steps as the real one does (annotator.engine.query_budget.check): no timings.
"""

from __future__ import annotations

import threading
import time

import pytest
import yaml
from pilot_helpers import TIME_LIMIT, settle

from annotator.engine import query_budget, search
from annotator.engine.query_budget import SearchCancelled
from annotator.tui.app import AnnotatorApp

SIZE = (100, 30)
SAFETY_SECONDS = 30  # the slow search gives up by itself after this, so a failing test cannot hang


class SlowSearch:
    """Replaces searches for `slow` by one that holds the index until a newer search or quitting stops it."""

    def __init__(self):
        self.entered = threading.Event()
        self.ended_by = None

    def install(self, monkeypatch):
        original = search._search

        def maybe_slow(index, text, **options):
            if text != "slow":
                return original(index, text, **options)
            self.entered.set()
            until = time.monotonic() + SAFETY_SECONDS
            try:
                while time.monotonic() < until:
                    query_budget.check()
                    time.sleep(0.005)
            except SearchCancelled:
                self.ended_by = "cancelled"
                raise
            self.ended_by = "gave up"
            return original(index, text, **options)

        monkeypatch.setattr(search, "_search", maybe_slow)


@pytest.fixture
def slow(monkeypatch):
    found = SlowSearch()
    found.install(monkeypatch)
    return found


def my_tags(workspace_dir) -> list[dict]:
    path = workspace_dir / "corpus" / "annotations" / "tester.yaml"
    if not path.exists():
        return []
    return yaml.safe_load(path.read_text(encoding="utf-8")).get("tags") or []


async def wait_for(pilot, event: threading.Event) -> None:
    """Until the slow search has started (not `wait_until`: that waits for workers, the slow search among them)."""
    deadline = time.monotonic() + TIME_LIMIT
    while not event.is_set():
        if time.monotonic() > deadline:
            raise AssertionError("the slow search never started")
        await pilot.pause(0.005)


async def test_a_tag_is_written_while_a_slow_search_runs_and_ctrl_q_quits(session, workspace_dir, slow):
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down")  # the first passage selected
        assert app.main.results.selected_id == "lh-001"
        app.main.search("slow")  # as a keystroke would: the search worker holds the index
        await wait_for(pilot, slow.entered)

        await pilot.press("1")  # hope
        assert {"passage": "lh-001", "theme": "hope"}.items() <= my_tags(workspace_dir)[0].items()
        assert "hope" in app.main.results.hits[0].themes  # the row shows it, read from the YAML
        assert slow.ended_by is None  # the tag did not wait for the search

        await pilot.press("ctrl+q")
    assert slow.ended_by == "cancelled"  # quitting stopped the search; it did not run out its time
    assert [t["theme"] for t in my_tags(workspace_dir)] == ["hope"]


async def test_the_next_keystroke_supersedes_a_slow_search(session, slow):
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press(*"slow")
        await wait_for(pilot, slow.entered)
        await pilot.press("backspace", "backspace", "backspace", "backspace", *"sketching")
        await settle(app, pilot)
        assert slow.ended_by == "cancelled"
        assert [hit.id for hit in app.main.results.hits] == ["lh-005"]


async def test_the_index_catches_up_with_a_tag_made_during_a_search(session, workspace_dir, slow):
    app = AnnotatorApp(session)
    async with app.run_test(size=SIZE) as pilot:
        await settle(app, pilot)
        await pilot.press("down")
        app.main.search("slow")
        await wait_for(pilot, slow.entered)
        await pilot.press("1")
        await pilot.press("slash", *"theme:hope")  # supersedes the slow search; the catch-up follows
        await settle(app, pilot)
        assert "lh-001" in [hit.id for hit in app.main.results.hits]
