"""Inter-annotator agreement: Cohen's kappa and percent agreement between two annotators.

The units are the passages both annotators tagged with at least one theme. For each
theme in the codebook, each such passage is one binary decision (has the theme or
not) by each annotator; "overall" pools every passage x theme decision. Kappa is
(po - pe) / (1 - pe); when pe is 1 (both annotators made the same single choice
throughout, e.g. neither ever used the theme) kappa is undefined and reported as None.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from annotator.errors import BadInput, NotFound
from annotator.corpus.store import Store


@dataclass
class Table:
    """A 2x2 table of binary decisions by annotators A and B."""

    both: int = 0
    only_a: int = 0
    only_b: int = 0
    neither: int = 0

    def add(self, a: bool, b: bool) -> None:
        if a and b:
            self.both += 1
        elif a:
            self.only_a += 1
        elif b:
            self.only_b += 1
        else:
            self.neither += 1

    @property
    def total(self) -> int:
        return self.both + self.only_a + self.only_b + self.neither

    @property
    def agreement(self) -> float | None:
        return (self.both + self.neither) / self.total if self.total else None

    @property
    def kappa(self) -> float | None:
        return cohen_kappa(self.both, self.only_a, self.only_b, self.neither)


def cohen_kappa(both: int, only_a: int, only_b: int, neither: int) -> float | None:
    n = both + only_a + only_b + neither
    if n == 0:
        return None
    observed = (both + neither) / n
    a_yes, b_yes = (both + only_a) / n, (both + only_b) / n
    expected = a_yes * b_yes + (1 - a_yes) * (1 - b_yes)
    if expected >= 1.0:
        return None
    # rounding drops float noise such as -1e-17; + 0.0 turns -0.0 into 0.0
    return round((observed - expected) / (1 - expected), 12) + 0.0


@dataclass
class Disagreement:
    passage: str
    both: list[str]
    only_a: list[str]
    only_b: list[str]


@dataclass
class AgreementReport:
    annotator_a: str
    annotator_b: str
    passages: list[str]
    themes: dict[str, Table]
    overall: Table
    disagreements: list[Disagreement] = field(default_factory=list)
    only_a_passages: list[str] = field(default_factory=list)
    only_b_passages: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        a, b = self.annotator_a, self.annotator_b

        def figures(table: Table) -> dict:
            return {
                "kappa": _round(table.kappa),
                "agreement": _round(table.agreement),
                "counts": {"both": table.both, "only": {a: table.only_a, b: table.only_b}, "neither": table.neither},
            }

        return {
            "annotators": [a, b],
            "passages": len(self.passages),
            "overall": figures(self.overall),
            "themes": {theme: figures(table) for theme, table in self.themes.items()},
            "disagreements": [
                {"passage": d.passage, "both": d.both, "only": {a: d.only_a, b: d.only_b}} for d in self.disagreements
            ],
            "tagged_by_one": {a: self.only_a_passages, b: self.only_b_passages},
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4) + 0.0


def as_filed(name: str) -> str:
    """The name as `--as` and `config name` file it ("Ana Lima" is annotations/Ana-Lima.yaml)."""
    from annotator.corpus.identity import clean_name

    try:
        return clean_name(name)
    except BadInput:
        return name


def resolve_annotator(store: Store, name: str) -> str:
    known = store.annotators()
    if name in known:
        return name
    for candidate in known:
        if candidate.casefold() in (name.casefold(), as_filed(name).casefold()):
            return candidate
    listed = ", ".join(known) or "none yet"
    raise NotFound(f"no annotator '{name}' in this workspace (annotators: {listed})")


def compare(store: Store, a: str, b: str) -> AgreementReport:
    a, b = resolve_annotator(store, a), resolve_annotator(store, b)
    if a == b:
        raise BadInput("name two different annotators to compare")
    themes_a = _themes_by_passage(store, a)
    themes_b = _themes_by_passage(store, b)
    order = _corpus_order(store)
    shared = sorted(set(themes_a) & set(themes_b), key=lambda p: (order.get(p, len(order)), p))
    theme_ids = [t.id for t in store.themes()]
    used = {t for p in shared for t in themes_a[p] | themes_b[p]}
    theme_ids += sorted(used - set(theme_ids))  # tags on themes since removed from the codebook still count

    per_theme = {theme: Table() for theme in theme_ids}
    overall = Table()
    disagreements = []
    for passage in shared:
        mine, theirs = themes_a[passage], themes_b[passage]
        for theme in theme_ids:
            per_theme[theme].add(theme in mine, theme in theirs)
            overall.add(theme in mine, theme in theirs)
        if mine != theirs:
            disagreements.append(
                Disagreement(passage, _ordered(mine & theirs, theme_ids), _ordered(mine - theirs, theme_ids), _ordered(theirs - mine, theme_ids))
            )
    return AgreementReport(
        a, b, shared, per_theme, overall, disagreements,
        only_a_passages=sorted(set(themes_a) - set(themes_b), key=lambda p: (order.get(p, len(order)), p)),
        only_b_passages=sorted(set(themes_b) - set(themes_a), key=lambda p: (order.get(p, len(order)), p)),
    )


def _themes_by_passage(store: Store, annotator: str) -> dict[str, set[str]]:
    result: dict[str, set[str]] = {}
    for tag in store.annotations(annotator).tags:
        result.setdefault(tag.passage, set()).add(tag.theme)
    return result


def _corpus_order(store: Store) -> dict[str, int]:
    order: dict[str, int] = {}
    for outline in store.outlines():  # the ids in order: no passage text is needed
        for passage_id in outline.ids:
            order.setdefault(passage_id, len(order))
    return order


def _ordered(themes: set[str], theme_ids: list[str]) -> list[str]:
    return [t for t in theme_ids if t in themes]
