"""The report screen: coverage, passages per theme as bars, theme co-occurrence as a table."""

from __future__ import annotations

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from annotator.display import NAME_CHARS, clip
from annotator.reports import Report
from annotator.tui.render import one_line

BAR_WIDTH = 30
MIN_BAR = 10  # the least bar kept before names are cut
COUNT_CELLS = 6  # " 1234 " between a name and its bar


class ReportScreen(Screen):
    """`annotator report` in the TUI; `a` cycles whose tags are counted (everyone, then each annotator)."""

    DEFAULT_CSS = """
    ReportScreen { layout: vertical; }
    ReportScreen .report-heading { text-style: bold; margin: 1 0 0 1; }
    ReportScreen #report-summary { margin: 0 1; }
    ReportScreen #report-bars { margin: 0 1; height: auto; }
    ReportScreen #cooccurrence { height: auto; max-height: 20; margin: 0 1; }
    ReportScreen #report-sources { margin: 0 1 1 1; height: auto; }
    """

    BINDINGS = [
        Binding("escape", "close", "Back"),
        Binding("q", "close", "Back", show=False),
        Binding("a", "next_annotator", "Whose tags"),
        Binding("g", "grid", "Chapters × themes"),
    ]

    def __init__(self, session, annotator: str | None = None):
        super().__init__()
        self.session = session
        self.viewer = session.looking()  # blind coding: only the viewer's own tags are counted
        self.annotator = self.viewer or annotator
        self.report: Report | None = None

    def compose(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(id="report-title", classes="report-heading")
            yield Static(id="report-summary")
            yield Static("Passages per theme", classes="report-heading")
            yield Static(id="report-bars")
            yield Static("Theme co-occurrence: passages tagged with both (diagonal: the theme's own count)", classes="report-heading")
            yield DataTable(id="cooccurrence", zebra_stripes=True, cursor_type="cell")
            yield Static("Passages per source", classes="report-heading")
            yield Static(id="report-sources")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#cooccurrence", DataTable).focus()
        self.refresh_report()

    def refresh_report(self) -> None:
        """Count in a worker thread: a large corpus takes seconds to read, and the UI must not wait."""
        self.query_one("#report-summary", Static).update(Text("Counting…"))
        self._count(self.annotator)

    @work(thread=True, exclusive=True, group="report")
    def _count(self, annotator: str | None) -> None:
        report = self.session.report(annotator)
        self.app.call_from_thread(self.show_report, report)

    def show_report(self, report: Report) -> None:
        self.report = report
        who = f"tags by {report.annotator}" if report.annotator else "all annotators"
        self.query_one("#report-title", Static).update(one_line(f"Report — {who}"))
        self.query_one("#report-summary", Static).update(
            Text(f"{report.tagged} of {report.passages} passages tagged ({report.coverage:.0%}); "
                 f"{report.passages - report.tagged} untagged")
        )
        self._draw_bars()
        self._fill_table(report)
        sources = Text()
        for s in report.sources:
            sources.append_text(one_line(f"{s.title}: {s.passages} passages, {s.tagged} tagged, {s.untagged} untagged"))
            sources.append("\n")
        self.query_one("#report-sources", Static).update(sources)

    def on_resize(self) -> None:
        self.call_after_refresh(self._draw_bars)  # the bars fit the new width

    def _draw_bars(self) -> None:
        if self.report is not None:
            # the screen less the bars' margins and the scroll bar (there once the report is longer than the screen)
            room = self.size.width - 2 - 2
            self.query_one("#report-bars", Static).update(bars(self.report, self._colors(), room))

    def _colors(self) -> dict[str, str]:
        return {t.id: t.color for t in self.session.themes() if t.color}

    def _fill_table(self, report: Report) -> None:
        table = self.query_one("#cooccurrence", DataTable)
        table.clear(columns=True)
        ids = [t.id for t in report.themes]
        table.add_column(Text("theme"), key="theme")
        for number, theme_id in enumerate(ids, start=1):
            table.add_column(Text(str(number), justify="right"), key=theme_id)
        for number, a in enumerate(ids, start=1):
            cells: list = [one_line(f"{number} {a}")]
            for b in ids:
                n = report.cooccurrence[a][b]
                style = "bold" if a == b else ("" if n else "dim")
                cells.append(Text(str(n) if n else "·", style=style, justify="right"))
            table.add_row(*cells, key=a)

    def action_next_annotator(self) -> None:
        if self.viewer:
            self.notify("Blind coding is on: only your own tags are counted.", markup=False)
            return
        names = [None, *sorted(self.session.annotators())]
        position = names.index(self.annotator) if self.annotator in names else 0
        self.annotator = names[(position + 1) % len(names)]
        self.refresh_report()

    def action_grid(self) -> None:
        from annotator.tui.grid_screen import GridScreen

        self.app.push_screen(GridScreen(self.annotator))

    def action_close(self) -> None:
        self.app.pop_screen()


def bars(report: Report, colors: dict[str, str], room: int = 0) -> Text:
    """One line per theme: name, count and a bar scaled to the largest count, in `room` cells when
    given: the bar shrinks first, then the names are cut (wrapped, a bar fell under its name)."""
    text = Text()
    width = min(max([len(t.name) for t in report.themes] + [5]), NAME_CHARS)
    bar_width = BAR_WIDTH
    if room:
        width = max(5, min(width, room - COUNT_CELLS - MIN_BAR))
        bar_width = max(1, min(BAR_WIDTH, room - width - COUNT_CELLS))
    most = max([t.passages for t in report.themes] + [1])
    for t in report.themes:
        length = round(bar_width * t.passages / most) if t.passages else 0
        text.append_text(one_line(f"{clip(t.name, width):<{width}} {t.passages:>4} "))
        text.append("█" * length, style=colors.get(t.id) or "cyan")
        text.append("\n")
    return text
