"""`analyze_track2`: Track 2 groups wired into the Pol.is map, bridging and sides."""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from track2.commonground import track2_analysis
from track2.commonground.matrix import VoteMatrix
from track2.commonground.polis import analyze_polis
from track2.commonground.repness import group_statement_stats
from track2.commonground.sides import COMMON_GROUND, DIVISIVE, SidesError
from track2.commonground.stats import adjusted_rand_index
from track2.commonground.track2_analysis import analyze_track2, labels_by_id, rows_by_id
from track2.commonground.track2mode import track2_groups
from track2.simulate.dialogue import KINDS, SimulationParams, simulate_dialogue

CONSENSUS = KINDS.index("consensus")
DIVIDING = KINDS.index("divisive")
STAGES = {
    "polis",
    "onehot",
    "groups",
    "group_counts",
    "repness",
    "consensus",
    "map",
    "bridging",
    "total",
}


@pytest.fixture(scope="module")
def four_groups():  # type: ignore[no-untyped-def]  # the simulator's dataclass
    params = SimulationParams(n_participants=2000, n_statements=150, n_groups=4, mean_votes=30)
    return simulate_dialogue(params, seed=3)


@pytest.fixture(scope="module")
def two_sides():  # type: ignore[no-untyped-def]
    params = SimulationParams(
        n_participants=600,
        n_statements=60,
        n_groups=2,
        n_sides=2,
        side_fidelity=0.95,
        mean_votes=30,
    )
    return simulate_dialogue(params, seed=2)


def _with_empty_rows(matrix: VoteMatrix) -> VoteMatrix:
    """The same votes with a participant and a statement that have no vote, placed first,
    and participant ids shuffled so that position and id disagree."""
    dense = matrix.to_dense()
    n, m = dense.shape
    grown = np.full((n + 1, m + 1), np.nan)
    grown[1:, 1:] = dense
    rng = np.random.default_rng(0)
    pids = np.concatenate([[-7], rng.permutation(matrix.participant_ids.astype(np.int64)) + 1000])
    sids = np.concatenate([[-1], matrix.statement_ids.astype(np.int64)])
    rows, cols = np.nonzero(~np.isnan(grown))
    return VoteMatrix.from_triples(
        pids[rows],
        sids[cols],
        grown[rows, cols].astype(np.int64),
        participant_ids=pids,
        statement_ids=sids,
    )


def test_participants_align_by_id_when_a_row_is_empty(two_sides) -> None:  # type: ignore[no-untyped-def]
    matrix = _with_empty_rows(two_sides.matrix)
    assert matrix.votes_per_participant[0] == 0 and matrix.statement_counts["seen"][0] == 0
    result = analyze_track2(matrix, random_state=0)
    # PolisAnalysis and the Track 2 arrays follow the matrix without its empty row/column.
    assert len(result.participant_ids) == matrix.n_participants - 1
    assert -7 not in result.participant_ids.tolist()
    np.testing.assert_array_equal(result.participant_ids, result.polis.participant_ids)
    np.testing.assert_array_equal(result.statement_ids, result.polis.statement_ids)
    # Each participant's group is its Track 2 label, looked up by id.
    groups = track2_groups(matrix, random_state=0)
    assert groups.labels[0] == -1
    row_of = matrix.participant_index
    for pid, label in zip(
        result.participant_ids.tolist(), result.group_labels.tolist(), strict=True
    ):
        assert label == groups.labels[row_of[pid]]
    # Group counts recomputed from the dense votes of each group's members.
    dense = matrix.to_dense()
    col_of = matrix.statement_index
    cols = [col_of[s] for s in result.statement_ids.tolist()]
    for c, g in enumerate(result.group_ids.tolist()):
        rows = [row_of[p] for p in result.group_members()[g].tolist()]
        block = dense[np.ix_(rows, cols)]
        np.testing.assert_array_equal(result.group_agree[c], (block == 1).sum(axis=0))
        np.testing.assert_array_equal(result.group_disagree[c], (block == -1).sum(axis=0))
        np.testing.assert_array_equal(result.group_seen[c], (~np.isnan(block)).sum(axis=0))
    stats = group_statement_stats(result.group_agree, result.group_disagree, result.group_seen)
    np.testing.assert_allclose(stats.rat, result.group_stats.rat)
    assert set(result.repness) == set(result.group_ids.tolist())


def test_labels_by_id_refuses_an_unknown_id() -> None:
    labels = np.array([0, 1, -1])
    ids = np.array([10, 20, 30])
    np.testing.assert_array_equal(labels_by_id(labels, ids, np.array([30, 10])), [-1, 0])
    with pytest.raises(ValueError, match="no label"):
        labels_by_id(labels, ids, np.array([40]))


def test_track2_groups_beat_polis_groups_on_planted_groups(four_groups) -> None:  # type: ignore[no-untyped-def]
    timings: dict[str, float] = {}
    result = analyze_track2(four_groups.matrix, random_state=0, timings=timings)
    truth = four_groups.truth.group[result.participant_ids.astype(np.int64)]
    track2_ari = adjusted_rand_index(truth, result.group_labels)
    polis_ari = adjusted_rand_index(truth, result.polis.group_labels)
    assert track2_ari > polis_ari + 0.2
    assert result.groups.n_groups == 4
    assert "held-out log-likelihood" in result.method
    assert set(timings) == STAGES
    # The Pol.is part is the Pol.is analysis, untouched.
    alone = analyze_polis(four_groups.matrix, random_state=0)
    np.testing.assert_array_equal(alone.group_labels, result.polis.group_labels)
    np.testing.assert_allclose(alone.projections, result.polis.projections)


def test_bridging_top_statements_are_planted_consensus(four_groups) -> None:  # type: ignore[no-untyped-def]
    result = analyze_track2(four_groups.matrix, random_state=0)
    truth = four_groups.truth
    agreed = {
        j
        for j in range(truth.params.n_statements)
        if truth.statement_kind[j] == CONSENSUS and truth.agree_probability[0, j] > 0.5
    }
    top = result.bridging.top(5)
    assert sum(s in agreed for s in top) >= 3


def test_sides_labels_follow_the_planted_statements(two_sides) -> None:  # type: ignore[no-untyped-def]
    truth = two_sides.truth
    side_of = [f"side-{s}" for s in truth.side]
    timings: dict[str, float] = {}
    result = analyze_track2(two_sides.matrix, random_state=0, side_of=side_of, timings=timings)
    assert result.sides is not None and "sides" in timings
    labels = np.asarray(result.sides.labels)
    kind = truth.statement_kind
    agreed = (kind == CONSENSUS) & (truth.agree_probability[0] > 0.5)
    assert (labels[agreed] == COMMON_GROUND).mean() >= 0.75
    assert not (labels[kind == DIVIDING] == COMMON_GROUND).any()
    assert (labels[kind == DIVIDING] == DIVISIVE).mean() >= 0.6
    assert not (labels[agreed] == DIVISIVE).any()


def test_n_groups_forces_k_and_is_deterministic(two_sides) -> None:  # type: ignore[no-untyped-def]
    first = analyze_track2(two_sides.matrix, n_groups=3, random_state=5)
    again = analyze_track2(two_sides.matrix, n_groups=3, random_state=5)
    assert first.groups.n_groups == 3 and first.polis.group_clusters.k == 3
    np.testing.assert_array_equal(first.group_labels, again.group_labels)
    np.testing.assert_array_equal(
        first.bridging.statement_intercept, again.bridging.statement_intercept
    )
    in_conv = first.polis.in_conv_index
    sizes = first.polis.base_clusters.sizes()
    assert first.base_cluster_group.shape == sizes.shape
    # Each base cluster's colour is the group of most of its members.
    for c in range(first.polis.base_clusters.k):
        members = first.group_labels[in_conv[first.polis.base_clusters.labels == c]]
        counts = np.bincount(members[members >= 0], minlength=3)
        assert first.base_cluster_group[c] == int(np.argmax(counts))


def test_rows_by_id_matches_a_lookup_for_shuffled_int_and_str_ids() -> None:
    rng = np.random.default_rng(3)
    ids = rng.permutation(1000) * 7 + 5
    wanted = rng.choice(ids, size=300, replace=False)
    expected = [int(np.flatnonzero(ids == w)[0]) for w in wanted]
    np.testing.assert_array_equal(rows_by_id(ids, wanted), expected)
    np.testing.assert_array_equal(rows_by_id(ids.astype(str), wanted.astype(str)), expected)
    np.testing.assert_array_equal(rows_by_id(ids, ids), np.arange(1000))
    assert rows_by_id(ids, ids[:0]).shape == (0,)
    with pytest.raises(ValueError, match="no label"):
        rows_by_id(ids, np.array([6]))  # between two ids, not one of them
    with pytest.raises(ValueError, match="no label"):
        rows_by_id(ids, np.array([10**9]))  # beyond the largest id
    with pytest.raises(ValueError, match="no label"):
        rows_by_id(ids, ids[:3].astype(str))  # same digits, other type
    with pytest.raises(ValueError, match="no label"):
        rows_by_id(ids[:0], ids[:1])


def _spy_polis_thread(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record the thread each Pol.is analysis runs on (the real analysis still runs)."""
    threads: list[str] = []

    def recorded(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return analyze_polis(*args, **kwargs)

    monkeypatch.setattr(track2_analysis, "analyze_polis", recorded)
    return threads


def test_two_threads_give_the_same_result_bit_for_bit(two_sides, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    threads = _spy_polis_thread(monkeypatch)
    side_of = [f"side-{s}" for s in two_sides.truth.side]
    timings: dict[str, float] = {}
    one = analyze_track2(two_sides.matrix, random_state=4, side_of=side_of, workers=1)
    two = analyze_track2(
        two_sides.matrix, random_state=4, side_of=side_of, workers=2, timings=timings
    )
    main = threading.current_thread().name
    assert threads[0] == main and threads[1] != main  # the second ran beside the main thread
    assert set(timings) == STAGES | {"sides"}
    assert one.sides is not None and two.sides is not None
    for name in (
        "group_labels",
        "group_agree",
        "group_seen",
        "group_informed_consensus",
        "comment_priorities",
        "base_cluster_group",
    ):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)
    np.testing.assert_array_equal(one.polis.projections, two.polis.projections)
    np.testing.assert_array_equal(one.polis.group_labels, two.polis.group_labels)
    np.testing.assert_array_equal(one.map.coordinates, two.map.coordinates)
    np.testing.assert_array_equal(
        one.bridging.statement_intercept, two.bridging.statement_intercept
    )
    np.testing.assert_array_equal(one.bridging.participant_factor, two.bridging.participant_factor)
    assert one.sides.labels == two.sides.labels
    assert one.repness == two.repness


def _threads_of_the_free_parts(monkeypatch, slow: str) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Run each of the bridging scores and the map on whichever thread is free first, with
    ``slow`` ("polis" or "groups") held until the bridging scores have started elsewhere;
    the name of the thread each part ran on."""
    ran: dict[str, str] = {}
    bridging_started, map_started = threading.Event(), threading.Event()
    real = {
        "polis": track2_analysis.analyze_polis,
        "groups": track2_analysis.track2_groups,
        "bridging": track2_analysis.bridging_scores,
        "map": track2_analysis.group_map,
    }

    def held(part: str):  # type: ignore[no-untyped-def]
        def run(*args, **kwargs):  # type: ignore[no-untyped-def]
            if part == slow:
                assert bridging_started.wait(30)
            if part == "bridging":
                ran[part] = threading.current_thread().name
                bridging_started.set()
                if slow == "polis":  # the map must not wait for the bridging thread
                    assert map_started.wait(30)
            if part == "map":
                ran[part] = threading.current_thread().name
                map_started.set()
            return real[part](*args, **kwargs)

        return run

    for part, name in (
        ("polis", "analyze_polis"),
        ("groups", "track2_groups"),
        ("bridging", "bridging_scores"),
        ("map", "group_map"),
    ):
        monkeypatch.setattr(track2_analysis, name, held(part))
    return ran


def test_the_free_thread_takes_the_bridging_scores_and_the_other_the_map(
    two_sides, monkeypatch
) -> None:  # type: ignore[no-untyped-def]
    main = threading.current_thread().name
    # The Pol.is part is long: the main thread scores bridging after the groups, and the
    # second thread draws the map once its Pol.is part is done.
    ran = _threads_of_the_free_parts(monkeypatch, slow="polis")
    analyze_track2(two_sides.matrix, random_state=0, workers=2)
    assert ran["bridging"] == main and ran["map"] != main
    # The groups are long: the second thread scores bridging, the main thread draws the map.
    monkeypatch.undo()
    ran = _threads_of_the_free_parts(monkeypatch, slow="groups")
    analyze_track2(two_sides.matrix, random_state=0, workers=2)
    assert ran["bridging"] != main and ran["map"] == main


def test_a_large_conversation_uses_a_second_thread_by_default(two_sides, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    threads = _spy_polis_thread(monkeypatch)
    main = threading.current_thread().name
    analyze_track2(two_sides.matrix, random_state=0)  # 18k votes: one thread
    monkeypatch.setattr(track2_analysis, "CONCURRENT_MIN_VOTES", two_sides.matrix.n_votes)
    monkeypatch.setattr(track2_analysis, "usable_cores", lambda: 1)
    analyze_track2(two_sides.matrix, random_state=0)  # large enough, but one core
    monkeypatch.setattr(track2_analysis, "usable_cores", lambda: 8)
    analyze_track2(two_sides.matrix, random_state=0)
    assert threads[:2] == [main, main] and threads[2] != main


def test_an_error_on_the_second_thread_reaches_the_caller(two_sides) -> None:  # type: ignore[no-untyped-def]
    short = ["a", "b"] * 10  # one side per participant is needed
    for workers in (1, 2):
        with pytest.raises(SidesError, match="one side per participant"):
            analyze_track2(two_sides.matrix, side_of=short, workers=workers)
    with pytest.raises(ValueError, match="workers must be at least 1, not 0"):
        analyze_track2(two_sides.matrix, workers=0)


def test_an_error_on_the_main_thread_does_not_wait_for_the_second(two_sides, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Ctrl-C or an error in the groups: the caller hears at once, and the second thread (a
    # daemon) is not waited for, so `track2 analyze` exits without finishing the Pol.is part.
    release = threading.Event()
    started = threading.Event()
    seen: list[threading.Thread] = []

    def slow_polis(*args, **kwargs):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread())
        started.set()
        release.wait(timeout=60)
        return analyze_polis(*args, **kwargs)

    def failing_groups(*args, **kwargs):  # type: ignore[no-untyped-def]
        started.wait(timeout=60)
        raise KeyboardInterrupt

    monkeypatch.setattr(track2_analysis, "analyze_polis", slow_polis)
    monkeypatch.setattr(track2_analysis, "track2_groups", failing_groups)
    try:
        with pytest.raises(KeyboardInterrupt):
            analyze_track2(two_sides.matrix, workers=2)
        assert seen[0].daemon and seen[0].is_alive()  # still held: nobody waited for it
    finally:
        release.set()
    seen[0].join(timeout=60)
