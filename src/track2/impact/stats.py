"""The statistics of the evaluation: change in a measure between two surveys, with a percentile
bootstrap confidence interval and an effect size. Pure numpy (no Django), so that every figure
of the report is checked on hand-worked and known-answer cases (tests/impact/test_stats.py).

Paired (the same pseudonym answered both surveys): the change is the mean of the differences,
its effect size Cohen's d_z = mean(diff) / sd(diff). Unpaired: the difference of the means, its
effect size Cohen's d with the pooled standard deviation (Cohen 1988, §2.2; Lakens 2013 for d_z).
The bootstrap draws with a numpy Generator seeded explicitly: the same data give the same
interval on every machine and every run.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

SEED = 20_140_614  # any fixed number: the report's intervals must not change between renderings
N_RESAMPLES = 9_999
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Change:
    """Change of one measure from survey A (before) to survey B (after)."""

    paired: bool
    n_before: int
    n_after: int
    n_pairs: int
    mean_before: float
    mean_after: float
    change: float
    ci_low: float | None  # None when there are too few answers to resample
    ci_high: float | None
    effect_size: float | None  # d_z when paired, d otherwise; None when the spread is zero
    effect_kind: str  # "d_z" or "d"


def _as_array(values: ArrayLike, name: str) -> np.ndarray:
    array = np.asarray(values, dtype=float)
    if array.ndim != 1:
        raise ValueError(f"{name}: a flat list of numbers")
    if not np.all(np.isfinite(array)):
        raise ValueError(f"{name}: every value must be a finite number")
    return array


def percentile_interval(
    samples: Sequence[np.ndarray],
    statistic,
    *,
    n_resamples: int = N_RESAMPLES,
    confidence: float = CONFIDENCE,
    seed: int = SEED,
) -> tuple[float, float]:
    """The percentile bootstrap interval of `statistic(*resampled)`: each sample is resampled
    with replacement, independently, `n_resamples` times (as scipy.stats.bootstrap does with
    method="percentile": the indices of each sample drawn in turn from one Generator)."""
    if not 0 < confidence < 1:
        raise ValueError("confidence is a fraction between 0 and 1")
    rng = np.random.default_rng(seed)
    resampled = [s[rng.integers(0, len(s), (n_resamples, len(s)))] for s in samples]
    values = statistic(*resampled)
    alpha = (1 - confidence) / 2
    low, high = np.percentile(values, [100 * alpha, 100 * (1 - alpha)])
    return float(low), float(high)


def _mean(x: np.ndarray) -> np.ndarray:
    return x.mean(axis=-1)


def _difference_of_means(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return b.mean(axis=-1) - a.mean(axis=-1)


def cohens_d(before: ArrayLike, after: ArrayLike) -> float | None:
    """(mean after − mean before) / pooled sd (ddof 1); None when undefined."""
    a, b = _as_array(before, "before"), _as_array(after, "after")
    if len(a) < 2 or len(b) < 2:
        return None
    pooled = ((len(a) - 1) * a.var(ddof=1) + (len(b) - 1) * b.var(ddof=1)) / (len(a) + len(b) - 2)
    if pooled == 0:
        return None
    return float((b.mean() - a.mean()) / np.sqrt(pooled))


def cohens_dz(differences: ArrayLike) -> float | None:
    """mean(diff) / sd(diff) (ddof 1); None when undefined."""
    d = _as_array(differences, "differences")
    if len(d) < 2 or d.std(ddof=1) == 0:
        return None
    return float(d.mean() / d.std(ddof=1))


def unpaired_change(before: ArrayLike, after: ArrayLike, **bootstrap) -> Change:
    a, b = _as_array(before, "before"), _as_array(after, "after")
    if not len(a) or not len(b):
        raise ValueError("both surveys need at least one answer")
    low = high = None
    if len(a) >= 2 and len(b) >= 2:
        low, high = percentile_interval((a, b), _difference_of_means, **bootstrap)
    return Change(
        paired=False,
        n_before=len(a),
        n_after=len(b),
        n_pairs=0,
        mean_before=float(a.mean()),
        mean_after=float(b.mean()),
        change=float(b.mean() - a.mean()),
        ci_low=low,
        ci_high=high,
        effect_size=cohens_d(a, b),
        effect_kind="d",
    )


def paired_change(pairs: Sequence[tuple[float, float]], **bootstrap) -> Change:
    """`pairs`: (before, after) of each respondent who answered both."""
    array = np.asarray(pairs, dtype=float).reshape(-1, 2)
    a, b = _as_array(array[:, 0], "before"), _as_array(array[:, 1], "after")
    if not len(a):
        raise ValueError("no respondent answered both surveys")
    diff = b - a
    low = high = None
    if len(diff) >= 2:
        low, high = percentile_interval((diff,), _mean, **bootstrap)
    return Change(
        paired=True,
        n_before=len(a),
        n_after=len(b),
        n_pairs=len(diff),
        mean_before=float(a.mean()),
        mean_after=float(b.mean()),
        change=float(diff.mean()),
        ci_low=low,
        ci_high=high,
        effect_size=cohens_dz(diff),
        effect_kind="d_z",
    )


def change_between(
    before: Mapping[str, float], after: Mapping[str, float], *, min_pairs: int = 2, **bootstrap
) -> Change:
    """Change from answers keyed by respondent (pseudonym): paired when at least `min_pairs`
    respondents answered both, else the unpaired comparison of everyone's answers."""
    common = sorted(set(before) & set(after))
    if len(common) >= min_pairs:
        return paired_change([(before[p], after[p]) for p in common], **bootstrap)
    return unpaired_change(list(before.values()), list(after.values()), **bootstrap)
