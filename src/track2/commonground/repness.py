"""Representative statements of each opinion group, as Pol.is selects them.

Follows polismath/math/repness.clj (``comment-stats``, ``add-comparitive-stats``,
``select-rep-comments``) with the tests of stats.clj. Counts use agree = +1 (Pol.is's internal
agree = -1 is only a storage convention).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from track2.commonground.matrix import VoteMatrix, row_chunks
from track2.commonground.stats import Z_90, prop_test, two_prop_test


@dataclass(frozen=True)
class GroupStatementStats:
    """Vote statistics of every group (rows) on every statement (columns), with the
    comparison against all other groups together. n* are counts, p* pseudocount
    probabilities, r* ratios to the rest, *t the test scores (repness.clj legend)."""

    na: np.ndarray
    nd: np.ndarray
    ns: np.ndarray
    pa: np.ndarray
    pd: np.ndarray
    pat: np.ndarray
    pdt: np.ndarray
    ra: np.ndarray
    rd: np.ndarray
    rat: np.ndarray
    rdt: np.ndarray


@dataclass(frozen=True)
class RepresentativeStatement:
    """One selected statement for one group. ``repful_for`` is "agree" or "disagree";
    ``repness_test`` is rounded to float32 exactly as Pol.is stores (and sorts by) it.

    ``passes`` says whether the statement passed Pol.is's two tests (rat and pat, or rdt and
    pdt, above the 90% z value); Pol.is lists a statement that does not only as its fallback.
    ``majority`` says whether more than half of the group's voters on it gave the listed
    answer. A statement is ``weak`` unless both hold: a reader must not be told that it
    characterises the group without that label (docs/engine.md, step 9).
    """

    statement: Any
    repful_for: str
    n_success: int
    n_trials: int
    p_success: float
    p_test: float
    repness: float
    repness_test: float
    best_agree: bool = False
    n_agree: int | None = None
    passes: bool = True

    @property
    def majority(self) -> bool:
        return 2 * self.n_success > self.n_trials

    @property
    def weak(self) -> bool:
        return not (self.passes and self.majority)


# A "majority" of one or two voters is nothing to report of a group: it is only the fallback
# when nothing passes the tests, and no report or room (whose small-cell floor is 3) could show
# its figures. Pol.is mode's own selection does not use it.
FALLBACK_MIN_VOTERS = 3


def group_vote_counts(
    votes: VoteMatrix, row_group: np.ndarray, n_groups: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Agree / disagree / seen counts per group × statement (each ``n_groups`` × statements), from
    each matrix row's group in ``row_group`` (-1: in no group, not counted); the counts that
    :func:`group_statement_stats` takes."""
    m = votes.n_statements
    row_group = np.asarray(row_group, dtype=np.int64)
    grouped = bool((row_group >= 0).all())
    per_row = votes.votes_per_participant
    # Code (g·m + j)·3 + (vote + 1) counts disagree, pass and agree of group g on j; a chunk of
    # rows at a time (matrix.COUNT_CHUNK), each row's group repeated over its votes.
    flat = np.zeros(3 * max(n_groups, 1) * m, dtype=np.int64)
    for first, stop in row_chunks(votes.indptr):
        begin, end = int(votes.indptr[first]), int(votes.indptr[stop])
        code = np.repeat(row_group[first:stop], per_row[first:stop])
        indices, values = votes.indices[begin:end], votes.values[begin:end]
        if not grouped:
            counted = code >= 0
            code, indices, values = code[counted], indices[counted], values[counted]
        code *= m
        code += indices
        code *= 3
        code += values
        code += 1
        flat += np.bincount(code, minlength=len(flat))
    by_vote = flat.reshape(max(n_groups, 1), m, 3)[:n_groups]
    disagree, agree = by_vote[:, :, 0], by_vote[:, :, 2]
    return agree, disagree, by_vote.sum(axis=2)


def pass_shares(
    group_agree: np.ndarray,
    group_disagree: np.ndarray,
    group_seen: np.ndarray,
    excluded: np.ndarray,
) -> list[float | None]:
    """Each group's share of passes among its votes on the statements analysed (None: the
    group has no vote there), from the counts of :func:`group_vote_counts`: what a group that
    no statement represents mostly answered. ``excluded``: statements left out, one flag each,
    or groups × statements (a report leaves out, group by group, the statements whose pass
    count the small-cell rule hides: their sum would give them away)."""
    kept = ~np.broadcast_to(np.asarray(excluded, dtype=bool), np.shape(group_seen))
    seen = np.where(kept, np.asarray(group_seen), 0).sum(axis=1)
    answered = np.where(kept, np.asarray(group_agree) + np.asarray(group_disagree), 0).sum(axis=1)
    return [None if n == 0 else float((n - a) / n) for n, a in zip(seen, answered, strict=True)]


def group_statement_stats(
    group_agree: np.ndarray, group_disagree: np.ndarray, group_seen: np.ndarray
) -> GroupStatementStats:
    """Statistics from per-group counts (shape groups × statements), as
    :func:`group_vote_counts` returns them.

    Agree and disagree are computed together on a 2 × groups × statements stack (the same
    elementwise operations): a live room recomputes these after every vote, where the cost is
    the number of numpy calls."""
    na = np.asarray(group_agree, dtype=np.int64)
    nd = np.asarray(group_disagree, dtype=np.int64)
    ns = np.asarray(group_seen, dtype=np.int64)
    success = np.stack([na, nd])
    p = (1.0 + success) / (2.0 + ns)
    success_rest = np.add.reduce(success, axis=1, keepdims=True) - success
    ns_rest = np.add.reduce(ns, axis=0, keepdims=True) - ns
    r = p / ((1.0 + success_rest) / (2.0 + ns_rest))
    pt = prop_test(success, ns)
    rt = two_prop_test(success, success_rest, ns, ns_rest)
    return GroupStatementStats(
        na=na,
        nd=nd,
        ns=ns,
        pa=p[0],
        pd=p[1],
        pat=pt[0],
        pdt=pt[1],
        ra=r[0],
        rd=r[1],
        rat=rt[0],
        rdt=rt[1],
    )


def _finalize(
    s: GroupStatementStats, g: int, j: int, sid: Any, passes: bool = True, side: str | None = None
) -> RepresentativeStatement:
    """finalize-cmt-stats: keep the agree side if its test beats the disagree side (or the
    ``side`` asked for)."""
    if side == "agree" or (side is None and s.rat[g, j] > s.rdt[g, j]):
        vals = (s.na, s.pa, s.pat, s.ra, s.rat, "agree")
    else:
        vals = (s.nd, s.pd, s.pdt, s.rd, s.rdt, "disagree")
    n_success, p_success, p_test, rep, rep_test, kept = vals
    return RepresentativeStatement(
        statement=sid,
        repful_for=kept,
        n_success=int(n_success[g, j]),
        n_trials=int(s.ns[g, j]),
        p_success=float(p_success[g, j]),
        p_test=float(p_test[g, j]),
        repness=float(rep[g, j]),
        repness_test=float(np.float32(rep_test[g, j])),
        passes=passes,
    )


def _best_agree_inputs(s: GroupStatementStats, cols: np.ndarray) -> list[list[Any]]:
    """Per group (rows) over ``cols``: whether the group voted, the two products
    beats-best-agr? compares, whether a first statement qualifies, and ra > 1 — as lists."""
    ra, pa, pat = s.ra[:, cols], s.pa[:, cols], s.pat[:, cols]
    return [
        ((s.na[:, cols] != 0) | (s.nd[:, cols] != 0)).tolist(),
        (ra * s.rat[:, cols] * pa * pat).tolist(),
        (pa * pat).tolist(),
        ((pat > Z_90) | ((ra > 1.0) & (pa > 0.5))).tolist(),
        (ra > 1.0).tolist(),
    ]


def _best_agree(inputs: list[list[Any]], g: int, cols: np.ndarray) -> int | None:
    """beats-best-agr? folded over ``cols`` in order: prefer statements the group agrees with,
    by repness then probability. The rule that compares two statements depends on the current
    best (its ra above 1 or not), so the fold stays sequential, but over Python floats: the
    products are the same float64 operations in the same order as Pol.is's."""
    voted, strong, plain, opens, above_one = (rows[g] for rows in inputs)
    best = -1
    for t in range(len(voted)):
        if not voted[t]:
            continue
        if best < 0:
            if opens[t]:
                best = t
        elif above_one[best]:
            if strong[t] > strong[best]:
                best = t
        elif plain[t] > plain[best]:
            best = t
    return None if best < 0 else int(cols[best])


def _best_test(top_test: np.ndarray, cols: np.ndarray) -> int | None:
    """Pol.is's fallback when no statement passes: the first statement whose test beats the
    float32-rounded test of the best so far (repness.clj compares the stored float32)."""
    best: int | None = None
    best_test = 0.0
    for j, test in zip(cols.tolist(), top_test[cols].tolist(), strict=True):
        if best is None or test > best_test:
            best, best_test = j, float(np.float32(test))
    return best


def select_representative(
    stats: GroupStatementStats,
    statement_ids: np.ndarray,
    excluded: np.ndarray,
    group_ids: np.ndarray,
    max_per_group: int = 5,
    *,
    majority_only: bool = False,
) -> dict[Any, tuple[RepresentativeStatement, ...]]:
    """select-rep-comments: up to 5 statements per group, best agree first, agrees before
    disagrees; if none passes the tests, the single best one (by agree preference, else test).

    ``majority_only`` (Track 2 mode) keeps only statements that pass the tests *and* on which a
    majority of the group gave the listed answer; when none does, the group gets one weak
    fallback (the majority answer with the best test, else Pol.is's fallback), flagged
    ``weak``. Without it the selection is exactly Pol.is's (parity), with ``weak`` set where
    it applies.

    Vectorised over statements (a live room re-selects after every vote): the passing
    statements are ranked by Pol.is's metric on arrays and only the chosen ones become
    :class:`RepresentativeStatement` objects; the order is the one of Clojure's stable sort.
    """
    result: dict[Any, tuple[RepresentativeStatement, ...]] = {}
    cols = np.flatnonzero(~np.asarray(excluded, dtype=bool))
    sids = statement_ids.tolist()
    # Each statement's side (agree unless its disagree test is at least as high) and the
    # figures of that side, as finalize-cmt-stats keeps them; groups × statements.
    agree_side = stats.rat > stats.rdt
    n_success = np.where(agree_side, stats.na, stats.nd)
    rep = np.where(agree_side, stats.ra, stats.rd)
    rep_test = np.where(agree_side, stats.rat, stats.rdt).astype(np.float32).astype(np.float64)
    p_success = np.where(agree_side, stats.pa, stats.pd)
    p_test = np.where(agree_side, stats.pat, stats.pdt)
    metric = rep * rep_test * p_success * p_test  # Pol.is's ranking: repness × test × p × p-test
    majority = 2 * n_success > stats.ns
    all_passing = ((stats.rat > Z_90) & (stats.pat > Z_90)) | (
        (stats.rdt > Z_90) & (stats.pdt > Z_90)
    )  # Pol.is's significance rule, every group at once
    best_agree_inputs = _best_agree_inputs(stats, cols)
    for g, gid in enumerate(group_ids.tolist()):
        passing = all_passing[g]
        sufficient = cols[passing[cols]]
        best_agree = _best_agree(best_agree_inputs, g, cols)
        head: RepresentativeStatement | None = None
        if best_agree is not None:
            f = _finalize(stats, g, best_agree, sids[best_agree], bool(passing[best_agree]))
            head = RepresentativeStatement(
                **{**f.__dict__, "best_agree": True, "n_agree": int(stats.na[g, best_agree])}
            )
        if majority_only:
            # Weak statements leave before the cut to max_per_group, so strong ones fill it.
            sufficient = sufficient[majority[g, sufficient]]
            if head is not None and head.weak:
                head = None
            if not len(sufficient) and head is None:
                result[gid] = tuple(_majority_fallback(stats, g, cols, sids))
                continue
        if not len(sufficient):
            best = _best_test(np.maximum(stats.rat[g], stats.rdt[g]), cols)
            fallback = [_finalize(stats, g, best, sids[best], False)] if best is not None else []
            chosen = [head] if head is not None else fallback
        else:
            if head is not None:
                sufficient = sufficient[sufficient != best_agree]
            order = np.argsort(-metric[g, sufficient], kind="stable")  # like Clojure sort-by
            room = max_per_group - (head is not None)
            rest = [_finalize(stats, g, j, sids[j]) for j in sufficient[order][: max(room, 0)]]
            chosen = ([head] if head is not None else []) + rest
            chosen = chosen[:max_per_group]
            chosen = [r for r in chosen if r.repful_for == "agree"] + [
                r for r in chosen if r.repful_for == "disagree"
            ]
        result[gid] = tuple(chosen)
    return result


def _majority_fallback(
    stats: GroupStatementStats,
    g: int,
    cols: np.ndarray,
    sids: list[Any],
) -> list[RepresentativeStatement]:
    """One weak statement for a group nothing strong represents: among the statements where a
    majority of at least ``FALLBACK_MIN_VOTERS`` of the group's voters agreed (or disagreed),
    the one whose answer sets the group most apart from the rest (highest two-proportion test;
    the first one, agree before disagree, on a tie); none if the group has no such majority
    anywhere. Flagged weak because it failed the tests."""
    # Candidates interleaved as (statement, agree), (statement, disagree) in column order.
    tests = np.stack([stats.rat[g, cols], stats.rdt[g, cols]], axis=1).ravel()
    counts = np.stack([stats.na[g, cols], stats.nd[g, cols]], axis=1).ravel()
    voters = np.repeat(stats.ns[g, cols], 2)
    ok = (2 * counts > voters) & (voters >= FALLBACK_MIN_VOTERS)
    if not ok.any():
        return []
    candidates = np.flatnonzero(ok)
    pick = int(candidates[np.argmax(tests[candidates])])  # argmax: the first of equal tests
    j = int(cols[pick // 2])
    side = "agree" if pick % 2 == 0 else "disagree"
    return [_finalize(stats, g, j, sids[j], passes=False, side=side)]
