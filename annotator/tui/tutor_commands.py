"""Command-palette entries for tutors: report, whose tags are shown, agreement, codebook edits.

The app adds them with one line in its `get_system_commands`:
`yield from tutor_commands(self, self.session)`. Optional hooks on the app:
`set_tag_view(view)` (re-render with the chosen TagView), `tag_view` (the current one),
`open_passage(passage_id)` (show a passage), and `refresh_themes()` (after a codebook edit).
"""

from __future__ import annotations

from typing import Iterable

from textual.app import SystemCommand

from annotator.display import clip
from annotator.errors import AnnotatorError
from annotator.tag_view import TagView


# What each codebook edit does, as the palette says it (the CLI's `annotator theme ...` does the same).
EDIT_HELP = {
    "add": "A new theme at the end of the panel, with the next free number",
    "rename": "Give a theme a new name; its id, number and tags stay",
    "color": "Change the colour of a theme's chips and panel dot",
    "describe": "Edit a theme's note: what it means, shown in its view and used by suggestions",
    "parent": "Make a theme a sub-theme of another (searching the parent finds both)",
    "merge": "Move a theme's tags onto another theme and remove it; later numbers move up",
    "delete": "Remove a theme (and, if you confirm, its tags); later numbers move up",
}


def tutor_commands(app, session) -> Iterable[SystemCommand]:
    from annotator.tui.annotator_switch import AgreementScreen, AnnotatorSwitch  # screens: loaded when first used
    from annotator.tui.codebook_screens import EDITS, run_codebook_edit  # screens: loaded when first used
    from annotator.tui.report_screen import ReportScreen  # screens: loaded when first used

    def show_report() -> None:
        app.push_screen(ReportScreen(session))

    def switch_annotator() -> None:
        current = getattr(app, "tag_view", None) or TagView("all", session.default_annotator())
        setter = getattr(app, "set_tag_view", None)

        def chosen(view: TagView | None) -> None:
            if view is None:
                return
            if setter:
                setter(view)
            else:
                app.tag_view = view
            app.notify(f"showing {view.label} tags", markup=False)

        app.push_screen(AnnotatorSwitch(session, current), chosen)

    annotators = session.annotators()
    me = session.default_annotator()
    first = me if me in annotators else (annotators[0] if annotators else me)

    def agreement_with(other: str):
        def open_agreement() -> None:
            opener = getattr(app, "open_passage", None)
            app.push_screen(AgreementScreen(session, first, other), lambda pid: pid and opener and opener(pid))

        return open_agreement

    def comment_on_passage() -> None:
        from annotator.tui.codebook_screens import TextPrompt  # screens: loaded when first used

        finder = getattr(app, "selected_passage_id", None)
        passage_id = finder() if finder else None
        if not passage_id:
            app.notify("Select a passage first (down from the search box).", severity="warning", markup=False)
            return

        def save(text: str | None) -> None:
            if not text or not text.strip():
                return
            # The YAML only (index_later): the app's `change` has the index catch up after.
            writer = getattr(session, "unlocked", session)  # the app's LockedSession, or a Session
            write = lambda: writer.add_passage_comment(passage_id, text.strip(), index_later=True)  # noqa: E731
            through = getattr(app, "comment_change", None)  # the app's write path: its lock, undo, a redraw
            if through:
                through(passage_id, write)
            else:
                write()
                app.notify(f"Comment saved on {passage_id}", timeout=2, markup=False)

        app.push_screen(TextPrompt(f"Comment on {passage_id} as a whole (as {session.default_annotator()})"), save)

    def adjudicate() -> None:
        from annotator.tui.adjudication import AdjudicationScreen

        try:
            screen = AdjudicationScreen(session)
        except AnnotatorError as error:
            app.notify(str(error), severity="warning", markup=False)
            return
        app.push_screen(screen)

    blind = session.blind()
    yield SystemCommand("Comment on the passage", "A comment on the selected passage as a whole, not on one tag", comment_on_passage)
    yield SystemCommand("Report", "Coverage, passages per theme and source, theme co-occurrence", show_report)
    yield SystemCommand("Whose tags are shown", "Mine, one other annotator's, or everyone's (≠ marks disagreement)", switch_annotator)
    if not blind:  # blind coding: nobody sees another's tags, so nothing to compare or settle
        yield SystemCommand("Adjudicate disagreements", "Walk the passages annotators tagged differently; "
                            "accept or reject each theme into the consensus", adjudicate)
    for other in annotators if not blind else ():
        if other != first:
            # Names cut: a long title makes the palette's fuzzy matcher take exponential time.
            yield SystemCommand(f"Agreement: {clip(first, 24)} and {clip(other, 24)}", "Cohen's kappa per theme; the passages where you disagree", agreement_with(other))
    refresh = getattr(app, "refresh_themes", None)
    for edit, title in EDITS.items():
        yield SystemCommand(f"Codebook: {title.lower()}", EDIT_HELP[edit],
                            lambda edit=edit: run_codebook_edit(app, session, edit, refresh))
