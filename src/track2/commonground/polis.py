"""Pol.is mode: the whole Pol.is conversation update as one pure function.

:func:`analyze_polis` runs the steps of conversation.clj ``small-conv-update-graph`` in order:
rating matrix (latest votes, moderated-out columns zeroed) → in-conv participants → PCA with
column-mean imputation → sparsity-aware projection → 100 base clusters → opinion groups by
weighted k-means on the base clusters, k chosen by silhouette → group votes → representative
statements → consensus → group-informed consensus → statement priorities. docs/engine.md maps
each step to its Pol.is source and lists where we deliberately differ.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import numpy as np

from track2.commonground.clusters import (
    Clustering,
    best_of_starts,
    cold_start_groups,
    distance_matrix,
    first_distinct,
    kmeans,
    kmeans_on_sample,
    silhouette,
)
from track2.commonground.consensus import (
    Consensus,
    comment_priorities,
    group_informed_consensus,
    select_consensus,
)
from track2.commonground.errors import GroupCountError, StateMismatchError
from track2.commonground.matrix import OnehotVotes, VoteMatrix
from track2.commonground.pages import small_pages
from track2.commonground.pca import PCAResult, polis_pca, project_participants
from track2.commonground.repness import (
    GroupStatementStats,
    RepresentativeStatement,
    group_statement_stats,
    group_vote_counts,
    select_representative,
)
from track2.commonground.state import PolisState

# conversation.clj base-conv-update-graph defaults
BASE_K = 100
MAX_GROUPS = 5
BASE_ITERS = 100
# ours: above this many in-conv participants, base clusters are fitted on a seeded sample of
# this size and every participant is then assigned once (clusters.kmeans_on_sample)
BASE_SAMPLE = 100_000
GROUP_ITERS = 20  # kmeans' own default: the :cluster-iters option Pol.is passes is not read
GROUP_RESTARTS = 4  # ours: cold starts have no history to warm-start from
IN_CONV_MIN_VOTES = 7
IN_CONV_MIN_PARTICIPANTS = 15


@dataclass(frozen=True, eq=False)
class PolisAnalysis:
    """Everything one Pol.is update computes, with its intermediates.

    Arrays over participants follow ``participant_ids`` (participants with at least one vote);
    arrays over statements follow ``statement_ids`` (statements with at least one vote).
    Coordinates use agree = +1 (Pol.is's own files are negated; see docs/engine.md).
    """

    participant_ids: np.ndarray
    statement_ids: np.ndarray
    n_votes: int
    user_vote_counts: np.ndarray
    excluded: np.ndarray  # statements out of the maths (moderated out or meta)
    is_meta: np.ndarray
    in_conv: np.ndarray  # bool per participant
    pca: PCAResult
    projections: np.ndarray  # n_participants × 2
    base_clusters: Clustering  # points: in-conv participants, in participant order
    group_clusters: Clustering  # points: base clusters, in base_clusters order
    silhouettes: dict[int, float]
    group_agree: np.ndarray  # groups × statements
    group_disagree: np.ndarray
    group_seen: np.ndarray
    group_stats: GroupStatementStats
    repness: dict[int, tuple[RepresentativeStatement, ...]]
    consensus: Consensus
    group_informed_consensus: np.ndarray
    comment_priorities: np.ndarray
    random_state: int
    method: str = "polis"

    @property
    def in_conv_index(self) -> np.ndarray:
        return np.flatnonzero(self.in_conv)

    @property
    def group_ids(self) -> np.ndarray:
        return self.group_clusters.ids

    @property
    def group_labels(self) -> np.ndarray:
        """Position (0..k-1) of each participant's group, -1 when not in-conv."""
        out = np.full(len(self.participant_ids), -1, dtype=np.int64)
        out[self.in_conv_index] = self.group_clusters.labels[self.base_clusters.labels]
        return out

    def group_members(self) -> dict[int, np.ndarray]:
        """Participant ids of each opinion group, keyed by group id."""
        labels = self.group_labels
        return {
            int(gid): self.participant_ids[labels == g]
            for g, gid in enumerate(self.group_clusters.ids.tolist())
        }


def in_conv_mask(
    vote_counts: np.ndarray, n_statements: int, previous: np.ndarray | None = None
) -> np.ndarray:
    """conversation.clj ``:in-conv``: once in, always in; join with ≥ min(7, n_statements)
    votes; if fewer than 15 are in, add the most active participants up to 15."""
    mask = np.zeros(len(vote_counts), dtype=bool) if previous is None else previous.copy()
    mask |= vote_counts >= min(IN_CONV_MIN_VOTES, n_statements)
    short = IN_CONV_MIN_PARTICIPANTS - int(mask.sum())
    if short > 0:
        candidates = np.flatnonzero(~mask)
        order = candidates[np.argsort(-vote_counts[candidates], kind="stable")]
        mask[order[:short]] = True
    return mask


def _positions(ids: np.ndarray, wanted: Any) -> np.ndarray:
    """Positions in ``ids`` of the wanted ids that exist (unknown ids dropped)."""
    index = {v: i for i, v in enumerate(ids.tolist())}
    return np.asarray([index[w] for w in wanted if w in index], dtype=np.int64)


def seen_for_projection(votes: VoteMatrix, excluded: np.ndarray) -> np.ndarray:
    """Cells Pol.is counts as seen for each participant in the projection's scaling: their own
    votes on included statements plus every moderated-out column (zeroed for everyone)."""
    n = votes.n_participants
    if not excluded.any():
        return votes.votes_per_participant
    on_excluded = np.flatnonzero(excluded[votes.indices])
    rows_of = np.searchsorted(votes.indptr, on_excluded, side="right") - 1
    own = votes.votes_per_participant - np.bincount(rows_of, minlength=n)
    return own + int(excluded.sum())


def _check_state_fits(state: PolisState, matrix: VoteMatrix) -> None:
    """A Pol.is state describes the same conversation: every participant it had in the map
    and every statement it had a column for must have votes here."""
    participants = set(matrix.participant_ids.tolist())
    statements = set(matrix.statement_ids.tolist())
    missing_p = [p for p in state.in_conv if p not in participants]
    missing_s = [s for s in state.statement_ids if s not in statements]
    if missing_p or missing_s:
        what = f"participant {missing_p[0]}" if missing_p else f"statement {missing_s[0]}"
        raise StateMismatchError(
            f"the Pol.is state does not belong to these votes: {what} is in the state but has "
            f"no votes here ({len(missing_p)} participants and {len(missing_s)} statements "
            "missing); use the math-pca2.json exported with this conversation"
        )


@small_pages()
def analyze_polis(
    votes: VoteMatrix,
    *,
    state: PolisState | None = None,
    n_groups: int | None = None,
    random_state: int = 0,
    base_k: int = BASE_K,
    max_groups: int = MAX_GROUPS,
    rechoose_groups: bool = False,
    group_restarts: int = GROUP_RESTARTS,
    onehot: OnehotVotes | None = None,
    timings: dict[str, float] | None = None,
) -> PolisAnalysis:
    """Pol.is analysis of a vote matrix.

    ``state``: a Pol.is math state to continue from (its in-conv set, base and group clusters
    as warm starts, its group count, its component signs). ``n_groups``: force this number of
    opinion groups instead of choosing by silhouette. ``random_state`` seeds the random
    choices of a cold start (the k-means++ seedings of base clusters and of the restarts of
    group clustering); a warm start from a state uses none.
    ``rechoose_groups``: with a state, keep its in-conv set and base clusters but choose the
    number of groups by silhouette again instead of keeping the state's groups.
    ``group_restarts``: seedings tried per k on a cold start (1 = Pol.is's own seeding only,
    the first k distinct base clusters; more adds k-means++ seedings and keeps the least
    inertia — see docs/engine.md).
    ``onehot``: the votes in the one-hot layout when the caller holds them anyway
    (:meth:`OnehotVotes.of`; Track 2 mode's model multiplies by them): above 5M votes the
    principal components and the projection multiply through them instead of building the
    centred votes (8 bytes a vote); the same map within ~1e-13.
    ``timings``, when given, receives the seconds of each stage (beside the result, not in it).
    """
    timings = {} if timings is None else timings
    t_start = t = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal t
        now = time.perf_counter()
        timings[stage] = now - t
        t = now

    votes.require_analysable()
    if n_groups is not None and n_groups < 1:
        raise ValueError("n_groups must be at least 1")
    if group_restarts < 1:
        raise ValueError("group_restarts must be at least 1")
    work = votes.without_empty()
    n, m = work.shape
    if onehot is not None:
        onehot.require_shape(n, m)
    excluded = work.is_excluded.copy()
    vote_counts = work.votes_per_participant
    lap("matrix")

    previous_in_conv = None
    if state is not None:
        _check_state_fits(state, work)
        previous_in_conv = np.zeros(n, dtype=bool)
        previous_in_conv[_positions(work.participant_ids, state.in_conv)] = True
    in_conv = in_conv_mask(vote_counts, m, previous_in_conv)
    in_idx = np.flatnonzero(in_conv)
    lap("in_conv")

    start = None
    if state is not None:
        start = np.ones((2, m))
        pos = {sid: j for j, sid in enumerate(state.statement_ids)}
        for j, sid in enumerate(work.statement_ids.tolist()):
            if sid in pos:
                start[:, j] = state.pca_components[:2, pos[sid]]
    pca, centred = polis_pca(work, excluded, start_vectors=start, onehot=onehot)
    lap("pca")

    # Pol.is zeroes moderated-out columns for everyone, so every participant counts them all
    # as seen in the scaling; their own votes on those columns must not be counted twice.
    projections = project_participants(centred, pca, seen_for_projection(work, excluded))
    del centred
    lap("projection")

    points = projections[in_idx]
    base_start = None
    if state is not None:
        local = {pid: i for i, pid in enumerate(work.participant_ids[in_idx].tolist())}
        base_start = [
            (cid, np.asarray([local[p] for p in members if p in local], dtype=np.int64))
            for cid, members in zip(state.base_cluster_ids, state.base_cluster_members, strict=True)
        ]
    rng = np.random.default_rng(random_state)
    if base_start is not None:
        base = kmeans(points, base_k, start=base_start, max_iters=BASE_ITERS)
    else:
        # Pol.is seeds with the first k distinct points in its (arbitrary) row order, i.e.
        # random seeds when there is no history; k-means++ seeds give tighter base clusters
        # and converge in fewer Lloyd steps (docs/engine.md).
        base = kmeans_on_sample(points, base_k, rng, sample_size=BASE_SAMPLE, max_iters=BASE_ITERS)
    lap("base_clusters")

    weights = base.sizes().astype(np.float64)
    silhouettes: dict[int, float] = {}
    keep_groups = state is not None and not rechoose_groups
    fixed_k = (
        n_groups
        if n_groups is not None
        else (state.n_groups if state is not None and keep_groups else None)
    )
    if fixed_k is not None:
        k = fixed_k
        # Groups are clusters of distinct base-cluster centres: a k beyond them cannot be
        # formed (and k-means would be handed a seed table of k rows first).
        formable = len(first_distinct(base.centers, base.k))
        if n_groups is not None and k > formable:
            raise GroupCountError(
                f"{k} opinion groups were asked for, but the Pol.is map can form at most "
                f"{formable} here (its groups cluster the {formable} distinct base clusters of "
                f"the participants' positions); ask for {formable} or fewer"
            )
        group_start = None
        if state is not None and keep_groups and k == state.n_groups:
            base_pos = {int(b): c for c, b in enumerate(base.ids.tolist())}
            group_start = [
                (gid, np.asarray([base_pos[b] for b in members if b in base_pos], dtype=np.int64))
                for gid, members in zip(
                    state.group_cluster_ids, state.group_cluster_members, strict=True
                )
            ]
        if group_start is not None:
            groups = kmeans(
                base.centers, k, weights=weights, start=group_start, max_iters=GROUP_ITERS
            )
        else:
            groups = best_of_starts(
                base.centers, k, rng, weights=weights, n_init=group_restarts, max_iters=GROUP_ITERS
            )
        silhouettes[groups.k] = silhouette(base.centers, groups.labels)
    else:
        top_k = min(max_groups, 2 + base.k // 12)
        candidates = cold_start_groups(
            base.centers,
            range(2, top_k + 1),
            rng,
            weights=weights,
            n_init=group_restarts,
            max_iters=GROUP_ITERS,
        )
        dist = distance_matrix(base.centers)
        for k, clustering in candidates.items():
            silhouettes[k] = silhouette(base.centers, clustering.labels, dist)
        # Clojure's max-key returns the last of equal maxima: the larger k wins a tie.
        best = max(silhouettes.values())
        groups = candidates[max(k for k, s in silhouettes.items() if s == best)]
    if state is not None and keep_groups and n_groups is None and groups.k != state.n_groups:
        raise StateMismatchError(
            f"the Pol.is state has {state.n_groups} groups but only {groups.k} could be formed "
            "from these votes; check that the state belongs to this conversation"
        )
    lap("group_clusters")

    row_group = np.full(n, -1, dtype=np.int64)
    row_group[in_idx] = groups.labels[base.labels]
    g_agree, g_disagree, g_seen = group_vote_counts(work, row_group, groups.k)
    stats = group_statement_stats(g_agree, g_disagree, g_seen)
    repness = select_representative(stats, work.statement_ids, excluded, groups.ids)
    lap("repness")

    counts = work.statement_counts
    consensus = select_consensus(
        counts["agree"], counts["disagree"], counts["seen"], work.statement_ids, excluded
    )
    gic = group_informed_consensus(g_agree, g_seen)
    priorities = comment_priorities(
        g_agree, g_disagree, g_seen, pca.comment_extremity, work.is_meta
    )
    lap("consensus")
    timings["total"] = time.perf_counter() - t_start
    return PolisAnalysis(
        participant_ids=work.participant_ids,
        statement_ids=work.statement_ids,
        n_votes=work.n_votes,
        user_vote_counts=vote_counts,
        excluded=excluded,
        is_meta=work.is_meta.copy(),
        in_conv=in_conv,
        pca=pca,
        projections=projections,
        base_clusters=base,
        group_clusters=groups,
        silhouettes=silhouettes,
        group_agree=g_agree,
        group_disagree=g_disagree,
        group_seen=g_seen,
        group_stats=stats,
        repness=repness,
        consensus=consensus,
        group_informed_consensus=gic,
        comment_priorities=priorities,
        random_state=random_state,
    )
