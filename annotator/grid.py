"""The book at a glance: which themes run through which chapters (LitCharts' theme tracker).

Rows are the locations of each source in reading order (a location that comes back later, as
`ch. 7` after an interlude, is one row, where it first came); columns are the codebook's
themes; a cell counts the passages at that location tagged with the theme (by anyone, or by
one annotator). A span tag counts its passage, as every tag does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import groupby
from operator import itemgetter

from annotator.corpus.store import Store

NO_LOCATION = ""  # passages with no location: one row for the source


@dataclass
class GridRow:
    source: str
    location: str
    passages: list[str] = field(default_factory=list)  # every passage at this location, in order
    tagged: dict[str, list[str]] = field(default_factory=dict)  # theme id -> its passages here

    def count(self, theme_id: str) -> int:
        return len(self.tagged.get(theme_id, ()))


@dataclass
class Grid:
    themes: list[str]
    rows: list[GridRow]
    annotator: str | None = None

    def to_json(self) -> dict:
        return {
            "themes": self.themes,
            "rows": [{"source": r.source, "location": r.location,
                      "counts": {t: r.count(t) for t in self.themes}} for r in self.rows],
        }

    def most(self) -> int:
        return max((r.count(t) for r in self.rows for t in self.themes), default=0)


def build_grid(store: Store, annotator: str | None = None) -> Grid:
    tags = store.annotations(annotator).tags if annotator else store.all_tags()
    themes_of: dict[str, set[str]] = {}
    for tag in tags:
        themes_of.setdefault(tag.passage, set()).add(tag.theme)
    theme_ids = [t.id for t in store.themes()]
    known = set(theme_ids)
    rows: list[GridRow] = []
    for outline in store.outlines():  # ids and locations only: the texts are not read
        by_location: dict[str, GridRow] = {}
        # A run of passages at one location at a time (a chapter's), each run's ids copied in C.
        for location, run in groupby(zip(outline.ids, outline.locations), key=itemgetter(1)):
            row = by_location.get(location)
            if row is None:
                row = by_location[location] = GridRow(outline.source.id, location)
                rows.append(row)
            row.passages.extend(map(itemgetter(0), run))
        for row in by_location.values():
            for passage_id in filter(themes_of.__contains__, row.passages):
                for theme_id in themes_of[passage_id]:
                    if theme_id in known:
                        row.tagged.setdefault(theme_id, []).append(passage_id)
    return Grid(theme_ids, rows, annotator)


def render_grid(grid: Grid, names: dict[str, str], width: int = 100) -> str:
    """The grid as text: a row per location, a column per theme (numbered as in the TUI)."""
    if not grid.rows:
        return "no passages yet: import a text first\n"
    label_width = min(max(len(_label(r)) for r in grid.rows), max(12, width - 4 * len(grid.themes) - 2))
    lines = [" " * label_width + "".join(f"{n:>4}" for n in range(1, len(grid.themes) + 1))]
    for row in grid.rows:
        label = _label(row)
        label = label if len(label) <= label_width else label[: label_width - 1] + "…"
        cells = "".join(f"{row.count(t) or '·':>4}" for t in grid.themes)
        lines.append(f"{label:<{label_width}}{cells}")
    lines.append("")
    lines += [f"{n:>4}  {names.get(t, t)}" for n, t in enumerate(grid.themes, start=1)]
    return "\n".join(lines) + "\n"


def _label(row: GridRow) -> str:
    return f"{row.source} · {row.location or '(no location)'}"
