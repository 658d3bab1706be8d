"""Track 2 mode opinion groups: a latent-class model fitted by EM on the observed votes only.

Pol.is projects every participant on two principal components of a mean-imputed matrix and
clusters the projections. With most votes missing, both steps throw information away: the
imputed zeros pull sparse voters to the centre, and two components cannot separate more than a
few groups. Track 2 mode instead fits the model the votes are generated from:

* each participant belongs to one of ``k`` opinion groups, group ``g`` with prior ``pi_g``;
* a participant of group ``g`` who sees statement ``s`` agrees, disagrees or passes with
  probabilities ``theta[g, s] = (agree, disagree, pass)``, independently across statements;
* a statement a participant never saw contributes nothing (missing at random): the likelihood of
  participant ``u`` in group ``g`` is ``prod over voted s of theta[g, s, vote(u, s)]``.

This is the model a Bayes oracle with the true ``theta`` and ``pi`` would use, so a good fit gets
close to the information limit of the votes (see ``docs/benchmarks.md``). It is fitted by EM with
sparse products only: with ``X`` the participants x (3 * statements) one-hot matrix of votes,
the E-step is ``X @ log(theta)`` and the M-step ``X.T @ responsibilities``, both ``O(votes * k)``.
``theta`` has a prior (MAP estimate): each statement's pass share and agree-among-voters share
are shrunk towards the statement's shares over everyone, by an empirical-Bayes weight chosen from
how much the groups differ beyond sampling noise, per statement (in the final fit, the pass
share's once over all statements; at least 5 pseudo-votes
while choosing k, at least 2 in the final fit on every vote and in live updates):
a statement the groups answer alike is shrunk almost entirely and stops adding noise, a divisive
one keeps each group's shares, and no probability is ever zero.

Choosing ``k``: the participants are split (seeded) into a fitting part (80%) and a held-out
part (20%); for each ``k`` from ``min_groups`` to ``max_groups`` the model is fitted on the first
part (best of ``n_starts`` starts) and scored by the log-likelihood of the held-out participants'
votes under the fitted mixture, ``sum_u log sum_g pi_g prod_s theta[g, s, vote(u, s)]``. A larger ``k``
wins only when its paired gain over the current best, summed over the held-out participants,
exceeds one standard error of that sum (a bare "higher score" let the split's noise add groups on
one seed and not another). The first ``k`` must beat one group (each statement's overall
answers, smoothed as the groups' shares are shrunk towards), and the scan goes on until some
``k`` has; after that it stops when two larger ``k`` in a row fail, and a ``k`` tried after one
that failed must gain two standard errors (a second look at one standard error added groups on
marginal gains). When no ``k`` beats one group, k is ``min_groups`` and
``Track2Groups.beats_one_group`` is False: the groups are the fewest drawn, not ones the votes
show, and reports say so. With fewer than 250 participants (a room holds out a handful), that
verdict is 5-fold cross-validation's instead, every participant scored out of fold (k is still
the scan's). Up to 10,000 participants this is done five times, each fifth of them held out in
turn, and k is the most groups that four of the five rounds reached (none, when two found no
k that beats one group), then one more at a time while two rounds reached it and, every
participant scored out of fold by their round's fits, it gains sqrt(5) standard errors; each
round's fit of that k (of those that chose it) is refined on every vote and the most likely
kept. One held-out fifth decided k by the luck of who was in it. Where a round costs
milliseconds (up to 2,500 voters and under 40,000 votes in the sample) and the first five
rounds disagree, they run on two more splits into fifths: fifteen rounds, counted by the same
shares (twelve of fifteen, six of fifteen), each participant's pooled gain counted once; on
real conversations one split still moved k between analyses of the same votes. Each k's pooled
gain over k - 1 is kept (``pooled_gains``); one within _CLOSE_CALL_SE of the bar, for k + 1 or
for k, is a close call that reports name (``Track2Groups.close_calls``). BIC was tried
first and rejected: its penalty of ``2 * statements`` parameters per group picks k = 2 on the
5k x 300 benchmark where four groups are planted.

Starts: k-means++ (seeded) on a spectral embedding of the participants (top singular vectors of
the column-centred observed votes, rows scaled by ``sqrt(statements / votes)`` as Pol.is does), one
start per seed, plus, from the (k - 1)-group fit, each group split along its main direction and
each group's worst-explained 10% as a new group. When the first k's fit does not predict the
held-out participants better than one group, that k is searched again from the statement-balanced
embedding (each statement's column scaled by 1/sqrt(its votes), as correspondence analysis weighs
columns), and the scan goes on from it if it fits better: the most-voted statements can own the
plain embedding's leading directions, and every start then splits along nothing planted (150k x
2,000 with 40% noise statements: ARI 70% of the oracle's, 99% with the retry; docs/benchmarks.md).
Every start gets a short EM run with the fixed
prior. With at least 500 held-out participants the five with the highest likelihood run to
convergence and the one that predicts the held-out participants best is kept (the one with the
highest training likelihood can split a large group along chance agreements). Otherwise (fewer
held-out participants, k fixed, or starts ranked on part of a large sample) the one start with
the highest likelihood runs to convergence. The short runs take 12 steps
when the fitting part has at most ``_RANK_ROWS`` participants (6 above that, where they cost
most): after 6 steps the splits of a large group led the ranking, and the start that finds a
small absorbed group overtook them only later; on the 5k x 300 benchmark its converged fit beat
the 3-group fit by 1.2-3.5 standard errors where the 6-step ranking had dropped it
(docs/benchmarks.md). With the better ranking a larger k sometimes ended with a group of a
handful of participants that still passed the held-out test, so a k whose smallest group holds
less than ``_MIN_GROUP_SHARE`` (1%) of the fitting participants, or fewer than 5, never counts
as better. For large conversations model selection runs on a seeded sample of
``fit_sample`` participants; the chosen model is then refined by EM on all participants. When
the fitting part has more than ``_RANK_ROWS`` (10,000) participants, the short runs that rank
the starts use 5,000 of them (evenly spread over the already random sample) and only the
best start runs on all of them: with k up to 8 there are 2k - 1 starts per k, and their short
runs were the largest cost of a 1M-participant analysis. The refinement of a model chosen on a
sample also stops once an EM step moves at most 0.1% of participants to another group (at 1M
participants, after one step on every vote instead of three).
Everything is deterministic given ``random_state``.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Generator, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.linalg import svds

from track2.commonground.clusters import kmeans, plus_plus_seeds
from track2.commonground.cores import usable_cores
from track2.commonground.errors import CommonGroundError, EmptyConversationError, GroupCountError
from track2.commonground.matrix import (
    AGREE,
    COUNT_CHUNK,
    DISAGREE,
    VoteMatrix,
    answer_columns,
)

__all__ = [
    "Track2Groups",
    "Track2ModeError",
    "dense_vote_onehot",
    "group_posteriors",
    "model_from_responsibilities",
    "onehot_answer",
    "refit_groups",
    "rounds_said",
    "spectral_embedding",
    "track2_groups",
    "vote_onehot",
]

PRIOR_WEIGHT = 5.0  # pseudo-votes of the prior on each group's answers to each statement
# The empirical-Bayes weight's floor in the final fit on every vote (and in the live updates that
# continue it): the floor of PRIOR_WEIGHT holds back statements that divide the groups; with 2,
# Track 2 mode and the model fitted to the true groups both come closer to the oracle (issue 15,
# docs/benchmarks.md). Model selection keeps PRIOR_WEIGHT: a lower floor there lost small groups.
# The final fit also pools the pass shares' weight over the statements (_shrink's pooled_pass):
# pooled while choosing k as well, the 5 % group was absorbed on 10 of 20 hard rows of seeds
# 6-15 instead of 4 (docs/benchmarks.md, "The pass share pooled").
REFINE_PRIOR_WEIGHT = 2.0
HELD_OUT_SHARE = 0.2
DENSE_EM_CELLS = 200_000  # refit_groups: one-hot matrices up to this size run dense
_REL_TOL = 1e-6  # EM stops when the log-likelihood gains less than this, relative
_START_ITERS = 6  # short EM runs that pick the best start before running it to convergence
# ... and when the fitting part has at most _RANK_ROWS participants (the short runs are cheap):
# after 6 steps the split starts of a large group lead on the fixed-prior likelihood, and the
# start that finds a small absorbed group overtakes them only later (issue 15).
_SMALL_START_ITERS = 12
# Stop trying larger k after this many in a row fail to beat the best held-out score: one that
# fails may be a poor local fit of the search (150k x 2,000, 6 planted groups: k = 3 scored below
# k = 2, and k = 6 won by far; with 1 the scan stopped at k = 2, ARI 22% of the oracle's).
_PATIENCE = 2
# Model selection runs on a sample of participants and on the statements most voted in it, as many
# as keep at least this many sample votes per statement on average: with too few votes per
# statement the held-out score cannot see a small group (1M x 5k with 20k participants and all
# 5k statements has 200 votes per statement and misses the 10% group).
_SELECTION_VOTES_PER_STATEMENT = 500
_SELECTION_MIN_STATEMENTS = 50
_MIN_PARTICIPANTS_PER_GROUP = 5
_DENSE_SVD_CELLS = 200_000  # small rooms: exact dense SVD instead of ARPACK
_KMEANS_ITERS = 25
_MAX_SHRINK = 1e4  # pseudo-votes: a statement on which the groups answer alike is ignored
_SELECTION_SE = 1.0  # standard errors a larger k must gain on the held-out participants
# ... and a k tried after one that failed (the scan's second look, _PATIENCE): a second chance at
# one standard error added groups on small real conversations on marginal gains (brexit-consensus
# 4 -> 7 groups of 204 participants at 1.03 SE; scoop-hivemind.ubi 3 -> 6 at 1.30), where the
# case the second look is for gains by far (150k x 2,000, 6 groups: k = 6 over k = 2).
_SECOND_LOOK_SE = 2.0
_MISFIT_SHARE = 0.1  # share of a group's worst-explained members that start a new group
# A larger k whose fit has a group below this share of the fitting participants (or below
# _MIN_PARTICIPANTS_PER_GROUP) does not count as better: such a group is a handful of
# participants left over when a start's new group collapses, and the held-out test let it through.
_MIN_GROUP_SHARE = 0.01
# Starts run to convergence after the short runs, and the one that predicts the held-out
# participants best is kept: the converged start with the highest training likelihood can split
# a large group along chance agreements, which the held-out participants do not share, where
# another isolates a real small group (5k x 300, the hard settings of seeds 1-15: the 5% group
# absorbed on 6 of 30 rows instead of 16, rows under 90% of the oracle's ARI 9 of 90 instead of
# 13, three rows at k = 5 for 4 planted within 1.1 points of ARI; docs/benchmarks.md). Five of
# the 2k - 1 starts do as well as all of them at a third less cost.
_FINALISTS = 5
# ... only with at least this many held-out participants: with fewer, the pick follows their
# noise (1,500 x 150 with 40% noise statements, even with cross-fitted scores: three of eight
# seeds worse, one at k = 8 for 4 planted). One finalist, by training likelihood, also when k is fixed (nobody is held out) and
# when the short runs rank on part of a large fitting sample, where each finalist runs on every
# fitting row (at 1M x 5k four more would cost seconds).
_FINALISTS_MIN_HELD_OUT = 500
_RANK_ROWS = 10_000  # above this many fitting rows, the short runs rank starts on a part ...
_RANK_SAMPLE = 5_000  # ... of this many rows (at 1M x 5k, 7 groups: 0.8 s less, same groups)
# The final fit on every vote, when k was chosen on a sample of participants, also stops once a
# step moves at most this share of participants to another group: the sample's model (at least
# 400 votes per statement) already fixes most answer probabilities. At 1M x 5k the planted shapes'
# first step moves 0.3-0.8 % and the next under 0.05 %; on an ideal-point continuum (no groups)
# steps 5-12 each moved 0.5-0.18 % with likelihood gains under 2e-5, drift along a flat
# likelihood at 0.3 s a step. 0.5 % rather than 0.1 % (stop 34): the 1M shapes 1.06-1.28x faster,
# every ARI on them and on the 150k shapes within 0.001 (docs/benchmarks.md). Where the sample's
# statements miss many votes, labels keep moving and EM goes on.
_SAMPLED_LABEL_TOL = 0.005
# On a fitting part above _RANK_ROWS, each finalist's two EM phases stop after at most this many
# steps: choosing k needs the held-out score to within a standard error, not its last digits,
# and the chosen model is fitted again on every vote. At 1M x 5k (7 groups) the spurious 8th
# group took 85 steps, 1 s of the 3.7 s that choosing k took. 12 rather than 20 (stop 28): the
# spurious k = 5, 6 of the 1M default shape ran to 20 in both phases after the balanced
# embedding's start, and every k chosen and ARI on the 1M and 150k shapes stayed the same.
_SAMPLED_FINALIST_ITERS = 12
# ... and the final fit on every vote runs at most this many steps. On planted groups it settles
# in 1-8 (150k x 2,000 and the 1M shapes); on opinions spread over a continuum (an independent
# 1M x 5k ideal-point dialogue, 30M votes) labels drift along a flat likelihood for all 30 steps
# allowed before, 0.18 s each, with no step count more right than another.
_SAMPLED_REFINE_ITERS = 12
# Below this many participants with votes, whether the groups beat one group is decided by
# 5-fold cross-validation over all of them, not by the held-out part: a room of 10 holds out 2,
# and two clear camps of 5 never passed; scored out of fold they pass on 5 of 5 seeds, while
# rooms of 20 voting at random pass on none of 30 (docs/benchmarks.md). From 2 * _ROUNDS voters
# the rounds' held-out scores are that cross-validation (each voter scored once, by the fits of
# the round that held them out); below, each fold's k is fitted again (_cross_checked).
_CROSS_CHECK_ROWS = 250
# Up to this many participants with votes in the fitting sample, k is chosen _ROUNDS times,
# each fifth of them held out in turn, and k is the most groups that _ROUNDS_AGREE of the
# rounds reached, then one more at a time (_one_more) while _ROUNDS_MORE rounds reached it and
# the pooled out-of-fold gain exceeds _POOLED_SE standard errors: per participant, what one
# fifth's single standard error asks, measured on five times the people. Which fifth is held
# out moved k more than anything else: on football-concussions one split gave k = 4 under
# eight seeds, eight splits gave 3-8. On seven real conversations the groups of two analyses (other seed or row
# order) agreed with a mean ARI of 0.46-0.73 with one round, 0.68-0.96 now. The median of the
# five (three agreeing) alone added groups where three fifths' gains were within noise (5k x
# 300, mean 15 votes, seed 4: k = 5 at 58 % of the oracle's ARI; pooled, that fifth group gains
# 1.45 standard errors). Four of five alone absorbed the 5 % group in 23 of its 50 hard runs
# (19 with one held-out fifth); with the pooled step, 12 (the groups it adds gained 2.2-3.6).
# The pooled test is the guard, so two rounds that reached a k may ask for it (three before,
# stop 39): the 5 % group absorbed in 10 of the 30 hard 5 % rows of seeds 1-15, now 6; on the
# other planted benchmarks and random rooms no k changed; on real conversations (continua) k
# moves more between seeds (canadian-electoral-reform 3 or 4: two runs agree 88 -> 68 %).
# See docs/benchmarks.md, "Each fifth held out in turn". Above the limit one held-out fifth
# holds 2,000 people, and five rounds would cost seconds at 1M participants.
_ROUNDS = 5
_ROUNDS_AGREE = 4
_ROUNDS_MORE = 2
_POOLED_SE = float(np.sqrt(5.0))
# A number of groups whose pooled gain (one group more than the chosen k, or the chosen k over
# one fewer) lies within this many standard errors of _POOLED_SE is a close call, and reports
# say another run may find the other number. Seed to seed the pooled gain of the same k moves
# by about 0.4 standard errors on real conversations (15-per-hour-seattle, 4 over 3: 1.5-2.6);
# leaving out one split into fifths (k_settled) saw only some of the runs that another seed
# contradicts (docs/benchmarks.md, "Close calls").
_CLOSE_CALL_SE = 0.5
_ROUNDS_MAX_ROWS = 10_000
_ROUND_WORKERS = 2  # threads for the rounds (fewer on one core) ...
# ... from this many votes in the sample: 5k x 300 (200k votes) 6.8 s on one thread, 4.3 s on
# two; vtaiwan.uberx (49k) 2.1 s and 1.7 s; but football-concussions (14k) 0.93 s and 1.05 s,
# and 15-per-hour-seattle (3k) 0.27 s and 0.48 s.
_ROUND_THREAD_VOTES = 40_000
_LOCKSTEP_CELLS = 65_536  # rows x columns of the rounds' EM runs side by side (256 KB float32)
_CROSS_CHECK_FOLDS = 5
# Below this many votes in the sample and up to _REPEAT_ROWS voters (a round then costs
# milliseconds), when the first five rounds disagree, the five rounds are run _REPEATS times,
# each time on another split into fifths, and the rules above count shares of all the rounds
# (four in five reached, two in five asked for one more) with each participant's out-of-fold
# gains counted once (_pooled_beats). One split into fifths still moved k on real
# conversations, which are continua where k = 3 and 4 predict almost alike: two analyses of the
# same votes agreed on k 29-48 % of the time on four of eight (docs/benchmarks.md, "Three
# splits into fifths"). When leaving out any one of the three splits would change k (_settled),
# two splits more (_REPEATS_UNSETTLED): three still left seattle at 3 or 4 groups in about half
# of the runs; five where three are unsettled agree on k in 88 % (docs/benchmarks.md, "Two
# splits more when leaving one out moves k"), at 1.0-1.5x the cost of three.
_REPEATS = 3
_REPEATS_UNSETTLED = 5
_REPEAT_VOTES = 40_000
_REPEAT_ROWS = 2_500

FloatArray = npt.NDArray[np.float64]


class Track2ModeError(CommonGroundError, ValueError):
    """Settings that cannot work (k out of range, too few participants for the k asked)."""


@dataclass(frozen=True, eq=False)
class Track2Groups:
    """Opinion groups found by Track 2 mode.

    ``labels[i]`` is the group (0..k-1) of participant row ``i``, or -1 for a participant with no
    vote on an included statement. Groups are numbered by decreasing size (members, then
    summed responsibilities). ``responsibilities`` are the posterior group probabilities (rows
    of -1 participants are the priors).
    ``vote_probabilities[g, s]`` is (agree, disagree, pass) for group ``g`` on statement ``s``
    (statement order of the vote matrix; excluded statements keep the uniform prior).
    ``held_out_log_likelihood`` maps each k tried to its score (with several rounds, each k
    every round tried, summed over the rounds: every participant scored once, out of fold;
    with several splits into fifths, the mean of the splits' sums);
    ``n_groups`` is the chosen k (or the one asked). ``k_by_round``: the k each round chose,
    each with its own fifth of the participants held out (None: none beat one group), split
    after split (5 rounds each, ``n_splits`` splits); empty
    with a single round (large conversations, k fixed). ``beats_one_group``: whether the chosen groups predicted the held-out
    participants' votes better than one group of everyone (by the selection's margin); False
    when no k did, so that ``n_groups`` is only the fewest allowed and the groups are not ones
    the votes show (a report says so); None when k was fixed or nobody was held out. A fit
    continued by :func:`refit_groups` keeps its earlier fit's value.
    """

    labels: npt.NDArray[np.int64]
    responsibilities: npt.NDArray[np.float32]
    n_groups: int
    priors: FloatArray
    vote_probabilities: FloatArray
    log_likelihood: float
    held_out_log_likelihood: dict[int, float]
    n_iterations: int
    n_fit_participants: int
    n_fit_statements: int
    random_state: int
    method: str
    beats_one_group: bool | None = None
    k_by_round: tuple[int | None, ...] = ()
    n_splits: int = 1  # splits into fifths that k_by_round's rounds came from
    # With several splits, the k their rounds give with each split left out in turn (None: no
    # k beat one group), and whether each is the rounds' own k (None: one split, or k fixed).
    # Another value says that another draw of the held-out fifths could have given it.
    k_without_split: tuple[int | None, ...] = ()
    k_settled: bool | None = None
    # With several rounds: each k every round tried, from 2, and its pooled out-of-fold gain
    # over k - 1 groups (over one group for 2) in standard errors of that gain, the measure
    # the pooled test for one more group compares with _POOLED_SE.
    pooled_gains: dict[int, float] = field(default_factory=dict)

    def members(self, group: int) -> npt.NDArray[np.int64]:
        return np.flatnonzero(self.labels == group)

    def close_calls(self) -> dict[int, float]:
        """The numbers of groups the choice of k nearly went to, each with its pooled gain:
        ``n_groups + 1`` when its gain over ``n_groups`` came within _CLOSE_CALL_SE of the
        bar of the pooled test (_POOLED_SE standard errors), and ``n_groups`` itself when its
        gain over one fewer did (then one fewer is the other number). Only between numbers of
        at least two groups, and only for groups the votes show (``beats_one_group``)."""
        if self.beats_one_group is not True:
            return {}
        return {
            k: gain
            for k, gain in self.pooled_gains.items()
            if k in (self.n_groups, self.n_groups + 1)
            and k >= 3
            and abs(gain - _POOLED_SE) < _CLOSE_CALL_SE
        }

    @property
    def bar(self) -> float:
        """The pooled test's bar for one more group, in standard errors."""
        return _POOLED_SE

    def to_json(self, participant_ids: npt.ArrayLike) -> dict[str, object]:
        """Groups as ``[{"id": g, "members": [participant ids]}]`` plus the method and the
        held-out score of every k tried; ``participant_ids`` are the vote matrix's row ids."""
        ids = np.asarray(participant_ids)
        if ids.shape != self.labels.shape:
            raise ValueError(f"expected {len(self.labels)} participant ids, got {ids.shape}")
        return {
            "method": self.method,
            "k": self.n_groups,
            "beats_one_group": self.beats_one_group,
            "k_by_round": list(self.k_by_round),
            "n_splits": self.n_splits,
            "k_without_split": list(self.k_without_split),
            "k_settled": self.k_settled,
            "pooled_gains": {str(k): v for k, v in self.pooled_gains.items()},
            "held_out_log_likelihood": {
                str(k): round(v, 3) for k, v in self.held_out_log_likelihood.items()
            },
            "groups": [
                {"id": g, "members": ids[self.labels == g].tolist()} for g in range(self.n_groups)
            ],
        }


def vote_onehot(votes: VoteMatrix, excluded: npt.NDArray[np.bool_] | None = None) -> sp.csr_array:
    """Participants x (3 * statements) CSR of ones: column ``3 s + o`` for answer ``o`` on ``s``
    (0 agree, 1 disagree, 2 pass). Rows keep their column order, so no sort is needed.

    Built COUNT_CHUNK votes at a time straight into the result's arrays: at 46M votes the
    whole-array temporaries (the columns before dropping excluded statements, the running
    count of kept votes) were 370 MB above the result, and the analysis's peak."""
    indptr = votes.compact_indptr  # int32 when the votes fit: scipy keeps the int32 columns
    n_votes = votes.n_votes
    if excluded is None or not excluded.any():
        columns = votes.onehot_columns()
    else:
        n_kept = int(votes.statement_counts["seen"][~excluded].sum())
        columns = np.empty(n_kept, dtype=np.int32)
        kept_indptr = np.empty_like(indptr)
        kept = 0
        for start in range(0, n_votes, COUNT_CHUNK):
            end = min(start + COUNT_CHUNK, n_votes)
            keep = ~excluded[votes.indices[start:end]]
            chunk = answer_columns(votes.values[start:end], votes.indices[start:end])[keep]
            # Rows starting in this chunk start after the kept votes before them.
            first, stop = np.searchsorted(indptr, [start, end])
            kept_before = np.zeros(end - start + 1, dtype=indptr.dtype)
            np.cumsum(keep, dtype=indptr.dtype, out=kept_before[1:])
            kept_indptr[first:stop] = kept + kept_before[indptr[first:stop] - start]
            columns[kept : kept + len(chunk)] = chunk
            kept += len(chunk)
        kept_indptr[np.searchsorted(indptr, n_votes) :] = kept
        indptr = kept_indptr
    return sp.csr_array(
        (np.ones(len(columns), dtype=np.float32), columns, indptr),
        shape=(votes.n_participants, 3 * votes.n_statements),
    )


def dense_vote_onehot(votes: VoteMatrix) -> npt.NDArray[np.float32]:
    """:func:`vote_onehot` as a dense float32 array without the votes on excluded statements
    (their columns are 0): what :func:`refit_groups` multiplies by in a small room."""
    keep = ~votes.is_excluded[votes.indices]
    x = np.zeros((votes.n_participants, 3 * votes.n_statements), dtype=np.float32)
    x[votes.vote_rows[keep], answer_columns(votes.values, votes.indices)[keep]] = 1.0
    return x


def onehot_answer(vote: int) -> int:
    """The answer's offset in the one-hot layout: 0 agree, 1 disagree, 2 pass."""
    return 0 if vote == AGREE else 1 if vote == DISAGREE else 2


# The one-hot votes EM multiplies by: sparse, or dense for a small room (refit_groups).
OneHot: TypeAlias = sp.csr_array | npt.NDArray[np.float32]


@dataclass
class _Fit:
    log_theta: FloatArray  # k x (3 m): log theta[g, s, o] at column 3 s + o
    log_prior: FloatArray
    log_likelihood: float
    iterations: int


def _shrink(
    success: FloatArray, trials: FloatArray, floor: float = PRIOR_WEIGHT, pooled_pass: bool = False
) -> FloatArray:
    """Each group's success share on each statement (groups on axis -3, before (pass, agree) and
    the statements; any axes before them are fits side by side), shrunk towards the statement's
    share over everyone by an empirical-Bayes amount chosen per statement (``pooled_pass``: the
    pass share's once for all statements, :func:`_pool`).

    One-way random-effects estimate: the between-group variance of the shares beyond what
    sampling explains, tau2 (as a fraction of pbar * (1 - pbar)), gives a beta prior of weight
    alpha = 1 / tau2 - 1 pseudo-votes (pooled: tau2 from the spreads and sizes summed over the
    statements). A statement on which the groups answer alike (tau2 near
    0) is shrunk almost entirely, so its sampling noise cannot pull participants apart; one on
    which they differ keeps its group shares. alpha is kept in [floor, _MAX_SHRINK].

    EM calls this after every vote in a live room, where the cost is the number of numpy calls
    and their strides, not their size: groups come before the answers and statements (a sum over
    them runs along contiguous rows; over a last axis of 2-5 groups numpy was 5x slower), sums are
    ``np.add.reduce`` (``ndarray.sum`` without its wrapper), np.minimum(np.maximum(...)) is
    np.clip without its overhead, and temporaries are updated in place.
    """
    k = trials.shape[-3]
    total = np.add.reduce(trials, axis=-3, keepdims=True)
    pbar = np.add.reduce(success, axis=-3, keepdims=True)
    pbar += 0.5
    pbar /= total + 1.0
    if k == 1:
        # One group is what k groups become when they answer alike: each statement's smoothed
        # share over everyone, the value groups shrink towards. (The variance formula below has
        # no between-group term to read for one group; its floor left one group a weight of 5
        # towards itself, less smoothed than any k, so k groups out-predicted one group on a
        # room's held-out participants even on votes drawn at random.)
        return pbar.copy()
    deviation = success / np.maximum(trials, 1e-9)
    deviation -= pbar
    np.square(deviation, out=deviation)
    deviation *= trials
    spread = np.add.reduce(deviation, axis=-3, keepdims=True)
    spread /= pbar * (1.0 - pbar)
    effective = np.add.reduce(np.square(trials), axis=-3, keepdims=True)
    effective /= np.maximum(total, 1e-9)
    np.subtract(total, effective, out=effective)
    spread -= k - 1
    # The final fit's pass share: one weight for every statement, from the excess spread pooled
    # over them. Passing is mostly a habit of the person and a trait of the statement, rarely of
    # a group; per statement, a pass share's few votes made the weight noisy, and pass shares the
    # groups hold alike were left half shrunk (docs/benchmarks.md, "The pass share pooled").
    if pooled_pass:
        _pool(spread[..., 0, :], effective[..., 0, :], total[..., 0, :])
    spread /= np.maximum(effective, 1e-9)
    tau2 = np.minimum(np.maximum(spread, 0.0, out=spread), 1.0, out=spread)
    alpha = np.divide(1.0, np.maximum(tau2, 1e-12, out=tau2), out=tau2)
    alpha -= 1.0
    alpha = np.minimum(np.maximum(alpha, floor, out=alpha), _MAX_SHRINK, out=alpha)
    out = success + alpha * pbar
    out /= trials + alpha
    return out


def _pool(excess: FloatArray, effective: FloatArray, total: FloatArray) -> None:
    """Replace each statement's excess spread and effective size (statements on the last axis)
    by their sums over the statements that have votes, in place: one empirical-Bayes weight
    for all of them. An unvoted statement adds nothing (its excess of -(k - 1) is no data)."""
    voted = total > 0
    pooled_excess = np.add.reduce(np.where(voted, excess, 0.0), axis=-1, keepdims=True)
    excess[...] = pooled_excess
    effective[...] = np.add.reduce(effective, axis=-1, keepdims=True)


def _m_step(
    x_t: OneHot,
    resp: npt.NDArray[np.float32],
    n_statements: int,
    adaptive: bool = True,
    floor: float = PRIOR_WEIGHT,
    pooled_pass: bool = False,
) -> tuple[FloatArray, FloatArray]:
    """Log answer probabilities (k x 3 m, columns as in the one-hot votes) and log priors from
    responsibilities; ``x_t``: the one-hot votes transposed (EM makes scipy's transposed view
    once, not at every step: 50 µs of checks each time, 6 % of choosing k at 5,000 x 300).
    ``floor``, ``pooled_pass``: the adaptive prior's (:func:`_shrink`). The counts are arranged
    groups x answers x statements, so that sums over the groups run along contiguous rows."""
    return _models(x_t @ resp, resp, 1, n_statements, adaptive, floor, pooled_pass)[0]


def _models(
    by_column: npt.NDArray[np.float32],
    resps: npt.NDArray[np.float32],
    fits: int,
    n_statements: int,
    adaptive: bool,
    floor: float = PRIOR_WEIGHT,
    pooled_pass: bool = False,
) -> list[tuple[FloatArray, FloatArray]]:
    """:func:`_m_step` of ``fits`` fits (same k) at once, from their products ``by_column``
    (one-hot columns x groups: each column's summed responsibilities) and responsibilities
    ``resps``, side by side (columns: fits * k): the same operations on every element, each
    numpy call serving all the fits."""
    k = resps.shape[1] // fits
    summed = np.asarray(by_column, dtype=np.float64).T
    counts = summed.reshape(fits, k, n_statements, 3).transpose(0, 1, 3, 2)
    log_theta = _log_theta(np.ascontiguousarray(counts), adaptive, floor, pooled_pass)
    log_sizes = _log_sizes(resps.reshape(resps.shape[0], fits, k))
    return [(log_theta[f], log_sizes[f]) for f in range(fits)]


def _log_theta(
    counts: FloatArray, adaptive: bool, floor: float, pooled_pass: bool = False
) -> FloatArray:
    """Log answer probabilities (... x k x 3 m, columns as in the one-hot votes) from summed
    responsibilities arranged ... x groups x answers x statements (any leading axes are fits
    side by side), so that sums over the groups run along contiguous rows."""
    *fits, k, _, n_statements = counts.shape
    if adaptive:
        # Two nested shares, each shrunk by its own amount: passing (a statement's pass rate
        # is often the same in every group) and agreeing among those who did not pass. Both
        # in one call (_shrink works statement by statement): half the small-array overhead.
        success = counts[..., 2::-2, :]  # (pass, agree): a view
        trials = np.empty_like(success)
        np.add(counts[..., 0, :], counts[..., 1, :], out=trials[..., 1, :])  # agree + disagree
        np.add(trials[..., 1, :], counts[..., 2, :], out=trials[..., 0, :])  # seen
        shares = _shrink(success, trials, floor, pooled_pass)
        passing, agreeing = shares[..., 0, :], shares[..., 1, :]
        theta = np.empty(counts.shape)
        not_passing = np.subtract(1.0, passing, out=theta[..., 2, :])
        np.multiply(not_passing, agreeing, out=theta[..., 0, :])
        np.subtract(1.0, agreeing, out=theta[..., 1, :])
        theta[..., 1, :] *= not_passing
        theta[..., 2, :] = passing
        unvoted = np.add.reduce(trials[..., 0, :], axis=-2, keepdims=True) == 0
        if unvoted.any():  # an unvoted statement: uniform
            np.copyto(theta, 1.0 / 3.0, where=unvoted[..., np.newaxis, :])
    else:
        # Fixed prior: each group's answers to a statement shrink towards the statement's
        # answers over everyone (smoothed by 1/2 per answer), with weight PRIOR_WEIGHT.
        overall = counts.sum(axis=-3, keepdims=True) + 0.5
        overall /= overall.sum(axis=-2, keepdims=True)
        counts += PRIOR_WEIGHT * overall
        theta = counts / counts.sum(axis=-2, keepdims=True)
    np.log(theta, out=theta)
    return np.swapaxes(theta, -1, -2).reshape(*fits, k, 3 * n_statements)


def _log_sizes(resp: npt.NDArray[np.float32]) -> FloatArray:
    """Log group shares from responsibilities (rows first, groups last, any axes between them
    fits side by side; add-one keeps an emptied group alive)."""
    sizes = np.add.reduce(resp, axis=0, dtype=np.float64)
    sizes += 1.0
    sizes /= np.add.reduce(sizes, axis=-1, keepdims=True)
    return np.log(sizes, out=sizes)


_Real = TypeVar("_Real", np.float32, np.float64)


def _row_max(values: npt.NDArray[_Real]) -> npt.NDArray[_Real]:
    """Each row's largest value (a column; over the last axis), one group at a time: numpy's max
    over the short last axis costs 4× more (100 ms against 24 ms at 1M × 7), the same result."""
    top = values[..., :1].copy()
    for group in range(1, values.shape[-1]):
        np.maximum(top, values[..., group : group + 1], out=top)
    return top


def _row_sum(values: npt.NDArray[_Real]) -> npt.NDArray[_Real]:
    """Each row's sum (a column), one group at a time: 12 against 130 µs at 4,000 × 5. Below
    8 groups numpy's sum over the last axis adds them in this order, so the result is the
    same bit for bit; from 8 it sums pairwise, and numpy's own sum is kept."""
    if values.shape[-1] >= 8:
        return np.add.reduce(values, axis=-1, keepdims=True)
    total = values[..., :1].copy()
    for group in range(1, values.shape[-1]):
        np.add(total, values[..., group : group + 1], out=total)
    return total


def _e_step(
    x: OneHot, log_theta: FloatArray, log_prior: FloatArray
) -> tuple[npt.NDArray[np.float32], float]:
    # float32 throughout: the largest array is participants x k, and each row's log-likelihood
    # is a sum of at most a few thousand terms, far within float32 precision for argmax and EM.
    return _posterior(x @ log_theta.T.astype(np.float32), log_prior)


def _posterior(
    joint: npt.NDArray[np.float32], log_prior: FloatArray
) -> tuple[npt.NDArray[np.float32], float]:
    """:func:`_e_step` from its product ``joint`` (rows x groups: each row's log-likelihood in
    each group, updated in place), so that several fits can share one product."""
    joint += log_prior.astype(np.float32)
    top = _row_max(joint)
    joint -= top
    np.exp(joint, out=joint)
    total = _row_sum(joint)
    joint /= total
    log_likelihood = np.add.reduce(np.log(total, out=total), axis=None, dtype=np.float64)
    return joint, float(log_likelihood + np.add.reduce(top, axis=None, dtype=np.float64))


def _posteriors(
    joint: npt.NDArray[np.float32],
    log_priors: list[FloatArray],
    rows: list[int] | None = None,
) -> list[tuple[npt.NDArray[np.float32], float]]:
    """:func:`_posterior` of several fits at once, ``joint`` holding their products side by side
    (rows x fits * k) and left holding their responsibilities: the same operations on every
    element, in one numpy call for all the fits instead of one each. ``rows``: each fit's
    number of rows, the first of ``joint`` (:func:`_em_dense`); its responsibilities on the
    rows after them are set to 0."""
    n, fits = joint.shape[0], len(log_priors)
    joint += np.concatenate(log_priors).astype(np.float32)
    view = joint.reshape(n, fits, -1)
    top = _row_max(view)
    view -= top
    np.exp(joint, out=joint)
    total = _row_sum(view)
    view /= total
    np.log(total, out=total)
    # Each fit's sums along its own contiguous row, as _posterior sums its column.
    logs, tops = total.reshape(n, fits).T.copy(), top.reshape(n, fits).T.copy()
    if rows is None:
        summed = np.add.reduce(logs, axis=1, dtype=np.float64)
        summed += np.add.reduce(tops, axis=1, dtype=np.float64)
        return [(np.ascontiguousarray(view[:, f]), float(summed[f])) for f in range(fits)]
    # Fits with the same number of rows (most rounds have as many) sum theirs in one call.
    summed = np.empty(fits)
    for own in set(rows):
        alike = [f for f in range(fits) if rows[f] == own]
        summed[alike] = np.add.reduce(logs[alike, :own], axis=1, dtype=np.float64)
        summed[alike] += np.add.reduce(tops[alike, :own], axis=1, dtype=np.float64)
        if own < n:
            view[own:, alike] = 0.0
    return [(np.ascontiguousarray(view[:own, f]), float(summed[f])) for f, own in enumerate(rows)]


def model_from_responsibilities(
    onehot: sp.csr_array,
    responsibilities: npt.NDArray[np.float32],
    n_statements: int,
    *,
    adaptive: bool = True,
    prior_weight: float = REFINE_PRIOR_WEIGHT,
    pooled_pass: bool = True,
) -> tuple[FloatArray, FloatArray]:
    """The model's log answer probabilities (groups x 3 statements, columns as in
    :func:`vote_onehot`) and log group shares from given responsibilities: EM's M-step, with the
    empirical-Bayes prior of at least ``prior_weight`` pseudo-votes (``adaptive``; with
    ``pooled_pass``, the pass shares' weight pooled over the statements, as in the final fit) or
    the fixed prior of ``PRIOR_WEIGHT``. The simulator's supervised bound fits it to planted
    groups."""
    return _m_step(onehot.T, responsibilities, n_statements, adaptive, prior_weight, pooled_pass)


def group_posteriors(
    onehot: sp.csr_array, log_theta: FloatArray, log_prior: FloatArray
) -> npt.NDArray[np.float32]:
    """Each row's probability of each group under a model of
    :func:`model_from_responsibilities`: EM's E-step."""
    return _e_step(onehot, log_theta, log_prior)[0]


def _row_log_likelihood(x: OneHot, log_theta: FloatArray, log_prior: FloatArray) -> FloatArray:
    """Each row's log-likelihood under the mixture, log sum_g pi_g prod_s theta[g, s, vote]."""
    joint = np.asarray(x @ log_theta.T, dtype=np.float64) + log_prior
    top = _row_max(joint)
    joint -= top
    np.exp(joint, out=joint)
    return np.asarray((top + np.log(_row_sum(joint)))[:, 0], dtype=np.float64)


def _beats(
    candidate: FloatArray, incumbent: FloatArray, se: float = _SELECTION_SE, copies: float = 1.0
) -> bool:
    """Whether more groups predict the held-out participants better beyond noise: the paired
    gain in held-out log-likelihood exceeds ``se`` standard errors of that gain. A bare
    "higher score" lets the held-out split's noise add groups on one seed and not another.
    ``copies``: each participant is scored that many times (once per split into fifths); the
    gain is their mean, over the participants, not the scores."""
    gain = candidate - incumbent
    return bool(gain.sum() / copies > se * np.sqrt(len(gain) / copies) * gain.std())


def _em(
    x: OneHot,
    resp: npt.NDArray[np.float32],
    n_statements: int,
    max_iter: int,
    rel_tol: float = _REL_TOL,
    no_votes: npt.NDArray[np.bool_] | None = None,
    adaptive: bool = True,
    start_model: tuple[FloatArray, FloatArray] | None = None,
    final_m_step: bool = True,
    floor: float = PRIOR_WEIGHT,
    label_tol: float | None = None,
    pooled_pass: bool = False,
) -> tuple[_Fit, npt.NDArray[np.float32]]:
    """EM from responsibilities ``resp``; rows flagged ``no_votes`` carry no weight. With the
    adaptive prior the likelihood need not rise every step, so EM stops when it changes by less
    than ``rel_tol`` either way. ``start_model``: (log theta, log prior) to start from instead
    of the M-step of ``resp`` (a live update: the previous fit, an M-step of the same
    responsibilities on all votes but the new ones). ``final_m_step=False``: on convergence,
    return the parameters the last responsibilities (and log-likelihood) were computed from
    instead of one more M-step from them (a live update: it changes them by less than the
    tolerance, and the next update continues from there); a run cut at ``max_iter`` still
    ends with its M-step. ``floor``, ``pooled_pass``: the adaptive prior's (:func:`_shrink`).
    ``label_tol``: also converged when a step moves at most this share of rows to another
    group (their most likely one), the first step counting from the labels of ``resp``."""
    previous = -np.inf
    x_t = x.T
    labels = None if label_tol is None else resp.argmax(axis=1)
    log_likelihood = -np.inf
    iterations = 0
    if start_model is None:
        log_theta, log_prior = _m_step(x_t, resp, n_statements, adaptive, floor, pooled_pass)
    else:
        log_theta, log_prior = start_model
    while iterations < max_iter:
        iterations += 1
        resp, log_likelihood = _e_step(x, log_theta, log_prior)
        if no_votes is not None:
            resp[no_votes] = 0.0
        converged = abs(log_likelihood - previous) <= rel_tol * abs(log_likelihood)
        if label_tol is not None and labels is not None:
            moved, labels = labels, resp.argmax(axis=1)
            converged |= bool(np.count_nonzero(moved != labels) <= label_tol * len(labels))
        if converged and not final_m_step:
            break
        log_theta, log_prior = _m_step(x_t, resp, n_statements, adaptive, floor, pooled_pass)
        if converged:
            break
        previous = log_likelihood
    return _Fit(log_theta, log_prior, log_likelihood, iterations), resp


def _em_together(
    x: OneHot,
    resps: list[npt.NDArray[np.float32]],
    n_statements: int,
    max_iter: int,
    rel_tol: float = _REL_TOL,
    adaptive: bool = True,
) -> list[tuple[_Fit, npt.NDArray[np.float32]]]:
    """:func:`_em` from each of ``resps`` (same k), step by step side by side: each step's two
    sparse products serve every fit still running, one column block each. A product costs
    about the same per vote whatever the number of columns (5,000 x 300: 4 columns 237 µs,
    20 columns 328 µs), and each column is summed in the same order as alone, so every fit is
    bit for bit the one :func:`_em` returns (tested). Dense votes: :func:`_em_dense`."""
    if isinstance(x, np.ndarray):
        return _em_dense([(x, resp) for resp in resps], n_statements, max_iter, rel_tol, adaptive)
    if len(resps) < 2:
        return [
            _em(x, resp, n_statements, max_iter, rel_tol=rel_tol, adaptive=adaptive)
            for resp in resps
        ]
    resps = list(resps)
    x_t = x.T
    side_by_side = np.concatenate(resps, axis=1)
    models = _models(x_t @ side_by_side, side_by_side, len(resps), n_statements, adaptive)
    fits = [_Fit(*model, -np.inf, 0) for model in models]
    previous = [-np.inf] * len(resps)
    running = list(range(len(resps))) if max_iter > 0 else []
    while running:
        stacked = np.concatenate([fits[f].log_theta for f in running])
        joint = x @ stacked.T.astype(np.float32)
        posteriors = _posteriors(joint, [fits[f].log_prior for f in running])
        converged = _record(fits, resps, previous, running, posteriors, max_iter, rel_tol)
        # joint now holds the running fits' responsibilities, side by side
        models = _models(x_t @ joint, joint, len(running), n_statements, adaptive)
        for f, (log_theta, log_prior) in zip(running, models, strict=True):
            fits[f].log_theta, fits[f].log_prior = log_theta, log_prior
        running = [f for c, f in enumerate(running) if not converged[c]]
    return list(zip(fits, resps, strict=True))


def _record(
    fits: list[_Fit],
    resps: list[npt.NDArray[np.float32]],
    previous: list[float],
    running: list[int],
    posteriors: list[tuple[npt.NDArray[np.float32], float]],
    max_iter: int,
    rel_tol: float,
) -> list[bool]:
    """One E-step's results for the ``running`` fits side by side, and whether each has
    converged (as :func:`_em` decides)."""
    converged = []
    for c, f in enumerate(running):
        resps[f], log_likelihood = posteriors[c]
        fits[f].log_likelihood = log_likelihood
        fits[f].iterations += 1
        converged.append(
            abs(log_likelihood - previous[f]) <= rel_tol * abs(log_likelihood)
            or fits[f].iterations >= max_iter
        )
        previous[f] = log_likelihood
    return converged


def _em_dense(
    jobs: list[tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]],
    n_statements: int,
    max_iter: int,
    rel_tol: float = _REL_TOL,
    adaptive: bool = True,
) -> list[tuple[_Fit, npt.NDArray[np.float32]]]:
    """:func:`_em` of each (dense votes, responsibilities) of ``jobs`` (same k; each fit its own
    rows: the rounds of choosing k fit the same small room on different participants), step by
    step side by side. In a small room the cost is the number of numpy calls, not their size
    (a 40 x 60 room: ~70 µs a step, almost all of it calls), so each step's products are one
    call per fit (BLAS may sum a wider product in another order) and the rest one call for
    all of them: the fits' rows are stacked to the longest, the rows a fit does not have left
    out of its sums (bit for bit the fit :func:`_em` returns, tested)."""
    if len(jobs) < 2:
        return [
            _em(x, resp, n_statements, max_iter, rel_tol=rel_tol, adaptive=adaptive)
            for x, resp in jobs
        ]
    rows = [x.shape[0] for x, _ in jobs]
    k = jobs[0][1].shape[1]
    longest = max(rows)
    resps = [resp for _, resp in jobs]

    def counts(running: list[int]) -> OneHot:
        return np.concatenate([jobs[f][0].T @ resps[f] for f in running], axis=1)

    side_by_side = np.zeros((longest, len(jobs) * k), dtype=np.float32)
    for f, resp in enumerate(resps):
        side_by_side[: rows[f], f * k : (f + 1) * k] = resp
    everyone = list(range(len(jobs)))
    models = _models(counts(everyone), side_by_side, len(jobs), n_statements, adaptive)
    fits = [_Fit(*model, -np.inf, 0) for model in models]
    previous = [-np.inf] * len(jobs)
    running = everyone if max_iter > 0 else []
    while running:
        joint = np.zeros((longest, len(running) * k), dtype=np.float32)
        for c, f in enumerate(running):
            joint[: rows[f], c * k : (c + 1) * k] = jobs[f][0] @ fits[f].log_theta.T.astype(
                np.float32
            )
        posteriors = _posteriors(
            joint, [fits[f].log_prior for f in running], [rows[f] for f in running]
        )
        converged = _record(fits, resps, previous, running, posteriors, max_iter, rel_tol)
        # joint now holds the running fits' responsibilities, side by side (zero on the rows
        # a fit does not have: they add nothing to its group sizes)
        models = _models(counts(running), joint, len(running), n_statements, adaptive)
        for f, (log_theta, log_prior) in zip(running, models, strict=True):
            fits[f].log_theta, fits[f].log_prior = log_theta, log_prior
        running = [f for c, f in enumerate(running) if not converged[c]]
    return list(zip(fits, resps, strict=True))


def spectral_embedding(
    onehot: sp.csr_array, n_statements: int, dims: int, *, balanced: bool = False
) -> FloatArray:
    """Spectral embedding of the rows of a one-hot vote matrix (:func:`vote_onehot`): top
    singular vectors of the column-centred observed votes (agree +1, disagree -1, pass 0), times
    the singular values, rows scaled by sqrt(statements / votes) as Pol.is scales projections.
    Columns are in decreasing order of singular value.

    ``balanced``: each statement's column is also divided by the square root of its votes (as
    correspondence analysis weighs columns), so that the most-voted statements do not own the
    leading directions. The choice of k falls back to it when the first k's fit from the plain
    embedding does not beat one group (see the module docstring)."""
    csr = sp.csr_array(onehot)
    answer = csr.indices % 3
    value = np.where(answer == 0, 1.0, np.where(answer == 1, -1.0, 0.0))
    statement = csr.indices // 3
    seen = np.bincount(statement, minlength=n_statements)
    mean = np.bincount(statement, weights=value, minlength=n_statements) / np.maximum(seen, 1)
    value -= mean[statement]
    if balanced:
        value /= np.sqrt(np.maximum(seen, 1))[statement]
    centred = sp.csr_array((value, statement, csr.indptr), shape=(csr.shape[0], n_statements))
    dims = max(1, min(dims, min(centred.shape) - 1))
    if centred.shape[0] * centred.shape[1] <= _DENSE_SVD_CELLS:
        u_all, s_all, _ = np.linalg.svd(centred.toarray(), full_matrices=False)
        u, s = u_all[:, :dims], s_all[:dims]
    else:
        # ARPACK from a fixed start vector is deterministic.
        u, s, _ = svds(centred, k=dims, v0=np.full(n_statements, n_statements**-0.5))
        order = np.argsort(-s)  # ARPACK returns them in increasing order
        u, s = u[:, order], s[order]
    votes_per_row = np.diff(csr.indptr)
    scale = np.sqrt(n_statements / np.maximum(votes_per_row, 1))
    return np.asarray(u * s * scale[:, None], dtype=np.float64)


def _kmeans_labels(points: FloatArray, k: int, rng: np.random.Generator) -> npt.NDArray[np.int64]:
    """The engine's one k-means (:mod:`clusters`: Pol.is's Lloyd loop) from k-means++ seeds on
    the embedding: a start for EM, not a result. Where the points allow fewer than k distinct
    seeds, or a cluster empties, the labels name fewer than k groups; :func:`_hard` keeps the
    others alive with a small share of everyone."""
    seeds = plus_plus_seeds(points, k, rng)
    return kmeans(points, k, seeds=seeds, max_iters=_KMEANS_ITERS).labels


def _hard(labels: npt.NDArray[np.int64], k: int) -> npt.NDArray[np.float32]:
    resp = np.full((len(labels), k), 0.02 / k, dtype=np.float32)  # soft, so no group starts empty
    resp[np.arange(len(labels)), labels] += 0.98
    return resp


def _split_starts(
    previous: npt.NDArray[np.float32], embedding: FloatArray
) -> list[npt.NDArray[np.float32]]:
    """Starts for k groups from a (k-1)-group fit: split one group in two, for each group.

    The group's members are divided by the sign of their position along the group's main
    direction in the spectral embedding (its first principal component).
    """
    labels = previous.argmax(axis=1)
    starts = []
    for group in range(previous.shape[1]):
        members = labels == group
        if members.sum() < 2:
            continue
        centred = embedding[members] - embedding[members].mean(axis=0)
        _, _, directions = np.linalg.svd(centred, full_matrices=False)
        side = (embedding - embedding[members].mean(axis=0)) @ directions[0] > 0
        resp = np.concatenate([previous, previous[:, group : group + 1] * side[:, None]], axis=1)
        resp[:, group] *= ~side
        resp = 0.98 * resp + 0.02 / resp.shape[1]
        starts.append(resp.astype(np.float32))
    return starts


def _misfit_starts(
    previous: npt.NDArray[np.float32], x: OneHot, fit: _Fit
) -> list[npt.NDArray[np.float32]]:
    """Starts for k groups from a (k-1)-group fit: for each group, its members that its answer
    probabilities explain worst (lowest log-likelihood per vote, the bottom _MISFIT_SHARE) start
    a group of their own. A small group absorbed by a large one is such a set of misfits, and
    splitting the large group along its main direction does not find it."""
    labels = previous.argmax(axis=1)
    per_vote = np.asarray(x @ fit.log_theta.T, dtype=np.float64)[np.arange(len(labels)), labels]
    per_vote /= np.maximum(_votes_per_row(x), 1)
    starts = []
    for group in range(previous.shape[1]):
        members = np.flatnonzero(labels == group)
        if len(members) < 2 * _MIN_PARTICIPANTS_PER_GROUP / _MISFIT_SHARE:
            continue
        worst = members[per_vote[members] <= np.quantile(per_vote[members], _MISFIT_SHARE)]
        side = np.zeros(len(labels), dtype=bool)
        side[worst] = True
        resp = np.concatenate([previous, previous[:, group : group + 1] * side[:, None]], axis=1)
        resp[:, group] *= ~side
        resp = 0.98 * resp + 0.02 / resp.shape[1]
        starts.append(resp.astype(np.float32))
    return starts


def _votes_per_row(x: OneHot) -> npt.NDArray[np.float64]:
    """Each participant's number of votes (a row of one-hot votes holds a 1 per vote)."""
    if isinstance(x, np.ndarray):
        return np.add.reduce(x, axis=1, dtype=np.float64)
    return np.diff(x.indptr).astype(np.float64)


def _for_em(x: sp.csr_array) -> OneHot:
    """The one-hot votes EM multiplies by: dense up to DENSE_EM_CELLS cells, where scipy's
    fixed cost per sparse product outweighs the product (a room of 40 x 60 spent most of
    choosing k building transposes: thousands of EM steps of a few microseconds of work)."""
    return x.toarray() if x.shape[0] * x.shape[1] <= DENSE_EM_CELLS else x


@dataclass(frozen=True, eq=False)
class _EMRun:
    """EM runs that a fit's search asks for (:func:`_em_together` of these arguments): the
    search is written as steps that yield them, so that the rounds of choosing k can run theirs
    side by side (:func:`_lockstep`)."""

    x: OneHot
    resps: list[npt.NDArray[np.float32]]
    n_statements: int
    max_iter: int
    rel_tol: float = _REL_TOL
    adaptive: bool = True

    def run(self) -> _Fitted:
        return _em_together(
            self.x, self.resps, self.n_statements, self.max_iter, self.rel_tol, self.adaptive
        )

    def shared(self) -> tuple[object, ...] | None:
        """What runs must have alike to run side by side (:func:`_em_dense`: dense votes, the
        same k and settings); None: this one runs alone."""
        if not isinstance(self.x, np.ndarray) or not self.resps:
            return None
        k = self.resps[0].shape[1]
        return k, self.n_statements, self.max_iter, self.rel_tol, self.adaptive


_Fitted: TypeAlias = list[tuple[_Fit, npt.NDArray[np.float32]]]
_Result = TypeVar("_Result")
_Steps: TypeAlias = Generator[_EMRun, _Fitted, _Result]


def _alone(steps: _Steps[_Result]) -> _Result:
    """Run the steps' EM runs one after the other; their result."""
    try:
        run = next(steps)
        while True:
            run = steps.send(run.run())
    except StopIteration as done:
        result: _Result = done.value  # a generator's return value
        return result


def _lockstep(searches: list[_Steps[_Result]]) -> list[_Result]:
    """Run several searches' steps side by side: at each turn, the EM runs of every search
    still going that can share their steps run as one :func:`_em_dense`. A small room's rounds
    of choosing k fit the same few hundred cells on different participants, thousands of EM
    steps each of a few microseconds of work: side by side, most numpy calls serve them all
    (a 40 x 60 room's cold analysis 467 -> 284 ms, docs/benchmarks.md). Each fit is the one it
    is alone, bit for bit, so the results are those of :func:`_alone` on each search (tested)."""
    results: dict[int, _Result] = {}
    waiting: dict[int, _EMRun] = {}

    def advance(i: int, fitted: _Fitted | None) -> None:
        try:
            waiting[i] = next(searches[i]) if fitted is None else searches[i].send(fitted)
        except StopIteration as done:
            results[i] = done.value
            waiting.pop(i, None)

    for i in range(len(searches)):
        advance(i, None)
    while waiting:
        together: dict[object, list[int]] = {}
        for i, run in waiting.items():
            together.setdefault(run.shared() or i, []).append(i)
        fitted: dict[int, _Fitted] = {}
        for members in _in_cache(together.values(), waiting):
            runs = [waiting[i] for i in members]
            if len(runs) == 1:
                fitted[members[0]] = runs[0].run()
                continue
            first = runs[0]
            fits = iter(
                _em_dense(
                    [(np.asarray(run.x), resp) for run in runs for resp in run.resps],
                    first.n_statements,
                    first.max_iter,
                    first.rel_tol,
                    first.adaptive,
                )
            )
            for i, run in zip(members, runs, strict=True):
                fitted[i] = [next(fits) for _ in run.resps]
        for i, result in fitted.items():
            advance(i, result)
    return [results[i] for i in range(len(searches))]


def _in_cache(groups: Iterable[list[int]], waiting: dict[int, _EMRun]) -> Iterator[list[int]]:
    """Each group of runs that can share their steps, cut into parts whose responsibilities
    side by side stay within _LOCKSTEP_CELLS (each part at least one run): past it, the steps'
    arrays leave the cache and side by side is slower (football-concussions, 1,190 fitting
    rows: 0.85x), while a small room's whole group fits."""
    for members in groups:
        part: list[int] = []
        cells = 0
        for i in members:
            run = waiting[i]
            more = run.x.shape[0] * sum(resp.shape[1] for resp in run.resps)
            if part and cells + more > _LOCKSTEP_CELLS:
                yield part
                part, cells = [], 0
            part.append(i)
            cells += more
        if part:
            yield part


def _best_fit(
    x: OneHot,
    embedding: FloatArray,
    k: int,
    n_statements: int,
    n_starts: int,
    seed_sequence: np.random.SeedSequence,
    max_iter: int,
    previous: npt.NDArray[np.float32] | None,
    previous_fit: _Fit | None = None,
    x_held: OneHot | None = None,
) -> _Steps[tuple[_Fit, npt.NDArray[np.float32], FloatArray | None]]:
    """Short EM runs from ``n_starts`` k-means++ starts and from every split of the previous
    (k-1)-group fit; the best after the short run go on to convergence. Returns the winning fit,
    its responsibilities and, with held-out participants ``x_held``, each one's log-likelihood
    under it (:func:`_pick_finalist`). Its EM runs are steps (:class:`_EMRun`) for
    :func:`_alone` or :func:`_lockstep` to run."""
    starts = [
        _hard(_kmeans_labels(embedding, k, np.random.default_rng(child)), k)
        for child in seed_sequence.spawn(n_starts)
    ]
    if previous is not None:
        starts += _split_starts(previous, embedding)
        if previous_fit is not None:
            starts += _misfit_starts(previous, x, previous_fit)
    # Starts are compared after a few steps with the fixed prior: early on the groups are
    # blurred, and the adaptive prior would read that as "no statement separates them" and
    # shrink the start away. The most promising starts then converge with the fixed prior
    # (which finds the basin) and finally with the adaptive one (which sharpens it).
    # A large fitting sample ranks its starts on _RANK_SAMPLE of its rows (evenly spread; the
    # rows are already a seeded random sample): a start's promise shows as well there, and
    # the short runs were most of the cost of choosing k at 1M participants.
    rank_rows = None
    rank_x = x
    if x.shape[0] > _RANK_ROWS:
        rank_rows = np.linspace(0, x.shape[0] - 1, min(_RANK_SAMPLE, _RANK_ROWS)).astype(np.int64)
        rank_x = x[rank_rows]
    start_iters = _SMALL_START_ITERS if rank_rows is None else _START_ITERS
    finalist_iters = max_iter if rank_rows is None else min(max_iter, _SAMPLED_FINALIST_ITERS)
    ranked = yield _EMRun(
        rank_x,
        [start if rank_rows is None else start[rank_rows] for start in starts],
        n_statements,
        start_iters,
        rel_tol=0.0,
        adaptive=False,
    )
    short = [(fit.log_likelihood, fit, resp) for fit, resp in ranked]
    short.sort(key=lambda entry: -entry[0])
    finalists = 1
    if rank_rows is None and x_held is not None and x_held.shape[0] >= _FINALISTS_MIN_HELD_OUT:
        finalists = _FINALISTS
    resps = [
        _e_step(x, short_fit.log_theta, short_fit.log_prior)[0] if rank_rows is not None else resp
        for _, short_fit, resp in short[:finalists]
    ]  # with rank_rows: every fitting row, from the short run's model
    warm = yield _EMRun(x, resps, n_statements, finalist_iters, adaptive=False)
    converged = yield _EMRun(x, [resp for _, resp in warm], n_statements, finalist_iters)
    for (fit, _), (warm_fit, _) in zip(converged, warm, strict=True):
        fit.iterations += start_iters + warm_fit.iterations
    if not converged:
        raise Track2ModeError(f"n_starts must be at least 1, got {n_starts}")
    # A fit whose smallest group is too small to count (the choice of k's size rule) ranks
    # below every fit that can.
    eligible = [_groups_big_enough(resp, k) for _, resp in converged]
    if x_held is None:
        best = max(
            range(len(converged)), key=lambda i: (eligible[i], converged[i][0].log_likelihood)
        )
        return *converged[best], None
    held = [_row_log_likelihood(x_held, fit.log_theta, fit.log_prior) for fit, _ in converged]
    best = _pick_finalist(held, eligible)
    return *converged[best], held[best]


def _pick_finalist(held: list[FloatArray], eligible: list[bool]) -> int:
    """The finalist that predicts the held-out participants best (``held``: each finalist's
    log-likelihood of each of them); one whose groups are too small to count ranks below every
    one that can. The same participants then compare k, which favours a larger k by the luck of
    its pick; cross-fitted scores (each half scored by the finalist the other half picks) undo
    that, but at 5k x 300 (seeds 1-15) they absorbed the 5% group on three more rows and changed
    no other k but one, 5 -> 4 (docs/benchmarks.md), so the pick's own scores are kept."""
    return max(range(len(held)), key=lambda i: (eligible[i], float(held[i].sum())))


def _groups_big_enough(resp: npt.NDArray[np.float32], k: int) -> bool:
    """Whether every group of a fit holds at least _MIN_GROUP_SHARE of the participants (and
    _MIN_PARTICIPANTS_PER_GROUP), counting each participant in their most likely group, not by
    summed responsibilities: a fit of near-identical groups can hold 1% of the participants in
    each by soft shares while its labels put everyone in one group (600 x 80: k = 8, all 600 in
    group 0)."""
    smallest = int(np.bincount(resp.argmax(axis=1), minlength=k).min())
    return smallest >= max(_MIN_PARTICIPANTS_PER_GROUP, _MIN_GROUP_SHARE * resp.shape[0])


def _cross_checked(
    x: sp.csr_array,
    k: int,
    n_statements: int,
    n_starts: int,
    seed_sequence: np.random.SeedSequence,
    max_iter: int,
) -> bool:
    """Whether ``k`` groups predict each participant (row of ``x``, every one with a vote)
    better than one group does, by one standard error of the paired gain, each fifth scored by
    the models fitted on the other four: the held-out test for a room too small to hold out
    enough participants once, and too small for the rounds (under 2 * _ROUNDS voters)."""
    folds = np.random.default_rng(seed_sequence.spawn(1)[0]).permutation(x.shape[0])
    folds %= _CROSS_CHECK_FOLDS
    grouped = np.empty(x.shape[0])
    alone = np.empty(x.shape[0])
    for fold, seed in zip(
        range(_CROSS_CHECK_FOLDS), seed_sequence.spawn(_CROSS_CHECK_FOLDS), strict=True
    ):
        scored, fitted = np.flatnonzero(folds == fold), np.flatnonzero(folds != fold)
        if len(fitted) < 2 * k or not len(scored):
            return False
        x_fit = x[fitted]
        embedding = spectral_embedding(x_fit, n_statements, k + 2)
        em_fit, x_scored = _for_em(x_fit), _for_em(x[scored])
        fit, _, _ = _alone(
            _best_fit(em_fit, embedding, k, n_statements, n_starts, seed, max_iter, None)
        )
        grouped[scored] = _row_log_likelihood(x_scored, fit.log_theta, fit.log_prior)
        everyone = np.ones((len(fitted), 1), dtype=np.float32)
        log_theta, log_prior = _m_step(em_fit.T, everyone, n_statements, floor=PRIOR_WEIGHT)
        alone[scored] = _row_log_likelihood(x_scored, log_theta, log_prior)
    return _beats(grouped, alone)


@dataclass
class _Scan:
    """The choice of k on one held-out part: the k chosen (None: no k beat one group), the fit
    of each k tried and its held-out score, whether the fits start from the balanced
    embedding, and each held-out participant's log-likelihood under each k (1: one group)."""

    chosen: int | None
    fits: dict[int, _Fit]
    held_out: dict[int, float]
    rebalanced: bool
    scores: dict[int, FloatArray]
    held: npt.NDArray[np.int64]  # the held-out rows, in the order of ``scores``


def _scan(
    sample: sp.csr_array,
    train: npt.NDArray[np.int64],
    held: npt.NDArray[np.int64],
    m_selected: int,
    groups_range: tuple[int, int, int],
    fixed: bool,
    n_starts: int,
    seeds: np.random.SeedSequence,
    max_iter: int,
) -> _Steps[_Scan]:
    """Fit k = ``scan_from``..``max_groups`` groups on the rows ``train`` of ``sample``, each
    from the splits of the previous k's fit, and choose k by the held-out rows ``held`` (the
    rules of the module docstring); ``groups_range`` is (scan_from, min_groups, max_groups)."""
    scan_from, min_groups, max_groups = groups_range
    x_train, x_held = sample[train], sample[held]
    embedding = spectral_embedding(x_train, m_selected, max_groups + 2)
    em_train, em_held = _for_em(x_train), _for_em(x_held)
    held_out: dict[int, float] = {}
    scores: dict[int, FloatArray] = {}
    chosen: int | None = None
    fits: dict[int, _Fit] = {}
    previous: npt.NDArray[np.float32] | None = None
    # One group (each statement's overall answers) is what the first k must beat on the held-out
    # participants, and the scan goes on until some k has: at 150k x 2,000 with 5 planted groups
    # among 40% noise statements, the searched fits of k = 2-5 all scored below one group (their
    # groups were unrelated to the planted ones, ARI 0) and k = 6 beat it by far.
    one_group: int | None = None
    rebalanced = False
    if len(held) and min_groups > 1 and not fixed:
        one_group = 1
        everyone = np.ones((x_train.shape[0], 1), dtype=np.float32)
        log_theta, log_prior = _m_step(
            em_train.T, everyone, m_selected, adaptive=True, floor=PRIOR_WEIGHT
        )
        scores[one_group] = _row_log_likelihood(em_held, log_theta, log_prior)
    for groups, seed in zip(
        range(scan_from, max_groups + 1), seeds.spawn(max_groups - scan_from + 1), strict=True
    ):
        fits[groups], previous, held_scores = yield from _best_fit(
            em_train,
            embedding,
            groups,
            m_selected,
            n_starts,
            seed,
            max_iter,
            previous,
            fits.get(groups - 1),
            em_held if len(held) else None,
        )
        if held_scores is not None and not fixed:
            scores[groups] = held_scores
            if (
                one_group is not None
                and groups == min_groups
                and not _beats(scores[groups], scores[one_group])
            ):
                # The leading directions found nothing that predicts better than one group: the
                # most-voted statements can own them (150k x 2,000, 40% noise statements, a
                # heavy tail of votes per person: every start of k = 2-4 split along nothing
                # planted). Search this k again from the balanced embedding (each statement's
                # column scaled by 1/sqrt(its votes)) and, if it fits better, go on from there.
                balanced = spectral_embedding(x_train, m_selected, max_groups + 2, balanced=True)
                # ``seed`` spawns fresh children on a second call (SeedSequence counts them):
                # new k-means seeds for the retry, still deterministic given random_state.
                retry, retry_resp, retry_scores = yield from _best_fit(
                    em_train,
                    balanced,
                    groups,
                    m_selected,
                    n_starts,
                    seed,
                    max_iter,
                    None,
                    x_held=em_held,
                )
                # (retry_scores is None only without held-out participants, not here)
                if retry_scores is not None and retry.log_likelihood > fits[groups].log_likelihood:
                    embedding, rebalanced = balanced, True
                    fits[groups], previous = retry, retry_resp
                    scores[groups] = retry_scores
            held_out[groups] = float(scores[groups].sum())
            big_enough = _groups_big_enough(previous, groups)
            incumbent = chosen if chosen is not None else one_group
            second_look = chosen is not None and groups - chosen > 1
            margin = _SECOND_LOOK_SE if second_look else _SELECTION_SE
            if incumbent is None or (
                big_enough and _beats(scores[groups], scores[incumbent], margin)
            ):
                chosen = groups
            elif chosen is not None and groups - chosen >= _PATIENCE:
                break
    return _Scan(chosen, fits, held_out, rebalanced, scores, held)


def _pooled_scores(
    scans: list[_Scan], k: int, incumbent: int
) -> tuple[FloatArray, FloatArray, float] | None:
    """Every round's out-of-fold scores of ``k`` groups and of ``incumbent`` (1: one group),
    each participant once per split into fifths, and that number of copies; None when a round
    did not score both."""
    if not all(k in scan.scores and incumbent in scan.scores for scan in scans):
        return None
    rows = np.concatenate([scan.held for scan in scans])
    return (
        np.concatenate([scan.scores[k] for scan in scans]),
        np.concatenate([scan.scores[incumbent] for scan in scans]),
        len(rows) / len(np.unique(rows)),  # each participant's copies, one per split
    )


def _pooled_beats(scans: list[_Scan], k: int, incumbent: int, se: float) -> bool | None:
    """Whether ``k`` groups beat ``incumbent`` (1: one group) by ``se`` standard errors with
    every participant scored out of fold, by the fits of the round that held them out (with
    several splits into fifths, once per split); None when a round did not score both."""
    # With several splits each participant is scored once per split: the gain summed over
    # the splits is divided by their number, its spread is that of single scores (averaging
    # each participant's scores first shrank the spread and let the test add groups: on
    # scoop-hivemind.affordable-housing 4 or 5 groups in 4 of 16 runs, against 1 of 16 with
    # one split and none this way).
    pooled = _pooled_scores(scans, k, incumbent)
    return None if pooled is None else _beats(pooled[0], pooled[1], se, pooled[2])


def _pooled_gain(scans: list[_Scan], k: int, incumbent: int) -> float | None:
    """The pooled out-of-fold gain of ``k`` groups over ``incumbent`` in standard errors of
    that gain, the measure :func:`_pooled_beats` compares with its ``se``; None when a round
    did not score both or the gain has no spread."""
    pooled = _pooled_scores(scans, k, incumbent)
    if pooled is None:
        return None
    candidate, current, copies = pooled
    gain = candidate - current
    spread = float(np.sqrt(len(gain) / copies) * gain.std())
    return float(gain.sum() / copies / spread) if spread > 0 else None


def _one_more(scans: list[_Scan], choices: list[int | None], chosen: int) -> int:
    """``chosen + 1`` when _ROUNDS_MORE in _ROUNDS of the rounds reached it and, pooled over them
    (:func:`_pooled_beats`), it gains _POOLED_SE standard errors over ``chosen``; else
    ``chosen``."""
    more = chosen + 1
    if sum(1 for k in choices if (k or 0) >= more) * _ROUNDS < _ROUNDS_MORE * len(choices):
        return chosen
    return more if _pooled_beats(scans, more, chosen, _POOLED_SE) else chosen


def _more_groups(scans: list[_Scan], choices: list[int | None], chosen: int) -> int:
    """:func:`_one_more` from ``chosen``, then from each k it adds, until it adds none: with
    rounds that chose 2, 2, 4, 4, 4 groups, 2, then 3 and 4 when each gains over the last."""
    while (more := _one_more(scans, choices, chosen)) != chosen:
        chosen = more
    return chosen


def _rounds_k(scans: list[_Scan]) -> int | None:
    """k from the rounds' choices: the most groups that _ROUNDS_AGREE in _ROUNDS of them
    reached (None, no k beat one group, ranks below every k, so groups need that many rounds
    to find some), then :func:`_more_groups`."""
    choices = [scan.chosen for scan in scans]
    tasks = len(choices)
    agree = min(tasks, -(-_ROUNDS_AGREE * tasks // _ROUNDS))
    chosen = sorted(choices, key=lambda k: k or 0)[tasks - agree]
    return None if chosen is None else _more_groups(scans, choices, chosen)


def _without_each_split(scans: list[_Scan], rounds: int) -> tuple[int | None, ...]:
    """The k of these splits' rounds with each split left out in turn (one split: none)."""
    splits = len(scans) // rounds
    if splits < 2:
        return ()
    return tuple(_rounds_k(scans[: j * rounds] + scans[(j + 1) * rounds :]) for j in range(splits))


def _settled(scans: list[_Scan], rounds: int) -> bool:
    """Whether the k of these splits' rounds is the k of every part that leaves one split out
    (one split: nothing to leave out)."""
    k = _rounds_k(scans)
    return all(other == k for other in _without_each_split(scans, rounds))


def _selection_statements(sample: sp.csr_array, n_statements: int) -> npt.NDArray[np.int64]:
    """Most-voted statements of the sample, as many as keep enough votes per statement."""
    counts = np.bincount(sample.indices // 3, minlength=n_statements)
    order = np.argsort(-counts, kind="stable")
    running_mean = np.cumsum(counts[order]) / np.arange(1, n_statements + 1)
    enough = int(np.count_nonzero(running_mean >= _SELECTION_VOTES_PER_STATEMENT))
    keep = max(enough, min(_SELECTION_MIN_STATEMENTS, n_statements))
    chosen = order[:keep]
    return np.sort(chosen[counts[chosen] > 0])


def _restrict(x: sp.csr_array, statements: npt.NDArray[np.int64]) -> sp.csr_array:
    """Columns of the one-hot matrix for these statements only, renumbered 0..len-1."""
    if len(statements) * 3 == x.shape[1]:
        return x
    new_position = np.full(x.shape[1] // 3, -1, dtype=np.int64)
    new_position[statements] = np.arange(len(statements))
    statement = new_position[x.indices // 3]
    keep = statement >= 0
    rows = np.repeat(np.arange(x.shape[0]), np.diff(x.indptr))[keep]
    indptr = np.zeros(x.shape[0] + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=x.shape[0]), out=indptr[1:])
    columns = (statement[keep] * 3 + x.indices[keep] % 3).astype(np.int32)
    return sp.csr_array(
        (np.ones(len(columns), dtype=np.float32), columns, indptr),
        shape=(x.shape[0], 3 * len(statements)),
    )


def track2_groups(
    votes: VoteMatrix,
    *,
    n_groups: int | None = None,
    min_groups: int = 2,
    max_groups: int = 8,
    n_starts: int = 1,
    fit_sample: int | None = None,
    max_iter: int = 60,
    max_refine_iter: int = 30,
    random_state: int = 0,
    timings: dict[str, float] | None = None,
    onehot: sp.csr_array | None = None,
) -> Track2Groups:
    """Opinion groups by a latent-class model of the votes (see the module docstring).

    ``n_groups`` fixes the number of groups (its fit is still searched as the scan searches it,
    from the splits of fewer groups' fits); otherwise it is chosen in ``[min_groups, max_groups]``
    by held-out log-likelihood. Moderated-out and meta statements are left out. ``timings``,
    when given, receives the seconds of each stage (beside the result, not in it).
    ``onehot``: :func:`vote_onehot` of ``votes`` without its excluded statements, when the
    caller has it (a whole analysis builds it once for the groups and their map).
    ``max_refine_iter``: EM steps of the final fit on every vote; when k was chosen on a sample
    of participants, at most ``_SAMPLED_REFINE_ITERS`` of them.
    """
    timings = {} if timings is None else timings
    started = time.perf_counter()
    if n_groups is not None:
        min_groups = max_groups = n_groups
    if min_groups < 1 or max_groups < min_groups:
        raise Track2ModeError(
            f"groups must satisfy 1 <= min_groups <= max_groups, got {min_groups}..{max_groups}"
        )
    if n_starts < 1:
        raise Track2ModeError(f"n_starts must be at least 1, got {n_starts}")
    excluded = np.asarray(votes.is_excluded, dtype=bool)
    x = vote_onehot(votes, excluded) if onehot is None else onehot
    m = votes.n_statements
    votes_per_row = np.diff(x.indptr)
    voters = np.flatnonzero(votes_per_row > 0)
    no_votes = None if len(voters) == votes.n_participants else votes_per_row == 0
    # Statements with a vote that counts (a cached count: no pass over every vote here).
    n_voted_statements = int(np.count_nonzero((votes.statement_counts["seen"] > 0) & ~excluded))
    if len(voters) < 2 or n_voted_statements < 2:
        raise EmptyConversationError(
            "opinion groups need at least 2 participants with votes on 2 included statements"
        )
    if fit_sample is None:
        # Enough participants for about _SELECTION_VOTES_PER_STATEMENT votes per statement,
        # between 20k and 60k participants.
        mean_votes = len(x.indices) / len(voters)
        wanted = _SELECTION_VOTES_PER_STATEMENT * int((~excluded).sum()) / mean_votes
        fit_sample = int(min(60_000, max(20_000, wanted)))
    rng = np.random.default_rng(random_state)
    fit_rows = np.sort(rng.permutation(voters)[: min(len(voters), fit_sample)])
    sample = x[fit_rows] if len(fit_rows) < votes.n_participants else x
    selected = _selection_statements(sample, m)
    sample = _restrict(sample, selected)
    has_votes = np.diff(sample.indptr) > 0
    positions = rng.permutation(np.flatnonzero(has_votes))
    # k fixed by the caller: its fit is found as the scan would find it, from the splits of the
    # fits of 2..k-1 groups, holding out participants for the finalists' pick when there are
    # enough for it. From a single k-means start, 22 of 45 fixed-k fits of the 5k x 300 seed
    # dialogues were under 90 % of the oracle's ARI, down to 33 %; now 5 (docs/benchmarks.md,
    # "k fixed by the caller"). The final fit below runs on everyone either way.
    fixed = min_groups == max_groups
    n_held = int(round(HELD_OUT_SHARE * len(positions)))
    if fixed and n_held < _FINALISTS_MIN_HELD_OUT:
        n_held = 0
    n_train = len(positions) - n_held
    if not fixed:
        # A small room cannot support many groups: try at most one group per
        # _MIN_PARTICIPANTS_PER_GROUP fitting participants (never fewer than min_groups).
        max_groups = min(max_groups, max(min_groups, n_train // _MIN_PARTICIPANTS_PER_GROUP))
    if max_groups > n_train:
        if fixed:  # the caller's number, not the votes, is what to change
            raise GroupCountError(
                f"{max_groups} opinion groups were asked for, but only {n_train} "
                f"participants have votes to form them; ask for {n_train} or fewer"
            )
        raise Track2ModeError(
            f"{max_groups} groups need at least as many participants with votes; found {n_train}"
        )
    m_selected = len(selected)
    timings["prepare"] = time.perf_counter() - started

    lap = time.perf_counter()
    seeds = np.random.SeedSequence(random_state)
    scan_from = min(min_groups, 2) if fixed else min_groups
    groups_range = (scan_from, min_groups, max_groups)
    # Each fifth of the participants held out in turn chooses a k (_ROUNDS_AGREE); the first
    # fifth is the single round's held-out part.
    rounds = 1
    if n_held and not fixed and 2 * _ROUNDS <= len(positions) <= _ROUNDS_MAX_ROWS:
        rounds = _ROUNDS
    bounds = np.linspace(0, len(positions), rounds + 1).round().astype(np.int64)
    if rounds == 1:
        bounds[1] = n_held
    # A small sample: the rounds again on other splits into fifths (_REPEATS), each its own
    # permutation of the participants, seeded apart from the first.
    splits = [positions]
    if rounds > 1 and len(sample.indices) < _REPEAT_VOTES and len(positions) <= _REPEAT_ROWS:
        splits += [
            np.random.default_rng((random_state, _ROUNDS, j)).permutation(positions)
            for j in range(1, _REPEATS_UNSETTLED)
        ]

    def one_round(task: int) -> _Steps[_Scan]:
        split, r = divmod(task, rounds)
        order = splits[split]
        part = np.zeros(len(order), dtype=bool)
        part[bounds[r] : bounds[r + 1]] = True
        if split:
            seed = np.random.SeedSequence((random_state, r, split))
        else:  # the first split's seeds, as with one split
            seed = np.random.SeedSequence((random_state, r)) if r else seeds
        return _scan(
            sample,
            np.sort(order[~part]),
            np.sort(order[part]),
            m_selected,
            groups_range,
            fixed,
            n_starts,
            seed,
            max_iter,
        )

    # The rounds are independent (each its own seeds), so two threads give the same result.
    # Their sparse products run outside the GIL, but a small conversation's many small calls
    # contend for it: two threads only from _ROUND_THREAD_VOTES votes.
    workers = min(_ROUND_WORKERS, rounds, usable_cores())
    if len(sample.indices) < _ROUND_THREAD_VOTES:
        workers = 1

    with ThreadPoolExecutor(workers) if workers > 1 else nullcontext() as pool:

        def run(tasks: range) -> list[_Scan]:
            if pool is None:  # one thread: the rounds' EM runs side by side
                return _lockstep([one_round(task) for task in tasks])
            return list(pool.map(lambda task: _alone(one_round(task)), tasks))

        scans = run(range(rounds))
        # The other splits only when the first split's rounds disagree: five rounds that
        # reached the same k leave nothing for more splits to settle (a room whose groups are
        # plain pays no more than before).
        if len(splits) > 1 and len({scan.chosen for scan in scans}) > 1:
            scans += run(range(rounds, rounds * _REPEATS))
            # Two splits more when leaving out any one of the three would change k.
            if not _settled(scans, rounds):
                scans += run(range(rounds * _REPEATS, rounds * len(splits)))
        splits = splits[: len(scans) // rounds]
    tasks = len(scans)
    choices = [scan.chosen for scan in scans]
    chosen = _rounds_k(scans) if rounds > 1 else choices[0]
    # Whether the rounds' k survives leaving out any one split: on real conversations where
    # k and k + 1 predict alike it does not, and the report says so (docs/analyze.md).
    without_split = () if fixed else _without_each_split(scans, rounds)
    settled = all(k == chosen for k in without_split) if without_split else None
    one_group = n_held > 0 and min_groups > 1 and not fixed  # one group is what k must beat
    rebalanced = any(scan.rebalanced for scan in scans)
    # Whether the groups are ones the votes show: with one group to beat, some k did. In a
    # small room the held-out handful cannot tell; every participant scored out of fold decides,
    # by the rounds' own scores when every round tried that k (before, five more fits of it:
    # the same false claims on random votes, 1 of 90 rooms, and 40 x 60 rooms of 3 planted
    # groups claimed on 6 of 10 seeds instead of 3; docs/benchmarks.md).
    beats_one_group = chosen is not None if one_group else None
    if beats_one_group is not None and len(positions) < _CROSS_CHECK_ROWS:
        checked = chosen or min_groups
        pooled = _pooled_beats(scans, checked, 1, _SELECTION_SE) if rounds > 1 else None
        beats_one_group = pooled
        if pooled is None:
            beats_one_group = _cross_checked(
                sample[np.sort(positions)], checked, m_selected, n_starts, seeds, max_iter
            )
    if fixed:
        chosen = max_groups
    elif chosen is None or beats_one_group is False:  # the fewest groups allowed
        chosen = min_groups
    # The score of each k every round tried: every participant scored once, out of fold.
    # (With several splits, their mean.)
    held_out = {
        k: sum(scan.held_out[k] for scan in scans) / len(splits)
        for k in scans[0].held_out
        if all(k in scan.held_out for scan in scans)
    }
    pooled_gains: dict[int, float] = {}
    if rounds > 1:
        for k in sorted(held_out):
            gain = _pooled_gain(scans, k, k - 1) if k >= 2 else None
            if gain is not None:
                pooled_gains[k] = round(gain, 3)
    timings["model_selection"] = time.perf_counter() - lap

    # Refine the chosen model on every participant and every statement: start from the
    # responsibilities the selection model gives (a zero log-probability column ignores the
    # statements it did not use), then run EM on all votes.
    lap = time.perf_counter()
    # k chosen on a sample: stop once the labels settle, and return the model the last labels
    # came from (one more M-step on every vote would change them by less than the tolerance).
    sampled = len(fit_rows) < len(voters)
    # With several rounds, each round's fit of the chosen k is refined on every vote and the
    # most likely one kept.
    candidates = [scan.fits[chosen] for scan in scans if scan.chosen == chosen] or [
        scan.fits[chosen] for scan in scans if chosen in scan.fits
    ]
    best: tuple[_Fit, npt.NDArray[np.float32]] | None = None
    for fit in candidates:
        start_log_theta = np.zeros((chosen, m, 3))
        start_log_theta[:, selected, :] = fit.log_theta.reshape(chosen, m_selected, 3)
        resp, _ = _e_step(x, start_log_theta.reshape(chosen, 3 * m), fit.log_prior)
        if no_votes is not None:
            resp[no_votes] = 0.0
        refined, resp = _em(
            x,
            resp,
            m,
            min(max_refine_iter, _SAMPLED_REFINE_ITERS) if sampled else max_refine_iter,
            no_votes=no_votes,
            floor=REFINE_PRIOR_WEIGHT,
            pooled_pass=True,
            label_tol=_SAMPLED_LABEL_TOL if sampled else None,
            final_m_step=not sampled,
        )
        if best is None or refined.log_likelihood > best[0].log_likelihood:
            best = refined, resp
    if best is None:
        raise Track2ModeError(f"no fit of {chosen} groups was found")
    refined, resp = best
    resp = resp[voters] if no_votes is not None else resp
    timings["refine"] = time.perf_counter() - lap
    # Every participant most likely in one group: the k groups' models differ only in how they
    # smooth, and when everyone answers alike the less smoothed one predicts a little better
    # (8e-4 nats per participant, the same for each, so no spread to weigh it against).
    one_in_fact = False
    if beats_one_group:
        most_likely = resp.argmax(axis=1)
        one_in_fact = not bool(np.any(most_likely != most_likely[0]))
    if one_in_fact:
        beats_one_group = False

    # Number groups by decreasing size, as the reports show it (members, each in their most
    # likely group); equal sizes by expected size (summed responsibilities). By expected size
    # alone, vtaiwan.uberx listed group 4 of 246 members after group 1 of 234.
    expected = resp.sum(axis=0, dtype=np.float64)
    members = np.bincount(resp.argmax(axis=1), minlength=chosen)
    rank = np.lexsort((-expected, -members))
    resp = resp[:, rank]
    log_theta = refined.log_theta[rank]
    log_prior = refined.log_prior[rank]
    labels = np.full(votes.n_participants, -1, dtype=np.int64)
    labels[voters] = resp.argmax(axis=1)
    full_resp = np.tile(np.exp(log_prior).astype(np.float32), (votes.n_participants, 1))
    full_resp[voters] = resp
    theta = np.exp(log_theta).reshape(chosen, m, 3)
    timings["total"] = time.perf_counter() - started
    if fixed:
        criterion = f"k={chosen} fixed by the caller"
        if chosen > scan_from:
            criterion += (
                ", its fit searched as the scan searches it (also from the splits of the fits "
                "of fewer groups)"
            )
        if n_held:
            criterion += f", the finalist that best predicts {n_held} held-out participants"
    else:
        criterion = (
            f"k={chosen} of {min_groups}..{max_groups} by held-out log-likelihood (one more "
            f"group must gain {_SELECTION_SE:g} standard error, the first over one group; the "
            f"scan stops after {_PATIENCE} that do not, and one tried after a failure must gain "
            f"{_SECOND_LOOK_SE:g}) of {_participants(n_held)} ({m_selected} most-voted "
            "statements)"
        )
        if rounds > 1:
            held_out_as = "each fifth of the participants held out in turn"
            if len(splits) > 1:
                held_out_as += f", on {len(splits)} splits into fifths"
            more = -(-_ROUNDS_MORE * tasks // _ROUNDS)
            agree = min(tasks, -(-_ROUNDS_AGREE * tasks // _ROUNDS))
            criterion = criterion.replace(
                f"of {_participants(n_held)}",
                f"of {held_out_as} (the most groups that {agree} of the "
                f"{tasks} reached, then one more at a time while {more} reached it and it gains "
                f"{_POOLED_SE:.2f} standard errors with every participant scored out of fold)",
            )
        cross_checked = beats_one_group is not None and len(positions) < _CROSS_CHECK_ROWS
        if cross_checked:
            criterion += (
                f"; whether the groups beat one group, {_CROSS_CHECK_FOLDS}-fold "
                f"cross-validation over all {_participants(len(positions))} decides"
            )
        if rebalanced:
            criterion += (
                "; starts from the statement-balanced spectral embedding, the first k from the "
                "plain one having not beaten one group"
            )
        if one_in_fact:
            criterion += (
                "; every participant is most likely in the same group, so the groups are not "
                "ones the votes show"
            )
        elif beats_one_group is False:
            scored = "participants scored out of fold" if cross_checked else "held-out participants"
            criterion += (
                f"; no k beat one group on the {scored}, so k is the fewest allowed and the groups "
                "are not ones the votes show"
            )
    return Track2Groups(
        labels=labels,
        responsibilities=full_resp,
        n_groups=chosen,
        priors=np.exp(log_prior),
        vote_probabilities=theta,
        log_likelihood=refined.log_likelihood,
        held_out_log_likelihood=held_out,
        k_by_round=tuple(choices) if rounds > 1 else (),
        n_splits=len(splits),
        k_without_split=without_split,
        k_settled=settled,
        pooled_gains=pooled_gains,
        n_iterations=refined.iterations,
        n_fit_participants=len(fit_rows),
        n_fit_statements=m_selected,
        random_state=random_state,
        method=(
            "track2: latent-class model of agree/disagree/pass per group and statement, "
            "EM on observed votes only (prior: each statement's pass and agree shares shrunk "
            "towards its overall answers by an empirical-Bayes weight of at least "
            f"{PRIOR_WEIGHT:g} pseudo-votes, {REFINE_PRIOR_WEIGHT:g} in the final fit on every "
            "vote, where the pass shares take one weight over all statements), best of "
            f"{n_starts} spectral k-means++ starts and "
            f"the splits of k-1 groups; {criterion}"
        ),
        beats_one_group=beats_one_group,
    )


def rounds_said(choices: Sequence[int | None]) -> str:
    """The k each round chose (None: no k beat one group), as a reader takes it in: in order
    for one split into fifths ("4, 4, 5, 4, 4"); with more, how many rounds chose each k ("2 in
    11 of the 25 rounds, 3 in 9, none in 5"): a list of 25 numbers said nothing at a glance."""
    if len(choices) <= _ROUNDS:
        return ", ".join("none" if k is None else str(k) for k in choices)
    tally = Counter(choices)
    order = sorted(tally, key=lambda k: (k is None, k or 0))
    said = [f"{'none' if k is None else k} in {tally[k]}" for k in order]
    said[0] += f" of the {len(choices)} rounds"
    return ", ".join(said)


def _participants(n: int) -> str:
    return f"{n} participant" if n == 1 else f"{n} participants"


def refit_groups(
    votes: VoteMatrix,
    responsibilities: npt.NDArray[np.float32],
    *,
    max_iter: int = 30,
    rel_tol: float = _REL_TOL,
    previous: Track2Groups | None = None,
    onehot: npt.NDArray[np.float32] | None = None,
) -> Track2Groups:
    """EM of the same latent-class model from given responsibilities (a warm start).

    ``responsibilities`` has one row per row of ``votes`` and one column per group; the
    columns keep their order (a live update keeps its group identities), so groups are not
    renumbered by size. k is not re-chosen: that is what :func:`track2_groups` does.
    ``previous``: the fit the responsibilities come from (on the same rows and statements,
    or fewer statements: new ones start uniform); EM then starts from its answer
    probabilities and priors, which saves the first M-step, and returns on convergence the
    answer probabilities its responsibilities come from (no last M-step). ``onehot``: the votes as
    :func:`dense_vote_onehot` gives them, when the caller keeps them (a small live room
    patches one cell per vote instead of rebuilding them).
    """
    if responsibilities.ndim != 2 or responsibilities.shape[0] != votes.n_participants:
        raise Track2ModeError(
            f"the start has {responsibilities.shape[0]} rows for {votes.n_participants} participants"
        )
    k = responsibilities.shape[1]
    m = votes.n_statements
    excluded = np.asarray(votes.is_excluded, dtype=bool)
    x: OneHot
    if onehot is not None:
        if onehot.shape != (votes.n_participants, 3 * m):
            raise Track2ModeError(
                f"the one-hot votes are {onehot.shape[0]} x {onehot.shape[1]}, "
                f"the votes {votes.n_participants} x {m} statements"
            )
        x = onehot
        voted = np.maximum.reduce(onehot, axis=1) > 0
    elif votes.n_participants * 3 * m <= DENSE_EM_CELLS:
        # A small room's one-hot matrix is cheaper dense: each EM step is then two small
        # BLAS products instead of scipy's per-call overhead (a live update runs a few steps
        # after every vote).
        x = dense_vote_onehot(votes)
        voted = np.maximum.reduce(x, axis=1) > 0
    elif excluded.any():
        # Votes on excluded statements stay in place with weight 0 (they add nothing to
        # either EM product): no copy of the votes without them, which cost more than an EM
        # step after every vote in a live room.
        weight = (~excluded)[votes.indices].astype(np.float32)
        x = sp.csr_array(
            (weight, answer_columns(votes.values, votes.indices), votes.compact_indptr),
            shape=(votes.n_participants, 3 * m),
        )
        voted = np.bincount(votes.vote_rows, weights=weight, minlength=votes.n_participants) > 0
    else:
        x = vote_onehot(votes)
        voted = np.diff(x.indptr) > 0
    no_votes = None if voted.all() else ~voted
    start = np.asarray(responsibilities, dtype=np.float32)  # EM reads it, never writes it
    if no_votes is not None:
        start = start.copy()
        start[no_votes] = 0.0
    start_model = None
    if previous is not None:
        old_m = previous.vote_probabilities.shape[1]
        if previous.n_groups != k or old_m > m:
            raise Track2ModeError(
                f"the previous fit has {previous.n_groups} groups and {old_m} statements, "
                f"the start {k} groups and the votes {m} statements"
            )
        theta = previous.vote_probabilities
        if old_m < m:  # new statements start uniform
            theta = np.full((k, m, 3), 1.0 / 3.0)
            theta[:, :old_m] = previous.vote_probabilities
        start_model = (np.log(theta).reshape(k, 3 * m), np.log(previous.priors))
    fit, resp = _em(
        x,
        start,
        m,
        max_iter,
        rel_tol=rel_tol,
        no_votes=no_votes,
        start_model=start_model,
        final_m_step=previous is None,
        floor=REFINE_PRIOR_WEIGHT,
        pooled_pass=True,
    )
    labels = np.where(voted, resp.argmax(axis=1), -1).astype(np.int64)
    priors = np.exp(fit.log_prior)
    if no_votes is not None:
        resp[no_votes] = priors.astype(np.float32)
    return Track2Groups(
        labels=labels,
        responsibilities=resp,
        n_groups=k,
        priors=priors,
        vote_probabilities=np.exp(fit.log_theta).reshape(k, m, 3),
        log_likelihood=fit.log_likelihood,
        held_out_log_likelihood={},
        n_iterations=fit.iterations,
        n_fit_participants=int(voted.sum()),
        n_fit_statements=m,
        random_state=0,
        method=(
            "track2: latent-class model, EM continued from an earlier fit "
            f"(k={k} kept; prior: each statement's shares shrunk by empirical Bayes, at least "
            f"{REFINE_PRIOR_WEIGHT:g} pseudo-votes, the pass shares by one weight over all "
            "statements)"
        ),
        beats_one_group=None if previous is None else previous.beats_one_group,
        # k is kept, so the gains its choice was made on still say how near the other was
        pooled_gains={} if previous is None else previous.pooled_gains,
    )
