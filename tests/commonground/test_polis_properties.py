"""Invariants of the Pol.is mode, checked on random small conversations (hypothesis)."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from track2.commonground import VoteMatrix, analyze_polis

SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conversations(draw):
    n = draw(st.integers(4, 24))
    m = draw(st.integers(3, 10))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(n, m), p=[0.3, 0.15, 0.35, 0.2])
    dense[:, 0] = np.where(np.isnan(dense[:, 0]), 1.0, dense[:, 0])  # everyone votes once
    dense[0, :] = np.where(np.isnan(dense[0, :]), -1.0, dense[0, :])  # every statement seen
    return dense, draw(st.permutations(range(n))), draw(st.permutations(range(m)))


def _matrix(dense, pids=None, sids=None):
    return VoteMatrix.from_dense(dense, participant_ids=pids, statement_ids=sids)


def _tie_at_in_conv_cutoff(dense):
    counts = (~np.isnan(dense)).sum(axis=1)
    qualified = counts >= min(7, dense.shape[1])
    short = 15 - int(qualified.sum())
    rest = np.sort(counts[~qualified])[::-1]
    return 0 < short < len(rest) and rest[short - 1] == rest[short]


@SETTINGS
@given(conversations())
def test_relabelling_participants_permutes_results(conv):
    dense, perm_p, _ = conv
    n = len(dense)
    a = analyze_polis(_matrix(dense), random_state=0)
    # same people under new ids: rows come back in a different order
    new_ids = [100 + p for p in perm_p]
    b = analyze_polis(_matrix(dense, pids=new_ids), random_state=0)
    order = [int(np.flatnonzero(b.participant_ids == 100 + perm_p[i])[0]) for i in range(n)]
    np.testing.assert_allclose(b.pca.center, a.pca.center, atol=1e-12)
    for ca, cb in zip(a.pca.components, b.pca.components, strict=True):
        assert abs(abs(np.dot(ca, cb)) - 1) < 1e-8 or np.allclose(
            a.pca.eigenvalues[0], a.pca.eigenvalues[1]
        )
    if not np.isclose(a.pca.eigenvalues[0], a.pca.eigenvalues[1], rtol=1e-6):
        np.testing.assert_allclose(
            np.abs(b.projections[order, 0]), np.abs(a.projections[:, 0]), atol=1e-8
        )
    if not _tie_at_in_conv_cutoff(dense):  # ties at the 15-participant top-up: any is right
        np.testing.assert_array_equal(b.in_conv[order], a.in_conv)
    assert [c.statement for c in a.consensus.agree] == [c.statement for c in b.consensus.agree]


@SETTINGS
@given(conversations())
def test_permuting_statements_permutes_results(conv):
    dense, _, perm_s = conv
    m = dense.shape[1]
    a = analyze_polis(_matrix(dense), random_state=0)
    shuffled = dense[:, perm_s]
    b = analyze_polis(_matrix(shuffled, sids=list(perm_s)), random_state=0)
    # statement ids travel with their column: results per id are unchanged
    assert b.statement_ids.tolist() == list(range(m))
    np.testing.assert_allclose(b.pca.center, a.pca.center, atol=1e-12)
    np.testing.assert_allclose(
        b.group_informed_consensus.sum(), a.group_informed_consensus.sum(), rtol=1e-9
    )
    assert [c.statement for c in a.consensus.disagree] == [
        c.statement for c in b.consensus.disagree
    ]


@SETTINGS
@given(conversations(), st.data())
def test_adding_a_pass_changes_no_agree_count(conv, data):
    dense, _, _ = conv
    holes = np.argwhere(np.isnan(dense))
    if len(holes) == 0:
        return
    i, j = holes[data.draw(st.integers(0, len(holes) - 1))]
    before = _matrix(dense)
    plus = dense.copy()
    plus[i, j] = 0.0
    after = _matrix(plus)
    np.testing.assert_array_equal(after.statement_counts["agree"], before.statement_counts["agree"])
    np.testing.assert_array_equal(
        after.statement_counts["disagree"], before.statement_counts["disagree"]
    )
    assert after.statement_counts["seen"][j] == before.statement_counts["seen"][j] + 1
    a = analyze_polis(after, random_state=0)
    assert int(a.group_agree.sum()) == int(np.nansum(np.where(plus[a.in_conv] == 1, 1, 0)))
    for c in a.consensus.agree:
        col = after.statement_index[c.statement]
        assert c.n_success == after.statement_counts["agree"][col]


@SETTINGS
@given(conversations())
def test_group_counts_are_consistent(conv):
    dense, _, _ = conv
    a = analyze_polis(_matrix(dense), random_state=3)
    assert (a.group_agree + a.group_disagree <= a.group_seen).all()
    in_conv = dense[a.in_conv]
    np.testing.assert_array_equal(a.group_seen.sum(axis=0), (~np.isnan(in_conv)).sum(axis=0))
    assert ((a.group_informed_consensus > 0) & (a.group_informed_consensus < 1)).all()
    labels = a.group_labels
    assert ((labels >= 0) == a.in_conv).all()
    for reps in a.repness.values():
        assert len(reps) <= 5
        sides = [r.repful_for for r in reps]
        assert sides == sorted(sides)  # agrees before disagrees


@SETTINGS
@given(conversations())
def test_revoting_keeps_only_latest(conv):
    dense, _, _ = conv
    m = _matrix(dense)
    rows, cols, vals = m.vote_rows, m.indices, m.values.astype(int)
    # prepend earlier, opposite votes for every pair: the result must not change
    early = VoteMatrix.from_triples(
        np.concatenate([m.participant_ids[rows], m.participant_ids[rows]]),
        np.concatenate([m.statement_ids[cols], m.statement_ids[cols]]),
        np.concatenate([-vals, vals]),
        timestamps=np.concatenate([np.zeros(len(vals)), np.ones(len(vals))]),
    )
    np.testing.assert_array_equal(early.to_dense(9), m.to_dense(9))
