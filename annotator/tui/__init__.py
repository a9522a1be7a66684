"""The Textual terminal UI. Imported only when the TUI is opened."""

import gc
import os

# Textual paints at most 60 frames a second: results that arrive just after a frame wait up
# to 17 ms for the next. Searching as you type wants them on screen as soon as they exist.
# (Read by Textual at import, so set before it; a user's own TEXTUAL_FPS wins.)
os.environ.setdefault("TEXTUAL_FPS", "120")

from annotator.tui.collector import hold_collector, resume_collector  # noqa: E402, F401 - named here as before


def run_tui(workspace=None) -> int:
    hold_collector()
    try:
        # Textual and the session after the collector is held: their import is most of what it saves.
        from annotator.tui.app import AnnotatorApp
        from annotator.session import Session

        session = Session.open(workspace)
        try:
            app = AnnotatorApp(session)
            app.run()
        finally:
            session.close()
    finally:
        gc.enable()  # also when the app stopped before its first frame
    if app.start_error is not None:
        raise app.start_error  # a broken codebook: one line, as the CLI reports it
    return app.return_code or 0
