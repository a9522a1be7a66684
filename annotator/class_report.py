"""A class report: per annotator, how many passages and tags, their most used themes, and how
far they agree with the consensus that settles their tags (annotator.consensus), if any."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from annotator.agreement import compare
from annotator.consensus import consensus_of

TOP_THEMES = 3


@dataclass
class AnnotatorLine:
    annotator: str
    passages: int
    tags: int
    top_themes: list[tuple[str, int]]
    consensus: str | None = None  # the consensus annotator settling this one's tags
    kappa_with_consensus: float | None = None
    settles: list[str] = field(default_factory=list)  # for a consensus annotator: whom it settles

    def to_json(self) -> dict:
        return {
            "annotator": self.annotator,
            "passages": self.passages,
            "tags": self.tags,
            "top_themes": [{"theme": theme, "count": count} for theme, count in self.top_themes],
            "consensus": self.consensus,
            "kappa_with_consensus": None if self.kappa_with_consensus is None else round(self.kappa_with_consensus, 4) + 0.0,
            "consensus_of": self.settles,
        }


def by_annotator(store) -> list[AnnotatorLine]:
    files = store.all_annotations()
    settled_by = {name: af.annotator for af in files for name in consensus_of(af)}
    lines = []
    for af in files:
        counts = Counter(t.theme for t in af.tags)
        line = AnnotatorLine(af.annotator, len({t.passage for t in af.tags}), len(af.tags),
                             sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_THEMES], settles=consensus_of(af))
        target = settled_by.get(af.annotator)
        # (a crafted file may name itself among those it settles: no annotator is compared with itself)
        if target and target != af.annotator and af.tags and store.annotations(target).tags:
            line.consensus = target
            line.kappa_with_consensus = compare(store, af.annotator, target).overall.kappa
        lines.append(line)
    return lines


def render_text(lines: list[AnnotatorLine], width: int = 100) -> str:
    """A table, each line cut to `width` (the terminal's) with an ellipsis."""
    from annotator.display import clip

    if not lines:
        return "No annotators yet."
    name_width = max(len("annotator"), *(len(line.annotator) for line in lines))
    kappa_width = max(len("vs consensus"), *(len(_kappa(line)) for line in lines))
    out = [f"{'annotator':<{name_width}}  passages  tags  {'vs consensus':>{kappa_width}}  most used themes"]
    for line in lines:
        themes = ", ".join(f"{theme} {count}" for theme, count in line.top_themes)
        out.append(f"{line.annotator:<{name_width}}  {line.passages:>8}  {line.tags:>4}  {_kappa(line):>{kappa_width}}  {themes}")
    return "\n".join(clip(row, width) for row in out)


def render_markdown(lines: list[AnnotatorLine]) -> str:
    out = ["# Report by annotator", "", "| annotator | passages | tags | kappa vs consensus | most used themes |",
           "|---|---:|---:|---:|---|"]
    for line in lines:
        themes = ", ".join(f"{theme} ({count})" for theme, count in line.top_themes)
        out.append(f"| {_cell(line.annotator)} | {line.passages} | {line.tags} | {_kappa(line)} | {_cell(themes)} |")
    return "\n".join(out) + "\n"


def _kappa(line: AnnotatorLine) -> str:
    if line.settles:
        return "(consensus)"
    if line.consensus is None:
        return "-"
    return "n/a" if line.kappa_with_consensus is None else f"{line.kappa_with_consensus:.2f} ({line.consensus})"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")
