"""Choosing the groups again beside the updates (issue 15, item 6): an update told not to keeps
k and says a regroup is due; `regroup` is the cold choice an update would make; `catch_up`
brings a regroup of an earlier analysis up to the newest votes, and refuses votes that do not
continue it."""

from __future__ import annotations

import numpy as np
import pytest

from track2.commonground import LiveUpdateError, catch_up, live_analysis, regroup, update
from track2.commonground.live import REGROUP_GROWTH, LiveAnalysis
from track2.commonground.matrix import VoteMatrix
from track2.simulate import grown_room
from track2.simulate.dialogue import SimulationParams, simulate_dialogue


def _room(seed: int = 2) -> tuple[VoteMatrix, list]:  # type: ignore[type-arg]
    params = SimulationParams(n_participants=120, n_statements=40, mean_votes=40)
    return grown_room(simulate_dialogue(params, seed=seed).matrix, 0.25, seed)


def _grow(live: LiveAnalysis, arrivals: list, regroup_when_due: bool = False) -> LiveAnalysis:  # type: ignore[type-arg]
    for arrival in arrivals:
        live = update(
            live,
            [arrival.vote],
            conversation=live.conversation,
            new_participants=arrival.joining,
            new_statements=arrival.opened,
            regroup_when_due=regroup_when_due,
        )
    return live


def _due(live: LiveAnalysis, arrivals: list) -> tuple[LiveAnalysis, list]:  # type: ignore[type-arg]
    """``live`` grown until a regroup is due, and the arrivals left."""
    for used, arrival in enumerate(arrivals):
        if live.regroup_due:
            return live, arrivals[used:]
        live = _grow(live, [arrival])
    raise AssertionError("the room never grew enough to choose its groups again")


def test_an_update_told_not_to_keeps_k_and_says_a_regroup_is_due() -> None:
    start, arrivals = _room()
    live = live_analysis(start, conversation="d")
    assert not live.regroup_due
    grown = _grow(live, arrivals)
    assert grown.matrix.n_votes >= REGROUP_GROWTH * live.grouped_at_votes
    assert grown.grouped_at_votes == live.grouped_at_votes and grown.k == live.k
    assert grown.regroup_due
    # by default an update chooses them again itself
    assert _grow(live, arrivals, regroup_when_due=True).grouped_at_votes > live.grouped_at_votes


@pytest.mark.parametrize("fixed", [None, 2])
def test_regroup_is_the_cold_choice_with_the_ids_carried_over(fixed: int | None) -> None:
    start, arrivals = _room()
    snapshot, _ = _due(live_analysis(start, conversation="d", n_groups=fixed), arrivals)
    regrouped = regroup(snapshot)
    cold = live_analysis(snapshot.matrix, conversation="d", n_groups=fixed, previous=snapshot)
    assert regrouped.grouped_at_votes == snapshot.matrix.n_votes
    assert regrouped.n_groups_asked == fixed and (fixed is None or regrouped.k == fixed)
    np.testing.assert_array_equal(regrouped.group_labels, cold.group_labels)
    assert set(regrouped.group_ids.tolist()) & set(snapshot.group_ids.tolist())
    assert not regrouped.regroup_due


def test_a_caught_up_regroup_is_the_regroup_continued_by_the_votes_since() -> None:
    start, arrivals = _room()
    snapshot, later = _due(live_analysis(start, conversation="d"), arrivals)
    regrouped = regroup(snapshot)
    # Meanwhile the room went on: new votes, people and statements arrived, and someone
    # changed an answer.
    since = later[:60]
    someone, statement, answer = since[0].vote
    newest = _grow(snapshot, since)
    changed = (someone, statement, -answer if answer else 1)
    opened = (99_999, 10_000, 1)  # a newcomer on a statement opened since
    newest = update(
        newest,
        [changed, opened],
        conversation="d",
        new_participants=[99_999],
        new_statements=[10_000],
        regroup_when_due=False,
    )

    caught = catch_up(regrouped, newest)
    expected = update(
        regrouped,
        [a.vote for a in since] + [changed, opened],
        conversation="d",
        new_participants=[p for a in since for p in a.joining] + [99_999],
        new_statements=[s for a in since for s in a.opened] + [10_000],
        regroup_when_due=False,
    )
    for name in ("participant_ids", "statement_ids", "indptr", "indices", "values"):
        np.testing.assert_array_equal(
            getattr(caught.matrix, name), getattr(newest.matrix, name), err_msg=name
        )
    np.testing.assert_array_equal(caught.group_labels, expected.group_labels)
    assert caught.groups.log_likelihood == pytest.approx(expected.groups.log_likelihood, rel=1e-5)
    # the regroup's groups and ids, at the newest votes
    assert caught.k == regrouped.k
    assert set(caught.group_ids.tolist()) <= set(regrouped.column_ids.tolist())
    assert caught.grouped_at_votes == snapshot.matrix.n_votes


def test_catch_up_with_nothing_new_is_the_regroup_itself() -> None:
    start, arrivals = _room()
    snapshot, _ = _due(live_analysis(start, conversation="d"), arrivals)
    regrouped = regroup(snapshot)
    assert catch_up(regrouped, snapshot) is regrouped


def test_catch_up_refuses_votes_that_do_not_continue_the_regroup() -> None:
    start, arrivals = _room()
    snapshot, _ = _due(live_analysis(start, conversation="d"), arrivals)
    regrouped = regroup(snapshot)
    m = snapshot.matrix

    with pytest.raises(LiveUpdateError, match="conversation 'other'"):
        catch_up(regrouped, live_analysis(m, conversation="other"))

    # A vote withdrawn since (the room would read itself whole and fit cold).
    indptr = m.indptr.copy()
    indptr[1:] -= 1  # the first participant's first vote, gone
    fewer = VoteMatrix(
        m.participant_ids,
        m.statement_ids,
        indptr,
        m.indices[1:],
        m.values[1:],
        m.is_moderated_out,
        m.is_meta,
    )
    with pytest.raises(LiveUpdateError, match="a vote was withdrawn since"):
        catch_up(regrouped, live_analysis(fewer, conversation="d"))

    # Participants in another order and statements under other ids: both named in one refusal.
    reordered = VoteMatrix(
        m.participant_ids[::-1].copy(),
        m.statement_ids + 1_000_000,
        m.indptr,
        m.indices,
        m.values,
        m.is_moderated_out,
        m.is_meta,
    )
    with pytest.raises(LiveUpdateError) as refusal:
        catch_up(regrouped, live_analysis(reordered, conversation="d"))
    message = str(refusal.value)
    assert "2 problems, so nothing was changed" in message
    assert "same participants" in message and "same statements" in message
    assert "regroup anew" in message


def test_catch_up_refuses_a_moderation_changed_since() -> None:
    start, arrivals = _room()
    snapshot, _ = _due(live_analysis(start, conversation="d"), arrivals)
    regrouped = regroup(snapshot)
    m = snapshot.matrix
    moderated = np.zeros(m.n_statements, dtype=bool)
    moderated[0] = True
    changed = VoteMatrix(
        m.participant_ids, m.statement_ids, m.indptr, m.indices, m.values, moderated, m.is_meta
    )
    with pytest.raises(LiveUpdateError, match="moderation changed since"):
        catch_up(regrouped, live_analysis(changed, conversation="d"))
