"""Bridging scores: a regularised matrix factorisation in the manner of Community Notes.

Every vote becomes a rating ``r`` — agree = 1, pass = 0.5, disagree = 0 — and is modelled as

    r_us ≈ mu + i_u + i_s + f_u * f_s

with a global intercept ``mu``, a participant intercept ``i_u`` (how agreeable the participant is),
a statement intercept ``i_s`` and one-dimensional factors ``f_u``, ``f_s``. The factor term
absorbs the main divide: participants on one side of it have ``f_u`` of one sign, and a statement
they like and the other side dislikes gets ``f_s`` of that sign. What remains in ``i_s`` is
agreement that the divide does not explain — agreement *across* it. That is the bridging score;
``f_s`` says where the statement sits on the divide.

Loss (sums over observed votes only, nothing is imputed):

    sum (r - mu - i_u - i_s - f_u f_s)^2 + LAMBDA_INTERCEPT (mu^2 + sum i_u^2 + sum i_s^2)
                                         + LAMBDA_FACTOR (sum f_u^2 + sum f_s^2)

with ``LAMBDA_INTERCEPT = 5.0`` and ``LAMBDA_FACTOR = 1.0``: intercepts are penalised five times
more than factors, the ratio Community Notes uses (its 0.15 and 0.03 are per-rating averages; ours
are per-parameter penalties on a sum of squares), so the model prefers to explain agreement by the
divide and credits an intercept only when the divide cannot.

Fitting is alternating ridge regression. With the statement side fixed, each participant's
``(i_u, f_u)`` solves a 2 x 2 linear system whose entries are sums over the participant's votes,
all obtained at once with two sparse matrix products; then the same for statements; then
``mu`` in closed form. The start is deterministic and does not depend on the order of rows or
columns: an intercept-only fit, then power iterations on its residuals from the vector of
column residual norms. The sign of the factor is fixed so that the statement with the largest
``|f_s|`` has ``f_s > 0``. Relabelling participants or statements permutes the result.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from track2.commonground.errors import CommonGroundError, EmptyConversationError
from track2.commonground.matrix import (
    AGREE,
    COUNT_CHUNK,
    DISAGREE,
    OnehotVotes,
    VoteMatrix,
    answer_columns,
    onehot_block,
    row_chunks,
)

__all__ = ["BridgingError", "BridgingScores", "bridging_scores", "RATING"]

LAMBDA_INTERCEPT = 0.15
LAMBDA_FACTOR = 0.03
RATING = {AGREE: 1.0, 0: 0.5, DISAGREE: 0.0}  # (vote + 1) / 2, as bridging_scores computes it
# RATING of the one-hot answers 0 (agree), 1 (disagree) and 2 (pass)
_ANSWER_RATING = np.array([RATING[AGREE], RATING[DISAGREE], RATING[0]])
_POWER_ITERATIONS = 8
_DENSE_WARM_CELLS = 200_000  # a warm start on at most this many cells runs on dense arrays
_BLOCK_VOTES = 1 << 20  # votes per block of the sweeps over every vote

FloatArray = npt.NDArray[np.float64]


class BridgingError(CommonGroundError, ValueError):
    """Settings that cannot work (negative penalties, no iterations)."""


@dataclass(frozen=True, eq=False)
class BridgingScores:
    """Fitted model. Statement arrays follow ``statement_ids`` (all statements of the matrix;
    an excluded statement or one without votes has intercept and factor 0); participant arrays
    follow the matrix rows."""

    statement_ids: npt.NDArray[Any]
    statement_intercept: FloatArray
    statement_factor: FloatArray
    participant_intercept: FloatArray
    participant_factor: FloatArray
    global_intercept: float
    n_votes: npt.NDArray[np.int64]
    iterations: int
    converged: bool
    lambda_intercept: float
    lambda_factor: float
    penalties: dict[str, float]

    @property
    def divided(self) -> bool:
        """Whether the factor splits the participants, some on each side of it. When every
        participant's factor has the same sign the votes show no divide: the factor then says
        how widely a statement was agreed with, not where it sits between sides."""
        f = self.participant_factor
        tiny = 1e-6 * float(np.abs(f).max(initial=0.0))
        return bool((f > tiny).any() and (f < -tiny).any())

    def top(self, n: int = 10) -> list[Any]:
        """Statement ids with the highest intercepts (most agreed across the divide)."""
        order = np.lexsort((np.arange(len(self.statement_ids)), -self.statement_intercept))
        return [self.statement_ids[j].item() for j in order[:n]]

    def to_json(self) -> dict[str, dict[str, float]]:
        """``{statement id: {"intercept": ..., "factor": ...}}`` for statements with votes."""
        return {
            str(sid): {
                "intercept": round(float(self.statement_intercept[j]), 6),
                "factor": round(float(self.statement_factor[j]), 6),
            }
            for j, sid in enumerate(self.statement_ids.tolist())
            if self.n_votes[j] > 0
        }


def _ridge_2x2(
    count: FloatArray,
    sum_f: FloatArray,
    sum_ff: FloatArray,
    sum_y: FloatArray,
    sum_yf: FloatArray,
    lambda_intercept: float,
    lambda_factor: float,
) -> tuple[FloatArray, FloatArray]:
    """Solve [[n + li, Sf], [Sf, Sff + lf]] @ [i, f] = [Sy, Syf] for every row at once."""
    a = count + lambda_intercept
    d = sum_ff + lambda_factor
    det = a * d - sum_f * sum_f  # > 0: both diagonal terms are positive and Sf^2 <= n Sff
    intercept = (d * sum_y - sum_f * sum_yf) / det
    factor = (a * sum_yf - sum_f * sum_y) / det
    return intercept, factor


def _rebalance(
    i_s: FloatArray,
    i_u: FloatArray,
    mu: float,
    f_s: FloatArray,
    f_u: FloatArray,
    statement_active: npt.NDArray[np.bool_],
    participant_active: npt.NDArray[np.bool_],
    pen: _Penalties,
) -> tuple[FloatArray, FloatArray, float, FloatArray, FloatArray]:
    """Exact moves along directions that leave every prediction unchanged.

    Adding ``a + b`` to ``mu`` while taking ``a`` from every statement intercept and ``b`` from
    every participant intercept (of those with votes), or scaling ``f_u`` by ``c`` and ``f_s`` by
    ``1 / c``, changes only the penalty. Alternating updates crawl along these flat directions, so
    each sweep jumps to the penalty's minimum along them instead.
    """
    m_active, n_active = float(statement_active.sum()), float(participant_active.sum())
    sum_s, sum_u = float(i_s[statement_active].sum()), float(i_u[participant_active].sum())
    p_mu, p_s, p_u = pen.global_intercept, pen.statement_intercept, pen.participant_intercept
    # Minimise p_mu (mu + a + b)^2 + p_s sum (i_s - a)^2 + p_u sum (i_u - b)^2 over a and b.
    a11, a12, a22 = p_mu + p_s * m_active, p_mu, p_mu + p_u * n_active
    b1, b2 = p_s * sum_s - p_mu * mu, p_u * sum_u - p_mu * mu
    det = a11 * a22 - a12 * a12
    a = (a22 * b1 - a12 * b2) / det
    b = (a11 * b2 - a12 * b1) / det
    i_s = np.where(statement_active, i_s - a, i_s)
    i_u = np.where(participant_active, i_u - b, i_u)
    mu = mu + a + b
    # Minimise p_fu c^2 sum f_u^2 + p_fs sum f_s^2 / c^2 over c > 0.
    norm_u = pen.participant_factor * float(f_u @ f_u)
    norm_s = pen.statement_factor * float(f_s @ f_s)
    if norm_u > 0 and norm_s > 0:
        c = (norm_s / norm_u) ** 0.25
        f_u, f_s = f_u * c, f_s / c
    return i_s, i_u, mu, f_s, f_u


@dataclass
class _Data:
    """Observed ratings as CSR (participants x statements; dense for a small warm start) plus
    per-row/column totals."""

    ones: Any
    ratings: Any
    n_u: FloatArray
    n_s: FloatArray
    sum_r_u: FloatArray
    sum_r_s: FloatArray
    total_r: float
    total_n: float


def _data(ones: Any, ratings: Any) -> _Data:
    """Totals of the vote weights (1 counted, 0 left out) and the weighted ratings."""
    n, m = ones.shape
    # Row and column sums by sparse products: much faster than weighted bincounts at 50M votes.
    sum_r_u = np.asarray(ratings @ np.ones(m), dtype=np.float64)
    n_u = np.asarray(ones @ np.ones(m), dtype=np.float64)
    return _Data(
        ones=ones,
        ratings=ratings,
        n_u=n_u,
        n_s=np.asarray(ones.T @ np.ones(n), dtype=np.float64),
        sum_r_u=sum_r_u,
        sum_r_s=np.asarray(ratings.T @ np.ones(n), dtype=np.float64),
        total_r=float(sum_r_u.sum()),
        total_n=float(n_u.sum()),
    )


@dataclass(frozen=True)
class _Penalties:
    """Per-parameter ridge penalties of the sum-of-squares loss (see the module docstring)."""

    participant_intercept: float
    participant_factor: float
    statement_intercept: float
    statement_factor: float
    global_intercept: float

    @classmethod
    def of(cls, data: _Data, lambda_intercept: float, lambda_factor: float) -> _Penalties:
        votes = data.total_n
        per_participant = votes / max(float((data.n_u > 0).sum()), 1.0)
        per_statement = votes / max(float((data.n_s > 0).sum()), 1.0)
        return cls(
            participant_intercept=lambda_intercept * per_participant,
            participant_factor=lambda_factor * per_participant,
            statement_intercept=lambda_intercept * per_statement,
            statement_factor=lambda_factor * per_statement,
            global_intercept=lambda_intercept * votes,
        )


@dataclass
class _Params:
    mu: float
    i_u: FloatArray
    f_u: FloatArray
    i_s: FloatArray
    f_s: FloatArray


def _start(data: _Data, pen: _Penalties) -> _Params:
    """Intercept-only fit, then power iterations on its residuals for the statement factor."""
    n, m = data.ones.shape
    ones_t, ratings_t = data.ones.T, data.ratings.T
    mu = data.total_r / (data.total_n + pen.global_intercept)
    i_u, i_s = np.zeros(n), np.zeros(m)
    for _ in range(5):
        i_u = (data.sum_r_u - mu * data.n_u - data.ones @ i_s) / (
            data.n_u + pen.participant_intercept
        )
        i_s = (data.sum_r_s - mu * data.n_s - ones_t @ i_u) / (data.n_s + pen.statement_intercept)
        mu = (data.total_r - data.n_u @ i_u - data.n_s @ i_s) / (
            data.total_n + pen.global_intercept
        )
    # The start vector is each statement's residual norm, sum over its votes of
    # (r - c_u - i_s)^2 with c_u = mu + i_u, expanded into sparse products: positive, and
    # computed the same way whatever the order of rows and columns. Weights are 0 or 1, so the
    # weighted r^2 is the square of the stored weighted rating.
    squares = sp.csr_array(
        (data.ratings.data**2, data.ratings.indices, data.ratings.indptr), shape=(n, m)
    )
    c_u = mu + i_u
    norm_sq = (
        squares.T @ np.ones(n)
        - 2.0 * (ratings_t @ c_u + i_s * data.sum_r_s)
        + ones_t @ (c_u * c_u)
        + 2.0 * i_s * (ones_t @ c_u)
        + i_s * i_s * data.n_s
    )
    f_s = np.sqrt(np.maximum(norm_sq, 0.0)) + 1e-12
    for _ in range(_POWER_ITERATIONS):
        # (R - mu - i_u - i_s) on observed entries, times f_s, then its transpose times that.
        w = data.ratings @ f_s - (mu + i_u) * (data.ones @ f_s) - data.ones @ (i_s * f_s)
        f_s = data.ratings.T @ w - (mu + i_s) * (ones_t @ w) - ones_t @ (i_u * w)
        norm = float(np.linalg.norm(f_s))
        if norm == 0:
            break
        f_s = f_s / norm
    return _Params(mu, i_u, np.zeros(n), i_s, f_s * 0.1 * np.sqrt(m))


def _participant_step(
    ones: Any,
    ratings: Any,
    n_u: FloatArray,
    sum_r_u: FloatArray,
    mu: float,
    i_s: FloatArray,
    f_s: FloatArray,
    pen: _Penalties,
) -> tuple[FloatArray, FloatArray]:
    """Each participant's (i_u, f_u) with the statements fixed; rows are independent, so this
    runs on all of them or on a block of them alike. All five sums from two sparse products."""
    sum_f, sum_ff, sum_i, sum_if = (ones @ np.column_stack([f_s, f_s * f_s, i_s, i_s * f_s])).T
    return _participant_fit(sum_f, sum_ff, sum_i, sum_if, ratings @ f_s, n_u, sum_r_u, mu, pen)


def _participant_fit(
    sum_f: FloatArray,
    sum_ff: FloatArray,
    sum_i: FloatArray,
    sum_if: FloatArray,
    sum_rf: FloatArray,
    n_u: FloatArray,
    sum_r_u: FloatArray,
    mu: float,
    pen: _Penalties,
) -> tuple[FloatArray, FloatArray]:
    """(i_u, f_u) from each participant's sums over their votes of f_s, f_s², i_s, i_s f_s
    and r f_s."""
    sum_y = sum_r_u - mu * n_u - sum_i
    sum_yf = sum_rf - mu * sum_f - sum_if
    return _ridge_2x2(
        n_u, sum_f, sum_ff, sum_y, sum_yf, pen.participant_intercept, pen.participant_factor
    )


def _statement_sums(ones: Any, ratings: Any, i_u: FloatArray, f_u: FloatArray) -> FloatArray:
    """Per statement (rows): the sums over its votes of f_u, f_u², i_u, i_u f_u and r f_u.
    Additive over blocks of participants."""
    sums = np.empty((ones.shape[1], 5))
    sums[:, :4] = ones.T @ np.column_stack([f_u, f_u * f_u, i_u, i_u * f_u])
    sums[:, 4] = ratings.T @ f_u
    return sums


def _statement_step(
    data: _Data,
    sums: FloatArray,
    mu: float,
    i_u: FloatArray,
    f_u: FloatArray,
    pen: _Penalties,
) -> tuple[float, FloatArray, FloatArray, FloatArray, FloatArray]:
    """Statements with the participants fixed, then the global intercept and the rebalancing
    (:func:`_rebalance`); returns mu, i_s, f_s, i_u, f_u."""
    sum_f, sum_ff, sum_i, sum_if, sum_rf = sums.T
    sum_y = data.sum_r_s - mu * data.n_s - sum_i
    sum_yf = sum_rf - mu * sum_f - sum_if
    i_s, f_s = _ridge_2x2(
        data.n_s, sum_f, sum_ff, sum_y, sum_yf, pen.statement_intercept, pen.statement_factor
    )
    # Global intercept; the sum over votes of f_u f_s is f_s . (O^T f_u) = f_s . sum_f.
    mu = (data.total_r - data.n_u @ i_u - data.n_s @ i_s - f_s @ sum_f) / (
        data.total_n + pen.global_intercept
    )
    i_s, i_u, mu, f_s, f_u = _rebalance(i_s, i_u, mu, f_s, f_u, data.n_s > 0, data.n_u > 0, pen)
    return mu, i_s, f_s, i_u, f_u


# One sweep's participant half and the statement sums it gives: (mu, i_s, f_s) -> (i_u, f_u, sums)
_Sweep = Callable[[float, FloatArray, FloatArray], tuple[FloatArray, FloatArray, FloatArray]]


def _iterate(
    data: _Data, params: _Params, pen: _Penalties, max_iter: int, tol: float, sweep: _Sweep
) -> tuple[_Params, int, bool]:
    """Alternating ridge sweeps until no statement parameter moves more than ``tol``."""
    mu, i_u, f_u, i_s, f_s = params.mu, params.i_u, params.f_u, params.i_s, params.f_s
    iterations = 0
    while iterations < max_iter:
        iterations += 1
        i_u, f_u, sums = sweep(mu, i_s, f_s)
        mu, new_i_s, new_f_s, i_u, f_u = _statement_step(data, sums, mu, i_u, f_u, pen)
        change = max(np.abs(new_i_s - i_s).max(), np.abs(new_f_s - f_s).max())
        i_s, f_s = new_i_s, new_f_s
        if change < tol:
            return _Params(mu, i_u, f_u, i_s, f_s), iterations, True
    return _Params(mu, i_u, f_u, i_s, f_s), iterations, False


def _als(
    data: _Data, params: _Params, pen: _Penalties, max_iter: int, tol: float
) -> tuple[_Params, int, bool]:
    """Alternating ridge sweeps over the whole matrix (sparse, or dense for a small room)."""

    def sweep(
        mu: float, i_s: FloatArray, f_s: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        i_u, f_u = _participant_step(
            data.ones, data.ratings, data.n_u, data.sum_r_u, mu, i_s, f_s, pen
        )
        return i_u, f_u, _statement_sums(data.ones, data.ratings, i_u, f_u)

    return _iterate(data, params, pen, max_iter, tol, sweep)


class _Blocks:
    """Every vote in the one-hot layout (column 3 s + o for answer o on statement s), as
    blocks of about _BLOCK_VOTES votes (consecutive participants): views of a caller's
    one-hot (Track 2 mode's), or else each block's columns computed into one buffer when a
    sweep reaches it. A whole 1M x 5k conversation never holds float64 arrays per vote
    (740 MB at 46M votes), which once set the analysis's peak, and one product per block
    and direction gives every sum a sweep needs: the rating of an answer (RATING) and the
    weight of a statement (``included``) go into the statement-side weights, one per
    statement and answer. Blocks built here share their buffers, so a block is valid only
    until the next."""

    def __init__(
        self, votes: VoteMatrix, included: FloatArray, onehot: OnehotVotes | None = None
    ) -> None:
        self.votes, self.included = votes, included
        self._views = None
        if onehot is not None:
            self._views = onehot.blocks(_BLOCK_VOTES)
            self.ranges = [(first, stop) for first, stop, _, _ in self._views]
            return
        self.ranges = row_chunks(votes.indptr, _BLOCK_VOTES)
        indptr = votes.indptr
        largest = max((int(indptr[stop] - indptr[first]) for first, stop in self.ranges), default=0)
        self.ones, self.columns = np.ones(largest), np.empty(largest, dtype=np.int32)

    def __iter__(self) -> Any:
        if self._views is not None:
            for first, stop, block, flipped in self._views:
                yield slice(first, stop), block, flipped
            return
        votes, indptr = self.votes, self.votes.compact_indptr
        for first, stop in self.ranges:
            start, end = int(indptr[first]), int(indptr[stop])
            columns = answer_columns(
                votes.values[start:end], votes.indices[start:end], self.columns[: end - start]
            )
            local = (indptr[first : stop + 1] - start).astype(np.int32)
            block, flipped = onehot_block(
                local, columns, self.ones[: end - start], 3 * votes.n_statements
            )
            yield slice(first, stop), block, flipped


def _ratings(values: npt.NDArray[np.int8], out: FloatArray | None = None) -> FloatArray:
    """(vote + 1) / 2, RATING for the votes -1, 0, +1, into ``out`` when given."""
    rating = np.multiply(values, 0.5, out=out)
    rating += 0.5
    return rating


def _weights_and_ratings(
    values: npt.NDArray[np.int8], indices: npt.NDArray[Any], included: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Per vote: weight 1 on an included statement, else 0, and rating (vote + 1) / 2 (RATING
    for the votes -1, 0, +1) times the weight; built straight into their float64 arrays."""
    rating = _ratings(values)
    if included.all():
        return np.ones(len(values)), rating
    weight = included[indices]
    rating *= weight
    return weight, rating


def _row_matrices(
    votes: VoteMatrix, included: FloatArray, rows: npt.NDArray[np.int64]
) -> tuple[sp.csr_array, sp.csr_array]:
    """The weights and ratings of the votes of ``rows`` (sorted), as two CSR matrices."""
    starts = votes.indptr[rows]
    lengths = votes.indptr[rows + 1] - starts
    local = np.zeros(len(rows) + 1, dtype=np.int64)
    np.cumsum(lengths, out=local[1:])
    positions = np.arange(local[-1]) + np.repeat(starts - local[:-1], lengths)
    indices = votes.indices[positions]
    weight, rating = _weights_and_ratings(votes.values[positions], indices, included)
    shape = (len(rows), votes.n_statements)
    return (
        sp.csr_array((weight, indices, local), shape=shape),
        sp.csr_array((rating, indices, local), shape=shape),
    )


def _block_totals(votes: VoteMatrix, blocks: _Blocks) -> _Data:
    """The totals of :func:`_data` for the block sweeps, without a pass over the votes: the
    statements' from the cached vote counts (agree rates 1, pass 0.5), the participants' vote
    counts from the row pointers, less their votes on excluded statements (a pass over the
    column indices only when some are excluded). Each participant's sum of ratings is left to
    the first sweep of :func:`_als_in_blocks`, which has the participant's block at hand."""
    included = blocks.included
    counts = votes.statement_counts
    n_s = counts["seen"] * included
    sum_r_s = (counts["agree"] + 0.5 * counts["pass"]) * included
    n_u = votes.votes_per_participant.astype(np.float64)
    left_out = included == 0
    if left_out.any():
        for start in range(0, votes.n_votes, COUNT_CHUNK):
            hits = start + np.flatnonzero(left_out[votes.indices[start : start + COUNT_CHUNK]])
            n_u -= np.bincount(
                np.searchsorted(votes.indptr, hits, side="right") - 1, minlength=len(n_u)
            )
    return _Data(
        ones=blocks,
        ratings=blocks,
        n_u=n_u,
        n_s=n_s,
        sum_r_u=np.empty(len(n_u)),  # filled by the first sweep
        sum_r_s=sum_r_s,
        total_r=float(sum_r_s.sum()),
        total_n=float(n_s.sum()),
    )


def _als_in_blocks(
    data: _Data, blocks: _Blocks, params: _Params, pen: _Penalties, max_iter: int, tol: float
) -> tuple[_Params, int, bool]:
    """:func:`_als` over every vote, one block of participants at a time: a block's
    participants are fitted and their statement sums added before the next block. The
    participants' five sums (and, in the first sweep, their sums of ratings) are one product
    by weights per statement and answer; the statements' five sums come from one product
    per answer, combined afterwards. The same sweeps as :func:`_als` (sums in another order)."""
    included = blocks.included
    n = len(data.n_u)
    filled = False  # data.sum_r_u, block by block in the first sweep (see _block_totals)

    def sweep(
        mu: float, i_s: FloatArray, f_s: FloatArray
    ) -> tuple[FloatArray, FloatArray, FloatArray]:
        nonlocal filled
        m = len(i_s)
        i_u, f_u = np.empty(n), np.empty(n)
        i_s, f_s = i_s * included, f_s * included
        weights = np.empty((m, 3, 5 if filled else 6))
        weights[:, :, :4] = np.column_stack([f_s, f_s * f_s, i_s, i_s * f_s])[:, None, :]
        weights[:, :, 4] = _ANSWER_RATING * f_s[:, None]
        if not filled:
            weights[:, :, 5] = _ANSWER_RATING * included[:, None]
        by_answer = weights.reshape(3 * m, -1)
        per_answer = np.zeros((3 * m, 4))
        for rows, block, flipped in blocks:  # the blocks cover every row
            sums = block @ by_answer
            if not filled:
                data.sum_r_u[rows] = sums[:, 5]
            sum_f, sum_ff, sum_i, sum_if, sum_rf = sums[:, :5].T
            fu_i, fu_f = _participant_fit(
                sum_f, sum_ff, sum_i, sum_if, sum_rf, data.n_u[rows], data.sum_r_u[rows], mu, pen
            )
            i_u[rows], f_u[rows] = fu_i, fu_f
            per_answer += flipped @ np.column_stack([fu_f, fu_f * fu_f, fu_i, fu_i * fu_f])
        filled = True
        answers = per_answer.reshape(m, 3, 4)
        statement_sums = np.empty((m, 5))
        statement_sums[:, :4] = answers.sum(axis=1)
        statement_sums[:, 4] = answers[:, :, 0] @ _ANSWER_RATING
        statement_sums *= included[:, None]
        return i_u, f_u, statement_sums

    return _iterate(data, params, pen, max_iter, tol, sweep)


def bridging_scores(
    votes: VoteMatrix,
    *,
    lambda_intercept: float = LAMBDA_INTERCEPT,
    lambda_factor: float = LAMBDA_FACTOR,
    max_iter: int = 100,
    tol: float = 1e-4,
    fit_sample: int = 25_000,
    polish_iter: int = 2,
    random_state: int = 0,
    start: BridgingScores | None = None,
    timings: dict[str, float] | None = None,
    onehot: OnehotVotes | None = None,
) -> BridgingScores:
    """Fit the bridging model (see the module docstring) on the votes of included statements.

    Stops when no statement parameter moves by more than ``tol`` in a sweep, or after
    ``max_iter`` sweeps (``converged`` says which). With more than ``fit_sample`` participants
    who voted, the sweeps run on a seeded random sample of them, and ``polish_iter`` sweeps on
    all votes then finish the fit (so every participant gets parameters and statements use all
    their votes); below that size the result does not depend on ``random_state``.
    ``start``: an earlier fit of the same rows and statements (a live update after a few new
    votes) to continue from instead of the cold start; the sweeps then run on all votes and
    usually converge in a few.
    ``timings``, when given, receives the seconds of each stage (beside the result, not in it).
    ``onehot``: the votes' one-hot layout when the caller holds it (``OnehotVotes.of(...,
    nonempty=False)``; Track 2 mode's model's): the sweeps over every vote multiply through it.
    """
    if lambda_intercept <= 0 or lambda_factor <= 0:
        raise BridgingError("the penalties must be positive")
    if max_iter < 1 or polish_iter < 0 or fit_sample < 2:
        raise BridgingError("max_iter must be >= 1, polish_iter >= 0 and fit_sample >= 2")
    if onehot is not None:
        if onehot.rows is not None or onehot.statements is not None:
            raise ValueError(
                "the bridging scores need the one-hot votes of every row and statement: "
                "OnehotVotes.of(one-hot, votes, nonempty=False)"
            )
        onehot.require_shape(votes.n_participants, votes.n_statements)
    started = time.perf_counter()
    timings = {} if timings is None else timings
    n, m = votes.n_participants, votes.n_statements
    # Votes on excluded statements stay in the sparse structure with weight 0, so nothing is
    # copied or re-sorted; they add nothing to any sum.
    included = (~np.asarray(votes.is_excluded, dtype=bool)).astype(np.float64)
    full: _Data | None = None
    if start is None and np.count_nonzero(votes.votes_per_participant) > fit_sample:
        # A large conversation is fitted on a sample, then swept over every vote block by block.
        full = _block_totals(votes, _Blocks(votes, included, onehot))
        voters = np.flatnonzero(full.n_u > 0)
    if full is None or len(voters) <= fit_sample:
        weight, rating = _weights_and_ratings(votes.values, votes.indices, included)
        # int32 row pointers (when the votes fit), so scipy shares the int32 column indices
        # instead of making an int64 copy for each matrix: 0.7 GB at 46M votes.
        indptr = votes.compact_indptr
        full = _data(
            sp.csr_array((weight, votes.indices, indptr), shape=(n, m)),
            sp.csr_array((rating, votes.indices, indptr), shape=(n, m)),
        )
        del weight, rating
        voters = np.flatnonzero(full.n_u > 0)
    if full.total_n == 0:
        raise EmptyConversationError("bridging scores need votes on included statements")
    timings["prepare"] = time.perf_counter() - started

    lap = time.perf_counter()
    if start is not None:
        if start.participant_intercept.shape != (n,) or start.statement_intercept.shape != (m,):
            raise BridgingError(
                f"the start fit has {start.participant_intercept.shape[0]} participants and "
                f"{start.statement_intercept.shape[0]} statements, the votes {n} and {m}"
            )
        if n * m <= _DENSE_WARM_CELLS:
            # A small room continues from its previous fit after a vote: its sweeps run on
            # dense arrays, where each product is a small BLAS call instead of scipy's
            # per-call overhead (same sums, in another order).
            full = _data(full.ones.toarray(), full.ratings.toarray())
        pen = _Penalties.of(full, lambda_intercept, lambda_factor)
        warm = _Params(
            start.global_intercept,
            start.participant_intercept.copy(),
            start.participant_factor.copy(),
            start.statement_intercept.copy(),
            start.statement_factor.copy(),
        )
        fitted, iterations, converged = _als(full, warm, pen, max_iter, tol)
        timings["warm_fit"] = time.perf_counter() - lap
    elif len(voters) > fit_sample:
        chosen = np.sort(
            np.random.default_rng(random_state).choice(voters, fit_sample, replace=False)
        )
        sample = _data(*_row_matrices(votes, included, chosen))
        pen = _Penalties.of(sample, lambda_intercept, lambda_factor)
        fitted, iterations, converged = _als(sample, _start(sample, pen), pen, max_iter, tol)
        timings["sample_fit"] = time.perf_counter() - lap
        lap = time.perf_counter()
        # Every participant starts from zero; the first sweep fits them to the sample's
        # statement parameters, the next ones refit statements on all votes.
        polished = _Params(fitted.mu, np.zeros(n), np.zeros(n), fitted.i_s, fitted.f_s)
        pen = _Penalties.of(full, lambda_intercept, lambda_factor)
        sweeps = max(polish_iter, 1)
        if isinstance(full.ones, _Blocks):
            fitted, polish_done, _ = _als_in_blocks(full, full.ones, polished, pen, sweeps, tol)
        else:
            fitted, polish_done, _ = _als(full, polished, pen, sweeps, tol)
        iterations += polish_done
        timings["polish"] = time.perf_counter() - lap
    else:
        pen = _Penalties.of(full, lambda_intercept, lambda_factor)
        fitted, iterations, converged = _als(full, _start(full, pen), pen, max_iter, tol)
        timings["fit"] = time.perf_counter() - lap
    i_s, f_s, f_u = fitted.i_s, fitted.f_s, fitted.f_u
    # The factor's sign is arbitrary: fix it so the most extreme statement has f_s > 0.
    if f_s.size and f_s[np.argmax(np.abs(f_s))] < 0:
        f_s, f_u = -f_s, -f_u
    timings["total"] = time.perf_counter() - started
    return BridgingScores(
        statement_ids=votes.statement_ids,
        statement_intercept=i_s,
        statement_factor=f_s,
        participant_intercept=fitted.i_u,
        participant_factor=f_u,
        global_intercept=float(fitted.mu),
        n_votes=full.n_s.astype(np.int64),
        iterations=iterations,
        converged=converged,
        lambda_intercept=lambda_intercept,
        lambda_factor=lambda_factor,
        penalties=dataclasses.asdict(pen),
    )
