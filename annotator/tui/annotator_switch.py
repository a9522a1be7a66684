"""Choosing whose tags are shown (mine, one other annotator's, everyone's) and the agreement screen.

`AnnotatorSwitch` dismisses with the chosen `TagView`; `AgreementScreen` lists the
disagreements between two annotators and dismisses with the passage id chosen, so the
app can open it. Both leave what to do with the answer to the app.
"""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen, Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from annotator.errors import AnnotatorError
from annotator.tag_view import ALL, DISAGREE_MARK, MINE, TagView, choices, view_hit
from annotator.tui.render import literal, one_line


class AnnotatorSwitch(ModalScreen[TagView | None]):
    DEFAULT_CSS = """
    AnnotatorSwitch { align: center middle; }
    AnnotatorSwitch > Vertical { width: 60; height: auto; max-height: 80%; border: round $accent; background: $surface; padding: 0 1; }
    AnnotatorSwitch OptionList { height: auto; max-height: 20; }
    AnnotatorSwitch .hint { color: $text-muted; }
    """
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, session, current: TagView | None = None):
        super().__init__()
        self.session = session
        me = session.default_annotator()
        self.current = current or TagView("all", me)
        self.blind = session.blind()
        # blind coding: my own tags are all there is to choose
        self.views = [TagView(MINE, me)] if self.blind else choices(me, session.annotators())

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static(Text("Whose tags are shown"), classes="title")
            options = []
            for index, view in enumerate(self.views):
                marker = "● " if view == self.current else "  "
                options.append(Option(one_line(marker + view.label), id=str(index)))
            yield OptionList(*options, id="tag-views")
            hint = ("blind coding is on: each annotator sees only their own tags" if self.blind
                    else f"{DISAGREE_MARK} marks passages where the annotators shown disagree")
            yield Static(Text(hint), classes="hint")

    def on_mount(self) -> None:
        option_list = self.query_one(OptionList)
        option_list.highlighted = self.views.index(self.current) if self.current in self.views else 0
        option_list.focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.views[int(event.option.id)])

    def action_cancel(self) -> None:
        self.dismiss(None)


def _fmt(value, percent: bool = False) -> str:
    if value is None:
        return "n/a"
    return f"{value:.0%}" if percent else f"{value:.2f}"


class AgreementScreen(Screen[str | None]):
    """Kappa per theme and the passages two annotators disagree on; enter opens one."""

    DEFAULT_CSS = """
    AgreementScreen #agreement-summary { margin: 1 1 0 1; height: auto; }
    AgreementScreen #agreement-themes { height: auto; max-height: 14; margin: 1 1 0 1; }
    AgreementScreen .heading { text-style: bold; margin: 1 1 0 1; }
    AgreementScreen #disagreements { margin: 0 1; }
    """
    BINDINGS = [Binding("escape", "close", "Back"), Binding("q", "close", "Back", show=False)]

    def __init__(self, session, first: str, second: str):
        super().__init__()
        self.session = session
        self.first, self.second = first, second
        self.report = None

    def compose(self) -> ComposeResult:
        yield Static(id="agreement-summary")
        yield DataTable(id="agreement-themes", cursor_type="none", zebra_stripes=True)
        yield Static("Disagreements — enter opens the passage", classes="heading")
        yield DataTable(id="disagreements", cursor_type="row", zebra_stripes=True)
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#agreement-summary", Static).update(Text("Comparing…"))
        self._compare()

    @work(thread=True, exclusive=True, group="agreement")
    def _compare(self) -> None:
        try:
            report = self.session.pair_agreement(self.first, self.second)
        except AnnotatorError as error:
            self.app.call_from_thread(self.query_one("#agreement-summary", Static).update, literal(str(error)))
            return
        self.app.call_from_thread(self.show_report, report)

    def show_report(self, report) -> None:
        self.report = r = report
        a, b = r.annotator_a, r.annotator_b
        o = r.overall
        summary = one_line(f"{a} and {b}: {len(r.passages)} passage(s) tagged by both. ")
        summary.append(f"Overall kappa {_fmt(o.kappa)}, agreement {_fmt(o.agreement, True)}", style="bold")
        self.query_one("#agreement-summary", Static).update(summary)
        themes = self.query_one("#agreement-themes", DataTable)
        themes.add_columns("theme", "kappa", "agree", "both", one_line(f"only {a}"), one_line(f"only {b}"))
        for theme_id, table in r.themes.items():
            themes.add_row(one_line(theme_id), _fmt(table.kappa), _fmt(table.agreement, True), table.both, table.only_a, table.only_b)
        rows = self.query_one("#disagreements", DataTable)
        rows.add_columns("passage", "both", one_line(a), one_line(b))
        for d in r.disagreements:
            rows.add_row(one_line(d.passage), one_line(", ".join(d.both)), one_line(", ".join(d.only_a)), one_line(", ".join(d.only_b)), key=d.passage)
        rows.focus()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        if event.data_table.id == "disagreements":
            event.stop()
            self.dismiss(event.row_key.value)

    def action_close(self) -> None:
        self.dismiss(None)


def shown_hit(app, hit):
    """The hit as the app's current tag view shows it (every annotator's tags until switched).

    Kept on the app: `tag_view` (None means everyone's); the session keeps the tags by passage."""
    return shown_hits(app, [hit])[0]


def shown_hits(app, hits: list) -> list:
    """`shown_hit` for a page of hits, asking the store once whether the annotations changed."""
    view = getattr(app, "tag_view", None) or TagView(ALL)  # "me" plays no part in the all view
    viewer = app.session.looking()
    if viewer is not None:  # blind coding: my own tags, whatever view was chosen
        view = TagView(MINE, viewer)
    order = [t.id for t in app.look.themes] if hasattr(app, "look") else None
    if not any(getattr(hit, "kind", "passage") == "passage" for hit in hits):
        return list(hits)
    by_passage = app.session.tags_by_passage()
    return [
        view_hit(hit, view, by_passage.get(hit.id, []), order) if getattr(hit, "kind", "passage") == "passage" else hit
        for hit in hits
    ]
