"""One k-means for the engine: Pol.is's (clusters.kmeans, from clusters.plus_plus_seeds) also
starts Track 2 mode's latent-class fits, on its spectral embedding of a dozen dimensions. In
more than two dimensions each Lloyd step assigns by one product (``_lloyd_by_product``); the
rules must be Pol.is's: the same clusters as the 2-D loop on the same points, empty clusters
dropped, a stop when the sorted centres move less than 0.01 or the steps run out."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground import track2mode
from track2.commonground.clusters import kmeans, kmeans_on_sample, plus_plus_seeds


def _blobs(n: int, dims: int, k: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=3.0, size=(k, dims))
    return centres[rng.integers(k, size=n)] + rng.normal(size=(n, dims))


def _brute_lloyd(points: np.ndarray, seeds: np.ndarray, max_iters: int) -> np.ndarray:
    """Pol.is's cluster-step written plainly: exact distances, empty clusters dropped, stop at
    sorted centres within 0.01 or after max_iters + 1 steps. Returns the final labels."""
    centres = points[seeds].copy()
    iters = max_iters
    while True:
        distance = np.sqrt(((points[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
        labels = distance.argmin(axis=1)
        keep = np.bincount(labels, minlength=len(centres)) > 0
        new = np.array([points[labels == c].mean(axis=0) for c in np.flatnonzero(keep)])
        labels = (np.cumsum(keep) - 1)[labels]
        a = centres[np.lexsort(centres.T[::-1])]
        b = new[np.lexsort(new.T[::-1])]
        n = min(len(a), len(b))
        if iters == 0 or np.all(np.sqrt(((a[:n] - b[:n]) ** 2).sum(axis=1)) < 0.01):
            return labels
        centres = new
        iters -= 1


@pytest.mark.parametrize("dims", [3, 5, 12])
@pytest.mark.parametrize("k", [2, 4, 7])
def test_more_dimensions_follow_the_plain_cluster_step(dims: int, k: int) -> None:
    for seed in range(3):
        points = _blobs(400, dims, k, seed)
        seeds = plus_plus_seeds(points, k, np.random.default_rng(seed))
        for max_iters in (0, 1, 3, 25):
            got = kmeans(points, k, seeds=seeds, max_iters=max_iters)
            want = _brute_lloyd(points, seeds, max_iters)
            np.testing.assert_array_equal(got.labels, want)
            assert got.k == len(np.unique(want))
            for c in range(got.k):
                np.testing.assert_allclose(
                    got.centers[c], points[got.labels == c].mean(axis=0), rtol=1e-12, atol=1e-12
                )


def test_a_zero_coordinate_changes_nothing() -> None:
    """The same points with a third coordinate of 0 everywhere: the 2-D loop (k-d tree,
    Hamerly's bounds, incremental sums) and the product loop give the same clusters, and
    k-means++ draws the same seeds."""
    for seed in range(5):
        flat = _blobs(1_500, 2, 5, seed)
        lifted = np.column_stack([flat, np.zeros(len(flat))])
        seeds = plus_plus_seeds(flat, 5, np.random.default_rng(seed))
        np.testing.assert_array_equal(
            seeds, plus_plus_seeds(lifted, 5, np.random.default_rng(seed))
        )
        two = kmeans(flat, 5, seeds=seeds, max_iters=20)
        three = kmeans(lifted, 5, seeds=seeds, max_iters=20)
        np.testing.assert_array_equal(two.labels, three.labels)
        np.testing.assert_array_equal(two.ids, three.ids)
        np.testing.assert_allclose(three.centers[:, :2], two.centers, rtol=0, atol=1e-12)


def test_a_cluster_left_empty_is_dropped() -> None:
    # Two seeds on the same place: the first takes every point there, the second is left
    # without members and k-means goes on with the others, as Pol.is's cluster-step does.
    points = _blobs(200, 4, 3, 2)
    points = np.vstack([points, points[:1]])  # a copy of point 0, last
    got = kmeans(points, 4, seeds=np.array([0, 200, 1, 2]), max_iters=20)
    assert got.k == 3 and list(got.ids) == [0, 2, 3]
    assert sorted(np.unique(got.labels)) == [0, 1, 2]
    assert got.labels[0] == got.labels[200]


def test_track2_starts_are_the_engine_k_means(monkeypatch: pytest.MonkeyPatch) -> None:
    """Track 2 mode's EM starts come from clusters.kmeans on k-means++ seeds, no other loop."""
    calls: list[tuple[int, int]] = []
    real = track2mode.kmeans

    def counted(points, k, **options):  # type: ignore[no-untyped-def]
        calls.append((points.shape[1], k))
        return real(points, k, **options)

    monkeypatch.setattr(track2mode, "kmeans", counted)
    points = _blobs(300, 8, 3, 1)
    labels = track2mode._kmeans_labels(points, 3, np.random.default_rng(0))
    assert calls == [(8, 3)]
    seeds = plus_plus_seeds(points, 3, np.random.default_rng(0))
    np.testing.assert_array_equal(labels, _brute_lloyd(points, seeds, track2mode._KMEANS_ITERS))


def test_a_sample_s_k_means_in_more_dimensions() -> None:
    """kmeans_on_sample (Pol.is's base clusters of a very large map) in 5 dimensions: every
    point gets the cluster of its nearest fitted centre, and each centre is its members' mean."""
    points = _blobs(3_000, 5, 4, 7)
    got = kmeans_on_sample(points, 4, np.random.default_rng(1), sample_size=500)
    assert got.centers.shape == (got.k, 5) and len(got.labels) == len(points)
    for c in range(got.k):
        np.testing.assert_allclose(got.centers[c], points[got.labels == c].mean(axis=0))
