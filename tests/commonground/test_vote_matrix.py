"""VoteMatrix: latest vote per pair, explicit passes, moderation, typed errors."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground import EmptyConversationError, InputFormatError, VoteMatrix
from track2.commonground.track2_analysis import analyze_track2


def test_latest_vote_wins_by_timestamp_not_by_order():
    m = VoteMatrix.from_triples([1, 1, 2], [10, 10, 10], [1, -1, 0], timestamps=[200, 100, 50])
    assert m.vote(1, 10) == 1  # the row with the later timestamp, though it came first
    assert m.vote(2, 10) == 0
    assert m.n_votes == 2


def test_latest_vote_wins_by_order_without_timestamps():
    m = VoteMatrix.from_triples([1, 1], [10, 10], [1, -1])
    assert m.vote(1, 10) == -1


def test_pass_is_stored_and_differs_from_missing():
    m = VoteMatrix.from_triples([1, 2, 2], [10, 10, 11], [0, 1, 1])
    assert m.vote(1, 10) == 0
    assert m.vote(1, 11) is None
    csr = m.to_csr()
    assert csr.nnz == 3  # the pass is an explicit zero
    counts = m.statement_counts
    assert counts["pass"].tolist() == [1, 0]
    assert counts["seen"].tolist() == [2, 1]
    dense = m.to_dense()
    assert dense[0, 0] == 0 and np.isnan(dense[0, 1])


def test_same_timestamp_conflict_is_an_error_with_line():
    with pytest.raises(InputFormatError) as err:
        VoteMatrix.from_triples(
            [1, 1], [10, 10], [1, -1], timestamps=[5, 5], source="v.csv", lines=np.array([2, 9])
        )
    assert err.value.path == "v.csv" and err.value.line == 9
    assert "duplicate vote" in str(err.value)


def test_identical_duplicate_is_harmless():
    m = VoteMatrix.from_triples([1, 1], [10, 10], [1, 1], timestamps=[5, 5])
    assert m.vote(1, 10) == 1 and m.n_votes == 1


def test_unknown_vote_value():
    with pytest.raises(InputFormatError, match="unknown vote value"):
        VoteMatrix.from_triples([1], [2], [2])


def test_ids_without_votes_and_string_ids():
    m = VoteMatrix.from_triples(["b", "a"], ["s1", "s1"], [1, -1], statement_ids=["s0", "s1"])
    assert m.participant_ids.tolist() == ["a", "b"]
    assert m.statement_ids.tolist() == ["s0", "s1"]
    assert m.statement_counts["seen"].tolist() == [0, 2]


def test_moderation_and_meta_masks():
    m = VoteMatrix.from_triples([1, 2], [10, 11], [1, 1], moderated_out=[11], meta=[10])
    assert m.is_moderated_out.tolist() == [False, True]
    assert m.is_meta.tolist() == [True, False]
    assert m.is_excluded.all()
    m2 = m.with_moderation()
    assert not m2.is_excluded.any()


def test_select_keeps_passes():
    m = VoteMatrix.from_dense([[1, 0, np.nan], [np.nan, -1, 0], [1, 1, 1]])
    sub = m.select(np.array([1, 2]), np.array([1, 2]))
    assert sub.to_dense().tolist() == [[-1.0, 0.0], [1.0, 1.0]]
    assert sub.n_votes == 4


def test_arrays_are_read_only():
    m = VoteMatrix.from_dense([[1, 0], [0, 1]])
    with pytest.raises(ValueError):
        m.values[0] = 1


@pytest.mark.parametrize(
    "dense, message",
    [
        ([[np.nan, np.nan], [np.nan, np.nan]], "no votes"),
        ([[1, 0, -1], [np.nan, np.nan, np.nan]], "only 1 participant"),
        ([[1, np.nan], [-1, np.nan]], "only 1 statement"),
    ],
)
def test_too_little_data(dense, message):
    m = VoteMatrix.from_dense(dense)
    with pytest.raises(EmptyConversationError, match=message):
        m.require_analysable()


@pytest.mark.parametrize("kept", [0, 1])
def test_too_few_statements_left_after_moderation(kept):
    dense = [[1, -1, 0, 1], [-1, 1, 1, 0], [0, 1, -1, -1]]
    ids = [10, 11, 12, 13]
    m = VoteMatrix.from_dense(dense, statement_ids=ids).with_moderation(
        moderated_out=ids[kept:3], meta=ids[3:]
    )
    message = f"{4 - kept} of the 4 statements with votes are moderated out or meta"
    with pytest.raises(EmptyConversationError, match=message):
        m.require_analysable()
    for workers in (1, 2):  # the same message whichever part of the analysis starts first
        with pytest.raises(EmptyConversationError, match=message):
            analyze_track2(m, workers=workers)
    VoteMatrix.from_dense(dense, statement_ids=ids).with_moderation(
        moderated_out=ids[2:3]
    ).require_analysable()


def test_large_integer_ids_use_unique_path():
    m = VoteMatrix.from_triples([10**15, 3], [7, 7], [1, 0])
    assert m.participant_ids.tolist() == [3, 10**15]


def test_without_empty_drops_silent_rows_and_unseen_statements():
    m = VoteMatrix.from_triples(
        [1, 3, 3],
        [10, 10, 12],
        [1, 0, -1],
        participant_ids=[1, 2, 3],
        statement_ids=[10, 11, 12],
        moderated_out=[12],
    )
    w = m.without_empty()
    assert w.participant_ids.tolist() == [1, 3]
    assert w.statement_ids.tolist() == [10, 12]
    assert w.to_dense(9).tolist() == [[1, 9], [0, -1]]
    assert w.is_moderated_out.tolist() == [False, True]
    assert w.without_empty() is w


def test_with_votes_carries_derived_arrays_patched() -> None:
    # A live update patches the counts, row index and id lookups of the previous matrix
    # instead of recomputing them; they must equal a fresh computation.
    rng = np.random.default_rng(3)
    dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(30, 9))
    before = VoteMatrix.from_dense(dense, participant_ids=[f"p{i}" for i in range(30)])
    for cached in ("statement_counts", "vote_rows", "participant_index", "statement_index"):
        getattr(before, cached)
    after = before.with_votes(
        np.array([0, 3, 3, 30, 0]),
        np.array([1, 9, 2, 0, 1]),
        np.array([1, 0, -1, 1, -1]),  # the last vote on (0, 1) replaces the first
        new_participant_ids=["new"],
        new_statement_ids=[99],
    )
    fresh = VoteMatrix(
        after.participant_ids,
        after.statement_ids,
        after.indptr,
        after.indices,
        after.values,
        after.is_moderated_out,
        after.is_meta,
    )
    for name in ("agree", "disagree", "pass", "seen"):
        assert after.statement_counts[name].tolist() == fresh.statement_counts[name].tolist()
    assert after.vote_rows.tolist() == fresh.vote_rows.tolist()
    assert after.participant_index == fresh.participant_index
    assert after.statement_index == fresh.statement_index
    assert (
        after.vote("p0", 1) == -1
        and after.vote("new", 0) == 1
        and after.vote(str(after.participant_ids[3]), 99) == 0
    )
    assert before.statement_counts["seen"].sum() == before.n_votes  # the original is untouched


@pytest.mark.parametrize("replaces", [True, False])
def test_one_vote_fast_path_equals_the_general_path(replaces: bool) -> None:
    # with_votes takes a shorter path for one vote without new ids (a live room's usual
    # update); the matrix and its patched caches must be those of the general path.
    rng = np.random.default_rng(5)
    dense = rng.choice([-1.0, 0.0, 1.0, np.nan], size=(12, 7))
    dense[4, 2] = 1.0 if replaces else np.nan
    before = VoteMatrix.from_dense(dense)
    for cached in ("statement_counts", "vote_rows", "participant_index", "statement_index"):
        getattr(before, cached)
    one = before.with_votes(np.array([4]), np.array([2]), np.array([-1]))
    # Two votes on the same pair go through the general path; the later one wins.
    general = before.with_votes(np.array([4, 4]), np.array([2, 2]), np.array([1, -1]))
    for name in ("indptr", "indices", "values"):
        assert getattr(one, name).tolist() == getattr(general, name).tolist()
    for name in ("agree", "disagree", "pass", "seen"):
        assert one.statement_counts[name].tolist() == general.statement_counts[name].tolist()
    assert one.vote_rows.tolist() == general.vote_rows.tolist()
    assert one.n_votes == before.n_votes + (0 if replaces else 1)
    assert one.vote(4, 2) == -1
    assert before.vote(4, 2) == (1 if replaces else None)  # the original is untouched
    assert before.statement_counts["seen"].sum() == before.n_votes
    with pytest.raises(ValueError, match="outside"):
        before.with_votes(np.array([12]), np.array([0]), np.array([1]))
    with pytest.raises(ValueError, match="must be -1, 0 or 1"):
        before.with_votes(np.array([0]), np.array([0]), np.array([2]))


def test_from_triples_sees_a_pair_repeated_often_enough_to_overflow_a_byte() -> None:
    # Repeated pairs are found by scipy adding their votes up (as 1..3) into fewer entries;
    # 200 repeats of agree add up past a byte, and still count as a repeat.
    pids = np.array([0] * 200 + [1, 2], dtype=np.int32)
    sids = np.array([5] * 200 + [5, 6], dtype=np.int32)
    votes = np.array([1] * 199 + [-1, 0, 1])
    matrix = VoteMatrix.from_triples(
        pids, sids, votes, timestamps=np.arange(202), statement_ids=np.array([5, 6, 7])
    )
    assert matrix.n_votes == 3 and matrix.participant_ids.dtype == np.int64
    np.testing.assert_array_equal(
        matrix.to_dense(), [[-1, np.nan, np.nan], [0, np.nan, np.nan], [np.nan, 1, np.nan]]
    )


def test_from_triples_keeps_a_pair_whose_repeats_add_up_to_a_multiple_of_256() -> None:
    # 128 passes on one pair go into scipy's sum as 2 each: 256, a byte's 0, which scipy
    # drops. The pair must still be there, with its latest vote (the keyed path).
    pids = np.array([0] * 128 + [1, 1, 2], dtype=np.int32)
    sids = np.array([3] * 128 + [3, 4, 4], dtype=np.int32)
    votes = np.array([0] * 128 + [1, -1, 1])
    order = np.random.default_rng(0).permutation(len(votes))
    matrix = VoteMatrix.from_triples(
        pids[order], sids[order], votes[order], timestamps=np.arange(len(votes))[order]
    )
    np.testing.assert_array_equal(matrix.to_dense(), [[0, np.nan], [1, -1], [np.nan, 1]])


@pytest.mark.parametrize("early_votes", [None, 3])
@pytest.mark.parametrize("repeats", [False, True])
@pytest.mark.parametrize("shuffled", [False, True])
def test_from_triples_matches_a_dense_build_with_silent_rows_and_repeats(
    shuffled: bool, repeats: bool, early_votes: int | None, monkeypatch
) -> None:
    # Participants without a vote at the start, the middle and the end, input sorted or
    # not; without repeated pairs scipy's counting sort builds the rows, with them two
    # counting sorts and the timestamps. With early_votes = 3 the first votes show no
    # repeat, so the summing pass runs and finds them.
    if early_votes is not None:
        from track2.commonground import matrix as matrix_module

        monkeypatch.setattr(matrix_module, "COUNT_CHUNK", early_votes)
    rng = np.random.default_rng(4)
    n, m = 60, 9
    dense = np.full((n, m), np.nan)
    pids, sids, votes = [], [], []
    for i in range(n):
        if i in (0, 1, 30, 58, 59):
            continue  # no vote
        for j in sorted(rng.choice(m, size=int(rng.integers(1, m)), replace=False)):
            for _ in range(int(rng.integers(1, 3)) if repeats else 1):  # a changed mind
                vote = int(rng.integers(-1, 2))
                pids.append(i)
                sids.append(j)
                votes.append(vote)
                dense[i, j] = vote  # the later entry wins
    order = rng.permutation(len(votes)) if shuffled else np.arange(len(votes))
    timestamps = np.arange(len(votes))[order]
    matrix = VoteMatrix.from_triples(
        np.asarray(pids)[order],
        np.asarray(sids)[order],
        np.asarray(votes)[order],
        timestamps=timestamps,
        participant_ids=range(n),
        statement_ids=range(m),
    )
    np.testing.assert_array_equal(matrix.to_dense(), dense)
    assert matrix.indptr[0] == 0 and matrix.indptr[-1] == matrix.n_votes
    assert (
        matrix.indices.dtype == np.int32
        and matrix.votes_per_participant[[0, 1, 30, 58, 59]].sum() == 0
    )


def test_from_columns_lets_each_id_array_go_once_indexed(monkeypatch) -> None:
    # A big file's reader hands its columns over: the participant ids (385 MB at 48M votes)
    # are freed before the statement ids are indexed, lowering the peak of the build.
    import weakref

    from track2.commonground import matrix as matrix_module

    columns = {
        "participants": np.arange(10, dtype=np.int32),
        "statements": np.arange(10, dtype=np.int32) % 3,
        "votes": np.ones(10, dtype=np.int8),
    }
    participants = weakref.ref(columns["participants"])
    alive_then: list[bool] = []
    index_ids = matrix_module._index_ids

    def spy(ids, known):  # type: ignore[no-untyped-def]
        alive_then.append(participants() is not None)
        return index_ids(ids, known)

    monkeypatch.setattr(matrix_module, "_index_ids", spy)
    matrix = VoteMatrix.from_columns(columns)
    assert alive_then == [True, False] and columns == {} and matrix.n_votes == 10
