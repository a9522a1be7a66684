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
def app(session):
    """The app on the small lighthouse workspace (snap_compare runs it in the snapshot tests)."""
    from annotator.tui.app import AnnotatorApp

    return AnnotatorApp(session)
