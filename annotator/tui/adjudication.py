"""Adjudication: walk the passages annotators tagged differently and settle each theme into the consensus.

One passage at a time: its text, then each theme someone gave with who gave it and whether
the consensus annotator has it. `a` accepts the highlighted theme into the consensus (the
givers' comments merged), `r` rejects it (removes it if it was accepted), `u` undoes,
`n`/`p` move between passages. Writes go through the app's write path when it has one
(its lock, counts and redraw), else straight through the Session.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from annotator.consensus import merged_comment
from annotator.errors import AnnotatorError
from annotator.tui.render import literal, one_line

ACCEPTED, REJECTED, OPEN = "✓ in consensus", "✗ left out", "· undecided"


class AdjudicationScreen(Screen[None]):
    DEFAULT_CSS = """
    AdjudicationScreen #adjudication-title { text-style: bold; margin: 0 1; height: auto; }
    AdjudicationScreen #adjudication-passage { height: 1fr; max-height: 10; margin: 0 1; border: round $panel; padding: 0 1; }
    AdjudicationScreen #adjudication-themes { height: auto; max-height: 10; margin: 0 1; }
    AdjudicationScreen #adjudication-status { margin: 0 1; height: 1; color: $text-muted; }
    """
    BINDINGS = [
        Binding("a", "accept", "Accept"),
        Binding("r", "reject", "Reject"),
        Binding("n,right", "next", "Next"),
        Binding("p,left", "previous", "Previous"),
        Binding("u", "undo", "Undo"),
        Binding("escape,q", "close", "Back"),
    ]

    def __init__(self, session, names: list[str] | None = None, target: str | None = None):
        super().__init__()
        self.session = session
        self.annotators, self.target, self.disputes = session.disputes(names, target)
        self.position = 0
        self.rejected: set[tuple[str, str]] = set()  # (passage, theme) decided against, this session
        self.undo_stack: list[tuple[str, object]] = []  # ("tag", TagChange) or ("reject", (passage, theme))

    def compose(self) -> ComposeResult:
        yield Static(id="adjudication-title")
        with VerticalScroll(id="adjudication-passage"):
            yield Static(id="adjudication-text")
        yield DataTable(id="adjudication-themes", cursor_type="row", zebra_stripes=True)
        yield Static(id="adjudication-status")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("theme", "given by", "consensus")
        self.show()
        table.focus()

    # -- what is shown -------------------------------------------------------------------------

    @property
    def current(self):
        return self.disputes[self.position] if self.disputes else None

    def show(self, keep_row: int = 0) -> None:
        who = ", ".join(self.annotators)
        title = self.query_one("#adjudication-title", Static)
        table = self.query_one(DataTable)
        table.clear()
        if self.current is None:
            title.update(one_line(f"Adjudicate {who} into '{self.target}': no disagreements to settle"))
            self.query_one("#adjudication-text", Static).update("")
            return
        dispute = self.current
        title.update(one_line(f"Disagreement {self.position + 1} of {len(self.disputes)} · {who} → {self.target}"))
        hit = self.session.get(dispute.passage)
        heading = Text(f"{hit.id}  {', '.join(x for x in (hit.source, hit.location) if x)}\n", style="bold")
        self.query_one("#adjudication-text", Static).update(heading + literal(hit.text))
        settled = self._consensus_themes(dispute.passage)
        for theme, givers in dispute.themes.items():
            table.add_row(literal(theme), literal(f"{', '.join(givers)} ({len(givers)} of {len(dispute.annotators)})"),
                          Text(self._state(dispute.passage, theme, settled)), key=theme)
        table.move_cursor(row=min(keep_row, table.row_count - 1))

    def _state(self, passage: str, theme: str, settled: set[str]) -> str:
        if theme in settled:
            return ACCEPTED
        return REJECTED if (passage, theme) in self.rejected else OPEN

    def _consensus_themes(self, passage: str) -> set[str]:
        return {t.theme for t in self.session.tags_on(passage) if t.annotator == self.target}

    def _highlighted_theme(self) -> str | None:
        table = self.query_one(DataTable)
        if self.current is None or table.row_count == 0:
            return None
        return list(self.current.themes)[table.cursor_row]

    def say(self, message: str) -> None:
        self.query_one("#adjudication-status", Static).update(one_line(message))

    # -- decisions -------------------------------------------------------------------------------

    def action_accept(self) -> None:
        theme = self._highlighted_theme()
        if theme is None:
            return
        passage = self.current.passage
        givers = [t for t in self.session.tags_on(passage) if t.theme == theme and t.annotator in self.annotators]
        changes = self._write(passage, lambda s: s.accept_into_consensus(passage, theme, self.target, self.annotators,
                                                                          comment=merged_comment(givers), index_later=True))
        self.rejected.discard((passage, theme))
        for change in changes or []:
            self.undo_stack.append(("tag", change))
        self.say(f"accepted {theme} on {passage} into '{self.target}'")
        self.show(self.query_one(DataTable).cursor_row)

    def action_reject(self) -> None:
        theme = self._highlighted_theme()
        if theme is None:
            return
        passage = self.current.passage
        changes = self._write(passage, lambda s: s.untag(passage, [theme], annotator=self.target, index_later=True))
        for change in changes or []:
            self.undo_stack.append(("tag", change))
        if (passage, theme) not in self.rejected:
            self.rejected.add((passage, theme))
            self.undo_stack.append(("reject", (passage, theme)))
        self.say(f"left {theme} out of '{self.target}' on {passage}")
        self.show(self.query_one(DataTable).cursor_row)

    def action_undo(self) -> None:
        if not self.undo_stack:
            self.say("nothing to undo")
            return
        kind, what = self.undo_stack.pop()
        if kind == "reject":
            self.rejected.discard(what)
            passage, theme = what
            # a rejection that removed an accepted tag: put the tag back too
            if self.undo_stack and self.undo_stack[-1][0] == "tag" and self.undo_stack[-1][1].tag.theme == theme \
                    and not self.undo_stack[-1][1].added:
                _, change = self.undo_stack.pop()
                self._write(passage, lambda s: s.revert(change, index_later=True))
        else:
            passage, theme = what.tag.passage, what.tag.theme
            self._write(passage, lambda s: s.revert(what, index_later=True))
        self._go_to(passage)
        self.say(f"undone: {theme} on {passage}")

    def _go_to(self, passage: str) -> None:
        for index, dispute in enumerate(self.disputes):
            if dispute.passage == passage:
                self.position = index
        self.show(self.query_one(DataTable).cursor_row)

    def _write(self, passage: str, do):
        """One write through the app's write path (lock, counts, redraw) when it has one."""
        session = getattr(self.session, "unlocked", self.session)
        change = getattr(self.app, "change", None)
        if change is not None:
            result = change(passage, lambda: do(session))
            return result if isinstance(result, list) else None  # the app's FAILED: it said why
        try:
            result = do(session)
        except AnnotatorError as error:
            self.say(str(error))
            return None
        self.session.catch_up()
        return result

    # -- moving ------------------------------------------------------------------------------------

    def action_next(self) -> None:
        if self.disputes and self.position < len(self.disputes) - 1:
            self.position += 1
            self.say("")
            self.show()
        elif self.disputes:
            self.say("that was the last disagreement (escape goes back)")

    def action_previous(self) -> None:
        if self.position > 0:
            self.position -= 1
            self.say("")
            self.show()

    def action_close(self) -> None:
        self.dismiss(None)

    def reload(self) -> None:
        """The app's write path calls this after a change: redraw the decisions."""
        if self.is_mounted:
            self.show(self.query_one(DataTable).cursor_row)
