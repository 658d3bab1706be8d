"""Pol.is k-means (plain and weighted) with warm starts, and the Pol.is silhouette.

Follows polismath/math/clusters.clj: Lloyd iterations where empty clusters are dropped, a
stop when the sorted centres move less than 0.01, warm starts that recentre the previous
clusters on the new positions and split off the most distal point while there are fewer
clusters than asked (``clean-start-clusters``), and a cold start from the first k distinct
points. Points are 2-D here (PCA projections or base-cluster centres), so assignment is a
k-d tree search over the centres, and Hamerly's bounds skip points whose centre cannot
have changed (exact, only faster).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

_SAME_CLUSTERING = 0.01  # clusters.clj same-clustering? threshold


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


def _weighted_centers(points: np.ndarray, labels: np.ndarray, k: int,
                      weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    w = np.ones(len(points)) if weights is None else weights.astype(np.float64)
    total = np.bincount(labels, weights=w, minlength=k)
    cx = np.bincount(labels, weights=w * points[:, 0], minlength=k)
    cy = np.bincount(labels, weights=w * points[:, 1], minlength=k)
    count = np.bincount(labels, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        centers = np.column_stack([cx / total, cy / total])
    return centers, count


def _sorted_centers(centers: np.ndarray) -> np.ndarray:
    order = np.lexsort((centers[:, 1], centers[:, 0]))
    return centers[order]


def _same_clustering(a: np.ndarray, b: np.ndarray) -> bool:
    """clusters.clj same-clustering?: sorted centres pairwise closer than 0.01 (zip truncates)."""
    sa, sb = _sorted_centers(a), _sorted_centers(b)
    n = min(len(sa), len(sb))
    return bool(np.all(np.sqrt(((sa[:n] - sb[:n]) ** 2).sum(axis=1)) < _SAME_CLUSTERING))


def _two_nearest(points: np.ndarray,
                 centers: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest centre of each point, the distance to it, and the distance to the second
    nearest (inf with one centre), by an exact k-d tree search over the (few) centres."""
    tree = cKDTree(centers)
    if len(centers) == 1:
        dist, idx = tree.query(points, k=1)
        return idx.astype(np.int64), dist, np.full(len(points), np.inf)
    dist, idx = tree.query(points, k=2)
    return idx[:, 0].astype(np.int64), dist[:, 0].copy(), dist[:, 1].copy()


def _lloyd(points: np.ndarray, ids: np.ndarray, centers: np.ndarray,
           weights: np.ndarray | None, max_iters: int) -> Clustering:
    """Pol.is's Lloyd loop (cluster-step until same-clustering? or out of iterations).

    Assignments are exact, but most points are skipped after the first steps with Hamerly's
    bounds (Hamerly 2010): an upper bound on the distance to the own centre and a lower bound
    on the distance to any other centre, moved by how far the centres moved. A point is only
    re-examined when the bounds no longer prove its centre is still the nearest.
    """
    labels, upper, lower = _two_nearest(points, centers)
    iters = max_iters
    while True:
        new_centers, count = _weighted_centers(points, labels, len(ids), weights)
        keep = count > 0
        if not keep.all():  # cluster-step drops clusters left without members
            labels = (np.cumsum(keep) - 1)[labels]
        new_ids, kept_new, kept_old = ids[keep], new_centers[keep], centers[keep]
        if iters == 0 or _same_clustering(centers, kept_new):
            return Clustering(new_ids, kept_new, labels)
        moved = np.sqrt(((kept_new - kept_old) ** 2).sum(axis=1))
        ids, centers = new_ids, kept_new
        upper += moved[labels]
        lower -= moved.max()  # dropping a centre can only raise the true lower bound
        if len(centers) > 1:
            gap = np.sqrt(((centers[:, None, :] - centers[None, :, :]) ** 2).sum(axis=2))
            np.fill_diagonal(gap, np.inf)
            half = 0.5 * gap.min(axis=1)
            bound = np.maximum(lower, half[labels])
        else:
            bound = np.full(len(points), np.inf)
        check = np.flatnonzero(upper > bound)
        if len(check):
            upper[check] = np.sqrt(((points[check] - centers[labels[check]]) ** 2).sum(axis=1))
            check = check[upper[check] > bound[check]]
        if len(check):
            labels[check], upper[check], lower[check] = _two_nearest(points[check], centers)
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


def plus_plus_seeds(points: np.ndarray, k: int, rng: np.random.Generator,
                    weights: np.ndarray | None = None) -> np.ndarray:
    """k-means++ seeding (Arthur & Vassilvitskii 2007), distinct points only, weighted."""
    w = np.ones(len(points)) if weights is None else weights.astype(np.float64)
    chosen = [int(rng.choice(len(points), p=w / w.sum()))]
    d2 = ((points - points[chosen[0]]) ** 2).sum(axis=1)
    while len(chosen) < k:
        mass = d2 * w
        total = mass.sum()
        if total <= 0:
            break  # every point coincides with a seed: no more distinct points
        nxt = int(rng.choice(len(points), p=mass / total))
        chosen.append(nxt)
        d2 = np.minimum(d2, ((points - points[nxt]) ** 2).sum(axis=1))
    return np.asarray(chosen, dtype=np.int64)


def inertia(points: np.ndarray, clustering: Clustering,
            weights: np.ndarray | None = None) -> float:
    """Weighted sum of squared distances of points to their cluster centre."""
    w = np.ones(len(points)) if weights is None else weights.astype(np.float64)
    d2 = ((points - clustering.centers[clustering.labels]) ** 2).sum(axis=1)
    return float((w * d2).sum())


def _clean_start(points: np.ndarray, k: int, start: Sequence[tuple[int, np.ndarray]],
                 weights: np.ndarray | None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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


def kmeans(points: np.ndarray, k: int, *, weights: np.ndarray | None = None,
           start: Sequence[tuple[int, np.ndarray]] | None = None,
           init_order: np.ndarray | None = None, seeds: np.ndarray | None = None,
           max_iters: int = 20) -> Clustering:
    """Pol.is k-means on 2-D ``points``.

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
    return _lloyd(points, ids, centers, weights, max_iters)


def best_of_starts(points: np.ndarray, k: int, rng: np.random.Generator, *,
                   weights: np.ndarray | None = None, n_init: int = 10,
                   max_iters: int = 20) -> Clustering:
    """Cold start without history: Pol.is's own seeding (first k distinct points) plus
    ``n_init - 1`` k-means++ seedings; keep the clustering with the least weighted inertia.
    (Pol.is never needs this because it warm-starts from its previous update.)"""
    best = kmeans(points, k, weights=weights, max_iters=max_iters)
    best_inertia = inertia(points, best, weights)
    for _ in range(n_init - 1):
        cand = kmeans(points, k, weights=weights, seeds=plus_plus_seeds(points, k, rng, weights),
                      max_iters=max_iters)
        cand_inertia = inertia(points, cand, weights)
        if cand_inertia < best_inertia - 1e-12:
            best, best_inertia = cand, cand_inertia
    return best


def silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    """Pol.is silhouette (clusters.clj): unweighted mean over points of (b − a)/max(a, b),
    with 0 for a point alone in its cluster. ``points`` are few (base-cluster centres)."""
    points = np.asarray(points, dtype=np.float64)
    labels = np.asarray(labels)
    n = len(points)
    if n == 0:
        return 0.0
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    groups = np.unique(labels)
    values = np.zeros(n)
    for i in range(n):
        own = labels == labels[i]
        own_count = int(own.sum()) - 1
        if own_count == 0:
            values[i] = 0.0
            continue
        a = (dist[i, own].sum()) / own_count
        b = min((float(dist[i, labels == g].mean()) for g in groups if g != labels[i]),
                default=None)
        if b is None:
            values[i] = 0.0
            continue
        top = max(a, b)
        values[i] = 0.0 if top == 0 else (b - a) / top
    return float(values.mean())
