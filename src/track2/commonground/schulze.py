"""Schulze ranking of alternative texts from participants' rankings.

The method is Markus Schulze's ("A new monotonic, clone-independent, reversal symmetric, and
Condorcet-consistent single-winner election method", Social Choice and Welfare 36, 2011), with
link strength measured in *winning votes*, the variant the paper recommends:

* ``d[a, b]`` is the number of ballots that rank ``a`` strictly above ``b``;
* a link ``a -> b`` exists when ``d[a, b] > d[b, a]`` and has strength ``d[a, b]``;
* ``p[a, b]`` is the strength of the strongest (widest) path from ``a`` to ``b``, 0 if none;
* ``a`` beats ``b`` when ``p[a, b] > p[b, a]``. Schulze proves this relation is transitive.

Ballots are rank matrices: ``ranks[v, c]`` is ballot ``v``'s rank of candidate ``c`` (lower is
preferred, equal ranks are ties) and NaN means the ballot leaves ``c`` out; a candidate left out
ranks below every candidate the ballot names, tied with the other left-out candidates.

The finishing order is built in layers: the first position holds every candidate no other
candidate beats (Schulze's winners), the next position every candidate that only candidates of
earlier positions beat, and so on. Candidates that share a position are tied. Because the
"beats" relation is a strict partial order, a candidate that beats another always finishes in an
earlier position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from track2.commonground.errors import CommonGroundError

__all__ = [
    "SchulzeInputError",
    "SchulzeResult",
    "pairwise_preferences",
    "schulze",
    "strongest_paths",
]

# Cap the boolean comparison tensor built per chunk of ballots (ballots x candidates x candidates)
# at 16M entries, so memory stays bounded for large elections.
_CHUNK_ENTRIES = 1 << 24


class SchulzeInputError(CommonGroundError, ValueError):
    """The ballots cannot be counted (wrong shape, no candidates, no ballots, bad weights)."""


@dataclass(frozen=True)
class SchulzeResult:
    """Outcome of a Schulze count.

    ``order`` lists positions winner first; each position is a tuple of candidate indices that tie.
    ``pairwise[a, b]`` and ``strongest_paths[a, b]`` are the ``d`` and ``p`` tables above, as
    weighted ballot counts. ``beats[a, b]`` is ``strongest_paths[a, b] > strongest_paths[b, a]``.
    """

    order: tuple[tuple[int, ...], ...]
    pairwise: npt.NDArray[np.float64]
    strongest_paths: npt.NDArray[np.float64]
    beats: npt.NDArray[np.bool_]
    n_ballots: int

    @property
    def winners(self) -> tuple[int, ...]:
        return self.order[0]


def _as_rank_matrix(ranks: npt.ArrayLike) -> npt.NDArray[np.float64]:
    matrix = np.asarray(ranks, dtype=np.float64)
    if matrix.ndim != 2:
        raise SchulzeInputError(
            f"ranks must be a 2-D array (ballots x candidates), got {matrix.ndim} dimension(s)"
        )
    if matrix.shape[1] == 0:
        raise SchulzeInputError("there are no candidates to rank")
    if np.isinf(matrix).any():
        raise SchulzeInputError("ranks must be finite numbers or NaN for a left-out candidate")
    return matrix


def pairwise_preferences(
    ranks: npt.ArrayLike, weights: npt.ArrayLike | None = None
) -> npt.NDArray[np.float64]:
    """Return ``d[a, b]``: the (weighted) number of ballots ranking ``a`` strictly above ``b``."""
    matrix = _as_rank_matrix(ranks)
    n_ballots, n_candidates = matrix.shape
    if weights is None:
        weight_vector = None
    else:
        weight_vector = np.asarray(weights, dtype=np.float64)
        if weight_vector.shape != (n_ballots,):
            raise SchulzeInputError(
                f"weights must have one entry per ballot ({n_ballots}), got shape "
                f"{weight_vector.shape}"
            )
        if not np.all(np.isfinite(weight_vector)) or (weight_vector < 0).any():
            raise SchulzeInputError("weights must be finite and non-negative")
    # A left-out candidate ranks below all named ones: give it a rank worse than any rank used.
    missing = np.isnan(matrix)
    if missing.any():
        finite = matrix[~missing]
        below_all = (finite.max() + 1.0) if finite.size else 0.0
        matrix = np.where(missing, below_all, matrix)
    levels = _small_levels(matrix)
    d = np.zeros((n_candidates, n_candidates), dtype=np.float64)
    chunk = max(1, _CHUNK_ENTRIES // (n_candidates * n_candidates))
    if weight_vector is None:
        # Counting in int16 is several times faster than in int64; a chunk never holds more
        # ballots than int16 can count.
        chunk = min(chunk, np.iinfo(np.int16).max)
    for start in range(0, n_ballots, chunk):
        block = levels[start : start + chunk]
        prefers = block[:, :, None] < block[:, None, :]
        if weight_vector is None:
            d += prefers.sum(axis=0, dtype=np.int16)
        else:
            d += np.tensordot(weight_vector[start : start + chunk], prefers, axes=(0, 0))
    return d


def _small_levels(matrix: npt.NDArray[np.float64]) -> npt.NDArray[Any]:
    """The same order on every ballot with the smallest integer type that holds it.

    Integer ranks that fit in int16 are used as they are; anything else is replaced, ballot by
    ballot, by its dense rank (0 for the best), which keeps every comparison within a ballot.
    """
    limits = np.iinfo(np.int16)
    if matrix.size == 0 or (
        matrix.min() > limits.min
        and matrix.max() < limits.max
        and np.all(matrix == np.round(matrix))
    ):
        return matrix.astype(np.int16)
    order = np.argsort(matrix, axis=1, kind="stable")
    sorted_ranks = np.take_along_axis(matrix, order, axis=1)
    steps = np.concatenate(
        [np.zeros((matrix.shape[0], 1), dtype=np.int64), np.diff(sorted_ranks, axis=1) > 0], axis=1
    ).cumsum(axis=1)
    dense = np.empty_like(steps)
    np.put_along_axis(dense, order, steps, axis=1)
    dtype = np.int16 if matrix.shape[1] < limits.max else np.int32
    return dense.astype(dtype)


def strongest_paths(pairwise: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Widest-path strengths ``p`` from a pairwise table ``d`` (winning-votes links)."""
    d = np.asarray(pairwise, dtype=np.float64)
    if d.ndim != 2 or d.shape[0] != d.shape[1]:
        raise SchulzeInputError(f"pairwise table must be square, got shape {d.shape}")
    p = np.where(d > d.T, d, 0.0)
    np.fill_diagonal(p, 0.0)
    # Floyd-Warshall for the bottleneck (max-min) semiring, one intermediate candidate at a time;
    # each step updates the whole table at once. Paths through a candidate back to itself never
    # widen a path, so the diagonal can stay in the update and is cleared at the end.
    for via in range(p.shape[0]):
        np.maximum(p, np.minimum(p[:, via, None], p[None, via, :]), out=p)
    np.fill_diagonal(p, 0.0)
    return p


def _layers(beats: npt.NDArray[np.bool_]) -> tuple[tuple[int, ...], ...]:
    remaining = np.ones(beats.shape[0], dtype=bool)
    order: list[tuple[int, ...]] = []
    while remaining.any():
        beaten = beats[remaining][:, remaining].any(axis=0)
        indices = np.flatnonzero(remaining)[~beaten]
        if indices.size == 0:  # impossible for a transitive relation; refuse rather than loop
            raise RuntimeError("Schulze relation has a cycle; this is a bug")
        order.append(tuple(int(i) for i in indices))
        remaining[indices] = False
    return tuple(order)


def schulze(ranks: npt.ArrayLike, weights: npt.ArrayLike | None = None) -> SchulzeResult:
    """Count ballots by the Schulze method.

    ``ranks`` is ballots x candidates (lower preferred, equal ranks tie, NaN = left out, which
    ranks below every named candidate); ``weights`` optionally counts each ballot several times.
    """
    matrix = _as_rank_matrix(ranks)
    if matrix.shape[0] == 0:
        raise SchulzeInputError("there are no ballots to count")
    d = pairwise_preferences(matrix, weights)
    p = strongest_paths(d)
    beats = p > p.T
    return SchulzeResult(
        order=_layers(beats),
        pairwise=d,
        strongest_paths=p,
        beats=beats,
        n_ballots=int(matrix.shape[0]),
    )
