"""The map keeper takes this process's own votes from its notes (journal) and re-reads only
what it has no complete notes for; either way its copy equals the room read whole."""

from __future__ import annotations

import random

import numpy as np
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.deliberation.test_map import accepted_statement, vote, voted_room  # noqa: F401
from track2.deliberation import journal, map_data
from track2.deliberation.models import Vote


@pytest.fixture(autouse=True)
def _fresh_notes():
    journal.forget()
    yield
    journal.forget()


def vote_queries(queries) -> list[str]:
    table = Vote._meta.db_table
    return [q["sql"] for q in queries.captured_queries if f'FROM "{table}"' in q["sql"]]


def as_read_whole(meeting) -> dict[tuple[str, int], int]:
    """The room's votes as the database has them, by (pseudonym, statement)."""
    return {
        (p, s): v
        for p, s, v in Vote.objects.filter(meeting=meeting).values_list(
            "pseudonym", "statement_id", "value"
        )
    }


def as_kept(meeting) -> dict[tuple[str, int], int]:
    """The keeper's copy of the same, from its dense table."""
    state = map_data._room_state(meeting)
    ids = state.matrix.statement_ids.tolist()
    rows, cols = np.nonzero(state.answers != map_data.NO_VOTE)
    return {
        (state.voters[r], ids[c]): int(state.answers[r, c])
        for r, c in zip(rows.tolist(), cols.tolist(), strict=True)
    }


def test_own_votes_come_from_the_notes_without_reading_the_votes(
    voted_room,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    world, statements = voted_room
    map_data.room_map(world.meeting)
    with django_capture_on_commit_callbacks(execute=True):
        vote(world, world.participants[1], statements[0], "disagree")
        vote(world, world.participants[1], statements[0], "pass")  # twice: the last counts
        vote(world, world.participants[2], statements[2], "disagree")
    with CaptureQueriesContext(connection) as queries:
        shown = map_data.room_map(world.meeting)
    assert vote_queries(queries) == []
    row = next(s for s in shown["statements"] if s["id"] == statements[0].pk)
    assert (row["agree"], row["disagree"], row["pass"]) == (7, 0, 1)
    assert as_kept(world.meeting) == as_read_whole(world.meeting)


def test_votes_without_notes_and_withdrawals_are_read_from_the_database(
    voted_room,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    world, statements = voted_room
    map_data.room_map(world.meeting)
    vote(world, world.participants[3], statements[0], "disagree")  # no note: another process's
    with django_capture_on_commit_callbacks(execute=True):
        vote(world, world.participants[4], statements[1], "pass")
    with CaptureQueriesContext(connection) as queries:
        map_data.room_map(world.meeting)
    assert len(vote_queries(queries)) == 1  # statement 0 only
    assert as_kept(world.meeting) == as_read_whole(world.meeting)
    with django_capture_on_commit_callbacks(execute=True):
        vote(world, world.participants[0], statements[2], None)  # a withdrawal: read whole
    shown = map_data.room_map(world.meeting)
    assert as_kept(world.meeting) == as_read_whole(world.meeting)
    assert next(s for s in shown["statements"] if s["id"] == statements[2].pk)["votes"] is None


def test_any_mix_of_noted_and_unnoted_votes_keeps_the_copy_exact(
    voted_room,  # noqa: F811
    django_capture_on_commit_callbacks,
):
    world, statements = voted_room
    statements += [accepted_statement(world, f"Extra {i}.") for i in range(3)]
    rng = random.Random(7)
    answers = ["agree", "disagree", "pass", "agree", "disagree", "pass", None]
    map_data.room_map(world.meeting)
    for _step in range(40):
        for _vote in range(rng.randint(1, 6)):
            args = (world, rng.choice(world.participants), rng.choice(statements))
            if rng.random() < 0.7:
                with django_capture_on_commit_callbacks(execute=True):
                    vote(*args, rng.choice(answers))
            else:
                vote(*args, rng.choice(answers))
        if rng.random() < 0.1:
            journal.forget()  # notes dropped (too many kept): the keeper re-reads
        map_data.room_map(world.meeting)
        assert as_kept(world.meeting) == as_read_whole(world.meeting)


def test_notes_are_bounded():
    for count in range(journal.MOST_NOTES + 5):
        journal.note(1, count, "p", 1)
    assert journal._size <= journal.MOST_NOTES
    assert journal.take(1, 0, 3) is None  # the early ones were dropped with the rest


def test_notes_no_map_takes_are_dropped_after_a_while(monkeypatch):
    # a room nobody watches, then erased by retention: its votes' pseudonyms must not stay in
    # the web process's memory until a restart
    import time

    journal.forget()  # and the sweep an earlier test's notes scheduled, five minutes away
    monkeypatch.setattr(journal, "MOST_SECONDS", 0.05)
    journal.note(7, 1, "p", 1)
    journal.note(8, 1, "q", -1)
    deadline = time.monotonic() + 10
    while journal._size and time.monotonic() < deadline:
        time.sleep(0.02)
    assert journal._size == 0 and journal._notes == {}
    assert journal.take(7, 0, 1) is None
    journal.note(7, 2, "p", None)  # noting again after a sweep starts a new one
    assert journal.take(7, 1, 2) == [("p", None)]
