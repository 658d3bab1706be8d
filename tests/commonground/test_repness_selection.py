"""The vectorised selection of representative statements equals Pol.is's loop, statement by
statement (repness.clj ``select-rep-comments``), kept here as the reference."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from track2.commonground.repness import (
    FALLBACK_MIN_VOTERS,
    GroupStatementStats,
    RepresentativeStatement,
    group_statement_stats,
    select_representative,
)
from track2.commonground.stats import Z_90


def _finalize(
    s: GroupStatementStats, g: int, j: int, sid: Any, passes: bool = True, side: str | None = None
) -> RepresentativeStatement:
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


def _beats_best_agree(s: GroupStatementStats, g: int, j: int, best: int | None) -> bool:
    if s.na[g, j] == 0 and s.nd[g, j] == 0:
        return False
    if best is not None and s.ra[g, best] > 1.0:
        return bool(
            s.ra[g, j] * s.rat[g, j] * s.pa[g, j] * s.pat[g, j]
            > s.ra[g, best] * s.rat[g, best] * s.pa[g, best] * s.pat[g, best]
        )
    if best is not None:
        return bool(s.pa[g, j] * s.pat[g, j] > s.pa[g, best] * s.pat[g, best])
    return bool(s.pat[g, j] > Z_90 or (s.ra[g, j] > 1.0 and s.pa[g, j] > 0.5))


def _reference(
    stats: GroupStatementStats,
    sids_array: np.ndarray,
    excluded: np.ndarray,
    group_ids: np.ndarray,
    max_per_group: int,
    majority_only: bool,
) -> dict[Any, Any]:
    """The selection as a loop over statements, as Pol.is writes it."""
    result: dict[Any, Any] = {}
    cols = [j for j in range(len(sids_array)) if not excluded[j]]
    sids = sids_array.tolist()
    for g, gid in enumerate(group_ids.tolist()):
        sufficient: list[RepresentativeStatement] = []
        best, best_test = None, 0.0
        top_test = np.maximum(stats.rat[g], stats.rdt[g])
        passing = ((stats.rat[g] > Z_90) & (stats.pat[g] > Z_90)) | (
            (stats.rdt[g] > Z_90) & (stats.pdt[g] > Z_90)
        )
        best_agree = None
        for j in cols:
            if passing[j]:
                sufficient.append(_finalize(stats, g, j, sids[j]))
            if not sufficient and (best is None or top_test[j] > best_test):
                best, best_test = j, float(np.float32(top_test[j]))
            if _beats_best_agree(stats, g, j, best_agree):
                best_agree = j
        head = None
        if best_agree is not None:
            f = _finalize(stats, g, best_agree, sids[best_agree], bool(passing[best_agree]))
            head = RepresentativeStatement(
                **{**f.__dict__, "best_agree": True, "n_agree": int(stats.na[g, best_agree])}
            )
        if majority_only:
            sufficient = [r for r in sufficient if r.majority]
            if head is not None and head.weak:
                head = None
            if not sufficient and head is None:
                found = None
                for j in cols:
                    for side, n, test in (
                        ("agree", stats.na, stats.rat),
                        ("disagree", stats.nd, stats.rdt),
                    ):
                        clear = 2 * n[g, j] > stats.ns[g, j] >= FALLBACK_MIN_VOTERS
                        if clear and (found is None or float(test[g, j]) > found[0]):
                            found = (float(test[g, j]), j, side)
                result[gid] = (
                    ()
                    if found is None
                    else (_finalize(stats, g, found[1], sids[found[1]], False, found[2]),)
                )
                continue
        if not sufficient:
            fallback = [_finalize(stats, g, best, sids[best], False)] if best is not None else []
            chosen = [head] if head is not None else fallback
        else:
            rest = [r for r in sufficient if head is None or r.statement != head.statement]
            rest.sort(key=lambda r: -(r.repness * r.repness_test * r.p_success * r.p_test))
            chosen = (([head] if head is not None else []) + rest)[:max_per_group]
            chosen = [r for r in chosen if r.repful_for == "agree"] + [
                r for r in chosen if r.repful_for == "disagree"
            ]
        result[gid] = tuple(chosen)
    return result


@pytest.mark.parametrize("seed", range(4))
def test_vectorised_selection_equals_the_loop(seed: int) -> None:
    rng = np.random.default_rng(seed)
    compared = 0
    for _ in range(150):
        k, m = int(rng.integers(1, 6)), int(rng.integers(1, 40))
        ns = rng.integers(0, int(rng.choice([3, 10, 60])), size=(k, m))
        na = rng.binomial(ns, rng.uniform(0, 1, size=(k, m)))
        nd = rng.binomial(ns - na, rng.uniform(0, 1, size=(k, m)))
        stats = group_statement_stats(na, nd, ns)
        sids = np.arange(100, 100 + m)
        excluded = rng.random(m) < 0.1
        group_ids = np.arange(k) * 3 + 1
        for majority_only in (False, True):
            for max_per_group in (5, 1, 2):
                fast = select_representative(
                    stats, sids, excluded, group_ids, max_per_group, majority_only=majority_only
                )
                assert fast == _reference(
                    stats, sids, excluded, group_ids, max_per_group, majority_only
                )
                compared += 1
    assert compared == 150 * 6


def test_the_weak_fallback_needs_a_majority_of_at_least_three_voters() -> None:
    # group 0 mostly passes: on statement 0 a few voters agreed, on statement 1 everyone passed;
    # group 1 answers statement 0 alike, so nothing sets group 0 apart by the tests
    def fallback(n_agree: int, n_seen: int) -> tuple[Any, ...]:
        stats = group_statement_stats(
            np.array([[n_agree, 0], [10, 0]]),
            np.zeros((2, 2), dtype=int),
            np.array([[n_seen, 12], [12, 12]]),
        )
        ids = np.array([0, 1])
        return select_representative(stats, ids, np.zeros(2, dtype=bool), ids, majority_only=True)[
            0
        ]

    assert fallback(1, 1) == () and fallback(2, 2) == ()  # one or two voters: nothing to report
    (weak,) = fallback(3, 3)
    assert weak.weak and weak.statement == 0 and weak.repful_for == "agree"
