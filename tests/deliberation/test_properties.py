"""Properties over random rooms: one vote per person per statement whatever they do, and no
hidden cell of the map derivable from what it shows."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.deliberation.conftest import build_room
from tests.deliberation.test_map import accepted_statement
from track2.commonground.sides import TOO_FEW_VOTES
from track2.deliberation import actions, map_data
from track2.deliberation.models import Vote
from track2.disclosure.cells import derivable_cells

ANSWERS = ["agree", "disagree", "pass", None]


@pytest.fixture
def small_room(make_user, institution):
    room = build_room(make_user, institution, per_side=3)
    statements = [accepted_statement(room, f"Statement number {i}.") for i in range(3)]
    return room, statements


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 2), st.sampled_from(ANSWERS)), max_size=40)
)
def test_revoting_leaves_one_vote_per_person(small_room, moves):
    room, statements = small_room
    Vote.objects.all().delete()
    last: dict[tuple[int, int], str | None] = {}
    for person, column, answer in moves:
        statement = statements[column]
        actions.do_vote(
            actions.check_vote(
                room.participants[person], room.dialogue.pk, room.meeting.pk, statement.pk, answer
            )
        )
        last[(person, column)] = answer
    for column, statement in enumerate(statements):
        expected = sum(1 for (p, c), a in last.items() if c == column and a is not None)
        assert Vote.objects.filter(statement=statement).count() == expected
        values = sorted(Vote.objects.filter(statement=statement).values_list("value", flat=True))
        assert values == sorted(
            Vote.VALUES[a] for (p, c), a in last.items() if c == column and a is not None
        )


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(st.lists(st.lists(st.sampled_from(ANSWERS), min_size=3, max_size=3), min_size=6, max_size=6))
def test_no_hidden_side_cell_is_derivable(small_room, answers):
    room, statements = small_room
    Vote.objects.all().delete()
    for person, row in enumerate(answers):
        for statement, answer in zip(statements, row, strict=True):
            if answer is not None:
                actions.do_vote(
                    actions.check_vote(
                        room.participants[person],
                        room.dialogue.pk,
                        room.meeting.pk,
                        statement.pk,
                        answer,
                    )
                )
    shown = map_data.room_map(room.meeting)
    k = shown["k"]
    source = map_data.engine_input(room.meeting)
    agreement, _note = map_data._sides(source)
    for row in shown["statements"]:
        if not row["by_side"]:
            continue
        j = list(source.matrix.statement_ids.tolist()).index(row["id"])
        table = [
            [int(agreement.agree[s, j]), int(agreement.n[s, j]) - int(agreement.agree[s, j])]
            for s in range(len(agreement.sides))
        ]
        hidden = {
            (s, c) for s, side in enumerate(row["by_side"]) if not side["shown"] for c in (0, 1)
        }
        # Every shown side has k votes or more and no cell of 1..k-1 people.
        for s, side in enumerate(row["by_side"]):
            if side["shown"]:
                assert side["votes"] >= k and all(v == 0 or v >= k for v in table[s])
        # What the room's totals and the shown sides give away about a hidden side: nothing
        # beyond what the totals alone already say.
        free = {s for s, _c in hidden}
        everything = {(s, c) for s in range(len(table)) for c in (0, 1)}
        assert derivable_cells(table, hidden, free) <= derivable_cells(
            table, everything, free | {0, 1}
        )
        if hidden:
            assert row["label"] in (TOO_FEW_VOTES, "too few votes yet")
        if row["votes"] is None:
            assert row["agree"] is None and all(not side["shown"] for side in row["by_side"])


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="concurrent writers need PostgreSQL")
def test_concurrent_votes_leave_one_per_person(make_user, institution):
    room = build_room(make_user, institution, per_side=3)
    statement = accepted_statement(room, "Concurrent.")
    ballots = [
        actions.check_vote(user, room.dialogue.pk, room.meeting.pk, statement.pk, answer)
        for user in room.participants
        for answer in ("agree", "disagree", "pass", "agree")
    ]
    errors = []

    def cast(ballot):
        try:
            actions.do_vote(ballot)
        except Exception as err:  # noqa: BLE001  (collected and asserted below)
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=cast, args=(b,)) for b in ballots * 3]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert Vote.objects.filter(statement=statement).count() == len(room.participants)
