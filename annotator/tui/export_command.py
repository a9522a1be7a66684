"""The palette's Export: the evidence sheet (or csv, json, qdpx) written to a file the user names."""

from __future__ import annotations

from pathlib import Path

from annotator.errors import AnnotatorError


def export_to(session, name: str) -> Path:
    """Write the export the file name's suffix asks for; the path written."""
    path = Path(name).expanduser().resolve()
    data = session.export(session.export_format_for(path))
    session.write_export(path, data)
    return path


def ask_and_export(app) -> None:
    from annotator.tui.codebook_screens import TextPrompt  # screens: loaded when first used

    def chosen(name: str | None) -> None:
        if not name or not name.strip():
            return
        try:
            with app.session.lock:
                path = export_to(app.session.unlocked, name.strip())
                viewer = app.session.unlocked.looking()
                problems = app.session.unlocked.span_problems()
        except AnnotatorError as error:
            app.notify(str(error), severity="error", timeout=8, markup=False)
            return
        for problem in problems:  # as `annotator export` warns: a span not placed, or placed elsewhere
            app.notify(str(problem), severity="warning", timeout=10, markup=False)
        if viewer is not None:
            from annotator.blind import export_note

            note = export_note(viewer)
            app.notify(f"Wrote {path}. {note[0].upper()}{note[1:]}", title="Exported", timeout=10, markup=False)
            return
        app.notify(f"Wrote {path}", title="Exported", timeout=6, markup=False)

    app.push_screen(TextPrompt("Export to which file? (.md evidence sheet, .csv, .json or .qdpx)", "evidence.md"), chosen)
