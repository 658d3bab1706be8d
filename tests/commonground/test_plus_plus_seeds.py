"""k-means++ seeding reuses its arrays from draw to draw: its draws must be the ones the
seeding as first written gives, bit for bit (the base clusters, and so every Pol.is-mode result
of a cold start, depend on them)."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground.clusters import plus_plus_seeds


def _one_at_a_time(
    points: np.ndarray, k: int, rng: np.random.Generator, weights: np.ndarray | None = None
) -> np.ndarray:
    """The seeding as first written: each seed's distances computed when it is drawn."""
    w = np.ones(len(points)) if weights is None else weights.astype(np.float64)
    x, y = points[:, 0], points[:, 1]

    def draw(mass: np.ndarray) -> int:
        cum = np.cumsum(mass)
        i = int(np.searchsorted(cum, rng.random() * cum[-1], side="right"))
        return min(i, len(mass) - 1)

    chosen = [draw(w)]
    d2 = (x - x[chosen[0]]) ** 2 + (y - y[chosen[0]]) ** 2
    while len(chosen) < k:
        mass = d2 * w
        if mass.sum() <= 0:
            break
        nxt = draw(mass)
        chosen.append(nxt)
        d2 = np.minimum(d2, (x - x[nxt]) ** 2 + (y - y[nxt]) ** 2)
    return np.asarray(chosen, dtype=np.int64)


@pytest.mark.parametrize("n", [1, 2, 7, 138, 201, 600, 3_000])
@pytest.mark.parametrize("weighted", [False, True])
def test_the_same_seeds_as_drawing_one_at_a_time(n: int, weighted: bool) -> None:
    for trial in range(4):
        data = np.random.default_rng([n, trial])
        points = data.normal(scale=10.0 ** data.integers(-3, 4), size=(n, 2))
        if trial % 2:  # repeated points: fewer distinct points than seeds asked
            points = points[data.integers(0, max(1, n // 3), size=n)]
        weights = data.integers(1, 50, size=n).astype(np.float64) if weighted else None
        for k in (1, 2, 5, 100):
            got = plus_plus_seeds(points, k, np.random.default_rng(trial), weights)
            want = _one_at_a_time(points, k, np.random.default_rng(trial), weights)
            np.testing.assert_array_equal(got, want)
            assert len(np.unique(points[got], axis=0)) == len(got)  # distinct points only
