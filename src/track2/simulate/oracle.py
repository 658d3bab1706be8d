"""The Bayes oracle for planted opinion groups: the best any method could do with these votes.

Given the simulator's true parameters — the group priors ``pi_g`` and, per group and statement,
the probabilities of agree, disagree and pass — the posterior group of participant ``u`` is

    P(g | votes of u)  ∝  pi_g * prod over voted s of theta[g, s, vote(u, s)]

and the oracle assigns ``u`` to the most probable group. No method that sees only the votes can
beat this assignment on average, so its adjusted Rand index (ARI) against the planted groups is
the information limit the benchmarks compare Pol.is mode and Track 2 mode with.

The oracle sees the same votes as the methods: statements moderated out (or meta) are left out,
as both modes leave them out.

:func:`supervised_groups` is the bound for a method that must *learn* the answer probabilities
from the votes: Track 2 mode's own model (the same M-step and empirical-Bayes prior) estimated
from the planted labels instead of from EM, then the same argmax-posterior assignment. Track 2
mode cannot expect to beat it; where it also falls short of the oracle, the shortfall is what
the votes let this model estimate, not the search for groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from track2.commonground.matrix import VoteMatrix
from track2.commonground.stats import adjusted_rand_index
from track2.commonground.track2mode import (
    REFINE_PRIOR_WEIGHT,
    group_posteriors,
    model_from_responsibilities,
    vote_onehot,
)
from track2.simulate.dialogue import SyntheticTruth

__all__ = [
    "OracleAssignment",
    "oracle_from_truth",
    "oracle_groups",
    "supervised_groups",
    "truth_vote_probabilities",
]

_FLOOR = 1e-12  # a zero true probability would make one vote veto a group; clip it instead


@dataclass(frozen=True, eq=False)
class OracleAssignment:
    """``labels[i]``: most probable true group of participant row ``i`` (the prior's mode when
    the participant has no vote); ``log_posterior`` is normalised per row; ``ari`` is against
    the planted groups when they were given."""

    labels: npt.NDArray[np.int64]
    log_posterior: npt.NDArray[np.float64]
    ari: float | None


def oracle_groups(
    votes: VoteMatrix,
    vote_probabilities: npt.ArrayLike,
    priors: npt.ArrayLike,
    true_groups: npt.ArrayLike | None = None,
) -> OracleAssignment:
    """Bayes-oracle assignment from true parameters.

    ``vote_probabilities`` is groups x statements x 3 — (agree, disagree, pass) for each group
    and statement, in the statement order of ``votes``; ``priors`` has one entry per group.
    """
    theta = np.asarray(vote_probabilities, dtype=np.float64)
    prior = np.asarray(priors, dtype=np.float64)
    if theta.ndim != 3 or theta.shape[1:] != (votes.n_statements, 3):
        raise ValueError(
            f"vote_probabilities must be groups x {votes.n_statements} statements x 3, "
            f"got {theta.shape}"
        )
    if prior.shape != (theta.shape[0],) or (prior <= 0).any():
        raise ValueError("priors must be positive, one per group")
    if not np.allclose(theta.sum(axis=2), 1.0, atol=1e-9) or (theta < 0).any():
        raise ValueError("each group's (agree, disagree, pass) probabilities must sum to 1")
    groups = theta.shape[0]
    onehot = vote_onehot(votes, np.asarray(votes.is_excluded, dtype=bool))
    log_theta = np.log(np.clip(theta, _FLOOR, 1.0)).reshape(groups, -1)
    joint = np.asarray(onehot @ log_theta.T, dtype=np.float64) + np.log(prior / prior.sum())
    joint -= joint.max(axis=1, keepdims=True)
    log_posterior = joint - np.log(np.exp(joint).sum(axis=1, keepdims=True))
    labels = np.argmax(log_posterior, axis=1).astype(np.int64)
    ari = None
    if true_groups is not None:
        truth = np.asarray(true_groups)
        if truth.shape != labels.shape:
            raise ValueError(f"true_groups must have {len(labels)} entries, got {truth.shape}")
        ari = float(adjusted_rand_index(truth, labels))
    return OracleAssignment(labels, log_posterior, ari)


def truth_vote_probabilities(truth: SyntheticTruth) -> npt.NDArray[np.float64]:
    """(agree, disagree, pass) per group and statement from the simulator's truth: a vote is a
    pass with probability ``pass_probability``, else agree with ``agree_probability``."""
    agree = np.asarray(truth.agree_probability, dtype=np.float64)
    passed = float(truth.pass_probability)
    return np.stack(
        [(1 - passed) * agree, (1 - passed) * (1 - agree), np.full_like(agree, passed)], axis=2
    )


def oracle_from_truth(votes: VoteMatrix, truth: SyntheticTruth) -> OracleAssignment:
    """The oracle for a simulated dialogue (participant and statement ids are 0..n-1, 0..m-1)."""
    theta = truth_vote_probabilities(truth)
    rows = np.asarray(votes.participant_ids, dtype=np.int64)
    cols = np.asarray(votes.statement_ids, dtype=np.int64)
    return oracle_groups(votes, theta[:, cols, :], truth.group_shares, truth.group[rows])


def supervised_groups(
    votes: VoteMatrix,
    true_groups: npt.ArrayLike,
    *,
    adaptive: bool = True,
    prior_weight: float = REFINE_PRIOR_WEIGHT,
    folds: int = 1,
    random_state: int = 0,
) -> OracleAssignment:
    """Track 2 mode's model fitted to the true groups: the supervised bound.

    The answer probabilities and group shares are one M-step of ``track2mode`` (``adaptive``:
    its empirical-Bayes prior with a weight of at least ``prior_weight`` pseudo-votes, as its
    final fit on every vote; else its fixed prior of ``PRIOR_WEIGHT`` pseudo-votes) from hard
    responsibilities, the planted group of every participant with a vote; each participant then goes to the most probable group under them
    (``track2mode``'s E-step). ``true_groups`` has one entry per row of ``votes`` (groups
    0..k-1). With ``folds`` = 1 a participant's own votes are in the estimate that assigns
    them (optimistic); with ``folds`` > 1 the voters are split at random (``random_state``)
    into that many folds and each fold is assigned by the estimate from the others (the honest
    bound). Statements moderated out (or meta) are left out, as Track 2 mode leaves them out.
    """
    truth = np.asarray(true_groups, dtype=np.int64)
    if truth.shape != (votes.n_participants,) or (truth < 0).any():
        raise ValueError(
            f"true_groups must have {votes.n_participants} groups numbered from 0, got {truth.shape}"
        )
    if folds < 1:
        raise ValueError(f"folds must be at least 1, got {folds}")
    x = vote_onehot(votes, np.asarray(votes.is_excluded, dtype=bool))
    m = votes.n_statements
    groups = int(truth.max()) + 1
    voters = np.flatnonzero(np.diff(x.indptr) > 0)
    resp = np.zeros((votes.n_participants, groups), dtype=np.float32)
    resp[voters, truth[voters]] = 1.0
    fold = np.zeros(votes.n_participants, dtype=np.int64)
    fold[voters] = np.random.default_rng(random_state).permutation(len(voters)) % folds
    posterior = np.empty((votes.n_participants, groups), dtype=np.float32)
    for held in range(folds):
        rows = fold == held
        known = resp if folds == 1 else resp * ~rows[:, None]
        log_theta, log_prior = model_from_responsibilities(
            x, known, m, adaptive=adaptive, prior_weight=prior_weight
        )
        posterior[rows] = group_posteriors(x[np.flatnonzero(rows)], log_theta, log_prior)
    log_posterior = np.log(np.maximum(posterior.astype(np.float64), 1e-300))
    labels = np.argmax(posterior, axis=1).astype(np.int64)
    return OracleAssignment(labels, log_posterior, float(adjusted_rand_index(truth, labels)))
