"""The Textual terminal UI. Imported only when the TUI is opened."""

import gc
import os

# Textual paints at most 60 frames a second: results that arrive just after a frame wait up
# to 17 ms for the next. Searching as you type wants them on screen as soon as they exist.
# (Read by Textual at import, so set before it; a user's own TEXTUAL_FPS wins.)
os.environ.setdefault("TEXTUAL_FPS", "120")


def hold_collector() -> None:
    """Keep the cyclic garbage collector out of start-up, until the first frame is painted.

    Start-up makes some 200k objects (Textual's modules, styles, widgets) that all live on;
    the collector would scan them over and over meanwhile (~40 ms of a 0.5 s cold start).
    """
    gc.disable()


def resume_collector() -> None:
    """After the first frame: what start-up made is set aside for good (gc.freeze), and collecting resumes."""
    if not gc.isenabled():  # held by hold_collector; an app run otherwise (tests) keeps its collector as it is
        gc.freeze()
        gc.enable()


def run_tui(workspace=None) -> int:
    hold_collector()
    try:
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
