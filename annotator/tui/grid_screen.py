"""The book at a glance (`annotator report --grid`): chapters down, themes across, each cell in its
theme's colour with the passages tagged there; `enter` on a cell lists them, `enter` opens one."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, OptionList, Static
from textual.widgets.option_list import Option

from annotator.errors import AnnotatorError
from annotator.grid import Grid, GridRow
from annotator.tui.bindings import PASSAGE_BINDINGS
from annotator.tui.render import DIM, literal, one_line, result_row

LABEL_CHARS = 24


class GridScreen(Screen):
    DEFAULT_CSS = """
    GridScreen #grid-head { margin: 0 1; }
    GridScreen #grid { height: 1fr; margin: 0 1; }
    GridScreen #grid-themes { margin: 0 1; height: auto; max-height: 4; }
    """
    BINDINGS = [Binding("escape", "app.pop_screen", "Back"), Binding("q", "app.pop_screen", "Back", show=False)]

    def __init__(self, annotator: str | None = None):
        super().__init__()
        self.annotator = annotator
        self.grid: Grid | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text("Counting…"), id="grid-head")
        yield DataTable(id="grid", cursor_type="cell", zebra_stripes=False)
        yield Static(id="grid-themes", markup=False)
        yield Footer(compact=True)

    def on_mount(self) -> None:
        # Blind coding: the viewer's own tags alone, as `report --grid` and the report screen count them.
        self.annotator = self.app.session.looking() or self.annotator
        self.query_one("#grid", DataTable).focus()
        self._count()

    @work(thread=True, exclusive=True, group="grid")
    def _count(self) -> None:
        """In a worker: a large corpus takes a while to read, and the screen must not wait."""
        try:
            grid = self.app.session.grid(self.annotator)
        except AnnotatorError as error:
            self.app.call_from_thread(self.query_one("#grid-head", Static).update, literal(str(error)))
            return
        self.app.call_from_thread(self.show_grid, grid)

    def show_grid(self, grid: Grid) -> None:
        self.grid = grid
        look = self.app.look
        who = f"tags by {self.annotator}" if self.annotator else "all annotators"
        head = f"The book at a glance ({who}): tagged passages per chapter and theme · enter lists a cell's passages"
        self.query_one("#grid-head", Static).update(literal(head, DIM))
        table = self.query_one("#grid", DataTable)
        table.clear(columns=True)
        for number, theme_id in enumerate(grid.themes, start=1):
            table.add_column(Text(str(number), justify="center"), key=theme_id)
        several = len({row.source for row in grid.rows}) > 1  # one book: its chapters need no title
        # Each chapter is its row's label, not a cell: the cursor moves over the counts only (and
        # the label stays in view when many themes scroll the table sideways).
        for index, row in enumerate(grid.rows):
            table.add_row(*(self._cell(row, t, look) for t in grid.themes), key=str(index),
                          label=one_line(_label(row, several)))
        table.move_cursor(**_first_tagged_cell(grid), animate=False)
        self.query_one("#grid-themes", Static).update(self._legend(grid, look))

    def _legend(self, grid: Grid, look) -> Text:
        """`1 Hope  2 Memory  …`, broken between themes (never between a number and its name)."""
        width = max(20, self.size.width - 2)
        legend, line = Text(), 0
        for number, theme_id in enumerate(grid.themes, start=1):
            item = Text(f"{number} ", DIM) + look.chip(theme_id)
            if line and line + 2 + len(item) > width:
                legend.append("\n")
                line = 0
            elif line:
                legend.append("  ")
                line += 2
            legend.append_text(item)
            line += len(item)
        return legend

    @staticmethod
    def _cell(row: GridRow, theme_id: str, look) -> Text:
        n = row.count(theme_id)
        if not n:
            return Text(" · ", style=DIM, justify="center")
        return Text(f" {n} ", style=look.span_style(theme_id), justify="center")

    @on(DataTable.CellSelected)
    def _open_cell(self, event: DataTable.CellSelected) -> None:
        if self.grid is None:
            return
        row = self.grid.rows[event.coordinate.row]
        theme_id = self.grid.themes[event.coordinate.column]
        if row.count(theme_id):
            self.app.push_screen(CellPassages(row, theme_id))


def _first_tagged_cell(grid: Grid) -> dict[str, int]:
    """Where the cursor starts: the book's first tagged cell (enter lists its passages), else the top left."""
    for row_index, row in enumerate(grid.rows):
        for column, theme_id in enumerate(grid.themes):
            if row.count(theme_id):
                return {"row": row_index, "column": column}
    return {"row": 0, "column": 0}


def _label(row: GridRow, with_source: bool) -> str:
    label = (row.location or "(no location)") + (f" · {row.source}" if with_source else "")
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1] + "…"


class CellList(OptionList):
    BINDINGS = [Binding("enter", "select", "Open"), *PASSAGE_BINDINGS]


class CellPassages(Screen):
    """The passages of one cell of the grid: a chapter's passages tagged with a theme."""

    BINDINGS = [Binding("escape", "app.pop_screen", "Back", show=False)]

    def __init__(self, row: GridRow, theme_id: str):
        super().__init__()
        self.row = row
        self.theme_id = theme_id

    def compose(self) -> ComposeResult:
        yield Static(id="cell-head", markup=False)
        yield CellList(id="cell-passages")
        yield Footer(compact=True)

    def on_mount(self) -> None:
        self.reload()
        self.query_one(CellList).focus()

    def selected_passage_id(self) -> str | None:
        passages = self.query_one(CellList)
        if passages.highlighted is None or not passages.option_count:
            return None
        return passages.get_option_at_index(passages.highlighted).id

    def reload(self) -> None:
        look = self.app.look
        ids = self.row.tagged.get(self.theme_id, [])
        head = look.chip(self.theme_id) + literal(f"  {self.row.location or '(no location)'} · {self.row.source} · "
                                                  f"{len(ids)} passage{'s' if len(ids) != 1 else ''} · esc goes back", DIM)
        self.query_one("#cell-head", Static).update(head)
        options = []
        for passage_id in ids:
            try:
                options.append(Option(result_row(self.app.session.get(passage_id), look), id=passage_id))
            except AnnotatorError:
                options.append(Option(literal(passage_id, Style(dim=True)), id=passage_id))
        passages = self.query_one(CellList)
        passages.set_options(options)
        if options:
            passages.highlighted = 0

    @on(OptionList.OptionSelected)
    def _open(self, event: OptionList.OptionSelected) -> None:
        self.app.open_passage(event.option.id)
