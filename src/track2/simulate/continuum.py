"""Dialogues whose opinions lie on a continuum, not in groups: a second generator, written apart
from :mod:`track2.simulate.dialogue`, so that the engine is measured on data its own simulator
did not shape (issue 15: "on data of several shapes, not only on one generator's defaults").

Generative model (one ``numpy.random.Generator`` seeded by ``seed``):

1. **Ideal points.** Each participant has a position in the plane: one of ``n_clusters``
   centres (normal, scale ``centre_scale``; cluster shares from a Dirichlet(4)) plus normal
   noise of scale ``spread``. With ``spread`` near the centres' distances the clusters overlap
   into a continuum; ``cluster`` is kept as the nearest thing to a truth.
2. **Statements.** Each has a direction in the plane (normal, scale ``direction_scale``), an
   offset (normal, scale ``offset_scale``) and a pass rate (Beta(2, 10)).
3. **Exposure.** Participant i sees about ``n_i`` statements, ``n_i`` log-normal with median
   ``median_votes`` and log-sd 0.7 (clipped to [1, n_statements / 2]), drawn by Zipf popularity
   (rank ^ −``zipf``, ranks in a random order); a statement drawn twice counts once.
4. **Votes.** Pass with the statement's rate; otherwise agree with probability
   logistic(point · direction + offset), else disagree.

Votes are drawn ``chunk`` participants at a time, so 1M × 5k holds one chunk's floats at once.

With ``spread`` = 0 every member of a cluster stands at its centre: the clusters are planted
opinion groups whose answers follow a low-dimensional logistic model (ideal points), not the
independent camps of :mod:`track2.simulate.dialogue`, and
:func:`continuum_vote_probabilities` gives the Bayes oracle its true answer probabilities.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from track2.commonground.matrix import VoteMatrix

__all__ = [
    "ContinuumParams",
    "continuum_clusters",
    "continuum_vote_probabilities",
    "simulate_continuum",
]


@dataclass(frozen=True)
class ContinuumParams:
    n_participants: int = 1_000_000
    n_statements: int = 5_000
    n_clusters: int = 3
    centre_scale: float = 1.5
    spread: float = 0.6
    direction_scale: float = 1.2
    offset_scale: float = 0.8
    median_votes: float = 35.0
    zipf: float = 1.1
    chunk: int = 100_000


@dataclass(frozen=True)
class _Plan:
    """Everything the generator draws before the votes, in the order it draws them."""

    centres: npt.NDArray[np.float64]
    shares: npt.NDArray[np.float64]
    cluster: npt.NDArray[np.int64]
    points: npt.NDArray[np.float64]
    direction: npt.NDArray[np.float64]
    offset: npt.NDArray[np.float64]
    pass_rate: npt.NDArray[np.float64]


def _plan(rng: np.random.Generator, p: ContinuumParams) -> _Plan:
    n, m = p.n_participants, p.n_statements
    centres = rng.normal(size=(p.n_clusters, 2)) * p.centre_scale
    shares = rng.dirichlet(np.full(p.n_clusters, 4.0))
    cluster = rng.choice(p.n_clusters, size=n, p=shares).astype(np.int64)
    points = centres[cluster] + rng.normal(size=(n, 2)) * p.spread
    direction = rng.normal(size=(m, 2)) * p.direction_scale
    offset = rng.normal(size=m) * p.offset_scale
    pass_rate = rng.beta(2, 10, size=m)
    return _Plan(centres, shares, cluster, points, direction, offset, pass_rate)


def continuum_clusters(params: ContinuumParams, seed: int) -> npt.NDArray[np.int64]:
    """Each participant's cluster in ``simulate_continuum(params, seed)``, without its votes."""
    return _plan(np.random.default_rng(seed), params).cluster


def continuum_vote_probabilities(
    params: ContinuumParams, seed: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The true (agree, disagree, pass) probabilities of each cluster on each statement
    (clusters x statements x 3) and the cluster shares of ``simulate_continuum(params, seed)``:
    what a Bayes oracle needs (``track2.simulate.oracle.oracle_groups``). Only with ``spread``
    = 0, where every member of a cluster answers as its centre does; with a spread the
    members' answers differ and these would not be the truth."""
    if params.spread != 0:
        raise ValueError(
            f"the clusters' answer probabilities are the truth only with spread = 0, "
            f"got {params.spread}"
        )
    plan = _plan(np.random.default_rng(seed), params)
    agree = 1.0 / (1.0 + np.exp(-(plan.centres @ plan.direction.T + plan.offset)))
    voting = 1.0 - plan.pass_rate
    theta = np.stack(
        [voting * agree, voting * (1.0 - agree), np.broadcast_to(plan.pass_rate, agree.shape)],
        axis=2,
    )
    return theta, plan.shares


def simulate_continuum(
    params: ContinuumParams, seed: int
) -> tuple[VoteMatrix, npt.NDArray[np.int64]]:
    """The vote matrix (participant and statement ids 0..n-1) and each participant's cluster."""
    p = params
    n, m = p.n_participants, p.n_statements
    if n < 2 or m < 2 or p.chunk < 1:
        raise ValueError("a continuum needs at least 2 participants, 2 statements and chunk >= 1")
    rng = np.random.default_rng(seed)
    plan = _plan(rng, p)
    points, direction, offset, pass_rate = plan.points, plan.direction, plan.offset, plan.pass_rate
    popularity = 1.0 / np.arange(1, m + 1) ** p.zipf
    popularity = popularity[rng.permutation(m)] / popularity.sum()
    drawn = rng.lognormal(np.log(p.median_votes), 0.7, size=n)
    wanted = np.clip(np.round(drawn), 1, max(1, m // 2)).astype(np.int64)

    counts = np.zeros(n, dtype=np.int64)
    columns: list[npt.NDArray[np.int32]] = []
    answers: list[npt.NDArray[np.int8]] = []
    for start in range(0, n, p.chunk):
        stop = min(start + p.chunk, n)
        rows = np.repeat(np.arange(start, stop, dtype=np.int64), wanted[start:stop])
        key = np.unique(rows * m + rng.choice(m, size=len(rows), p=popularity))
        rows, cols = key // m, (key % m).astype(np.int32)
        del key
        logit = np.einsum("ij,ij->i", points[rows], direction[cols])
        logit += offset[cols]
        agree = rng.random(len(rows)) * (1.0 + np.exp(-logit)) < 1.0
        del logit
        answer = np.where(agree, 1, -1).astype(np.int8)
        answer[rng.random(len(rows)) < pass_rate[cols]] = 0
        counts[start:stop] = np.bincount(rows - start, minlength=stop - start)
        columns.append(cols)
        answers.append(answer)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(counts, out=indptr[1:])
    matrix = VoteMatrix(
        np.arange(n, dtype=np.int64),
        np.arange(m, dtype=np.int64),
        indptr,
        np.concatenate(columns),
        np.concatenate(answers),
        np.zeros(m, dtype=bool),
        np.zeros(m, dtype=bool),
    )
    return matrix, plan.cluster
