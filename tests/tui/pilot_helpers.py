"""What the TUI tests share: waiting for the app to settle, typing, reading the results.

Waits are on conditions (no worker running, nothing left to refresh, or a predicate the test
names), each with a generous time limit, never a fixed number of rounds: a loaded machine
only makes a test slower, not flaky.
"""

from __future__ import annotations

import time
from typing import Callable

from textual.worker import WorkerCancelled

SIZE = (100, 30)
SMALLEST = (80, 24)
TIME_LIMIT = 20.0  # seconds: far beyond what any step takes, even on a loaded machine


def _busy(app) -> bool:
    return any(not worker.is_finished for worker in app.workers)


async def _workers_done(app) -> None:
    """Until the running workers end; one superseded by a newer one (an exclusive group) counts as ended."""
    try:
        await app.workers.wait_for_complete()
    except WorkerCancelled:
        pass


async def settle(app, pilot, time_limit: float = TIME_LIMIT) -> None:
    """Until every worker (index, search, warm-up step) has finished and its results reached the screen."""
    deadline = time.monotonic() + time_limit
    while True:
        await _workers_done(app)
        await pilot.pause()
        if not _busy(app):  # a worker's result may start another (a search after the index opens)
            await pilot.pause()
            if not _busy(app):
                return
        if time.monotonic() > deadline:
            raise AssertionError(f"the app did not settle in {time_limit:.0f} s: {list(app.workers)}")


async def wait_until(app, pilot, condition: Callable[[], bool], what: str, time_limit: float = TIME_LIMIT) -> None:
    """Until `condition()` holds, letting workers run and the screen refresh between looks."""
    deadline = time.monotonic() + time_limit
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"waited {time_limit:.0f} s for {what}")
        await _workers_done(app)
        await pilot.pause(0.01)


async def type_query(app, pilot, text: str) -> None:
    await pilot.press(*[{" ": "space"}.get(ch, ch) for ch in text])
    await settle(app, pilot)


def result_ids(app) -> list[str]:
    return [hit.id for hit in app.main.results.hits]
