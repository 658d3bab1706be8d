"""The map keeper: one engine fit per room in the background, never on a read after the first;
counts current at once; groups that catch up within a bounded time."""

from __future__ import annotations

import threading
import time

import pytest

from tests.deliberation.test_map import accepted_statement, vote, voted_room  # noqa: F401
from track2.deliberation import actions, map_data
from track2.deliberation.models import Statement

CATCH_UP_SECONDS = 30  # a room of eight fits in milliseconds; the machine may be very busy


@pytest.fixture
def engine_calls(monkeypatch):
    """Which thread ran each call of the engine (the real engine runs: this only watches).
    The rooms kept by earlier tests of this process are forgotten first: the fit worker may
    still hold one of their fits, asked before its rest, and would run it (and be counted) here."""
    map_data.forget()
    calls: list[str] = []

    def watched(fn):
        def run(*args, **kwargs):
            calls.append(threading.current_thread().name)
            return fn(*args, **kwargs)

        return run

    monkeypatch.setattr(map_data.live, "live_analysis", watched(map_data.live.live_analysis))
    monkeypatch.setattr(map_data.live, "update", watched(map_data.live.update))
    return calls


def row(shown, statement):
    return next(s for s in shown["statements"] if s["id"] == statement.pk)


def caught_up(meeting) -> dict:
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while True:
        shown = map_data.room_map(meeting)
        if shown["groups_current"] or time.monotonic() > deadline:
            return shown
        time.sleep(0.05)


def test_reads_after_a_vote_run_no_engine_and_show_current_counts(voted_room, engine_calls):  # noqa: F811
    world, statements = voted_room
    first = map_data.room_map(world.meeting)
    me = threading.current_thread().name
    assert engine_calls == [me]  # the room's first fit: on the reading thread, once
    assert first["state"] == "groups" and first["groups_current"]
    assert row(first, statements[0])["agree"] == 8
    assert map_data.room_map(world.meeting) is first  # every reader shares it

    vote(world, world.participants[1], statements[0], "disagree")
    shown = map_data.room_map(world.meeting)
    # Counts and labels are current at once …
    assert (row(shown, statements[0])["agree"], row(shown, statements[0])["disagree"]) == (7, 1)
    # … while the groups are the previous fit's, said so, and refitted elsewhere.
    assert shown["groups_current"] is False
    assert shown["groups_as_of"] == first["groups_as_of"]
    assert engine_calls.count(me) == 1

    settled = caught_up(world.meeting)
    assert settled["groups_current"] is True
    assert engine_calls.count(me) == 1, "a read ran the engine after the first fit"
    assert len(engine_calls) >= 2 and engine_calls[-1] == "track2-map-fits"
    assert (row(settled, statements[0])["agree"], row(settled, statements[0])["disagree"]) == (7, 1)
    # The continued fit (the engine's live update) holds the new vote.
    fitted = map_data._rooms[world.meeting.pk].fit.analysis
    column = fitted.matrix.statement_index[statements[0].pk]
    assert int(fitted.matrix.statement_counts["agree"][column]) == 7
    assert int(fitted.matrix.statement_counts["disagree"][column]) == 1


def test_many_reads_share_one_background_fit(voted_room, engine_calls):  # noqa: F811
    world, statements = voted_room
    map_data.room_map(world.meeting)
    for user in world.participants[4:]:
        vote(world, user, statements[1], "agree")
    for _ in range(20):
        map_data.room_map(world.meeting)
    settled = caught_up(world.meeting)
    assert settled["groups_current"]
    assert row(settled, statements[1])["label"] == "common ground"
    # 20 reads, four votes: the first fit and a few background ones, never one per read.
    assert 2 <= len(engine_calls) <= 5


def test_a_withdrawn_vote_and_a_typo_fix_show_at_once(voted_room):  # noqa: F811
    world, statements = voted_room
    map_data.room_map(world.meeting)
    vote(world, world.participants[0], statements[0], None)
    facilitator = world.users["facilitator"]
    fixed = actions.check_moderate(
        facilitator,
        world.dialogue.pk,
        world.meeting.pk,
        statements[1].pk,
        "fix",
        text="The islands belong to the north.",
    )
    actions.do_moderate(facilitator, fixed)
    shown = map_data.room_map(world.meeting)
    assert row(shown, statements[0])["votes"] == 7
    assert row(shown, statements[1])["text"] == "The islands belong to the north."
    # A statement put to the room later is counted from its first votes.
    late = accepted_statement(world, "A late idea.")
    for user in world.participants[:3]:
        vote(world, user, late, "agree")
    assert row(map_data.room_map(world.meeting), late)["agree"] == 3
    assert caught_up(world.meeting)["groups_current"]


def test_settled_map_and_statement_counts_match_the_database(voted_room):  # noqa: F811
    world, statements = voted_room
    map_data.room_map(world.meeting)
    vote(world, world.participants[2], statements[2], "disagree")
    vote(world, world.participants[3], statements[2], "pass")
    shown = map_data.room_map(world.meeting, settled=True)
    assert shown["groups_current"]
    lone = Statement.objects.get(pk=statements[2].pk)
    assert lone.changes == 3  # one vote each, in the vote's own transaction
    assert row(shown, statements[2])["votes"] == 3


def test_a_room_with_no_statement_yet_is_too_few_votes_yet(room):
    shown = map_data.room_map(room.meeting)
    assert shown["state"] == "too_few_votes" and shown["statements"] == []
    assert "Too few votes yet" in shown["message"]
    first = accepted_statement(room, "The first idea.")
    vote(room, room.participants[0], first, "agree")
    assert row(map_data.room_map(room.meeting), first)["votes"] is None  # one vote: < k
