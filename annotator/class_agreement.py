"""Agreement among several annotators: Krippendorff's alpha, Fleiss' kappa, pairwise Cohen's kappas.

Units are the passages that at least two of the named annotators tagged with at least
one theme. On such a passage each theme is a yes/no decision by every named annotator
who tagged the passage; the others are missing for it (they did not read it, as far as
we know). The statistics are in `annotator.agreement_stats`; this module turns tags
into the arrays they need and the results into a report.
"""

from __future__ import annotations

from dataclasses import dataclass, field
import re
from itertools import combinations, repeat
from operator import attrgetter
from typing import Iterable

import numpy as np

from annotator import agreement_stats as stats
from annotator.agreement import as_filed, cohen_kappa, compare
from annotator.errors import AnnotatorError


class BadAgreementInput(AnnotatorError):
    """Annotator names that cannot be compared (one only, twice, no tags)."""

    exit_code = 2


@dataclass
class ThemeFigures:
    theme: str
    alpha: float | None
    fleiss_kappa: float | None
    agreement: float | None


@dataclass
class PairKappa:
    a: str
    b: str
    kappa: float | None
    passages: int


@dataclass
class PassageDisagreement:
    """A passage the annotators tagged differently: who tagged it, and who gave each theme."""

    passage: str
    annotators: list[str]
    themes: dict[str, list[str]]
    disagreeing_pairs: int

    def settled(self) -> list[str]:
        return [theme for theme, who in self.themes.items() if len(who) == len(self.annotators)]


@dataclass
class ClassAgreement:
    annotators: list[str]
    passages: int  # units: passages tagged by at least two of them
    full_passages: int  # passages tagged by all of them (Fleiss' kappa's units)
    alpha: float | None
    fleiss_kappa: float | None
    agreement: float | None
    themes: list[ThemeFigures]
    pairs: list[PairKappa]
    disagreements: list[PassageDisagreement]
    disagreeing_passages: int
    missing_themes: dict[str, int] = field(default_factory=dict)  # tags on themes no longer in the codebook
    pair: object = None  # with two annotators, the two-annotator report (annotator.agreement.AgreementReport)

    def to_json(self) -> dict:
        return {
            "annotators": self.annotators,
            "passages": self.passages,
            "alpha": _round(self.alpha),
            "fleiss_kappa": _round(self.fleiss_kappa),
            "agreement": _round(self.agreement),
            "themes": [{"theme": t.theme, "alpha": _round(t.alpha), "fleiss_kappa": _round(t.fleiss_kappa),
                        "agreement": _round(t.agreement)} for t in self.themes],
            "pairs": [{"a": p.a, "b": p.b, "kappa": _round(p.kappa), "passages": p.passages} for p in self.pairs],
            "disagreements": [{"passage": d.passage, "annotators": d.annotators, "themes": d.themes}
                              for d in self.disagreements],
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4) + 0.0


def check_names(names: list[str], known: list[str]) -> list[str]:
    """The names as the workspace spells them; a BadAgreementInput for one name, a repeat, an unknown name."""
    if len(names) < 2:
        raise BadAgreementInput("name at least two annotators to compare")
    by_fold = {name.casefold(): name for name in known}
    resolved = []
    for name in names:
        found = name if name in known else by_fold.get(name.casefold(), by_fold.get(as_filed(name).casefold()))
        if found is None:
            listed = ", ".join(known) or "none yet"
            raise BadAgreementInput(f"no annotator '{name}' in this workspace (annotators: {listed})")
        if found in resolved:
            raise BadAgreementInput(f"'{found}' is named twice; name each annotator once")
        resolved.append(found)
    return resolved


def measure(tags: Iterable[tuple[str, str, str]], annotators: list[str], theme_ids: list[str],
            passage_order: dict[str, int] | None = None, top: int | None = None) -> ClassAgreement:
    """Agreement among `annotators` from (annotator, passage, theme) triples.

    `theme_ids` is the codebook order; themes tagged but not in it are appended (and listed in
    `missing_themes`). `top` limits the disagreements listed (None: all), most disagreement first.
    """
    columns = list(zip(*tags)) or [(), (), ()]
    return measure_columns(*columns, annotators=annotators, theme_ids=theme_ids, passage_order=passage_order, top=top)


def measure_columns(names, passage_ids, theme_col, *, annotators: list[str], theme_ids: list[str],
                    passage_order: dict[str, int] | None = None, top: int | None = None) -> ClassAgreement:
    """`measure` from three parallel sequences (annotator, passage, theme): no tuple per tag."""
    data = _Arrays.build(names, passage_ids, theme_col, annotators, theme_ids)
    n_coders, n_themes = len(annotators), len(data.themes)
    m = data.tagged.sum(axis=1)  # coders per passage

    alpha_sums = _sums_where(data, m, m >= 2)
    fleiss_sums = _sums_where(data, m, m == n_coders)
    units, full = int((m >= 2).sum()), int((m == n_coders).sum())

    themes = [
        ThemeFigures(
            theme,
            stats.alpha(alpha_sums.values[i], alpha_sums.yes[i], alpha_sums.coincident[i]),
            stats.fleiss_kappa(full, n_coders, fleiss_sums.yes[i], fleiss_sums.disagreeing[i]),
            stats.agreement(alpha_sums.pairs[i], alpha_sums.disagreeing[i]),
        )
        for i, theme in enumerate(data.themes)
    ]
    scores = _disagreement_by_passage(data, m)
    disagreeing = np.flatnonzero(scores)
    ranked = _most_disputed(data, scores, disagreeing, passage_order, top)
    return ClassAgreement(
        annotators=list(annotators),
        passages=units,
        full_passages=full,
        alpha=stats.alpha(alpha_sums.values.sum(), alpha_sums.yes.sum(), alpha_sums.coincident.sum()),
        fleiss_kappa=stats.fleiss_kappa(full * n_themes, n_coders, fleiss_sums.yes.sum(), fleiss_sums.disagreeing.sum()),
        agreement=stats.agreement(alpha_sums.pairs.sum(), alpha_sums.disagreeing.sum()),
        themes=themes,
        pairs=_pairwise_kappas(data),
        disagreements=_describe(data, ranked, scores),
        disagreeing_passages=len(disagreeing),
        missing_themes=data.missing_themes,
    )


@dataclass
class _Arrays:
    """Tags as integer arrays: one row per distinct (annotator, passage, theme)."""

    annotators: list[str]
    passages: list[str]
    themes: list[str]
    coder: np.ndarray  # per tag
    passage: np.ndarray
    theme: np.ndarray
    tagged: np.ndarray  # passages x coders, bool: who tagged which passage
    missing_themes: dict[str, int]
    _yes: tuple | None = None

    @classmethod
    def build(cls, names, passage_ids, theme_col, annotators: list[str], theme_ids: list[str]) -> "_Arrays":
        # Strings become integers through dicts mapped in C (dict.fromkeys, map): a class of 30
        # with 20k tags each is 600k tags, and a Python loop over them would be most of the time.
        count = len(names)
        coder_of = {name: i for i, name in enumerate(annotators)}
        theme_of = {theme: i for i, theme in enumerate(theme_ids)}
        known = len(theme_of)
        for theme in dict.fromkeys(theme_col):
            theme_of.setdefault(theme, len(theme_of))
        passage_of = {passage: i for i, passage in enumerate(dict.fromkeys(passage_ids))}
        coder = np.fromiter(map(coder_of.get, names, repeat(-1)), dtype=np.int64, count=count)
        passage = np.fromiter(map(passage_of.__getitem__, passage_ids), dtype=np.int64, count=count)
        theme = np.fromiter(map(theme_of.__getitem__, theme_col), dtype=np.int64, count=count)
        named = coder >= 0
        coder, passage, theme = coder[named], passage[named], theme[named]
        themes = list(theme_of)
        n_coders, n_themes = len(annotators), max(len(themes), 1)
        # one row per distinct tag: a tag repeated in a hand-edited file counts once
        keys = _distinct((passage * n_themes + theme) * n_coders + coder)
        coder, code = keys % n_coders, keys // n_coders
        passage, theme = code // n_themes, code % n_themes
        tagged = np.zeros((len(passage_of), n_coders), dtype=bool)
        tagged[passage, coder] = True
        used = np.bincount(theme[theme >= known], minlength=len(themes))
        missing = {themes[t]: int(used[t]) for t in range(known, len(themes)) if used[t]}
        return cls(list(annotators), list(passage_of), themes, coder, passage, theme, tagged, missing)

    def yes_units(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(passage, theme, k) for every passage x theme some coder said yes to; sorted by passage."""
        if self._yes is None:
            n_themes = max(len(self.themes), 1)
            codes = self.passage * n_themes + self.theme  # sorted already: rows are sorted by (code, coder)
            starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if codes.size else codes
            k = np.diff(np.r_[starts, codes.size])
            self._yes = (self.passage[starts], self.theme[starts], k)
        return self._yes


def _most_disputed(data: _Arrays, scores: np.ndarray, disagreeing: np.ndarray,
                   passage_order: dict[str, int] | None, top: int | None) -> list[int]:
    """Passages by disagreement, most first; ties in corpus order when given, else by id read naturally
    (`nlmg-9` before `nlmg-10`), which is the corpus order of imported ids."""
    candidates = disagreeing
    if top is not None and len(candidates) > top:  # only those that can make the list are sorted
        threshold = np.partition(scores[candidates], len(candidates) - top)[len(candidates) - top]
        candidates = candidates[scores[candidates] >= threshold]
    score = dict(zip(candidates.tolist(), scores[candidates].tolist()))
    if passage_order is not None:
        def tie(p: int):
            return (passage_order.get(data.passages[p], len(passage_order)), data.passages[p])
    else:
        def tie(p: int):
            return _natural(data.passages[p])
    ranked = sorted(score, key=lambda p: (-score[p], tie(p)))
    return ranked if top is None else ranked[:top]


def _natural(text: str) -> tuple:
    """A sort key reading runs of digits as numbers; parts alternate text, number, text..."""
    parts = re.split(r"(\d+)", text)
    return tuple(int(part) if i % 2 else part for i, part in enumerate(parts))


def _distinct(values: np.ndarray) -> np.ndarray:
    values = np.sort(values)
    return values[np.r_[True, values[1:] != values[:-1]]] if values.size else values


def _sums_where(data: _Arrays, m: np.ndarray, included: np.ndarray) -> stats.UnitCounts:
    passage, theme, k = data.yes_units()
    keep = included[passage]
    position = np.cumsum(included) - 1  # passage index -> index among included passages
    return stats.unit_counts(m[included], position[passage[keep]], theme[keep], k[keep], len(data.themes))


def _disagreement_by_passage(data: _Arrays, m: np.ndarray) -> np.ndarray:
    """Disagreeing coder pairs per passage, summed over themes (0 where all who tagged it agree)."""
    passage, _, k = data.yes_units()
    return np.bincount(passage, weights=k * (m[passage] - k), minlength=len(data.passages)).astype(np.int64)


def _pairwise_kappas(data: _Arrays) -> list[PairKappa]:
    """Cohen's kappa for each pair over the passages both tagged, from three matrix products."""
    n_coders, n_passages, n_themes = len(data.annotators), len(data.passages), len(data.themes)
    tagged = data.tagged.astype(np.float64)
    shared = tagged.T @ tagged  # passages both tagged
    per_passage = np.bincount(data.coder * n_passages + data.passage, minlength=n_coders * n_passages)
    tags_on_shared = per_passage.reshape(n_coders, n_passages).astype(np.float64) @ tagged  # a's tags on b's passages
    both = _tags_in_common(data)
    pairs = []
    for a, b in combinations(range(n_coders), 2):
        n = int(shared[a, b]) * n_themes
        common = int(both[a, b])
        only_a, only_b = int(tags_on_shared[a, b]) - common, int(tags_on_shared[b, a]) - common
        kappa = cohen_kappa(common, only_a, only_b, n - common - only_a - only_b)
        pairs.append(PairKappa(data.annotators[a], data.annotators[b], kappa, int(shared[a, b])))
    return pairs


def _tags_in_common(data: _Arrays) -> np.ndarray:
    """coders x coders: how many (passage, theme) tags both gave. Only tags two or more gave matter."""
    n_coders = len(data.annotators)
    _, _, k = data.yes_units()
    unit = np.repeat(np.arange(k.size), k)  # each row's (passage, theme) unit, rows being sorted by unit
    shared = np.repeat(k >= 2, k)
    rows = np.cumsum(k >= 2)[unit[shared]] - 1
    given = np.zeros((int(k[k >= 2].size), n_coders), dtype=np.float64)
    given[rows, data.coder[shared]] = 1.0
    return given.T @ given


def _describe(data: _Arrays, ranked: list[int], scores: np.ndarray) -> list[PassageDisagreement]:
    if not ranked:
        return []
    wanted = np.isin(data.passage, np.array(ranked))
    who_tagged = {p: [data.annotators[c] for c in np.flatnonzero(data.tagged[p])] for p in ranked}
    gave: dict[int, dict[int, list[str]]] = {p: {} for p in ranked}
    for coder, passage, theme in zip(data.coder[wanted].tolist(), data.passage[wanted].tolist(), data.theme[wanted].tolist()):
        gave[passage].setdefault(theme, []).append(data.annotators[coder])
    result = []
    for p in ranked:
        themes = {data.themes[t]: gave[p][t] for t in sorted(gave[p])}
        result.append(PassageDisagreement(data.passages[p], who_tagged[p], themes, int(scores[p])))
    return result


def from_store(store, names: list[str], top: int | None = None) -> ClassAgreement:
    """`measure` over the named annotators' tags in a workspace (names checked first)."""
    annotators = check_names(names, store.annotators())
    for name in annotators:
        if not store.annotations(name).tags:
            raise BadAgreementInput(f"annotator '{name}' has no tags yet; nothing of theirs to compare")
    names, passages, themes = [], [], []
    for name in annotators:
        tags = store.annotations(name).tags
        names += [name] * len(tags)
        passages += map(attrgetter("passage"), tags)
        themes += map(attrgetter("theme"), tags)
    # no passage file is read: ties among the most disputed passages go by id, read naturally
    report = measure_columns(names, passages, themes, annotators=annotators, theme_ids=[t.id for t in store.themes()], top=top)
    if len(annotators) == 2:
        report.pair = compare(store, *annotators)
    return report
