"""The Track 2 map shows the groups it names (issue 15, item 3)."""

from __future__ import annotations

import numpy as np

from track2.commonground import analyze_track2, silhouette, track2_groups
from track2.commonground.group_map import FLAT_SECOND_AXIS, group_map
from track2.commonground.matrix import VoteMatrix
from track2.simulate.dialogue import SimulationParams, simulate_dialogue


def _silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    keep = labels >= 0
    points, labels = points[keep], labels[keep]
    dist = np.sqrt(((points[:, None, :] - points[None, :, :]) ** 2).sum(axis=2))
    return silhouette(points, labels, dist=dist)


def test_track2_map_separates_its_groups_better_than_the_polis_map() -> None:
    # 30 votes each: with 20, the held-out score of 120 participants cannot tell 2-5 groups
    # apart (tests/commonground/test_track2mode.py), and the map of 2 groups has a spectral axis.
    params = SimulationParams(n_participants=600, n_statements=80, n_groups=4, mean_votes=30)
    matrix = simulate_dialogue(params, seed=1).matrix
    t = analyze_track2(matrix, random_state=0)
    assert t.groups.n_groups >= 3
    in_conv = t.polis.in_conv
    on_polis_map = _silhouette(t.polis.projections[in_conv], t.group_labels[in_conv])
    on_track2_map = _silhouette(t.map.coordinates, t.group_labels)
    assert on_track2_map > 0.3
    assert on_track2_map > on_polis_map + 0.1
    assert all("Track 2 model" in axis for axis in t.map.axes)


def test_two_groups_and_participants_in_no_group() -> None:
    rng = np.random.default_rng(5)
    camp = np.repeat([0, 1], 40)
    agree = np.where(camp[:, None] == 0, 0.85, 0.15) * np.ones((1, 16))
    dense = np.where(rng.random((80, 16)) < agree, 1.0, -1.0)
    dense[rng.random((80, 16)) < 0.25] = np.nan
    dense[79] = np.nan
    dense[79, 15] = 1.0  # votes only on a moderated-out statement: in no group
    matrix = VoteMatrix.from_dense(dense, moderated_out=[15])
    groups = track2_groups(matrix, random_state=0)
    assert groups.n_groups == 2
    drawn = group_map(matrix, groups)
    assert np.isnan(drawn.coordinates[79]).all()
    placed = drawn.coordinates[:79]
    assert np.isfinite(placed).all()
    labels = groups.labels[:79]
    # One axis separates the camps: every member of one group left of every member of the other.
    left = placed[labels == 0, 0]
    right = placed[labels == 1, 0]
    assert left.max() < right.min()
    assert "group 1 over group 0" in drawn.axes[0]
    again = group_map(matrix, track2_groups(matrix, random_state=0))
    np.testing.assert_array_equal(
        np.nan_to_num(again.coordinates), np.nan_to_num(drawn.coordinates)
    )


def test_a_room_that_answers_alike_has_no_axis() -> None:
    # Everyone agrees with everything: the fit has 2 groups, but every participant is most
    # likely in group 0. The first axis was group 1's evidence over group 0's: -995,915 for
    # everyone (an empty group's log-probabilities).
    matrix = VoteMatrix.from_dense(np.ones((50, 10)))
    t = analyze_track2(matrix, random_state=0)
    assert t.groups.n_groups == 2 and set(t.group_labels.tolist()) == {0}
    assert t.map.axes == ("no axis: one group", "no axis: one group")
    np.testing.assert_array_equal(t.map.coordinates, np.zeros((50, 2)))


def _blocs(n_groups: int, size: int, n_statements: int) -> VoteMatrix:
    """Delegations voting as blocks: every member of a group votes exactly alike."""
    answers = np.random.default_rng(0).choice([-1, 1], size=(n_groups, n_statements))
    answers[1] = -answers[0]  # the first two groups disagree on everything
    rows = [
        (p, s, int(answers[p // size, s]))
        for p in range(n_groups * size)
        for s in range(n_statements)
    ]
    p, s, v = (np.array(column) for column in zip(*rows, strict=True))
    return VoteMatrix.from_triples(p, s, v)


def test_groups_that_vote_as_blocks_are_drawn_apart_at_a_sane_scale() -> None:
    # With no spread within the groups, the discriminant's ridge (relative to that spread
    # alone) scaled the axes by about 1e11: two camps of three drew at ±1.5e11, and identical
    # voters 9e8 apart on the second axis (rounding noise scaled to unit spread).
    for n_groups, size, n_statements in ((2, 3, 5), (3, 4, 12)):
        matrix = _blocs(n_groups, size, n_statements)
        groups = track2_groups(matrix, n_groups=n_groups)
        drawn = group_map(matrix, groups).coordinates
        assert np.isfinite(drawn).all() and np.abs(drawn).max() < 1_000
        for g in range(n_groups):
            members = drawn[groups.labels == g]
            assert len(members) == size
            np.testing.assert_allclose(members, members[:1].repeat(size, axis=0), atol=1e-6)
        centres = np.array([drawn[groups.labels == g][0] for g in range(n_groups)])
        gaps = np.sqrt(((centres[:, None] - centres[None]) ** 2).sum(axis=2))
        assert gaps[~np.eye(n_groups, dtype=bool)].min() > 1.0
        if n_groups == 2:  # opposite camps: nothing is left for a second axis, and it says so
            assert (drawn[:, 1] == 0).all()
            assert group_map(matrix, groups).axes[1] == FLAT_SECOND_AXIS
