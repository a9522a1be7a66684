"""The Textual terminal UI. Imported only when the TUI is opened."""


def run_tui(workspace=None) -> int:
    from annotator.tui.app import AnnotatorApp
    from annotator.session import Session

    session = Session.open(workspace)
    try:
        app = AnnotatorApp(session)
        app.run()
    finally:
        session.close()
    return app.return_code or 0
