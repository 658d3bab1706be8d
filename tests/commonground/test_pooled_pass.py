"""The final fit's prior pools the pass shares' empirical-Bayes weight over the statements
(track2mode._shrink with ``pooled_pass``); the agree shares keep one weight per statement."""

from __future__ import annotations

import numpy as np

from track2.commonground.track2mode import (
    REFINE_PRIOR_WEIGHT,
    _shrink,
    refit_groups,
    track2_groups,
)
from track2.simulate.dialogue import SimulationParams, simulate_dialogue

K, M = 3, 400


def _counts(pass_rate: np.ndarray, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Successes and trials arranged groups x (pass, agree) x statements, as EM's M-step has
    them: 20-60 votes per group and statement, agree shares that divide the groups."""
    rng = np.random.default_rng(seed)
    seen = rng.integers(20, 60, size=(K, M)).astype(np.float64)
    passed = rng.binomial(seen.astype(np.int64), pass_rate[:, None]).astype(np.float64)
    agree_rate = rng.choice([0.15, 0.85], size=(K, M))
    agreed = rng.binomial((seen - passed).astype(np.int64), agree_rate).astype(np.float64)
    success = np.stack([passed, agreed], axis=1)
    trials = np.stack([seen, seen - passed], axis=1)
    return success, trials


def test_pass_shares_the_groups_hold_alike_are_pooled_almost_entirely() -> None:
    success, trials = _counts(np.full(K, 0.12))
    apart = _shrink(success, trials, REFINE_PRIOR_WEIGHT)
    pooled = _shrink(success, trials, REFINE_PRIOR_WEIGHT, pooled_pass=True)

    # What pulls participants apart is the difference between the groups' shares: per statement,
    # those whose groups differ by chance keep part of it.
    def widest(shares: np.ndarray) -> float:
        return float((shares[:, 0].max(axis=0) - shares[:, 0].min(axis=0)).max())

    assert widest(apart) > 0.1
    assert widest(pooled) < 0.02
    np.testing.assert_array_equal(pooled[:, 1], apart[:, 1])  # agree shares untouched


def test_pass_shares_the_groups_differ_on_are_kept() -> None:
    rates = np.array([0.05, 0.12, 0.40])
    success, trials = _counts(rates, seed=1)
    apart = _shrink(success, trials, REFINE_PRIOR_WEIGHT)
    pooled = _shrink(success, trials, REFINE_PRIOR_WEIGHT, pooled_pass=True)
    means = pooled[:, 0].mean(axis=1)
    np.testing.assert_allclose(means, rates, atol=0.03)
    np.testing.assert_allclose(means, apart[:, 0].mean(axis=1), atol=0.01)


def test_an_unvoted_statement_does_not_move_the_pooled_weight() -> None:
    success, trials = _counts(np.full(K, 0.12), seed=2)
    pooled = _shrink(success, trials, REFINE_PRIOR_WEIGHT, pooled_pass=True)
    # an unvoted statement's spread less its k - 1 degrees of freedom would read as evidence
    # that groups pass alike, if it were counted
    more_s = np.concatenate([success, np.zeros((K, 2, 50))], axis=2)
    more_t = np.concatenate([trials, np.zeros((K, 2, 50))], axis=2)
    padded = _shrink(more_s, more_t, REFINE_PRIOR_WEIGHT, pooled_pass=True)
    np.testing.assert_allclose(padded[:, :, :M], pooled, rtol=1e-12)


def test_the_groups_say_their_pass_shares_are_pooled() -> None:
    # The method line is what a report prints about how the groups were made.
    params = SimulationParams(n_participants=120, n_statements=30, n_groups=2, mean_votes=20)
    votes = simulate_dialogue(params, seed=3).matrix
    groups = track2_groups(votes, random_state=0)
    assert "the pass shares take one weight over all statements" in groups.method
    again = refit_groups(votes, groups.responsibilities, previous=groups)
    assert "the pass shares by one weight over all statements" in again.method
