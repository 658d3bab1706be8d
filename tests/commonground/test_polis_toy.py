"""A hand-checked toy conversation and hand-computed Pol.is statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from track2.commonground import (
    GroupCountError,
    VoteMatrix,
    analyze_polis,
    analyze_track2,
    group_informed_consensus,
    group_statement_stats,
    in_conv_mask,
    kmeans,
    prop_test,
    silhouette,
    two_prop_test,
)
from track2.commonground.pca import polis_pca, project_participants

NAN = np.nan
# 4 participants × 3 statements; agree = +1
TOY = [[1, 1, -1], [1, -1, NAN], [-1, NAN, 1], [NAN, 1, 1]]


def test_toy_centre_components_and_projection_by_hand():
    m = VoteMatrix.from_dense(TOY)
    pca, centred = polis_pca(m, np.zeros(3, dtype=bool))
    # every column: two +1 and one -1 among three votes → mean 1/3
    np.testing.assert_allclose(pca.center, [1 / 3, 1 / 3, 1 / 3])
    # centred, imputed matrix written out by hand (unseen → mean → 0 after centring)
    c = np.array(
        [[2 / 3, 2 / 3, -4 / 3], [2 / 3, -4 / 3, 0], [-4 / 3, 0, 2 / 3], [0, 2 / 3, 2 / 3]]
    )
    np.testing.assert_allclose(centred.toarray(), c)
    _, s, vt = np.linalg.svd(c)
    for ours, ref in zip(pca.components, vt[:2], strict=True):
        assert abs(abs(np.dot(ours, ref)) - 1) < 1e-12
    np.testing.assert_allclose(pca.eigenvalues, s[:2] ** 2)
    proj = project_participants(centred, pca, m.votes_per_participant)
    # participant 1 voted on 2 of 3 statements: scaled by √(3/2)
    np.testing.assert_allclose(proj[1], math.sqrt(3 / 2) * (c[1] @ pca.components.T))
    np.testing.assert_allclose(proj[0], c[0] @ pca.components.T)


def test_pol_is_tests_by_hand():
    # prop-test(3, 4) = 2·√5·(4/5 − 1/2)
    assert prop_test(3, 4) == pytest.approx(2 * math.sqrt(5) * 0.3)
    # two-prop-test(3, 1, 4, 4): pi1 = 4/5, pi2 = 2/5, pooled = 6/10
    z = (0.8 - 0.4) / math.sqrt(0.6 * 0.4 * (1 / 5 + 1 / 5))
    assert two_prop_test(3, 1, 4, 4) == pytest.approx(z)
    assert two_prop_test(4, 4, 4, 4) == 0.0  # pooled proportion 1: Pol.is returns 0


def test_group_stats_and_consensus_by_hand():
    # two groups, one statement: group 0 agrees 3 of 4, group 1 agrees 1 of 4
    st = group_statement_stats([[3], [1]], [[1], [3]], [[4], [4]])
    assert st.pa[0, 0] == pytest.approx(4 / 6)
    assert st.ra[0, 0] == pytest.approx((4 / 6) / (2 / 6))
    assert st.rat[0, 0] == pytest.approx(two_prop_test(3, 1, 4, 4))
    assert group_informed_consensus([[3], [1]], [[4], [4]])[0] == pytest.approx(4 / 6 * 2 / 6)


def test_in_conv_rule():
    counts = np.array([7, 6, 1, 0, 3])
    assert in_conv_mask(counts, 20).tolist() == [True] * 5  # fewer than 15: top up to 15
    many = np.array([7] * 15 + [6, 1])
    assert in_conv_mask(many, 20).tolist() == [True] * 15 + [False, False]
    assert in_conv_mask(many, 5).tolist() == [True] * 16 + [False]  # min(7, n_statements)
    prev = np.zeros(17, dtype=bool)
    prev[16] = True
    assert in_conv_mask(many, 20, prev)[16]  # once in, always in


def test_kmeans_and_silhouette_small():
    pts = np.array([[0.0, 0], [0, 1], [10, 0], [10, 1]])
    # Pol.is seeds with the first k distinct points: (0,0) and (0,1) → a horizontal split,
    # a genuine local optimum of Lloyd's algorithm.
    c = kmeans(pts, 2)
    assert sorted(map(sorted, (c.members(0).tolist(), c.members(1).tolist()))) == [[0, 2], [1, 3]]
    c = kmeans(pts, 2, init_order=np.array([0, 2, 1, 3]))
    assert sorted(map(sorted, (c.members(0).tolist(), c.members(1).tolist()))) == [[0, 1], [2, 3]]
    a, b = 1.0, np.mean([10, math.sqrt(101)])
    assert silhouette(pts, c.labels) == pytest.approx((b - a) / b)
    assert silhouette(pts, np.array([0, 1, 1, 1])) < silhouette(pts, c.labels)


def test_weighted_kmeans_centres():
    pts = np.array([[0.0, 0], [1, 0], [100, 0]])
    c = kmeans(pts, 2, weights=np.array([1.0, 3.0, 1.0]))
    left = c.labels[0]
    assert c.centers[left] == pytest.approx([0.75, 0])


def test_two_clear_groups_recovered():
    rng = np.random.default_rng(1)
    n, m = 60, 20
    side = np.repeat([0, 1], n // 2)
    opinion = np.where(rng.random(m) < 0.5, 1.0, -1.0)
    dense = np.where(side[:, None] == 0, opinion[None, :], -opinion[None, :])
    dense = np.where(rng.random((n, m)) < 0.1, 0.0, dense)
    timings: dict[str, float] = {}
    a = analyze_polis(VoteMatrix.from_dense(dense), random_state=0, timings=timings)
    assert a.group_clusters.k == 2
    labels = a.group_labels
    assert len(set(labels[side == 0])) == 1 and len(set(labels[side == 1])) == 1
    assert labels[0] != labels[-1]
    # statements everyone... none: every statement divides; each group gets representatives
    assert all(len(r) >= 1 for r in a.repness.values())
    # the seconds of each stage, beside the result (a frozen result holds no timings)
    assert set(timings) >= {"pca", "base_clusters", "group_clusters", "repness", "total"}
    assert not hasattr(a, "timings")


def test_more_groups_than_distinct_base_clusters_is_a_typed_error():
    # Three voting patterns among 9 participants: 3 distinct base clusters. A fixed k above that
    # was formed as fewer groups without a word; 10**20 asked numpy for a table of that many rows.
    rows = [[1, 1, -1, -1], [-1, -1, 1, 1], [1, -1, 1, -1]] * 3
    votes = VoteMatrix.from_dense(np.array(rows, dtype=float))
    assert analyze_polis(votes, n_groups=3, random_state=0).group_clusters.k == 3
    for asked in (4, 10**20):
        with pytest.raises(GroupCountError, match=f"{asked} opinion groups.*at most 3 here"):
            analyze_polis(votes, n_groups=asked, random_state=0)
        with pytest.raises(GroupCountError):
            analyze_track2(votes, n_groups=asked, random_state=0)
