"""The group clustering runs Pol.is's Lloyd loop for many seedings at once (runs that converge
leave the batch while the others go on). Each run must end exactly where the same loop run on
its own ends: the reference below is that loop, one seeding at a time."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground.clusters import _FAR, _SAME_CLUSTERING, _batched_lloyd


def _alone(points: np.ndarray, weights: np.ndarray, seeds: np.ndarray, max_iters: int):  # type: ignore[no-untyped-def]
    alive = seeds >= 0
    centers = np.where(alive[:, None], points[np.maximum(seeds, 0)], _FAR)
    iters = max_iters
    while True:
        d = ((points[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2)
        labels = np.argmin(d, axis=1)
        total = np.bincount(labels, weights, minlength=len(seeds))
        sx = np.bincount(labels, weights * points[:, 0], minlength=len(seeds))
        sy = np.bincount(labels, weights * points[:, 1], minlength=len(seeds))
        kept = total > 0
        safe = np.where(kept, total, 1.0)
        new = np.where(kept[:, None], np.stack([sx / safe, sy / safe], axis=1), _FAR)
        moved = np.hypot(new[:, 0] - centers[:, 0], new[:, 1] - centers[:, 1])
        finished = bool(np.all(~kept | ~alive | (moved < _SAME_CLUSTERING))) or iters == 0
        centers, alive = new, kept
        if finished:
            return centers[alive], (np.cumsum(alive) - 1)[labels]
        iters -= 1


@pytest.mark.parametrize("max_iters", [0, 1, 20])
def test_each_run_of_the_batch_ends_where_it_would_alone(max_iters: int) -> None:
    for trial in range(40):
        rng = np.random.default_rng(trial)
        n, k, runs = int(rng.integers(5, 120)), int(rng.integers(1, 6)), int(rng.integers(1, 16))
        points = rng.normal(size=(n, 2)) * 10.0 ** float(rng.integers(-2, 3))
        if trial % 3 == 0:  # repeated points: centres that lose every member
            points = points[rng.integers(0, max(2, n // 4), size=n)]
        weights = rng.integers(1, 30, size=n).astype(np.float64)
        seeds = np.stack([rng.choice(n, size=k, replace=False) for _ in range(runs)])
        seeds[rng.random(seeds.shape) < 0.1] = -1  # a seeding with fewer centres
        seeds[:, 0] = np.abs(seeds[:, 0])
        batch = _batched_lloyd(points, weights, seeds, max_iters)
        for row, got in zip(seeds, batch, strict=True):
            centers, labels = _alone(points, weights, row, max_iters)
            np.testing.assert_array_equal(got.centers, centers)
            np.testing.assert_array_equal(got.labels, labels)
            np.testing.assert_array_equal(got.ids, np.arange(len(centers)))
