"""Pol.is k-means (plain and weighted) with warm starts, and the Pol.is silhouette.

Follows polismath/math/clusters.clj: Lloyd iterations where empty clusters are dropped, a
stop when the sorted centres move less than 0.01, warm starts that recentre the previous
clusters on the new positions and split off the most distal point while there are fewer
clusters than asked (``clean-start-clusters``), and a cold start from the first k distinct
points. Pol.is's points are 2-D (PCA projections or base-cluster centres), so assignment is a
k-d tree search over the centres, and Hamerly's bounds skip points whose centre cannot
have changed (exact, only faster).

The same k-means, from k-means++ seeds, starts Track 2 mode's latent-class fits on its spectral
embedding of a dozen dimensions (track2mode), so the engine has one k-means. In more than two
dimensions each step assigns every point by one matrix product (:func:`_lloyd_by_product`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

_SAME_CLUSTERING = 0.01  # clusters.clj same-clustering? threshold
_RESUM = 10  # steps between exact recomputations of the cluster sums
_FAR = 1e150  # parking place of a dropped centre in batched runs (squared: still finite)
_DENSE_ASSIGN = 20_000  # points × centres below which distances are tabulated directly


@dataclass(frozen=True, eq=False)
class Clustering:
    """Clusters of points: ``ids[c]`` names cluster c, ``centers[c]`` its centre, and
    ``labels[i]`` the position (0..k-1, not the id) of the cluster of point i."""

    ids: np.ndarray
    centers: np.ndarray
    labels: np.ndarray

    @property
    def k(self) -> int:
        return len(self.ids)

    def members(self, c: int) -> np.ndarray:
        return np.flatnonzero(self.labels == c)

    def sizes(self, weights: np.ndarray | None = None) -> np.ndarray:
        w = None if weights is None else weights.astype(np.float64)
        return np.bincount(self.labels, weights=w, minlength=self.k)


def nearest_center(points: np.ndarray, centers: np.ndarray) -> np.ndarray:
    """Index of the nearest centre of every point."""
    _, idx = cKDTree(centers).query(points, k=1)
    return np.asarray(idx, dtype=np.int64)


def _sorted_centers(centers: np.ndarray) -> np.ndarray:
    """Centres sorted by their first coordinate, ties by the next (lexsort's last key leads)."""
    order = np.lexsort(centers.T[::-1])
    return centers[order]


def _same_clustering(a: np.ndarray, b: np.ndarray) -> bool:
    """clusters.clj same-clustering?: sorted centres pairwise closer than 0.01 (zip truncates)."""
    sa, sb = _sorted_centers(a), _sorted_centers(b)
    n = min(len(sa), len(sb))
    return bool(np.all(np.sqrt(((sa[:n] - sb[:n]) ** 2).sum(axis=1)) < _SAME_CLUSTERING))


def _two_nearest(
    points: np.ndarray, centers: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest centre of each point, the distance to it, and the distance to the second
    nearest (inf with one centre), by an exact k-d tree search over the (few) centres."""
    if len(points) * len(centers) <= _DENSE_ASSIGN:
        # Few points (group clustering of base clusters): a dense distance table is cheaper
        # than building a tree every step.
        d = np.hypot(
            points[:, None, 0] - centers[None, :, 0], points[:, None, 1] - centers[None, :, 1]
        )
        rows = np.arange(len(points))
        first = np.argmin(d, axis=1)
        best = d[rows, first]
        if len(centers) == 1:
            return first, best, np.full(len(points), np.inf)
        d[rows, first] = np.inf
        return first, best, d.min(axis=1)
    tree = cKDTree(centers)
    if len(centers) == 1:
        dist, idx = tree.query(points, k=1)
        return idx.astype(np.int64), dist, np.full(len(points), np.inf)
    dist, idx = tree.query(points, k=2)
    return idx[:, 0].astype(np.int64), dist[:, 0].copy(), dist[:, 1].copy()


def _lloyd(
    points: np.ndarray,
    ids: np.ndarray,
    centers: np.ndarray,
    weights: np.ndarray | None,
    max_iters: int,
) -> Clustering:
    """Pol.is's Lloyd loop (cluster-step until same-clustering? or out of iterations).

    Assignments are exact, but most points are skipped after the first steps with Hamerly's
    bounds (Hamerly 2010): an upper bound on the distance to the own centre and a lower bound
    on the distance to any other centre, moved by how far the centres moved. A point is only
    re-examined when the bounds no longer prove its centre is still the nearest. Cluster sums
    are updated from the points that changed cluster (and recomputed from scratch every
    ``_RESUM`` steps so rounding cannot drift).
    """
    labels, upper, lower = _two_nearest(points, centers)
    x = np.ascontiguousarray(points[:, 0])
    y = np.ascontiguousarray(points[:, 1])
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    wx, wy = w * x, w * y

    acc = np.stack(
        [
            np.bincount(labels, minlength=len(ids)).astype(np.float64),
            np.bincount(labels, w, minlength=len(ids)),
            np.bincount(labels, wx, minlength=len(ids)),
            np.bincount(labels, wy, minlength=len(ids)),
        ]
    )
    iters = max_iters
    step = 0
    while True:
        with np.errstate(invalid="ignore", divide="ignore"):
            new_centers = np.column_stack([acc[2] / acc[1], acc[3] / acc[1]])
        keep = acc[0] > 0
        if not keep.all():  # cluster-step drops clusters left without members
            labels = (np.cumsum(keep) - 1)[labels]
            acc = acc[:, keep]
        new_ids, kept_new, kept_old = ids[keep], new_centers[keep], centers[keep]
        if iters == 0 or _same_clustering(centers, kept_new):
            return Clustering(new_ids, kept_new, labels)
        moved = np.hypot(kept_new[:, 0] - kept_old[:, 0], kept_new[:, 1] - kept_old[:, 1])
        ids, centers = new_ids, kept_new
        k = len(ids)
        upper += moved[labels]
        lower -= moved.max()  # dropping a centre can only raise the true lower bound
        if k > 1:
            gap = np.hypot(
                centers[:, None, 0] - centers[None, :, 0], centers[:, None, 1] - centers[None, :, 1]
            )
            np.fill_diagonal(gap, np.inf)
            half = 0.5 * gap.min(axis=1)
            bound = np.maximum(lower, half[labels])
        else:
            bound = np.full(len(points), np.inf)
        check = np.flatnonzero(upper > bound)
        if len(check):
            own = centers[labels[check]]
            upper[check] = np.hypot(x[check] - own[:, 0], y[check] - own[:, 1])
            check = check[upper[check] > bound[check]]
        if len(check):
            before = labels[check]
            labels[check], upper[check], lower[check] = _two_nearest(points[check], centers)
            switched = labels[check] != before
            moved_pts = check[switched]
            if len(moved_pts):
                # one bincount over (sum row, cluster) for arrivals and one for departures
                vals = np.concatenate(
                    [np.ones(len(moved_pts)), w[moved_pts], wx[moved_pts], wy[moved_pts]]
                )
                rows4 = np.repeat(np.arange(4) * k, len(moved_pts))
                acc += np.bincount(
                    rows4 + np.tile(labels[moved_pts], 4), vals, minlength=4 * k
                ).reshape(4, k)
                acc -= np.bincount(
                    rows4 + np.tile(before[switched], 4), vals, minlength=4 * k
                ).reshape(4, k)
        step += 1
        if step % _RESUM == 0:
            acc = np.stack(
                [
                    np.bincount(labels, minlength=k).astype(np.float64),
                    np.bincount(labels, w, minlength=k),
                    np.bincount(labels, wx, minlength=k),
                    np.bincount(labels, wy, minlength=k),
                ]
            )
        iters -= 1


def _lloyd_by_product(
    points: np.ndarray,
    ids: np.ndarray,
    centers: np.ndarray,
    weights: np.ndarray | None,
    max_iters: int,
) -> Clustering:
    """:func:`_lloyd` for points of more than two coordinates (Track 2 mode's starts): the same
    steps and rules (a cluster left empty is dropped; stop at same-clustering? or out of
    iterations), but each step assigns every point to its nearest centre by one product
    (|c|² − 2 p·c) and sums the clusters afresh. Hamerly's bounds and the k-d tree cost more
    numpy calls per step than they save there: a start on 339 points in 10 dimensions took
    2.3 ms that way against 1.1 ms this way."""
    n = len(points)
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    weighted = [np.ascontiguousarray(w * points[:, c]) for c in range(points.shape[1])]
    labels = None
    iters = max_iters
    while True:
        scores = points @ centers.T
        scores *= -2.0
        scores += np.einsum("ij,ij->i", centers, centers)
        previous, labels = labels, scores.argmin(axis=1)
        if previous is not None and np.array_equal(labels, previous):
            return Clustering(ids, centers, labels)  # the same members: the same centres
        k = len(ids)
        keep = np.bincount(labels, minlength=k) > 0  # cluster-step drops clusters left empty
        total = np.bincount(labels, w, minlength=k)[keep]
        new_centers = np.column_stack(
            [np.bincount(labels, part, minlength=k)[keep] / total for part in weighted]
        )
        if not keep.all():
            labels = (np.cumsum(keep) - 1)[labels]
        ids = ids[keep]
        if iters == 0 or _same_clustering(centers, new_centers):
            return Clustering(ids, new_centers, labels)
        centers = new_centers
        iters -= 1


def first_distinct(points: np.ndarray, k: int, order: np.ndarray | None = None) -> np.ndarray:
    """Positions of the first k distinct points (in ``order`` if given): init-clusters."""
    idx = np.arange(len(points)) if order is None else order
    seen: set[tuple[float, float]] = set()
    chosen: list[int] = []
    for i in idx.tolist():
        key = (float(points[i, 0]), float(points[i, 1]))
        if key not in seen:
            seen.add(key)
            chosen.append(i)
            if len(chosen) == k:
                break
    return np.asarray(chosen, dtype=np.int64)


def plus_plus_seeds(
    points: np.ndarray, k: int, rng: np.random.Generator, weights: np.ndarray | None = None
) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007), distinct points only, weighted.

    Each draw picks a point with probability ∝ weight × squared distance to the nearest seed so
    far. With many draws on few points (Pol.is's 100 base clusters of a small conversation: 100
    draws on 138 points) the cost is the numpy calls per draw, not their size, so a draw reuses
    its arrays (cumulative sums and nearest distances written in place, no weights of one to
    multiply by, the running total's last entry as the test for no mass left). A table of every
    pair's distance was slower: building it is fresh memory, and only k of its n rows are read."""
    points = np.asarray(points, dtype=np.float64)
    coords = [np.ascontiguousarray(points[:, c]) for c in range(points.shape[1])]
    n = len(points)
    w = None if weights is None else weights.astype(np.float64)
    cum = np.cumsum(np.ones(n) if w is None else w)
    first = min(int(cum.searchsorted(rng.random() * cum[-1], side="right")), n - 1)
    chosen = [first]
    lead, rest = coords[0], coords[1:]
    d2 = (lead - lead[first]) ** 2
    for coord in rest:
        d2 += (coord - coord[first]) ** 2
    # Scratch arrays for each draw's products (ndarray methods: no dispatch wrappers). The same
    # operations in the same order as summing (coordinate - its value at the seed) ** 2 over
    # the coordinates, so the same seeds.
    near, part, mass = np.empty(n), np.empty(n), d2 if w is None else np.empty(n)
    while len(chosen) < k:
        if w is not None:
            np.multiply(d2, w, out=mass)
        mass.cumsum(out=cum)
        if not cum[-1] > 0:
            break  # every point coincides with a seed: no more distinct points
        nxt = min(int(cum.searchsorted(rng.random() * cum[-1], side="right")), n - 1)
        chosen.append(nxt)
        np.subtract(lead, lead[nxt], out=near)
        np.multiply(near, near, out=near)
        for coord in rest:
            np.subtract(coord, coord[nxt], out=part)
            np.multiply(part, part, out=part)
            np.add(near, part, out=near)
        np.minimum(d2, near, out=d2)
    return np.asarray(chosen, dtype=np.int64)


def inertia(points: np.ndarray, clustering: Clustering, weights: np.ndarray | None = None) -> float:
    """Weighted sum of squared distances of points to their cluster centre."""
    w = np.ones(len(points)) if weights is None else weights.astype(np.float64)
    d2 = ((points - clustering.centers[clustering.labels]) ** 2).sum(axis=1)
    return float((w * d2).sum())


def _clean_start(
    points: np.ndarray, k: int, start: Sequence[tuple[int, np.ndarray]], weights: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """clean-start-clusters: recentre previous clusters on the current points, merge clusters
    whose centres coincide, then split off the most distal point until there are
    min(k, number of distinct points) clusters. Returns ids, centres, member labels (-1 if none).
    """
    w = np.ones(len(points)) if weights is None else weights.astype(np.float64)
    labels = np.full(len(points), -1, dtype=np.int64)
    ids: list[int] = []
    centers: list[np.ndarray] = []
    for cid, members in start:
        members = np.asarray(members, dtype=np.int64)
        members = members[(members >= 0) & (labels[members] == -1)] if len(members) else members
        if len(members) == 0:
            continue  # safe-recenter-clusters drops clusters with no current member
        center = (w[members, None] * points[members]).sum(axis=0) / w[members].sum()
        # uniqify-clusters: a cluster whose centre equals an earlier one is merged into it.
        match = next((c for c, other in enumerate(centers) if np.array_equal(other, center)), None)
        if match is None:
            labels[members] = len(ids)
            ids.append(int(cid))
            centers.append(center)
        else:
            labels[members] = match
    if not ids:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 2)), labels
    distinct = len(np.unique(points, axis=0))
    possible = min(k, distinct)

    def recenter() -> None:
        for c in range(len(ids)):
            mem = labels == c
            if mem.any():
                centers[c] = (w[mem, None] * points[mem]).sum(axis=0) / w[mem].sum()

    recenter()
    while len(ids) < possible:
        cen = np.asarray(centers)
        nearest = np.sqrt(((points - cen[nearest_center(points, cen)]) ** 2).sum(axis=1))
        far = int(np.argmax(nearest))
        if nearest[far] <= 0:
            break
        labels[far] = len(ids)
        ids.append(max(ids) + 1)
        centers.append(points[far].astype(np.float64).copy())
        recenter()
    return np.asarray(ids, dtype=np.int64), np.asarray(centers, dtype=np.float64), labels


def kmeans(
    points: np.ndarray,
    k: int,
    *,
    weights: np.ndarray | None = None,
    start: Sequence[tuple[int, np.ndarray]] | None = None,
    init_order: np.ndarray | None = None,
    seeds: np.ndarray | None = None,
    max_iters: int = 20,
) -> Clustering:
    """Pol.is k-means on ``points`` (rows; any number of coordinates).

    ``start``: previous clusters as (id, member positions) for a warm start. Without it,
    ``seeds`` (point positions) or else the first k distinct points (in ``init_order``) seed
    clusters 0..k-1. Runs at most ``max_iters + 1`` Lloyd steps, stopping when the sorted
    centres move less than 0.01.
    """
    points = np.asarray(points, dtype=np.float64)
    if len(points) == 0:
        raise ValueError("k-means needs at least one point")
    ids: np.ndarray
    centers: np.ndarray
    if start:
        ids, centers, _ = _clean_start(points, k, start, weights)
    else:
        ids = np.zeros(0, dtype=np.int64)
        centers = np.zeros((0, 2))
    if len(ids) == 0:
        if seeds is None:
            seeds = first_distinct(points, k, init_order)
        ids = np.arange(len(seeds), dtype=np.int64)
        centers = points[seeds].copy()
    lloyd = _lloyd if points.shape[1] == 2 else _lloyd_by_product
    return lloyd(points, ids, centers, weights, max_iters)


def kmeans_on_sample(
    points: np.ndarray, k: int, rng: np.random.Generator, *, sample_size: int, max_iters: int = 20
) -> Clustering:
    """k-means for very many points: k-means++ seeds and Pol.is's Lloyd loop on a seeded
    sample of ``sample_size`` points, then one Lloyd step on all of them (each point to its
    nearest centre, each centre to the mean of its members; a centre left without members is
    dropped). With 100 clusters a 100k sample places the centres within sampling noise of a
    run on every point; at a million points the Lloyd steps on all of them cost 8 s of CPU
    (docs/benchmarks.md, 1M × 5k)."""
    points = np.asarray(points, dtype=np.float64)
    if len(points) <= sample_size:
        return kmeans(points, k, seeds=plus_plus_seeds(points, k, rng), max_iters=max_iters)
    chosen = np.sort(rng.choice(len(points), size=sample_size, replace=False))
    sample = points[chosen]
    fitted = kmeans(sample, k, seeds=plus_plus_seeds(sample, k, rng), max_iters=max_iters)
    labels = nearest_center(points, fitted.centers)
    count = np.bincount(labels, minlength=fitted.k)
    keep = count > 0
    sums = np.column_stack(
        [np.bincount(labels, points[:, d], minlength=fitted.k) for d in range(points.shape[1])]
    )
    centers = sums[keep] / count[keep, None]
    return Clustering(fitted.ids[keep], centers, (np.cumsum(keep) - 1)[labels])


def _batched_lloyd(
    points: np.ndarray, weights: np.ndarray, seeds: np.ndarray, max_iters: int
) -> list[Clustering]:
    """Pol.is's Lloyd loop run for several seedings at once (rows of ``seeds``, point
    positions, -1 = no centre). Same steps as :func:`kmeans` for each seeding — clusters that
    lose every member are dropped, a run stops when its centres move < 0.01 — but vectorised
    over the seedings still running, which matters when the points are few (base clusters).
    A centre is compared with itself between steps, not after sorting as Pol.is does (its
    clusters live in a map). ``weights`` must be positive."""
    b_count, k = seeds.shape
    n = len(points)
    alive = seeds >= 0
    # A dropped centre is parked far away: it is never the nearest and needs no NaN checks.
    centers = np.where(alive[:, :, None], points[np.maximum(seeds, 0)], _FAR)
    out_labels = np.zeros((b_count, n), dtype=np.int64)
    px = points[None, :, 0, None]
    py = points[None, :, 1, None]
    # The weights repeated for every run; a batch of ``a`` runs still going reads the first a.
    tiled = np.tile(np.stack([weights, weights * points[:, 0], weights * points[:, 1]]), b_count)
    offsets = (np.arange(b_count) * k)[:, None]  # each run's first slot in the flat sums
    active = np.arange(b_count)
    iters = max_iters
    # A step is a few dozen numpy calls on small arrays, so each call saved counts: squares and
    # sums in place, one division per coordinate into the new centres (the same operations, so
    # the same results bit for bit).
    while len(active):
        c = centers[active]
        a = len(active)
        dx = px - c[:, None, :, 0]
        dy = py - c[:, None, :, 1]
        np.multiply(dx, dx, out=dx)
        np.multiply(dy, dy, out=dy)
        dx += dy
        labels = np.argmin(dx, axis=2)  # A × n
        flat = (labels + offsets[:a]).ravel()
        total = np.bincount(flat, tiled[0, : a * n], minlength=a * k).reshape(a, k)
        sx = np.bincount(flat, tiled[1, : a * n], minlength=a * k).reshape(a, k)
        sy = np.bincount(flat, tiled[2, : a * n], minlength=a * k).reshape(a, k)
        kept = total > 0
        safe = np.where(kept, total, 1.0)
        new = np.empty((a, k, 2))
        np.divide(sx, safe, out=new[:, :, 0])
        np.divide(sy, safe, out=new[:, :, 1])
        new[~kept] = _FAR
        moved = np.hypot(new[:, :, 0] - c[:, :, 0], new[:, :, 1] - c[:, :, 1])
        # converged when every centre that survives moved less than the threshold
        finished = np.all(~(kept & alive[active]) | (moved < _SAME_CLUSTERING), axis=1)
        if iters == 0:
            finished[:] = True
        centers[active] = new
        alive[active] = kept
        out_labels[active[finished]] = labels[finished]
        active = active[~finished]
        iters -= 1
    result = []
    for b in range(b_count):
        keep = alive[b]
        remap = np.cumsum(keep) - 1
        result.append(
            Clustering(
                np.arange(int(keep.sum()), dtype=np.int64), centers[b][keep], remap[out_labels[b]]
            )
        )
    return result


def cold_start_groups(
    points: np.ndarray,
    ks: range | list[int],
    rng: np.random.Generator,
    *,
    weights: np.ndarray | None = None,
    n_init: int = 6,
    max_iters: int = 20,
) -> dict[int, Clustering]:
    """For each k, the best (least weighted inertia) of Pol.is's own seeding (first k
    distinct points) and ``n_init - 1`` k-means++ seedings, all run in one batch.
    (Pol.is never needs restarts: it warm-starts from its previous update.)"""
    points = np.asarray(points, dtype=np.float64)
    w = np.ones(len(points)) if weights is None else np.asarray(weights, dtype=np.float64)
    if np.any(w <= 0):
        raise ValueError("weights must be positive")
    k_max = max(ks)
    rows: list[np.ndarray] = []
    owner: list[int] = []
    for k in ks:
        first = first_distinct(points, k)
        seedings = [first]
        for _ in range(n_init - 1):
            extra = plus_plus_seeds(points, len(first), rng, w)
            if len(extra) == len(first):
                seedings.append(extra)
        for seeds in seedings:
            padded = np.full(k_max, -1, dtype=np.int64)
            padded[: len(seeds)] = seeds
            rows.append(padded)
            owner.append(k)
    runs = _batched_lloyd(points, w, np.stack(rows), max_iters)
    best: dict[int, tuple[float, Clustering]] = {}
    for k, c in zip(owner, runs, strict=True):
        value = inertia(points, c, w)
        if k not in best or value < best[k][0] - 1e-12:
            best[k] = (value, c)
    return {k: c for k, (_, c) in best.items()}


def best_of_starts(
    points: np.ndarray,
    k: int,
    rng: np.random.Generator,
    *,
    weights: np.ndarray | None = None,
    n_init: int = 4,
    max_iters: int = 20,
) -> Clustering:
    """:func:`cold_start_groups` for a single k."""
    return cold_start_groups(points, [k], rng, weights=weights, n_init=n_init, max_iters=max_iters)[
        k
    ]


def distance_matrix(points: np.ndarray) -> np.ndarray:
    """Euclidean distances between all pairs of (few) 2-D points."""
    p = np.asarray(points, dtype=np.float64)
    return np.hypot(p[:, None, 0] - p[None, :, 0], p[:, None, 1] - p[None, :, 1])


def silhouette(points: np.ndarray, labels: np.ndarray, dist: np.ndarray | None = None) -> float:
    """Pol.is silhouette (clusters.clj): unweighted mean over points of (b − a)/max(a, b),
    with 0 for a point alone in its cluster. ``points`` are few (base-cluster centres);
    ``dist`` may pass their precomputed :func:`distance_matrix`."""
    points = np.asarray(points, dtype=np.float64)
    labels = np.asarray(labels)
    n = len(points)
    if n == 0:
        return 0.0
    _, lab = np.unique(labels, return_inverse=True)
    k = int(lab.max()) + 1
    if k < 2:
        return 0.0
    if dist is None:
        dist = distance_matrix(points)
    onehot = np.zeros((n, k))
    onehot[np.arange(n), lab] = 1.0
    sums = dist @ onehot  # n × k: total distance from each point to each cluster
    sizes = onehot.sum(axis=0)
    own_size = sizes[lab] - 1.0
    rows = np.arange(n)
    a = np.divide(sums[rows, lab], own_size, out=np.zeros(n), where=own_size > 0)
    mean_to = sums / sizes[None, :]
    mean_to[rows, lab] = np.inf
    b = mean_to.min(axis=1)
    top = np.maximum(a, b)
    values = np.divide(b - a, top, out=np.zeros(n), where=top > 0)
    values[own_size == 0] = 0.0  # a point alone in its cluster scores 0
    return float(values.mean())
