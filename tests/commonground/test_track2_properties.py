"""Invariants of Track 2 mode and its live updates, checked on random small conversations,
degenerate ones included (hypothesis): every count a report or the room shows is the count of
the votes themselves, a representative statement not marked weak has its group's majority,
only grouped participants are drawn, and nothing but a typed error comes out."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from track2.commonground import (
    CommonGroundError,
    VoteMatrix,
    analyze_track2,
    live_analysis,
    update,
)

SETTINGS = settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def conversations(draw, analysable=False):
    """A vote matrix (NaN: unseen) and a declared side per row (None: undeclared), from the
    shapes that break analyses: one row or column, nobody voting, everyone alike, two camps.
    ``analysable``: at least two voters, two statements and two sides (a room in session)."""
    n = draw(st.sampled_from([3, 5, 9, 16, 30] if analysable else [1, 2, 3, 5, 9, 16, 30]))
    m = draw(st.sampled_from([2, 4, 7, 15] if analysable else [1, 2, 4, 7, 15]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kind = draw(st.sampled_from(["random", "alike", "camps", "passes"]))
    if kind == "random":
        dense = rng.choice([-1.0, 0.0, 1.0], size=(n, m))
    elif kind == "alike":
        dense = np.full((n, m), float(rng.choice([-1, 0, 1])))
    elif kind == "camps":
        dense = np.where(rng.integers(0, 2, n)[:, None] == 0, 1.0, -1.0) * np.ones((1, m))
    else:
        dense = np.zeros((n, m))
    density = draw(st.sampled_from([0.5, 1.0] if analysable else [0.0, 0.1, 0.5, 1.0]))
    dense[rng.random((n, m)) >= density] = np.nan
    sides = [None if s < 0 else f"side {s}" for s in rng.integers(-1, 3, n).tolist()]
    if analysable:
        dense[:2, :2] = np.nan_to_num(dense[:2, :2], nan=1.0)
        sides[:2] = ["side 0", "side 1"]
    return dense, sides


def _columns(dense, votes, statement_ids):
    """The columns of ``dense`` for ``statement_ids`` (ids of ``votes``)."""
    where = {s: j for j, s in enumerate(votes.statement_ids.tolist())}
    return dense[:, [where[s] for s in statement_ids.tolist()]]


def _check_groups(dense, votes, result):
    where = {p: i for i, p in enumerate(votes.participant_ids.tolist())}
    rows = [where[p] for p in result.participant_ids.tolist()]
    seen = _columns(dense, votes, result.statement_ids)[rows]
    labels = result.group_labels
    assert set(labels.tolist()) <= set(result.group_ids.tolist()) | {-1}
    position = {s: j for j, s in enumerate(result.statement_ids.tolist())}
    for row, g in enumerate(result.group_ids.tolist()):
        members = seen[labels == g]
        assert len(members), f"group {g} has no member"
        agree = (members == 1).sum(axis=0)
        disagree = (members == -1).sum(axis=0)
        voted = (~np.isnan(members)).sum(axis=0)
        np.testing.assert_array_equal(result.group_agree[row], agree)
        np.testing.assert_array_equal(result.group_disagree[row], disagree)
        np.testing.assert_array_equal(result.group_seen[row], voted)
        for rep in result.repness.get(g, ()):
            j = position[rep.statement]
            given = agree[j] if rep.repful_for == "agree" else disagree[j]
            assert (rep.n_success, rep.n_trials) == (given, voted[j])
            assert rep.weak or 2 * given > voted[j], "shown as representative without a majority"


def _check_sides(dense, votes, sides, agreement):
    if agreement is None:
        return
    by_side = np.array(sides, dtype=object)
    seen = _columns(dense, votes, agreement.statement_ids)
    for row, side in enumerate(agreement.sides):
        members = seen[by_side == side]
        np.testing.assert_array_equal(agreement.agree[row], (members == 1).sum(axis=0))
        np.testing.assert_array_equal(agreement.disagree[row], (members == -1).sum(axis=0))
        np.testing.assert_array_equal(agreement.passes[row], (members == 0).sum(axis=0))


@SETTINGS
@given(conversations(), st.integers(0, 4))
def test_every_count_shown_is_the_votes_own(conversation, random_state):
    dense, sides = conversation
    votes = VoteMatrix.from_dense(dense)
    try:
        result = analyze_track2(votes, side_of=sides, random_state=random_state)
    except CommonGroundError:
        voted = ~np.isnan(dense)
        too_few_votes = voted.any(axis=1).sum() < 2 or voted.any(axis=0).sum() < 2
        assert too_few_votes or len(set(sides) - {None}) < 2, (
            "refused a conversation it can analyse"
        )
        return
    _check_groups(dense, votes, result)
    _check_sides(dense, votes, sides, result.sides)
    grouped = result.group_labels >= 0
    assert np.isfinite(result.map.coordinates[grouped]).all()
    assert np.isnan(result.map.coordinates[~grouped]).all()


@st.composite
def later_votes(draw):
    """Up to six updates, each of one vote (the room's usual update) or up to three, some by
    people or on statements that join with that update."""
    vote = st.tuples(st.integers(0, 40), st.integers(0, 20), st.sampled_from([-1, 0, 1]))
    cast = st.one_of(st.lists(vote, min_size=1, max_size=1), st.lists(vote, max_size=3))
    return draw(st.lists(st.tuples(st.booleans(), st.booleans(), cast), min_size=1, max_size=6))


@SETTINGS
@given(conversations(analysable=True), later_votes())
def test_updates_count_every_vote_as_a_cold_analysis_does(conversation, steps):
    dense, sides = conversation
    votes = VoteMatrix.from_dense(dense)
    live = live_analysis(votes, conversation="c", side_of=sides)
    people = votes.participant_ids.tolist()
    statements = votes.statement_ids.tolist()
    for step, (person_joins, statement_joins, cast) in enumerate(steps):
        newcomers = [1000 + step] if person_joins else []
        new_statements = [1000 + step] if statement_joins else []
        known_people, known_statements = people + newcomers, statements + new_statements
        ballots = [
            (known_people[p % len(known_people)], known_statements[s % len(known_statements)], v)
            for p, s, v in cast
        ]
        live = update(
            live,
            ballots,
            conversation="c",
            new_participants=newcomers,
            new_statements=new_statements,
            new_sides=[None] * len(newcomers) if newcomers else None,
        )
        people, statements = known_people, known_statements
        sides = sides + [None] * len(newcomers)
    now = live.matrix
    assert now.participant_ids.tolist() == people
    assert now.statement_ids.tolist() == statements
    counted = now.to_dense()
    _check_groups(counted, now, live)
    _check_sides(counted, now, sides, live.sides)
