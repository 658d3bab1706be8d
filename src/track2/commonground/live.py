"""Live re-analysis after new votes, for the dialogue room (issue 15, item 6).

:func:`live_analysis` analyses a conversation once (cold); :func:`update` takes that result and a
few new votes and re-analyses from where the previous analysis left off:

* principal components: Lanczos started from the previous components, whose signs are kept,
  so the map never flips between two equivalent solutions;
* Track 2 opinion groups: EM of the latent-class model continued from the previous
  responsibilities (:func:`track2mode.refit_groups`) for at most ``_EM_ITERATIONS`` steps
  (a longer convergence continues over the next updates), k kept; the groups are then matched
  to the previous ones by their overlap (Hungarian assignment on the confusion matrix), so a
  group keeps its id while its membership barely changes;
* bridging: the alternating ridge sweeps continued from the previous fit, on every
  ``BRIDGING_EVERY``-th update only (the fit is the most expensive per-update step in a small
  room and one vote barely moves it); in between, the previous fit is carried over and
  ``bridging_updates_behind`` says how many updates it lags (0: fitted on all votes so far).

Everything else (representative statements, consensus, group-informed consensus, priorities,
agreement per side) is recomputed from the counts: it is cheap and has no state.

What an update accepts: votes by known participants on known statements; a participant or a
statement that joined since the previous analysis must be announced in ``new_participants`` /
``new_statements`` (a new participant then starts in no group, with the group shares as
prior). Anything else — an unknown id, a vote other than -1/0/+1, an analysis of another
conversation — is refused with :class:`LiveUpdateError`, one error naming every problem of the
update; nothing is silently recomputed.
The number of groups is kept from update to update, as Pol.is's own k smoother only changes k
after several updates agree; it is chosen again by a cold analysis (:func:`regroup`, keeping the
ids of the groups that persist) once the votes have grown by half (``REGROUP_GROWTH``) since the
groups were last chosen: a room's first groups are chosen on a handful of votes. An update runs
it itself, unless told not to (``regroup_when_due=False``): a regroup costs a cold analysis
(up to about a second in a room of 300), so a room runs it beside its updates on the analysis
of the moment (``regroup_due`` says when), keeps updating the map meanwhile, and then brings
the regrouped analysis up to the votes since with :func:`catch_up`.
"""

from __future__ import annotations

import dataclasses
import time
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy.optimize import linear_sum_assignment

from track2.commonground.bridging import BridgingScores, bridging_scores
from track2.commonground.consensus import (
    Consensus,
    comment_priorities,
    group_informed_consensus,
    select_consensus,
)
from track2.commonground.errors import CommonGroundError
from track2.commonground.matrix import VoteMatrix
from track2.commonground.pca import (
    PCAResult,
    centred_matrix,
    dense_centred_matrix,
    gram_rows,
    polis_pca,
    project_participants,
)
from track2.commonground.polis import seen_for_projection
from track2.commonground.repness import (
    GroupStatementStats,
    RepresentativeStatement,
    group_statement_stats,
    group_vote_counts,
    select_representative,
)
from track2.commonground.sides import (
    DeclaredSides,
    SideAgreement,
    SidesError,
    agreement_by_side,
    statement_agreement,
)
from track2.commonground.track2mode import (
    DENSE_EM_CELLS,
    Track2Groups,
    dense_vote_onehot,
    onehot_answer,
    refit_groups,
    track2_groups,
)

__all__ = [
    "REGROUP_GROWTH",
    "LiveAnalysis",
    "LiveUpdateError",
    "catch_up",
    "live_analysis",
    "regroup",
    "update",
]

# EM steps per update. After one vote a warm start converges in 1-2 steps; a vote that tips a
# participant between groups starts a slow tail (10-20 steps of geometrically shrinking gains,
# ~0.01 nat each in a room of 40), cut at 8 steps and continued on the next updates (each
# starts from the last fit). At 4 steps the tails never caught up in a room of 40: after 200
# single votes the fit was 0.28 % of log-likelihood below a cold fit, against 0.008 % at 8
# steps and without a cap. Round 6 measured 200 single votes on 8 simulated rooms of 40 × 60
# (seeds 1-8): at 6 steps every room ended within 0.002 % of log-likelihood of where it
# ended at 8 (the same fit), with 4.28 instead of 4.78 steps per update; at 5 steps one room
# (seed 1) ended 0.28 % lower, as at 4.
_EM_ITERATIONS = 6
# Bridging sweeps continue from the previous fit, which already sits within a few thousandths
# of the new optimum: stop at 1e-3 per sweep (the cold fit's own spread between runs on the
# same votes is of that order) and never sweep more than 20 times per update; updates keep
# tracking the optimum, so the error does not accumulate (tested against a cold fit).
_BRIDGING_TOL = 1e-3
_BRIDGING_SWEEPS = 20
# Bridging is refitted on every BRIDGING_EVERY-th update; in between it lags by at most
# BRIDGING_EVERY - 1 updates. A vote moves mostly the intercept of the statement it is on (by
# up to ~0.01 at 300 people, against intercepts of 0.1-0.5), so a lag of a few votes does not
# reorder what the room sees as bridging, and it removes three quarters of bridging's cost.
BRIDGING_EVERY = 4
# An update re-chooses the groups (a cold analysis, keeping the ids of the groups that persist)
# once the votes have grown by this factor since they were last chosen. A room's first groups
# are chosen when a handful of people have voted; continued from there, EM kept their k and
# their solution all session: on rooms of 40 × 60 grown vote by vote from a quarter of their
# votes, every participant ended in one group, 7-11 % of log-likelihood below a cold fit
# (docs/benchmarks.md, stop 35). At 1.5 a room re-chooses about a dozen times in a session
# (from 12 votes to 2,400), each a cold analysis (50-150 ms in rooms of 40 to 300).
REGROUP_GROWTH = 1.5
# The Gram CᵀC of the centred votes is kept between updates (one vote changes one row and
# column of it) when a dense product with it costs no more than the two sparse products over
# every vote that Lanczos would otherwise do per step: statements² ≤ 2 × votes, or at most 200
# statements (up to pca._EIGH_MAX_COLUMNS the exact solver needs the Gram anyway; above it a
# product with a Gram of this size costs microseconds).
_GRAM_SMALL = 200
# Up to this many cells (voters × voted statements) the map is computed on the dense centred
# votes: a room of 40 × 60 is 2,400 cells, and there each scipy sparse construction or product
# costs more in fixed overhead than the BLAS call that replaces it (the whole map stage went
# from ~0.9 to ~0.3 ms per update, quiet machine).
_DENSE_MAP_CELLS = 40_000


class LiveUpdateError(CommonGroundError, ValueError):
    """An update that cannot be applied: unknown participant or statement, a bad vote value,
    or an earlier analysis of another conversation."""


@dataclass(frozen=True, eq=False)
class LiveAnalysis:
    """One analysis of a conversation, ready to be continued by :func:`update`.

    ``matrix`` holds every vote so far (rows: registered participants, some possibly without a
    vote yet). Arrays over participants follow ``participant_ids`` (participants with at least
    one vote); arrays over statements follow ``statement_ids`` (statements with at least one
    vote), as in :class:`PolisAnalysis`. ``group_labels`` holds each participant's group
    **id** (-1: none); ``group_ids`` lists the ids of the groups with members, and the rows of
    ``group_agree`` / ``group_disagree`` / ``group_seen`` follow it. Group ids persist from
    update to update. ``projections`` are the Pol.is map coordinates (participants ×
    2). ``bridging`` and ``sides`` follow the rows and columns of ``matrix``.
    """

    conversation: str
    matrix: VoteMatrix
    side_of: tuple[str | None, ...] | None
    participant_ids: npt.NDArray[Any]
    statement_ids: npt.NDArray[Any]
    excluded: npt.NDArray[np.bool_]
    pca: PCAResult
    projections: npt.NDArray[np.float64]
    groups: Track2Groups  # the fitted model over the rows of ``matrix``, columns = column_ids
    column_ids: npt.NDArray[np.int64]  # the group id of each column of the model
    group_labels: npt.NDArray[np.int64]
    group_ids: npt.NDArray[np.int64]
    group_agree: npt.NDArray[np.int64]
    group_disagree: npt.NDArray[np.int64]
    group_seen: npt.NDArray[np.int64]
    group_stats: GroupStatementStats
    repness: dict[int, tuple[RepresentativeStatement, ...]]
    consensus: Consensus
    group_informed_consensus: npt.NDArray[np.float64]
    comment_priorities: npt.NDArray[np.float64]
    bridging: BridgingScores
    sides: SideAgreement | None
    bridging_updates_behind: int = 0  # updates since ``bridging`` was fitted (< BRIDGING_EVERY)
    # CᵀC of the centred votes over the columns of ``matrix`` (None: not kept at this size).
    gram: npt.NDArray[np.float64] | None = None
    declared_sides: DeclaredSides | None = None  # ``side_of`` checked once, for the updates
    # A small room's one-hot votes for EM (track2mode.dense_vote_onehot), patched per vote.
    onehot: npt.NDArray[np.float32] | None = None
    # The votes when the groups were last chosen (a cold analysis), and the k the caller fixed
    # then (None: chosen by the model): an update re-chooses them at REGROUP_GROWTH.
    grouped_at_votes: int = 0
    n_groups_asked: int | None = None

    @property
    def k(self) -> int:
        return len(self.column_ids)

    @property
    def regroup_due(self) -> bool:
        """Whether the votes have grown by ``REGROUP_GROWTH`` since the groups were chosen: the
        next update re-chooses them (or, told not to, leaves that to :func:`regroup`)."""
        return self.matrix.n_votes >= REGROUP_GROWTH * self.grouped_at_votes

    def group_members(self) -> dict[int, npt.NDArray[Any]]:
        """Participant ids of each group, keyed by group id."""
        return {
            int(g): self.participant_ids[self.group_labels == g] for g in self.group_ids.tolist()
        }


def _match_columns(
    old_labels: npt.NDArray[np.int64],
    new_labels: npt.NDArray[np.int64],
    old_ids: npt.NDArray[np.int64],
    k_new: int,
) -> npt.NDArray[np.int64]:
    """Group id for each new column: the Hungarian assignment maximising the participants the
    two labellings share (labels are group ids before, column positions after; -1 ignored).
    New columns left unmatched get fresh ids above every id used so far."""
    both = (old_labels >= 0) & (new_labels >= 0)
    id_pos = np.full(int(old_ids.max(initial=-1)) + 1, -1, dtype=np.int64)
    id_pos[old_ids] = np.arange(len(old_ids))
    old_pos = id_pos[old_labels[both]]
    k_old = len(old_ids)
    overlap = np.zeros((k_old, k_new), dtype=np.int64)
    np.add.at(overlap, (old_pos, new_labels[both]), 1)
    rows, cols = linear_sum_assignment(overlap, maximize=True)
    out = np.full(k_new, -1, dtype=np.int64)
    out[cols] = old_ids[rows]
    fresh = np.flatnonzero(out < 0)
    top = int(old_ids.max()) + 1 if len(old_ids) else 0
    out[fresh] = np.arange(top, top + len(fresh))
    return out


def _assemble(
    conversation: str,
    matrix: VoteMatrix,
    side_of: tuple[str | None, ...] | None,
    groups: Track2Groups,
    column_ids: npt.NDArray[np.int64],
    pca_start: npt.NDArray[np.float64] | None,
    bridging_start: BridgingScores | None,
    random_state: int,
    timings: dict[str, float],
    previous_sides: SideAgreement | None = None,
    changed_statements: npt.NDArray[np.int64] | None = None,
    bridging_behind: int = 0,
    previous_gram: npt.NDArray[np.float64] | None = None,
    declared: DeclaredSides | None = None,
    onehot: npt.NDArray[np.float32] | None = None,
    grouped_at_votes: int = 0,
    n_groups_asked: int | None = None,
) -> LiveAnalysis:
    """Everything derived from the vote matrix and the fitted groups."""
    lap = time.perf_counter()
    voted_rows = np.flatnonzero(matrix.votes_per_participant > 0)
    work = matrix.without_empty()
    excluded = work.is_excluded.copy()
    voted_cols = np.flatnonzero(matrix.statement_counts["seen"] > 0)
    start = pca_start
    if pca_start is not None and len(voted_cols) < pca_start.shape[1]:
        start = pca_start[:, voted_cols]
    gram = None
    if work.n_participants * work.n_statements <= _DENSE_MAP_CELLS:
        centred_votes = dense_centred_matrix(work, excluded)
    else:
        centred_votes = centred_matrix(work, excluded)
        gram = _kept_gram(previous_gram, centred_votes[0], voted_cols, matrix, changed_statements)
    pca, centred = polis_pca(
        work,
        excluded,
        start_vectors=start,
        centred=centred_votes,
        gram=None if gram is None else _restricted(gram, voted_cols),
    )
    projections = project_participants(centred, pca, seen_for_projection(work, excluded))
    timings["map"] = time.perf_counter() - lap

    lap = time.perf_counter()
    column_of_row = groups.labels[voted_rows]  # work rows are matrix rows with votes
    k = groups.n_groups
    agree, disagree, seen = group_vote_counts(work, column_of_row, k)
    present = np.bincount(column_of_row[column_of_row >= 0], minlength=k) > 0
    group_ids = column_ids
    if not present.all():  # a group emptied by the refit: its rows leave the tables
        agree, disagree, seen = agree[present], disagree[present], seen[present]
        group_ids = column_ids[present]
    labels = np.where(column_of_row >= 0, column_ids[np.maximum(column_of_row, 0)], -1)
    stats = group_statement_stats(agree, disagree, seen)
    # The Track 2 rule, as analyze_track2 applies it: a statement represents a group only with
    # a majority of the group behind the listed answer (one weak fallback otherwise).
    repness = select_representative(
        stats, work.statement_ids, excluded, group_ids, majority_only=True
    )
    counts = work.statement_counts
    consensus = select_consensus(
        counts["agree"], counts["disagree"], counts["seen"], work.statement_ids, excluded
    )
    gic = group_informed_consensus(agree, seen)
    priorities = comment_priorities(agree, disagree, seen, pca.comment_extremity, work.is_meta)
    timings["statements"] = time.perf_counter() - lap

    lap = time.perf_counter()
    if bridging_start is None:
        bridging = bridging_scores(matrix, random_state=random_state)
    elif bridging_behind:
        bridging = bridging_start  # carried over, refitted on a later update
    else:
        bridging = bridging_scores(
            matrix,
            random_state=random_state,
            start=bridging_start,
            tol=_BRIDGING_TOL,
            max_iter=_BRIDGING_SWEEPS,
        )
    timings["bridging"] = time.perf_counter() - lap
    sides = None
    if side_of is not None:
        lap = time.perf_counter()
        if declared is None:
            declared = DeclaredSides.from_side_of(side_of, matrix.n_participants)
        sides = _sides(matrix, declared, previous_sides, changed_statements)
        timings["sides"] = time.perf_counter() - lap
    return LiveAnalysis(
        conversation=conversation,
        matrix=matrix,
        side_of=side_of,
        participant_ids=work.participant_ids,
        statement_ids=work.statement_ids,
        excluded=excluded,
        pca=pca,
        projections=projections,
        groups=groups,
        column_ids=column_ids,
        group_labels=labels.astype(np.int64),
        group_ids=group_ids.astype(np.int64),
        group_agree=agree,
        group_disagree=disagree,
        group_seen=seen,
        group_stats=stats,
        repness=repness,
        consensus=consensus,
        group_informed_consensus=gic,
        comment_priorities=priorities,
        bridging=bridging,
        sides=sides,
        bridging_updates_behind=bridging_behind,
        gram=gram,
        declared_sides=declared,
        onehot=onehot,
        grouped_at_votes=grouped_at_votes,
        n_groups_asked=n_groups_asked,
    )


def _kept_onehot(
    previous: npt.NDArray[np.float32] | None,
    matrix: VoteMatrix,
    rows: npt.NDArray[np.int64],
    cols: npt.NDArray[np.int64],
    values: list[int],
) -> npt.NDArray[np.float32] | None:
    """The dense one-hot votes EM multiplies by in a small room (``dense_vote_onehot`` of
    ``matrix``): the previous one with the cells of the new votes patched (in batch order,
    so the last vote on a pair wins, as in the matrix), or built afresh when the room grew.
    None when the room is too large for the dense EM."""
    n, m = matrix.shape
    if previous is None or previous.shape != (n, 3 * m):
        return dense_vote_onehot(matrix) if n * 3 * m <= DENSE_EM_CELLS else None
    onehot = previous.copy()
    excluded = matrix.is_excluded
    for row, col, vote in zip(rows.tolist(), cols.tolist(), values, strict=True):
        onehot[row, 3 * col : 3 * col + 3] = 0.0
        if not excluded[col]:
            onehot[row, 3 * col + onehot_answer(int(vote))] = 1.0
    onehot.setflags(write=False)
    return onehot


def _restricted(gram: npt.NDArray[np.float64], cols: npt.NDArray[np.int64]) -> Any:
    return gram if len(cols) == len(gram) else gram[np.ix_(cols, cols)]


def _kept_gram(
    previous: npt.NDArray[np.float64] | None,
    centred: Any,
    voted_cols: npt.NDArray[np.int64],
    matrix: VoteMatrix,
    changed: npt.NDArray[np.int64] | None,
) -> npt.NDArray[np.float64] | None:
    """CᵀC over the columns of ``matrix`` (``centred``: the centred votes of its voted
    columns ``voted_cols``), or None when not worth keeping at this size (see _GRAM_SMALL).
    From a previous Gram only the rows and columns of the ``changed`` statements are
    recomputed; a cold analysis, or one where most statements changed, forms it whole."""
    m = matrix.n_statements
    if m > _GRAM_SMALL and m * m > 2 * matrix.n_votes:
        return None
    if previous is None or changed is None or 4 * len(changed) > m:
        inner = (centred.T @ centred).toarray()
        gram = np.zeros((m, m))
        gram[np.ix_(voted_cols, voted_cols)] = inner
        gram.setflags(write=False)
        return gram
    old_m = previous.shape[0]
    if old_m == m:
        gram = previous.copy()
    else:  # new statements: no votes on them yet beyond this update's
        gram = np.zeros((m, m))
        gram[:old_m, :old_m] = previous
    # Changed statements have votes, so each is a voted column; its position among them:
    position = np.searchsorted(voted_cols, changed)
    rows = gram_rows(centred, position)
    gram[changed, :] = 0.0
    gram[np.ix_(changed, voted_cols)] = rows
    gram[:, changed] = gram[changed, :].T
    gram.setflags(write=False)
    return gram


def _sides(
    matrix: VoteMatrix,
    declared: DeclaredSides,
    previous: SideAgreement | None,
    changed: npt.NDArray[np.int64] | None,
) -> SideAgreement:
    """Agreement per side; after an update only the statements that got votes are recomputed
    (a statement's figures depend on its own votes only), the rest are carried over."""
    m = matrix.n_statements
    if previous is None or changed is None or len(previous.statement_ids) > m:
        return agreement_by_side(matrix, declared)
    grow = m - len(previous.statement_ids)
    if len(changed) == 1 and not grow:
        return _sides_one_statement(matrix, declared, previous, int(changed[0]))
    # New statements are recomputed too, so they get the figures of "no votes yet".
    changed = np.union1d(changed, np.arange(m - grow, m))
    if not len(changed):
        return previous
    fresh = agreement_by_side(matrix, declared, statements=changed)
    out: dict[str, Any] = {}
    for f in dataclasses.fields(SideAgreement):
        old = getattr(previous, f.name)
        new = getattr(fresh, f.name)
        if f.name == "statement_ids":
            out[f.name] = matrix.statement_ids
        elif f.name == "labels":
            labels = list(old) + [""] * grow
            for t, j in enumerate(changed.tolist()):
                labels[j] = new[t]
            out[f.name] = tuple(labels)
        elif isinstance(old, np.ndarray):
            pad = [(0, 0)] * (old.ndim - 1) + [(0, grow)]
            merged = np.pad(old, pad) if grow else old.copy()
            merged[..., changed] = new
            out[f.name] = merged
        else:
            out[f.name] = new
    return SideAgreement(**out)


def _sides_one_statement(
    matrix: VoteMatrix, declared: DeclaredSides, previous: SideAgreement, j: int
) -> SideAgreement:
    """:func:`_sides` after votes on one statement ``j`` (the room's usual update): its counts
    per side from its own votes, its figures by :func:`statement_agreement` (Newton from
    its previous quantiles), every other statement carried over."""
    n_sides = len(declared.names)
    on_j = np.flatnonzero(matrix.indices == j)
    side = declared.index[matrix.vote_rows[on_j]]
    code = side * 3 + matrix.values[on_j] + 1  # disagree, pass, agree of each side
    tally = np.bincount(code[side >= 0], minlength=3 * n_sides).reshape(n_sides, 3).tolist()
    figures = statement_agreement(
        [d + p + a for d, p, a in tally],
        [a for _, _, a in tally],
        [d for d, _, _ in tally],
        credible_mass=previous.credible_mass,
        threshold=previous.threshold,
        min_votes=previous.min_votes,
        start=(float(previous.min_share_low[j]), float(previous.min_share_high[j])),
    )
    out: dict[str, Any] = {}
    for name, value in figures.items():
        if name == "labels":
            labels = list(previous.labels)
            labels[j] = value
            out[name] = tuple(labels)
        else:
            merged = getattr(previous, name).copy()
            merged[..., j] = value
            out[name] = merged
    return dataclasses.replace(previous, **out)


def _side_tuple(side_of: Sequence[str | None] | None, n: int) -> tuple[str | None, ...] | None:
    if side_of is None:
        return None
    sides = tuple(side_of)
    if len(sides) != n:
        raise LiveUpdateError(f"{len(sides)} declared sides for {n} participants")
    return sides


def live_analysis(
    votes: VoteMatrix,
    *,
    conversation: str,
    side_of: Sequence[str | None] | None = None,
    n_groups: int | None = None,
    random_state: int = 0,
    previous: LiveAnalysis | None = None,
    timings: dict[str, float] | None = None,
) -> LiveAnalysis:
    """A cold analysis that :func:`update` can continue.

    ``conversation`` names the conversation (e.g. the dialogue's id); updates must name the
    same one. ``side_of[i]``: declared side of row ``i`` of ``votes`` (agreement per side is
    then kept up to date). ``n_groups`` fixes k, otherwise Track 2 mode chooses it.
    ``previous``: an earlier analysis of the same conversation whose group ids should carry
    over to the groups found now (matched by overlap). ``timings``, when given, receives the
    seconds of each stage (beside the result, not in it).
    """
    started = time.perf_counter()
    timings = {} if timings is None else timings
    if previous is not None and previous.conversation != conversation:
        raise LiveUpdateError(
            f"the previous analysis is of conversation {previous.conversation!r}, "
            f"not {conversation!r}"
        )
    sides = _side_tuple(side_of, votes.n_participants)
    lap = time.perf_counter()
    groups = track2_groups(votes, n_groups=n_groups, random_state=random_state)
    timings["groups"] = time.perf_counter() - lap
    column_ids = np.arange(groups.n_groups, dtype=np.int64)
    if previous is not None:
        old = _labels_on(previous, votes.participant_ids)
        column_ids = _match_columns(old, groups.labels, previous.column_ids, groups.n_groups)
    result = _assemble(
        conversation,
        votes,
        sides,
        groups,
        column_ids,
        None,
        None,
        random_state,
        timings,
        grouped_at_votes=votes.n_votes,
        n_groups_asked=n_groups,
    )
    timings["total"] = time.perf_counter() - started
    return result


def _labels_on(previous: LiveAnalysis, participant_ids: npt.NDArray[Any]) -> npt.NDArray[np.int64]:
    """The previous group id of each of ``participant_ids`` (-1: none or unknown)."""
    index = previous.matrix.participant_index
    rows = np.array([index.get(p, -1) for p in participant_ids.tolist()], dtype=np.int64)
    labels = previous.groups.labels
    out = np.where(rows >= 0, labels[np.maximum(rows, 0)], -1)
    return np.where(out >= 0, previous.column_ids[np.maximum(out, 0)], -1)


_LISTED = 10  # problems of one kind named in a refusal; the rest are counted


def _which(positions: Sequence[int]) -> str:
    """'vote 3' or 'votes 1, 3 and 7' (1-based; the first _LISTED, then how many more)."""
    named = [str(t + 1) for t in positions[:_LISTED]]
    more = len(positions) - len(named)
    if len(named) == 1:
        return f"vote {named[0]}"
    listed = ", ".join(named[:-1]) + (", " if more else " and ") + named[-1]
    return f"votes {listed}" + (f" and {more} more" if more else "")


def _items(values: Sequence[Any]) -> str:
    named = [repr(v) for v in values[:_LISTED]]
    more = len(values) - len(named)
    text = named[0] if len(named) == 1 else ", ".join(named[:-1]) + " and " + named[-1]
    return text + (f" and {more} more" if more else "")


def _positions(
    index: dict[Any, int],
    wanted: Sequence[Any],
    origin: Sequence[int],
    what: str,
    conversation: str,
    problems: list[str],
) -> npt.NDArray[np.int64]:
    """Each id's row or column (-1 where unknown); every unknown one is a problem, named by
    its vote's place ``origin`` in the update."""
    out = np.array([index.get(key, -1) for key in wanted], dtype=np.int64)
    unknown = np.flatnonzero(out < 0).tolist()
    if len(unknown) == 1:
        problems.append(
            f"vote {origin[unknown[0]] + 1} of the update is by an unknown {what} "
            f"{wanted[unknown[0]]!r} of conversation {conversation!r}; announce a new {what} "
            f"in new_{what}s first"
        )
    elif unknown:
        problems.append(
            f"{_which([origin[t] for t in unknown])} of the update are by unknown {what}s "
            f"{_items([wanted[t] for t in unknown])} of conversation {conversation!r}; "
            f"announce new {what}s in new_{what}s first"
        )
    return out


def _new_ids(
    known: dict[Any, int],
    ids: Sequence[Any],
    what: str,
    sample: npt.NDArray[Any],
    problems: list[str],
) -> list[Any]:
    ids = list(ids)
    if not ids:  # most updates announce no one: a room's update is ~1 ms all told
        return ids
    twice = [i for i, count in Counter(ids).items() if count > 1]
    if twice:
        problems.append(f"new_{what}s lists an id twice ({_items(twice)})")
    clash = [i for i in ids if i in known]
    if len(clash) == 1:
        problems.append(f"new {what} {clash[0]!r} is already in the conversation")
    elif clash:
        problems.append(f"new {what}s {_items(clash)} are already in the conversation")
    if ids and len(sample):
        integers = sample.dtype.kind in "iu"
        if integers:
            # Python's ints are unbounded; the matrix's ids are 64-bit (numpy would make an
            # object array of 2**63 and call it not an integer)
            too_big = [i for i in ids if isinstance(i, int) and not -(2**63) <= i < 2**63]
            if too_big:
                problems.append(
                    f"new {what} id {_items(too_big)} does not fit in 64 bits; ids are "
                    "integers from -2**63 to 2**63 - 1"
                )
                return ids
        kind = np.asarray(ids).dtype.kind
        if (kind in "iu") != integers:
            problems.append(
                f"new {what} ids must be of the same type as the existing ones "
                f"({'integers' if integers else 'strings'})"
            )
    return ids


def _refused(problems: list[str]) -> LiveUpdateError:
    """One error naming every problem found (each kind once, its items listed)."""
    if len(problems) == 1:
        return LiveUpdateError(problems[0])
    return LiveUpdateError(
        f"{len(problems)} problems, so nothing was changed: " + "; ".join(problems)
    )


def update(
    previous: LiveAnalysis,
    new_votes: Iterable[tuple[Any, Any, int]],
    *,
    conversation: str,
    new_participants: Sequence[Any] = (),
    new_statements: Sequence[Any] = (),
    new_sides: Sequence[str | None] | None = None,
    random_state: int = 0,
    regroup_when_due: bool = True,
    timings: dict[str, float] | None = None,
) -> LiveAnalysis:
    """Re-analyse after ``new_votes`` — ``(participant id, statement id, vote)`` with vote
    +1 agree, -1 disagree, 0 pass; a vote on a pair already voted replaces it — warm-started
    from ``previous`` (see the module docstring). ``conversation`` must be the one
    ``previous`` analysed. ``new_participants`` / ``new_statements`` announce ids that join
    with this update (``new_sides``: their declared sides, when sides are tracked).
    ``regroup_when_due=False``: keep the groups' k even when the votes have grown enough to
    choose them again (the caller runs :func:`regroup` beside the updates; the result's
    ``regroup_due`` says when).
    ``timings``, when given, receives the seconds of each stage (beside the result).
    Raises :class:`LiveUpdateError` and changes nothing when anything is wrong.
    """
    started = time.perf_counter()
    timings = {} if timings is None else timings
    if previous.conversation != conversation:
        raise LiveUpdateError(
            f"the previous analysis is of conversation {previous.conversation!r}, "
            f"not {conversation!r}; start with live_analysis() for this conversation"
        )
    old = previous.matrix
    # Every problem of the update is found before it is refused, so one error names them all.
    problems: list[str] = []
    p_index, s_index = old.participant_index, old.statement_index
    added_p = _new_ids(p_index, new_participants, "participant", old.participant_ids, problems)
    added_s = _new_ids(s_index, new_statements, "statement", old.statement_ids, problems)
    given = list(new_votes)
    malformed = [
        t for t, vote in enumerate(given) if not isinstance(vote, tuple | list) or len(vote) != 3
    ]
    if malformed:
        problems.append(
            f"{_which(malformed)} of the update {'is' if len(malformed) == 1 else 'are'} not "
            "(participant id, statement id, vote): each new vote is (participant id, "
            "statement id, vote)"
        )
    # The well-formed votes, and where each stands in the update (problems name that place).
    shapeless = set(malformed)
    origin = [t for t in range(len(given)) if t not in shapeless]
    triples = [given[t] for t in origin]
    values = [t[2] for t in triples]
    bad = [
        t
        for t, v in enumerate(values)
        if isinstance(v, bool) or not isinstance(v, int | np.integer) or v not in (-1, 0, 1)
    ]
    if bad:
        verb, noun = ("has", "value") if len(bad) == 1 else ("have", "values")
        problems.append(
            f"{_which([origin[t] for t in bad])} of the update {verb} the {noun} "
            f"{_items([values[t] for t in bad])}; use 1 (agree), -1 (disagree) or 0 (pass)"
        )
    if added_p:
        p_index = {**p_index, **{p: old.n_participants + i for i, p in enumerate(added_p)}}
    if added_s:
        s_index = {**s_index, **{s: old.n_statements + i for i, s in enumerate(added_s)}}
    ids = ([t[0] for t in triples], [t[1] for t in triples])
    rows = _positions(p_index, ids[0], origin, "participant", conversation, problems)
    cols = _positions(s_index, ids[1], origin, "statement", conversation, problems)
    sides = previous.side_of
    declared = previous.declared_sides
    if sides is not None:
        extra = tuple(new_sides) if new_sides is not None else (None,) * len(added_p)
        if len(extra) != len(added_p):
            problems.append(f"{len(extra)} sides for {len(added_p)} new participants")
        else:
            sides = sides + extra
            if declared is not None and extra:
                try:
                    declared = declared.extended(extra)
                except SidesError as error:
                    problems.append(str(error))
    elif new_sides is not None:
        problems.append("this conversation tracks no sides; start it with side_of=")
    if problems:
        raise _refused(problems)
    matrix = old.with_votes(
        rows,
        cols,
        np.asarray(values, dtype=np.int8),
        new_participant_ids=added_p,
        new_statement_ids=added_s,
    )
    n, m = matrix.shape
    timings["votes"] = time.perf_counter() - started
    if regroup_when_due and matrix.n_votes >= REGROUP_GROWTH * previous.grouped_at_votes:
        regrouped = _chosen_again(matrix, sides, previous, random_state, timings)
        timings["total"] = time.perf_counter() - started
        return regrouped

    lap = time.perf_counter()
    model = previous.groups
    if n == old.n_participants:
        resp = model.responsibilities
    else:
        resp = np.empty((n, model.n_groups), dtype=np.float32)
        resp[: old.n_participants] = model.responsibilities
        resp[old.n_participants :] = model.priors.astype(np.float32)
    onehot = _kept_onehot(previous.onehot, matrix, rows, cols, values)
    groups = refit_groups(matrix, resp, max_iter=_EM_ITERATIONS, previous=model, onehot=onehot)
    if n == old.n_participants and np.array_equal(groups.labels, model.labels):
        # Nobody changed group (the usual update): every column keeps its id, which is
        # what the overlap matching would conclude.
        column_ids = previous.column_ids
    else:
        old_labels = np.full(n, -1, dtype=np.int64)
        old_labels[: old.n_participants] = np.where(
            model.labels >= 0, previous.column_ids[np.maximum(model.labels, 0)], -1
        )
        column_ids = _match_columns(old_labels, groups.labels, previous.column_ids, groups.n_groups)
    timings["groups"] = time.perf_counter() - lap

    if len(previous.statement_ids) == m:  # every statement had votes already
        pca_start = previous.pca.components
    else:
        pca_start = np.zeros((2, m))
        pca_start[:, np.flatnonzero(old.statement_counts["seen"] > 0)] = previous.pca.components
    bridging_start = _padded(previous.bridging, matrix)
    behind = (previous.bridging_updates_behind + 1) % BRIDGING_EVERY
    result = _assemble(
        conversation,
        matrix,
        sides,
        groups,
        column_ids,
        pca_start,
        bridging_start,
        random_state,
        timings,
        previous_sides=previous.sides,
        changed_statements=np.unique(cols),
        bridging_behind=behind,
        previous_gram=previous.gram,
        declared=declared,
        onehot=onehot,
        grouped_at_votes=previous.grouped_at_votes,
        n_groups_asked=previous.n_groups_asked,
    )
    timings["total"] = time.perf_counter() - started
    return result


def _chosen_again(
    matrix: VoteMatrix,
    sides: tuple[str | None, ...] | None,
    previous: LiveAnalysis,
    random_state: int,
    timings: dict[str, float] | None = None,
) -> LiveAnalysis:
    """A cold analysis of ``matrix`` that keeps ``previous``'s fixed k (if any) and the ids of
    its groups that persist."""
    return live_analysis(
        matrix,
        conversation=previous.conversation,
        side_of=sides,
        n_groups=previous.n_groups_asked,
        random_state=random_state,
        previous=previous,
        timings=timings,
    )


def regroup(
    analysis: LiveAnalysis, *, random_state: int = 0, timings: dict[str, float] | None = None
) -> LiveAnalysis:
    """The groups chosen again, cold, on ``analysis``'s votes (k too, unless the caller fixed
    it), keeping the ids of the groups that persist: what an update does by itself once
    ``analysis.regroup_due``. A room runs it beside its updates, then :func:`catch_up`.
    ``timings`` as in :func:`live_analysis`."""
    return _chosen_again(analysis.matrix, analysis.side_of, analysis, random_state, timings)


def catch_up(
    regrouped: LiveAnalysis,
    newest: LiveAnalysis,
    *,
    random_state: int = 0,
    timings: dict[str, float] | None = None,
) -> LiveAnalysis:
    """``regrouped`` (a :func:`regroup` of an earlier analysis of the conversation) continued
    by an update with every vote that ``newest`` holds beyond it: the participants and
    statements that joined since, new votes, and changed answers. ``newest`` must continue
    ``regrouped``'s votes (the same conversation, its participants and statements first and in
    the same order, the same moderation, no vote withdrawn); otherwise :class:`LiveUpdateError`,
    and the caller keeps ``newest``. The result keeps ``regrouped``'s groups and their k, and
    continues as any update does. ``timings`` as in :func:`update`."""
    if newest.conversation != regrouped.conversation:
        raise LiveUpdateError(
            f"the newest analysis is of conversation {newest.conversation!r}, not "
            f"{regrouped.conversation!r}; a regroup can only catch up with its own conversation"
        )
    old, new = regrouped.matrix, newest.matrix
    problems = _continuation_problems(old, new)
    if problems:
        raise _refused(
            [
                f"{p}, so the regrouped analysis cannot catch up with it; regroup anew"
                for p in problems
            ]
        )
    since = _votes_since(old, new)
    if since is None:
        raise _refused(
            [
                "a vote was withdrawn since, so the regrouped analysis cannot catch up with it; "
                "regroup anew"
            ]
        )
    rows, cols, values = since
    if not len(rows) and new.shape == old.shape:
        return regrouped
    pids, sids = new.participant_ids.tolist(), new.statement_ids.tolist()
    joined = new.participant_ids[old.n_participants :].tolist()
    sides = None
    if regrouped.side_of is not None and newest.side_of is not None:
        sides = newest.side_of[old.n_participants :]
    return update(
        regrouped,
        [(pids[r], sids[c], v) for r, c, v in zip(rows, cols, values, strict=True)],
        conversation=regrouped.conversation,
        new_participants=joined,
        new_statements=new.statement_ids[old.n_statements :].tolist(),
        new_sides=sides,
        random_state=random_state,
        regroup_when_due=False,
        timings=timings,
    )


def _continuation_problems(old: VoteMatrix, new: VoteMatrix) -> list[str]:
    """Why ``new`` does not continue ``old`` (empty when it does)."""
    problems = []
    n, m = old.shape
    if new.n_participants < n or not np.array_equal(new.participant_ids[:n], old.participant_ids):
        problems.append("the newest votes do not start with the same participants")
    if new.n_statements < m or not np.array_equal(new.statement_ids[:m], old.statement_ids):
        problems.append("the newest votes do not start with the same statements")
    elif not (
        np.array_equal(new.is_moderated_out[:m], old.is_moderated_out)
        and np.array_equal(new.is_meta[:m], old.is_meta)
    ):
        problems.append("a statement's moderation changed since")
    return problems


def _pair_keys(matrix: VoteMatrix, width: int) -> npt.NDArray[np.int64]:
    """row × ``width`` + column of every vote (sorted: rows in order, columns sorted within a
    row)."""
    return matrix.vote_rows.astype(np.int64) * width + matrix.indices


def _votes_since(old: VoteMatrix, new: VoteMatrix) -> tuple[list[int], list[int], list[int]] | None:
    """Rows, columns and answers of ``new``'s votes that ``old`` lacks or holds another answer
    for, ``new`` continuing ``old``'s participants and statements (:func:`_continuation_problems`
    found nothing); None when a vote of ``old`` is not in ``new`` (withdrawn)."""
    width = new.n_statements
    before, after = _pair_keys(old, width), _pair_keys(new, width)
    at = np.minimum(np.searchsorted(after, before), len(after) - 1)
    if len(before) and (not len(after) or np.any(after[at] != before)):
        return None
    same = np.zeros(len(after), dtype=bool)
    same[at] = old.values == new.values[at]  # every old pair is in new, at ``at``
    changed = np.flatnonzero(~same)
    keys = after[changed]
    return (
        (keys // width).tolist(),
        (keys % width).tolist(),
        new.values[changed].astype(np.int64).tolist(),
    )


def _padded(fit: BridgingScores, matrix: VoteMatrix) -> BridgingScores:
    """The previous bridging fit extended with zero parameters (and no votes) for new rows and
    columns of ``matrix``: a start for the next sweeps, or the fit carried over as it is."""
    n, m = matrix.shape
    grow_n = n - len(fit.participant_intercept)
    grow_m = m - len(fit.statement_intercept)
    if not grow_n and not grow_m:
        return fit

    def pad(a: npt.NDArray[np.float64], extra: int) -> npt.NDArray[np.float64]:
        return np.concatenate([a, np.zeros(extra)])

    return dataclasses.replace(
        fit,
        statement_ids=matrix.statement_ids,
        n_votes=np.concatenate([fit.n_votes, np.zeros(grow_m, dtype=np.int64)]),
        statement_intercept=pad(fit.statement_intercept, grow_m),
        statement_factor=pad(fit.statement_factor, grow_m),
        participant_intercept=pad(fit.participant_intercept, grow_n),
        participant_factor=pad(fit.participant_factor, grow_n),
    )
