"""The TUI on a crafted workspace (session 6): what hung the CLI must not hang the app."""

from __future__ import annotations

import os

from pilot_helpers import SMALLEST, wait_until


async def test_a_named_pipe_in_the_corpus_is_said_and_removing_it_opens_the_corpus(workspace_dir):
    """A corpus file that is a named pipe (a cloned repository can hold one) waited for ever for a
    writer: the app's index worker never finished. It is said as a malformed file is, in one toast."""
    from annotator.session import Session
    from annotator.tui.app import AnnotatorApp

    piped = workspace_dir / "corpus" / "passages" / "piped.yaml"
    os.mkfifo(piped)
    session = Session.open(workspace_dir)
    app = AnnotatorApp(session)
    try:
        async with app.run_test(size=SMALLEST) as pilot:
            await wait_until(app, pilot, lambda: "piped.yaml" in app.main.status, "the error in the counter")
            toasts = [n.message for n in app._notifications]
            assert len(toasts) == 1 and "piped.yaml" in toasts[0] and "not a file" in toasts[0]
            piped.unlink()
            await wait_until(app, pilot, lambda: app.index_ready and app.main.results.hits, "the corpus to open")
    finally:
        session.close()
