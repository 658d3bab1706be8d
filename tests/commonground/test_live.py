"""Live updates (issue 15, item 6): warm-started re-analysis equals a cold one within the
stated tolerances, keeps group ids and map signs, and refuses what it cannot apply."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground import LiveUpdateError, catch_up, live_analysis, regroup, update
from track2.commonground.bridging import bridging_scores
from track2.commonground.live import BRIDGING_EVERY, REGROUP_GROWTH
from track2.commonground.matrix import VoteMatrix
from track2.commonground.stats import adjusted_rand_index
from track2.commonground.track2_analysis import analyze_track2
from track2.commonground.track2mode import dense_vote_onehot
from track2.simulate import grown_room
from track2.simulate.dialogue import SimulationParams, simulate_dialogue


def _dialogue(n: int, m: int, seed: int):  # type: ignore[no-untyped-def]
    params = SimulationParams(n_participants=n, n_statements=m, mean_votes=40)
    return simulate_dialogue(params, seed=seed)


def _random_votes(matrix: VoteMatrix, count: int, seed: int) -> list[tuple[int, int, int]]:
    rng = np.random.default_rng(seed)
    return [
        (
            int(matrix.participant_ids[rng.integers(matrix.n_participants)]),
            int(matrix.statement_ids[rng.integers(matrix.n_statements)]),
            int(rng.choice([-1, 0, 1])),
        )
        for _ in range(count)
    ]


def _up_to_sign(a: np.ndarray, b: np.ndarray) -> float:
    return max(min(np.abs(a[i] - b[i]).max(), np.abs(a[i] + b[i]).max()) for i in range(len(a)))


def _bridging_loss(fit, matrix: VoteMatrix) -> float:  # type: ignore[no-untyped-def]
    rating = np.array([0.0, 0.5, 1.0])[matrix.values + 1]
    rows, cols = matrix.vote_rows, matrix.indices
    predicted = (
        fit.global_intercept
        + fit.participant_intercept[rows]
        + fit.statement_intercept[cols]
        + fit.participant_factor[rows] * fit.statement_factor[cols]
    )
    pen = fit.penalties
    return float(
        ((rating - predicted) ** 2).sum()
        + pen["participant_intercept"] * (fit.participant_intercept**2).sum()
        + pen["statement_intercept"] * (fit.statement_intercept**2).sum()
        + pen["participant_factor"] * (fit.participant_factor**2).sum()
        + pen["statement_factor"] * (fit.statement_factor**2).sum()
        + pen["global_intercept"] * fit.global_intercept**2
    )


@pytest.mark.parametrize("seed", [1, 2])
def test_after_many_single_votes_the_result_equals_a_cold_analysis(seed: int) -> None:
    dialogue = _dialogue(300, 80, seed)
    side_of = [str(s) for s in dialogue.truth.side.tolist()]
    live = live_analysis(dialogue.matrix, conversation="d1", side_of=side_of)
    # A multiple of BRIDGING_EVERY updates, so the last one refits bridging.
    for vote in _random_votes(dialogue.matrix, 8 * BRIDGING_EVERY, seed):
        live = update(live, [vote], conversation="d1")
    assert live.bridging_updates_behind == 0
    cold = analyze_track2(live.matrix, n_groups=live.k, side_of=side_of)
    # The map: exact (both solve the same eigenproblem to machine precision).
    assert _up_to_sign(live.pca.components, cold.polis.pca.components) < 1e-9
    assert _up_to_sign(live.projections.T, cold.polis.projections.T) < 1e-9
    # Groups: the same partition up to labels, within ARI 0.9 (EM optima may differ at the edges).
    assert adjusted_rand_index(live.group_labels, cold.group_labels) >= 0.9
    # Statistics that depend on votes only are identical.
    assert [c.statement for c in live.consensus.agree] == [
        c.statement for c in cold.polis.consensus.agree
    ]
    assert cold.sides is not None and live.sides is not None
    for name in ("n", "agree", "disagree", "p_common_ground", "min_share_low", "min_share_high"):
        np.testing.assert_allclose(getattr(live.sides, name), getattr(cold.sides, name), atol=1e-9)
    assert live.sides.labels == cold.sides.labels
    # Bridging: within 5e-3 of a cold fit (its own stopping tolerance is 1e-4 per sweep).
    np.testing.assert_allclose(
        live.bridging.statement_intercept, cold.bridging.statement_intercept, atol=5e-3
    )


def test_small_room_tracks_an_optimum_as_good_as_a_cold_fit() -> None:
    # 40 people: several group and bridging solutions fit almost equally well, so the live path
    # keeps following its own; it must fit the votes as well as a cold analysis does.
    dialogue = _dialogue(40, 60, 1)
    live = live_analysis(dialogue.matrix, conversation="room")
    for vote in _random_votes(dialogue.matrix, 30, 1):
        live = update(live, [vote], conversation="room")
    cold = live_analysis(live.matrix, conversation="room", n_groups=live.k)
    assert _up_to_sign(live.pca.components, cold.pca.components) < 1e-9
    assert live.groups.log_likelihood >= cold.groups.log_likelihood - 0.01 * abs(
        cold.groups.log_likelihood
    )
    cold_bridging = bridging_scores(live.matrix)
    assert _bridging_loss(live.bridging, live.matrix) <= 1.02 * _bridging_loss(
        cold_bridging, live.matrix
    )


def test_group_ids_and_map_signs_are_stable() -> None:
    dialogue = _dialogue(300, 80, 3)
    first = live_analysis(dialogue.matrix, conversation="d")
    live = first
    for vote in _random_votes(dialogue.matrix, 10, 3):
        previous = live
        live = update(live, [vote], conversation="d")
        # No flip: each component points the way it pointed before.
        assert np.all((live.pca.components * previous.pca.components).sum(axis=1) > 0)
        # One vote moves at most a few participants between groups; the ids stay.
        same = (live.group_labels == previous.group_labels).mean()
        assert same >= 0.97
    assert set(live.group_ids.tolist()) == set(first.group_ids.tolist())


def test_a_cold_reanalysis_keeps_the_ids_of_persisting_groups() -> None:
    dialogue = _dialogue(300, 80, 4)
    first = live_analysis(dialogue.matrix, conversation="d")
    for random_state in (1, 2, 3):  # other seeds: the cold fit numbers its groups its own way
        again = live_analysis(
            dialogue.matrix,
            conversation="d",
            n_groups=first.k,
            random_state=random_state,
            previous=first,
        )
        for gid, members in first.group_members().items():
            later = again.group_labels[np.isin(again.participant_ids, members)]
            assert np.bincount(later[later >= 0]).argmax() == gid


def test_new_participants_and_statements_when_announced() -> None:
    dialogue = _dialogue(120, 40, 5)
    side_of = [str(s) for s in dialogue.truth.side.tolist()]
    live = live_analysis(dialogue.matrix, conversation="d", side_of=side_of)
    newcomer, fresh_statement = 10_000, 20_000
    votes = [(newcomer, int(s), 1) for s in dialogue.matrix.statement_ids[:10].tolist()]
    votes += [(int(p), fresh_statement, -1) for p in dialogue.matrix.participant_ids[:8].tolist()]
    live = update(
        live,
        votes,
        conversation="d",
        new_participants=[newcomer],
        new_statements=[fresh_statement],
        new_sides=[side_of[0]],
    )
    assert newcomer in live.participant_ids.tolist()
    assert fresh_statement in live.statement_ids.tolist()
    assert live.matrix.vote(newcomer, int(dialogue.matrix.statement_ids[0])) == 1
    assert live.matrix.vote(int(dialogue.matrix.participant_ids[0]), fresh_statement) == -1
    cold = analyze_track2(live.matrix, n_groups=live.k, side_of=list(live.side_of or ()))
    assert _up_to_sign(live.pca.components, cold.polis.pca.components) < 1e-9
    assert live.sides is not None and cold.sides is not None
    np.testing.assert_array_equal(live.sides.agree, cold.sides.agree)
    # A statement announced without votes yet, and an update with no votes at all.
    quiet = update(live, [], conversation="d", new_statements=[30_000], new_sides=[])
    assert quiet.sides is not None and quiet.sides.labels[-1] == "too few votes to say"
    assert quiet.sides.labels[:-1] == live.sides.labels
    again = update(quiet, [], conversation="d")
    assert again.sides is not None and again.sides.labels == quiet.sides.labels


def test_a_vote_replaces_the_earlier_vote_on_the_same_pair() -> None:
    matrix = VoteMatrix.from_dense([[1, -1, np.nan], [1, 1, 0], [-1, np.nan, 1], [0, 1, -1]])
    live = live_analysis(matrix, conversation="t", n_groups=2)
    live = update(live, [(0, 0, -1), (0, 2, 1), (0, 2, 0)], conversation="t")
    assert live.matrix.vote(0, 0) == -1
    assert live.matrix.vote(0, 2) == 0  # the later vote of the batch wins
    assert live.matrix.n_votes == matrix.n_votes + 1


@pytest.mark.parametrize(
    ("votes", "kwargs", "message"),
    [
        ([(999, 0, 1)], {}, "unknown participant 999"),
        ([(0, 999, 1)], {}, "unknown statement 999"),
        ([(0, 0, 2)], {}, "has the value 2"),
        ([(0, 0, True)], {}, "has the value True"),
        ([(0, 0, 10**30)], {}, "has the value"),
        ([(0, 0, "1")], {}, "has the value '1'"),
        ([(0, 0)], {}, "(participant id, statement id, vote)"),
        ([(0, 0, 1)], {"conversation": "other"}, "conversation 'c', not 'other'"),
        ([], {"new_participants": [1]}, "already in the conversation"),
        ([], {"new_participants": [7, 7]}, "lists an id twice"),
        ([], {"new_participants": ["x\x00y"]}, "same type"),
        ([], {"new_participants": [10**30]}, "new participant id 10000000000000000000000000000"),
        ([], {"new_statements": [-(2**63) - 1]}, "does not fit in 64 bits"),
        ([], {"new_sides": ["a"]}, "tracks no sides"),
    ],
)
def test_refusals(votes: list, kwargs: dict, message: str) -> None:  # type: ignore[type-arg]
    matrix = VoteMatrix.from_dense([[1, -1, 1], [1, 1, 0], [-1, -1, 1], [0, 1, -1]])
    live = live_analysis(matrix, conversation="c", n_groups=2)
    args = {"conversation": "c", **kwargs}
    with pytest.raises(LiveUpdateError, match=message.replace("(", r"\(").replace(")", r"\)")):
        update(live, votes, **args)
    # Nothing changed: the earlier analysis still describes the same votes.
    assert live.matrix.n_votes == matrix.n_votes


def test_a_previous_analysis_of_another_conversation_is_refused_on_reanalysis() -> None:
    matrix = VoteMatrix.from_dense([[1, -1, 1], [1, 1, 0], [-1, -1, 1], [0, 1, -1]])
    live = live_analysis(matrix, conversation="c", n_groups=2)
    with pytest.raises(LiveUpdateError, match="conversation 'c', not 'd'"):
        live_analysis(matrix, conversation="d", n_groups=2, previous=live)


def test_bridging_is_refitted_every_few_updates_and_says_how_far_behind_it_is() -> None:
    dialogue = _dialogue(300, 80, 6)
    live = live_analysis(dialogue.matrix, conversation="d")
    assert live.bridging_updates_behind == 0
    fitted = live.bridging
    for t, vote in enumerate(_random_votes(dialogue.matrix, 2 * BRIDGING_EVERY, 6), start=1):
        live = update(live, [vote], conversation="d")
        assert live.bridging_updates_behind == t % BRIDGING_EVERY
        if live.bridging_updates_behind:
            # Carried over unchanged, not refitted on the votes it lags.
            assert live.bridging.statement_intercept is fitted.statement_intercept
        else:
            assert live.bridging is not fitted
            fitted = live.bridging
    # On a refit update the fit is as close to a cold one as before the deferral.
    assert live.bridging_updates_behind == 0
    cold = bridging_scores(live.matrix)
    np.testing.assert_allclose(
        live.bridging.statement_intercept, cold.statement_intercept, atol=5e-3
    )


def test_a_carried_bridging_fit_grows_with_announced_statements() -> None:
    dialogue = _dialogue(60, 20, 7)
    live = live_analysis(dialogue.matrix, conversation="d")
    voter = int(dialogue.matrix.participant_ids[0])
    live = update(live, [(voter, 999, 1)], conversation="d", new_statements=[999])
    assert live.bridging_updates_behind == 1
    assert live.bridging.statement_ids.tolist() == live.matrix.statement_ids.tolist()
    assert len(live.bridging.statement_intercept) == live.matrix.n_statements
    assert live.bridging.n_votes[-1] == 0 and live.bridging.statement_intercept[-1] == 0.0


def test_a_small_rooms_one_hot_votes_are_patched_like_a_fresh_build() -> None:
    # A small room keeps EM's dense one-hot votes and patches the cells of each vote; after
    # replaced votes, votes on a moderated-out statement, a batch voting twice on one pair
    # and a newcomer, they must be what a fresh build from the votes gives.
    dialogue = _dialogue(40, 30, 8)
    matrix = dialogue.matrix.with_moderation(moderated_out=dialogue.matrix.statement_ids[:2])
    live = live_analysis(matrix, conversation="d")
    votes = _random_votes(matrix, 25, 8)
    votes += [(int(matrix.participant_ids[0]), int(matrix.statement_ids[0]), 1)]
    first = (int(matrix.participant_ids[1]), int(matrix.statement_ids[5]))
    for vote in votes:
        live = update(live, [vote], conversation="d")
        assert live.onehot is not None
        np.testing.assert_array_equal(live.onehot, dense_vote_onehot(live.matrix))
    live = update(live, [(*first, 1), (*first, -1)], conversation="d")
    np.testing.assert_array_equal(live.onehot, dense_vote_onehot(live.matrix))
    live = update(
        live, [(777, int(matrix.statement_ids[3]), 0)], conversation="d", new_participants=[777]
    )
    assert live.onehot is not None and live.onehot.shape == (41, 90)
    np.testing.assert_array_equal(live.onehot, dense_vote_onehot(live.matrix))


def test_a_room_grown_vote_by_vote_ends_as_well_fitted_as_a_cold_analysis() -> None:
    # A room's groups are first chosen on a handful of votes. Continued from there with k kept,
    # this room of 40 ended with every participant in one group, 10 % of log-likelihood below
    # a cold fit of the same k; an update now chooses the groups again as the votes grow.
    start, rest = grown_room(_dialogue(40, 60, 1).matrix, 0.25, 1)
    live = live_analysis(start, conversation="room")
    assert live.grouped_at_votes == start.n_votes
    chosen = {live.grouped_at_votes}
    for vote, joining, opened in rest:
        live = update(
            live, [vote], conversation="room", new_participants=joining, new_statements=opened
        )
        chosen.add(live.grouped_at_votes)
    assert len(chosen) >= 3  # chosen again as the room grew, not on every vote
    assert live.grouped_at_votes * REGROUP_GROWTH > live.matrix.n_votes
    cold = live_analysis(live.matrix, conversation="room", n_groups=live.k)
    assert live.groups.log_likelihood >= cold.groups.log_likelihood - 0.01 * abs(
        cold.groups.log_likelihood
    )
    assert len(live.group_ids) >= 2


def test_an_update_chooses_the_groups_again_once_the_votes_grow_by_half() -> None:
    start, rest = grown_room(_dialogue(120, 40, 2).matrix, 0.25, 2)
    new_people = [p for arrival in rest for p in arrival.joining]
    new_statements = [s for arrival in rest for s in arrival.opened]
    votes = [arrival.vote for arrival in rest]
    below = int(start.n_votes * (REGROUP_GROWTH - 1)) - 1
    for fixed in (None, 2):
        live = live_analysis(start, conversation="d", n_groups=fixed)
        known = [v for v in votes if v[0] not in new_people and v[1] not in new_statements]
        kept = update(live, known[:below], conversation="d")
        assert kept.grouped_at_votes == live.grouped_at_votes and kept.k == live.k
        grown = update(
            kept,
            votes,
            conversation="d",
            new_participants=new_people,
            new_statements=new_statements,
        )
        assert grown.grouped_at_votes == grown.matrix.n_votes > live.grouped_at_votes
        cold = live_analysis(grown.matrix, conversation="d", n_groups=fixed)
        assert grown.k == cold.k and adjusted_rand_index(grown.group_labels, cold.group_labels) == 1
        if fixed is not None:
            assert grown.k == fixed and grown.n_groups_asked == fixed
        # the groups that persist keep their ids: the ids were matched, not numbered afresh
        assert set(grown.group_ids.tolist()) & set(kept.group_ids.tolist())


def test_one_refusal_names_every_problem_of_the_update() -> None:
    matrix = VoteMatrix.from_dense([[1, -1, 1], [1, 1, 0], [-1, -1, 1], [0, 1, -1]])
    live = live_analysis(matrix, conversation="c", n_groups=2)
    votes = [(999, 0, 1), (0, 0, 2), (0, 998, 1), (0, 0), (997, 1, 1), (1, 1, "x")]
    with pytest.raises(LiveUpdateError) as refused:
        update(live, votes, conversation="c", new_participants=[1, 5, 5])
    message = str(refused.value)
    assert message.startswith("6 problems, so nothing was changed: ")
    for part in (
        "new_participants lists an id twice (5)",
        "new participant 1 is already in the conversation",
        "vote 4 of the update is not (participant id, statement id, vote)",
        "votes 2 and 6 of the update have the values 2 and 'x'",  # places in the update
        "votes 1 and 5 of the update are by unknown participants 999 and 997",
        "vote 3 of the update is by an unknown statement 998",
    ):
        assert part in message, part
    assert live.matrix.n_votes == matrix.n_votes
    # Many of one kind: the first ten named, the rest counted.
    with pytest.raises(LiveUpdateError) as refused:
        update(live, [(0, 0, 5)] * 15, conversation="c")
    assert str(refused.value).startswith(
        "votes 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 and 5 more of the update have the values 5, 5,"
    )


def test_the_live_groups_list_only_majority_answers_as_the_reports_do() -> None:
    # brexit-consensus: Pol.is's own selection lists, for one of the live fit's groups, a
    # statement on which a majority of the group did not give the listed answer; the room's
    # groups are Track 2 groups and follow the Track 2 rule of analyze_track2 (one weak
    # fallback at most, and only where nothing passes with a majority).
    from pathlib import Path

    from track2.commonground import load_conversation

    folder = Path(__file__).resolve().parents[1] / "data" / "polis" / "brexit-consensus"
    a = live_analysis(load_conversation(folder).matrix, conversation="brexit")
    listed = [r for reps in a.repness.values() for r in reps]
    assert listed and all(r.majority for r in listed)
    for reps in a.repness.values():
        assert not any(r.weak for r in reps) or len(reps) == 1
    after = update(a, [(a.participant_ids[0], a.statement_ids[0], 1)], conversation="brexit")
    assert all(r.majority for reps in after.repness.values() for r in reps)


def test_the_seconds_of_each_stage_come_beside_the_result() -> None:
    """live_analysis, update, regroup and catch_up fill a caller's ``timings`` dict; the frozen
    result holds none (issue 15, item 8)."""
    start, rest = grown_room(_dialogue(120, 40, 3).matrix, 0.25, 3)
    cold: dict[str, float] = {}
    live = live_analysis(start, conversation="d", timings=cold)
    assert {"groups", "map", "statements", "bridging", "total"} <= set(cold)
    assert not hasattr(live, "timings")
    known = [
        a.vote
        for a in rest
        if not a.joining and not a.opened and a.vote[0] in live.matrix.participant_index
    ][:3]
    assert len(known) == 3
    one: dict[str, float] = {}
    after = update(live, known[:1], conversation="d", timings=one)
    assert {"votes", "groups", "map", "total"} <= set(one) and one["total"] >= one["votes"]
    again: dict[str, float] = {}
    regrouped = regroup(after, timings=again)
    assert {"groups", "total"} <= set(again)
    newer = update(after, known[1:], conversation="d")
    caught: dict[str, float] = {}
    catch_up(regrouped, newer, timings=caught)
    assert {"votes", "total"} <= set(caught)
