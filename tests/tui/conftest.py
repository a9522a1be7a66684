"""Run `async def` tests in this folder with asyncio.run (no async plugin needed)."""

from __future__ import annotations

import asyncio
import inspect

import pytest


@pytest.hookimpl(tryfirst=True)
def pytest_pyfunc_call(pyfuncitem):
    if inspect.iscoroutinefunction(pyfuncitem.obj):
        arguments = {name: pyfuncitem.funcargs[name] for name in pyfuncitem._fixtureinfo.argnames}
        asyncio.run(pyfuncitem.obj(**arguments))
        return True
    return None


@pytest.fixture
def snap_compare(snap_compare):
    """pytest-textual-snapshot's, with every text cursor held steady (shown) for the picture.

    An Input's cursor blinks every 0.5 s: on a loaded machine (or beside other test workers) the
    picture was taken in either phase. Holding it shown gives the screen a user sees as they type.
    """

    def compare(app, press=(), terminal_size=(80, 24), run_before=None):
        async def before(pilot):
            if run_before is not None:
                result = run_before(pilot)
                if inspect.isawaitable(result):
                    await result
            hold_cursors_steady(pilot.app)
            await pilot.pause()

        return snap_compare(app, press=press, terminal_size=terminal_size, run_before=before)

    return compare


def hold_cursors_steady(app) -> None:
    from textual.widgets import Input

    for screen in app.screen_stack:
        for box in screen.query(Input):
            box.cursor_blink = False  # Textual then shows the cursor without blinking


@pytest.fixture
def app(session):
    """The app on the small lighthouse workspace (snap_compare runs it in the snapshot tests)."""
    from annotator.tui.app import AnnotatorApp

    return AnnotatorApp(session)
