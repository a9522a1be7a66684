"""The workspace at a glance: passages per theme and per source, coverage, theme co-occurrence.

A passage "has" a theme when any annotator tagged it so (or, given `annotator`,
when that annotator did). Two themes co-occur on a passage that has both.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.display import NAME_CHARS, clip, plural
from annotator.corpus.model import Theme
from annotator.corpus.store import Store


@dataclass
class ThemeRow:
    id: str
    name: str
    parent: str | None
    passages: int
    tags: int
    annotators: list[str]


@dataclass
class SourceRow:
    id: str
    title: str
    passages: int
    tagged: int

    @property
    def untagged(self) -> int:
        return self.passages - self.tagged


@dataclass
class Report:
    annotator: str | None
    themes: list[ThemeRow]
    sources: list[SourceRow]
    cooccurrence: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def passages(self) -> int:
        return sum(s.passages for s in self.sources)

    @property
    def tagged(self) -> int:
        return sum(s.tagged for s in self.sources)

    @property
    def coverage(self) -> float:
        return self.tagged / self.passages if self.passages else 0.0

    def pairs(self) -> list[tuple[str, str, int]]:
        """Distinct theme pairs that share passages, most shared first."""
        ids = [t.id for t in self.themes]
        found = []
        for i, a in enumerate(ids):
            for b in ids[i + 1 :]:
                n = self.cooccurrence[a][b]
                if n:
                    found.append((a, b, n))
        return sorted(found, key=lambda p: (-p[2], ids.index(p[0]), ids.index(p[1])))

    def to_json(self) -> dict:
        return {
            "annotator": self.annotator,
            "passages": self.passages,
            "tagged": self.tagged,
            "untagged": self.passages - self.tagged,
            "coverage": round(self.coverage, 4),
            "themes": [
                {"id": t.id, "name": t.name, "parent": t.parent, "passages": t.passages, "tags": t.tags, "annotators": t.annotators}
                for t in self.themes
            ],
            "sources": [
                {"id": s.id, "title": s.title, "passages": s.passages, "tagged": s.tagged, "untagged": s.untagged}
                for s in self.sources
            ],
            "cooccurrence": self.cooccurrence,
        }


def build_report(store: Store, annotator: str | None = None) -> Report:
    tags = store.annotations(annotator).tags if annotator else store.all_tags()
    themes_of: dict[str, set[str]] = {}
    tag_counts: dict[str, int] = {}
    annotators_of: dict[str, set[str]] = {}
    for tag in tags:
        themes_of.setdefault(tag.passage, set()).add(tag.theme)
        tag_counts[tag.theme] = tag_counts.get(tag.theme, 0) + 1
        annotators_of.setdefault(tag.theme, set()).add(tag.annotator)

    sources = []
    for source_file in store.sources():
        ids = [p.id for p in source_file.passages]
        sources.append(SourceRow(source_file.source.id, source_file.source.title, len(ids), sum(1 for p in ids if themes_of.get(p))))

    codebook: list[Theme] = store.themes()
    theme_ids = [t.id for t in codebook]
    strays = sorted({t for themes in themes_of.values() for t in themes} - set(theme_ids))
    names = {t.id: t for t in codebook}
    rows = []
    for theme_id in theme_ids + strays:
        theme = names.get(theme_id)
        rows.append(
            ThemeRow(
                theme_id,
                theme.name if theme else f"{theme_id} (not in the codebook)",
                theme.parent if theme else None,
                sum(1 for themes in themes_of.values() if theme_id in themes),
                tag_counts.get(theme_id, 0),
                sorted(annotators_of.get(theme_id, ())),
            )
        )
    all_ids = theme_ids + strays
    matrix = {a: {b: 0 for b in all_ids} for a in all_ids}
    for themes in themes_of.values():
        for a in themes:
            for b in themes:
                matrix[a][b] += 1
    return Report(annotator, rows, sources, matrix)


# -- rendering ------------------------------------------------------------------------------


def render_text(report: Report, width: int = 100) -> str:
    """The report as text lines of at most `width` characters (the terminal's, from the CLI)."""
    lines = [_heading(report), ""]
    lines.append(f"Coverage: {report.tagged} of {plural(report.passages, 'passage')} tagged ({report.coverage:.0%}); {report.passages - report.tagged} untagged")
    lines.append("")
    lines.append("Passages per theme")
    # A long name is cut, not padded for; the bar is 20 wide.
    name_width = min(max([len(t.name) for t in report.themes] + [5]), NAME_CHARS, max(12, width - 29))
    most = max([t.passages for t in report.themes] + [1])
    for t in report.themes:
        bar = "█" * round(20 * t.passages / most) if t.passages else ""
        lines.append(f"  {clip(t.name, name_width):<{name_width}} {t.passages:>4}  {bar}")
    lines.append("")
    lines.append("Passages per source")
    for s in report.sources:
        counts = f": {plural(s.passages, 'passage')}, {s.tagged} tagged, {s.untagged} untagged"
        lines.append(f"  {clip(s.title, max(12, width - 2 - len(counts)))}{counts}")
    lines.append("")
    lines.append("Theme co-occurrence")
    lines.append("  (passages tagged with both; the diagonal is each theme's own count)")
    lines.extend(_matrix_lines(report, width))
    pairs = report.pairs()
    if pairs:
        lines.append("")
        lines.append("Themes most often together")
        for a, b, n in pairs[:10]:
            lines.append(f"  {clip(a, 30)} + {clip(b, 30)}: {n}")
    return "\n".join(lines) + "\n"


def _heading(report: Report) -> str:
    return "Report" + (f" — tags by {report.annotator}" if report.annotator else " — all annotators")


MATRIX_LABEL_CHARS = 24


def _matrix_lines(report: Report, width: int = 100) -> list[str]:
    """The co-occurrence matrix; when every theme's column would not fit the width, the most-tagged
    themes that do (in codebook order), and a line saying so."""
    all_ids = [t.id for t in report.themes]
    short = {theme_id: str(i + 1) for i, theme_id in enumerate(all_ids)}
    labels = {i: clip(f"{short[i]} {i}", MATRIX_LABEL_CHARS) for i in all_ids}
    label_width = max([len(label) for label in labels.values()] + [1])
    fits = max(1, (width - 2 - label_width) // 4)
    ids = all_ids
    if len(all_ids) > fits:
        busiest = sorted(report.themes, key=lambda t: -t.passages)[:fits]
        kept = {t.id for t in busiest}
        ids = [i for i in all_ids if i in kept]
    header = " " * (label_width + 2) + "".join(f"{short[i]:>4}" for i in ids)
    rows = [header]
    for a in ids:
        cells = "".join(f"{report.cooccurrence[a][b] if report.cooccurrence[a][b] else '·':>4}" for b in ids)
        rows.append(f"  {labels[a]:<{label_width}}{cells}")
    if len(ids) < len(all_ids):
        rows.append(f"  (the {len(ids)} most-tagged of {len(all_ids)} themes, to fit; --format md has all)")
    return rows


def render_markdown(report: Report) -> str:
    lines = [f"# {_heading(report)}", ""]
    lines.append(f"**Coverage:** {report.tagged} of {report.passages} passages tagged ({report.coverage:.0%}); "
                 f"{report.passages - report.tagged} untagged.")
    lines += ["", "## Passages per theme", "", "| Theme | Passages | Tags | Annotators |", "|---|---:|---:|---|"]
    for t in report.themes:
        lines.append(f"| {_md(t.name)} | {t.passages} | {t.tags} | {', '.join(t.annotators)} |")
    lines += ["", "## Passages per source", "", "| Source | Passages | Tagged | Untagged |", "|---|---:|---:|---:|"]
    for s in report.sources:
        lines.append(f"| {_md(s.title)} | {s.passages} | {s.tagged} | {s.untagged} |")
    ids = [t.id for t in report.themes]
    lines += ["", "## Theme co-occurrence", "", "Passages tagged with both themes; the diagonal is each theme's own count.", ""]
    lines.append("| | " + " | ".join(ids) + " |")
    lines.append("|---|" + "---:|" * len(ids))
    for a in ids:
        lines.append(f"| **{a}** | " + " | ".join(str(report.cooccurrence[a][b]) for b in ids) + " |")
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
