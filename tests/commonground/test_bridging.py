"""Bridging scores: planted bridging statements, optimality, invariance to relabelling."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from track2.commonground import bridging as bridging_module
from track2.commonground.bridging import (
    LAMBDA_FACTOR,
    LAMBDA_INTERCEPT,
    BridgingError,
    BridgingScores,
    bridging_scores,
)
from track2.commonground.errors import EmptyConversationError
from track2.commonground.matrix import OnehotVotes, VoteMatrix
from track2.commonground.track2mode import vote_onehot


def divided_room(seed: int = 0, n: int = 1200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Dense votes (NaN = unseen) of a 75/25 divide with 20 bridging statements.

    Statements 0-19: both camps agree with probability 0.7 (bridging). 20-59: the majority camp
    agrees with 0.95, the minority with 0.05 — their raw agree rate (~0.725) beats the bridging
    statements'. 60-99: the reverse. 100-139: everyone agrees with 0.5. 10% of votes are passes.
    """
    rng = np.random.default_rng(seed)
    camp = (rng.random(n) < 0.25).astype(int)
    p_agree = np.empty((2, 140))
    p_agree[:, :20] = 0.7
    p_agree[:, 20:60] = [[0.95], [0.05]]
    p_agree[:, 60:100] = [[0.05], [0.95]]
    p_agree[:, 100:] = 0.5
    probs = p_agree[camp]
    dense = np.where(rng.random(probs.shape) < probs, 1.0, -1.0)
    dense[rng.random(dense.shape) < 0.1] = 0.0
    dense[rng.random(dense.shape) < 0.7] = np.nan  # each participant sees ~42 statements
    return dense, camp, p_agree


def test_recovers_planted_bridging_statements_where_agree_rate_fails() -> None:
    dense, _, _ = divided_room()
    result = bridging_scores(VoteMatrix.from_dense(dense))
    assert result.converged
    planted = set(range(20))
    precision = len(planted & set(result.top(20))) / 20
    assert precision >= 0.9
    seen = ~np.isnan(dense)
    agree_rate = (dense == 1).sum(axis=0) / seen.sum(axis=0)
    by_rate = set(np.argsort(-agree_rate)[:20].tolist())
    assert len(planted & by_rate) / 20 < precision  # the raw agree rate is fooled by the majority


def test_factor_sits_on_the_divide() -> None:
    dense, camp, _ = divided_room(seed=1)
    result = bridging_scores(VoteMatrix.from_dense(dense))
    f = result.statement_factor
    majority, minority = np.sign(f[20:60]), np.sign(f[60:100])
    assert abs(majority.sum()) == 40 and abs(minority.sum()) == 40
    assert majority[0] == -minority[0]
    # Participants of the two camps sit on opposite sides of the divide.
    fu = result.participant_factor
    assert np.mean(np.sign(fu[camp == 0]) == np.sign(np.median(fu[camp == 0]))) > 0.95
    assert np.sign(np.median(fu[camp == 0])) != np.sign(np.median(fu[camp == 1]))
    # Bridging statements barely load on the divide compared with partisan ones.
    assert np.abs(f[:20]).mean() < 0.25 * np.abs(f[20:100]).mean()
    assert result.divided


def test_a_room_without_a_divide_is_not_divided() -> None:
    # everyone gives each statement the same answer: every participant's factor has one sign
    rng = np.random.default_rng(3)
    dense = np.tile(rng.choice([-1.0, 0.0, 1.0], size=20), (50, 1))
    dense[rng.random((50, 20)) < 0.5] = np.nan
    assert not bridging_scores(VoteMatrix.from_dense(dense)).divided


def _loss_gradient(dense: np.ndarray, result) -> np.ndarray:  # type: ignore[no-untyped-def]  # BridgingScores
    seen = ~np.isnan(dense)
    rating = np.where(dense == 1, 1.0, np.where(dense == -1, 0.0, 0.5))
    mu = result.global_intercept
    iu, fu = result.participant_intercept, result.participant_factor
    is_, fs = result.statement_intercept, result.statement_factor
    err = np.where(seen, mu + iu[:, None] + is_[None, :] + np.outer(fu, fs) - rating, 0.0)
    # Community Notes' penalties are per-rating averages: lambda * mean(parameter^2) added to the
    # mean squared error. Times the number of votes N, the per-parameter penalty is
    # lambda * N / (number of such parameters).
    n_votes = seen.sum()
    n_u, n_s = (seen.sum(axis=1) > 0).sum(), (seen.sum(axis=0) > 0).sum()
    penalty = {
        "global_intercept": LAMBDA_INTERCEPT * n_votes,
        "participant_intercept": LAMBDA_INTERCEPT * n_votes / n_u,
        "participant_factor": LAMBDA_FACTOR * n_votes / n_u,
        "statement_intercept": LAMBDA_INTERCEPT * n_votes / n_s,
        "statement_factor": LAMBDA_FACTOR * n_votes / n_s,
    }
    assert result.penalties == pytest.approx(penalty)
    return np.concatenate(
        [
            [2 * err.sum() + 2 * penalty["global_intercept"] * mu],
            2 * err.sum(axis=1) + 2 * penalty["participant_intercept"] * iu,
            2 * err @ fs + 2 * penalty["participant_factor"] * fu,
            2 * err.sum(axis=0) + 2 * penalty["statement_intercept"] * is_,
            2 * err.T @ fu + 2 * penalty["statement_factor"] * fs,
        ]
    )


def test_solution_is_a_stationary_point_of_the_stated_loss() -> None:
    rng = np.random.default_rng(4)
    dense = rng.choice([1.0, -1.0, 0.0, np.nan], size=(60, 25), p=[0.35, 0.3, 0.1, 0.25])
    dense[:30, :12] = np.where(np.isnan(dense[:30, :12]), np.nan, 1.0)  # some structure
    result = bridging_scores(VoteMatrix.from_dense(dense), tol=1e-12, max_iter=20_000)
    assert result.converged
    assert np.abs(_loss_gradient(dense, result)).max() < 1e-6
    # A different penalty is not stationary for this solution: the test can tell them apart.
    other = bridging_scores(
        VoteMatrix.from_dense(dense), lambda_intercept=1.0, tol=1e-12, max_iter=20_000
    )
    with pytest.raises(AssertionError):
        _loss_gradient(dense, other)  # its penalties are not the default ones


def test_invariant_to_relabelling_participants_and_statements() -> None:
    dense, _, _ = divided_room(seed=2, n=500)
    rng = np.random.default_rng(9)
    rows, cols = rng.permutation(dense.shape[0]), rng.permutation(dense.shape[1])
    base = bridging_scores(VoteMatrix.from_dense(dense))
    moved = bridging_scores(VoteMatrix.from_dense(dense[rows][:, cols]))
    np.testing.assert_allclose(moved.statement_intercept, base.statement_intercept[cols], atol=1e-6)
    np.testing.assert_allclose(moved.statement_factor, base.statement_factor[cols], atol=1e-6)
    np.testing.assert_allclose(moved.participant_factor, base.participant_factor[rows], atol=1e-6)
    assert moved.global_intercept == pytest.approx(base.global_intercept, abs=1e-8)


def test_sampled_fit_agrees_with_the_full_fit() -> None:
    dense, _, _ = divided_room(seed=3, n=3000)
    matrix = VoteMatrix.from_dense(dense)
    full = bridging_scores(matrix)
    stages: dict[str, float] = {}
    sampled = bridging_scores(matrix, fit_sample=800, random_state=1, timings=stages)
    assert "sample_fit" in stages and "polish" in stages
    assert np.corrcoef(full.statement_intercept, sampled.statement_intercept)[0, 1] > 0.99
    assert len(set(full.top(20)) & set(sampled.top(20))) >= 18
    assert len(sampled.participant_factor) == 3000


def _assert_same_fit(got: BridgingScores, expected: BridgingScores) -> None:
    for name in (
        "statement_intercept",
        "statement_factor",
        "participant_intercept",
        "participant_factor",
    ):
        np.testing.assert_allclose(getattr(got, name), getattr(expected, name), atol=1e-12)


def test_sweeps_over_every_vote_block_by_block_equal_one_block(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # The sampled path sweeps every vote in blocks of participants (no float64 arrays per vote
    # for the whole conversation); blocks of 37 votes, cutting rows and with empty rows and an
    # excluded statement, must give the sweeps over one block.
    dense, _, _ = divided_room(seed=4, n=1500)
    dense[[3, 700, 1499]] = np.nan  # participants without a vote
    dense[11, :] = np.nan
    dense[11, 0] = 1.0  # only a vote on the excluded statement
    matrix = VoteMatrix.from_dense(
        dense, statement_ids=[f"s{j}" for j in range(dense.shape[1])], moderated_out=["s0"]
    )
    whole = bridging_scores(matrix, fit_sample=500, random_state=2)
    monkeypatch.setattr(bridging_module, "_BLOCK_VOTES", 37)
    assert len(bridging_module._Blocks(matrix, np.ones(matrix.n_statements)).ranges) > 100
    blocked = bridging_scores(matrix, fit_sample=500, random_state=2)
    _assert_same_fit(blocked, whole)
    assert blocked.global_intercept == pytest.approx(whole.global_intercept, abs=1e-12)
    assert blocked.statement_intercept[0] == 0 and blocked.participant_factor[11] == 0
    assert blocked.participant_intercept[[3, 700, 1499]].tolist() == [0.0, 0.0, 0.0]


def test_sweeps_through_a_callers_onehot_equal_the_blocks_built_here(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Track 2 mode hands its one-hot (without the votes on excluded statements) to the sweeps
    # over every vote; they must give what the blocks built from the votes give
    dense, _, _ = divided_room(seed=8, n=1200)
    dense[[5, 900]] = np.nan
    matrix = VoteMatrix.from_dense(
        dense, statement_ids=[f"s{j}" for j in range(dense.shape[1])], moderated_out=["s3"]
    )
    monkeypatch.setattr(bridging_module, "_BLOCK_VOTES", 41)
    built = bridging_scores(matrix, fit_sample=400, random_state=3)
    onehot = vote_onehot(matrix, np.asarray(matrix.is_excluded, dtype=bool))
    given = bridging_scores(
        matrix,
        fit_sample=400,
        random_state=3,
        onehot=OnehotVotes.of(onehot, matrix, nonempty=False),
    )
    _assert_same_fit(given, built)
    with pytest.raises(ValueError, match="of every row and statement"):
        bridging_scores(matrix, fit_sample=400, onehot=OnehotVotes.of(onehot, matrix))
    other = VoteMatrix.from_dense(dense[:100])
    with pytest.raises(ValueError, match="place 100 participants"):
        bridging_scores(
            matrix,
            onehot=OnehotVotes.of(vote_onehot(other), other, nonempty=False),
        )


def test_block_sweeps_weigh_statements_as_the_whole_matrix_does(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Blocks hold unweighted votes and apply each statement's weight to the statement side;
    # the whole-matrix sweeps hold a weight per vote. Same totals, same sweeps.
    dense, _, _ = divided_room(seed=6, n=400)
    matrix = VoteMatrix.from_dense(
        dense, statement_ids=[f"s{j}" for j in range(140)], moderated_out=["s0", "s7", "s139"]
    )
    included = (~matrix.is_excluded).astype(np.float64)
    weight, rating = bridging_module._weights_and_ratings(matrix.values, matrix.indices, included)
    shape = matrix.shape
    whole = bridging_module._data(
        sp.csr_array((weight, matrix.indices, matrix.indptr), shape=shape),
        sp.csr_array((rating, matrix.indices, matrix.indptr), shape=shape),
    )
    monkeypatch.setattr(bridging_module, "_BLOCK_VOTES", 53)
    blocks = bridging_module._Blocks(matrix, included)
    totals = bridging_module._block_totals(matrix, blocks)
    for name in ("n_u", "n_s", "sum_r_s", "total_n", "total_r"):
        np.testing.assert_allclose(getattr(totals, name), getattr(whole, name), atol=1e-9)
    pen = bridging_module._Penalties.of(whole, LAMBDA_INTERCEPT, LAMBDA_FACTOR)
    start = bridging_module._start(whole, pen)
    # parameters an excluded statement may carry in (they must weigh nothing)
    start.i_s[matrix.is_excluded] = 0.3
    start.f_s[matrix.is_excluded] = -0.2
    expected, _, _ = bridging_module._als(whole, start, pen, 3, 0.0)
    got, sweeps, _ = bridging_module._als_in_blocks(totals, blocks, start, pen, 3, 0.0)
    assert sweeps == 3
    # the first sweep filled in each participant's sum of ratings
    np.testing.assert_allclose(totals.sum_r_u, whole.sum_r_u, atol=1e-9)
    for name in ("i_u", "f_u", "i_s", "f_s"):
        np.testing.assert_allclose(getattr(got, name), getattr(expected, name), atol=1e-10)
    assert got.mu == pytest.approx(expected.mu, abs=1e-12)
    assert got.i_s[matrix.statement_index["s7"]] == 0.0


def test_excluded_statements_and_json() -> None:
    dense, _, _ = divided_room(seed=5, n=300)
    matrix = VoteMatrix.from_dense(
        dense, statement_ids=[f"s{j}" for j in range(140)], moderated_out=["s0", "s139"]
    )
    result = bridging_scores(matrix)
    first, last = matrix.statement_index["s0"], matrix.statement_index["s139"]
    assert result.statement_intercept[first] == 0 and result.statement_factor[first] == 0
    assert result.statement_intercept[last] == 0 and result.statement_factor[last] == 0
    doc = result.to_json()
    assert "s0" not in doc and "s139" not in doc and len(doc) == 138
    assert set(doc["s5"]) == {"intercept", "factor"}
    assert result.top(1)[0] in {f"s{j}" for j in range(1, 20)}


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"lambda_intercept": 0.0}, "penalties"),
        ({"lambda_factor": -1.0}, "penalties"),
        ({"max_iter": 0}, "max_iter"),
        ({"fit_sample": 1}, "fit_sample"),
    ],
)
def test_bad_settings(kwargs: dict[str, float], words: str) -> None:
    matrix = VoteMatrix.from_dense([[1.0, -1.0], [0.0, 1.0]])
    with pytest.raises(BridgingError, match=words):
        bridging_scores(matrix, **kwargs)  # type: ignore[arg-type]  # kwargs by test case


def test_no_votes_on_included_statements() -> None:
    matrix = VoteMatrix.from_dense([[1.0, np.nan], [0.0, np.nan]], moderated_out=[0])
    with pytest.raises(EmptyConversationError):
        bridging_scores(matrix)
