"""Agreement statistics for yes/no decisions by many coders, vectorised with NumPy.

Each *unit* is one passage x theme decision. `m` is how many coders judged the unit
(those who tagged the passage at all; the others are missing) and `k` how many of them
said yes (gave the theme). Every formula below needs only these two numbers per unit,
so units nobody said yes to (k = 0, the vast majority) are counted, never listed.

- Krippendorff's alpha, nominal: 1 - (n - 1) * o01 / (n0 * n1), where o01 = sum k(m-k)/(m-1)
  is the off-diagonal of the coincidence matrix and n0, n1 the pairable no/yes values.
  Undefined (None) when every pairable value is the same (n0 * n1 = 0).
- Fleiss' kappa over units judged by all N coders: (P - Pe) / (1 - Pe), P the mean share of
  agreeing coder pairs, Pe = p^2 + (1-p)^2 with p the share of yes. Undefined when Pe = 1.
- Percent agreement: agreeing coder pairs / all coder pairs, pooled over units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class UnitCounts:
    """Per-theme sums over units; `themes` rows, pooled figures are their column sums.

    For each theme: `values` = sum of m over its units (pairable values), `yes` = sum of k,
    `coincident` = sum of k(m-k)/(m-1), `pairs` = sum of m(m-1)/2, `disagreeing` = sum of k(m-k).
    """

    values: np.ndarray
    yes: np.ndarray
    coincident: np.ndarray
    pairs: np.ndarray
    disagreeing: np.ndarray


def unit_counts(m_per_passage: np.ndarray, passage_of: np.ndarray, theme_of: np.ndarray, k: np.ndarray,
                n_themes: int) -> UnitCounts:
    """Sums per theme. `m_per_passage`: coders per unit passage (each >= 2); the yes-units are given
    sparsely as (passage_of, theme_of, k) with k >= 1; every other passage x theme has k = 0."""
    m_per_passage = np.asarray(m_per_passage, dtype=np.float64)
    m = m_per_passage[passage_of]
    k = np.asarray(k, dtype=np.float64)
    values = np.full(n_themes, m_per_passage.sum())
    pairs = np.full(n_themes, (m_per_passage * (m_per_passage - 1) / 2).sum())
    yes = np.bincount(theme_of, weights=k, minlength=n_themes)
    coincident = np.bincount(theme_of, weights=k * (m - k) / (m - 1), minlength=n_themes)
    disagreeing = np.bincount(theme_of, weights=k * (m - k), minlength=n_themes)
    return UnitCounts(values, yes, coincident, pairs, disagreeing)


def alpha(values: float, yes: float, coincident: float) -> float | None:
    """Krippendorff's alpha (nominal, two values) from the sums in `UnitCounts`."""
    no = values - yes
    if values < 2 or yes <= 0 or no <= 0:
        return None
    return _clean(1.0 - (values - 1) * coincident / (no * yes))


def agreement(pairs: float, disagreeing: float) -> float | None:
    return _clean(1.0 - disagreeing / pairs) if pairs > 0 else None


def fleiss_kappa(units: float, coders: int, yes: float, disagreeing: float) -> float | None:
    """Fleiss' kappa over `units` units each judged by all `coders` (>= 2) coders."""
    if units <= 0 or coders < 2:
        return None
    p_yes = yes / (units * coders)
    expected = p_yes**2 + (1 - p_yes) ** 2
    if expected >= 1.0 - 1e-12:
        return None
    observed = 1.0 - 2.0 * disagreeing / (coders * (coders - 1) * units)
    return _clean((observed - expected) / (1 - expected))


def _clean(value: float) -> float:
    # rounding drops float noise such as -1e-17; + 0.0 turns -0.0 into 0.0
    return round(float(value), 12) + 0.0
