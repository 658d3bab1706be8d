"""Choosing a room's groups again beside its fits: the regroup worker runs the cold choice while
the fit worker goes on continuing the map vote by vote, and the next fit takes the regroup up,
caught up with every vote since (issue 15, item 6: the map within a second of each vote)."""

from __future__ import annotations

import threading
import time

import pytest

from tests.deliberation.test_map import accepted_statement, vote, voted_room  # noqa: F401
from tests.deliberation.test_map_keeper import CATCH_UP_SECONDS, engine_calls  # noqa: F401
from track2.commonground import live
from track2.deliberation import map_data


def _fit(meeting):  # type: ignore[no-untyped-def]
    return map_data._rooms[meeting.pk].fit.analysis


def _until(condition, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + CATCH_UP_SECONDS
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {CATCH_UP_SECONDS} s: {what}")
        time.sleep(0.02)


def _open_late(world):  # type: ignore[no-untyped-def]
    """A statement put to the room before its first fit, not voted on yet (a statement put
    later makes the room read itself whole and fit cold)."""
    return accepted_statement(world, "Shared patrols in the strait.")


def _grow_by_half(world, statements, late) -> None:  # type: ignore[no-untyped-def]
    """Nine votes more than the room's 17: the votes have grown by half since the first fit."""
    for i, user in enumerate(world.participants):
        vote(world, user, late, "agree" if i < 4 else "disagree")
    vote(world, world.participants[5], statements[2], "disagree")


def test_a_room_grown_by_half_chooses_its_groups_again_on_the_regroup_worker(
    voted_room,  # noqa: F811
    engine_calls,  # noqa: F811
):
    world, statements = voted_room
    late = _open_late(world)
    first = map_data.room_map(world.meeting)
    assert first["state"] == "groups"
    start = _fit(world.meeting)
    assert start.grouped_at_votes == 17
    _grow_by_half(world, statements, late)
    map_data.room_map(world.meeting)  # the read that sees the votes asks for a fit
    _until(
        lambda: (
            _fit(world.meeting).grouped_at_votes > 17
            and map_data.room_map(world.meeting)["groups_current"]
        ),
        "the groups chosen again and taken up",
    )
    chosen = _fit(world.meeting)
    # The cold choice ran on the regroup worker; the fit worker only ever continued the fit.
    me = threading.current_thread().name
    assert "track2-map-regroups" in engine_calls
    assert engine_calls.count(me) == 1  # the first fit, on the reading thread
    assert chosen.grouped_at_votes == chosen.matrix.n_votes == 26
    assert not chosen.regroup_due


def test_the_map_keeps_refreshing_while_a_regroup_runs(voted_room, monkeypatch):  # noqa: F811
    world, statements = voted_room
    map_data.forget()
    started, release = threading.Event(), threading.Event()
    real = live.regroup

    def held(analysis, **kwargs):  # type: ignore[no-untyped-def]
        started.set()
        assert release.wait(CATCH_UP_SECONDS), "the test never released the regroup"
        return real(analysis, **kwargs)  # the real engine runs, only later

    monkeypatch.setattr(map_data.live, "regroup", held)
    late = _open_late(world)
    map_data.room_map(world.meeting)
    _grow_by_half(world, statements, late)
    map_data.room_map(world.meeting)
    assert started.wait(CATCH_UP_SECONDS), "no regroup was started"
    snapshot_votes = map_data._rooms[world.meeting.pk].fit.analysis.matrix.n_votes
    try:
        # While the cold choice is held, votes still reach the groups' fit.
        vote(world, world.participants[6], statements[2], "agree")
        vote(world, world.participants[7], statements[2], "pass")
        _until(
            lambda: (
                map_data.room_map(world.meeting)["groups_current"]
                and _fit(world.meeting).matrix.n_votes == snapshot_votes + 2
            ),
            "the fit continued past the held regroup",
        )
        state = map_data._rooms[world.meeting.pk]
        assert state.regrouping and _fit(world.meeting).grouped_at_votes == 17
    finally:
        release.set()
    _until(
        lambda: _fit(world.meeting).grouped_at_votes == snapshot_votes,
        "the regroup taken up",
    )
    caught = _fit(world.meeting)
    # The regroup of the earlier votes, caught up with the two votes cast while it ran.
    assert caught.matrix.n_votes == snapshot_votes + 2
    column = caught.matrix.statement_index[statements[2].pk]
    assert int(caught.matrix.statement_counts["seen"][column]) == 4
    assert map_data.room_map(world.meeting)["groups_current"]


@pytest.mark.parametrize("grouped_later", [False, True])
def test_a_regroup_that_no_longer_continues_the_fit_is_dropped(
    voted_room,  # noqa: F811
    grouped_later: bool,
):
    world, statements = voted_room
    map_data.forget()
    late = _open_late(world)
    map_data.room_map(world.meeting)
    start = _fit(world.meeting)
    _grow_by_half(world, statements, late)
    map_data.room_map(world.meeting)
    _until(lambda: _fit(world.meeting).grouped_at_votes == 26, "the first regroup")
    regrouped = _fit(world.meeting)
    if grouped_later:
        # the fit chose its groups afresh on as many votes since: the regroup gives way
        newer = live.regroup(regrouped)
        assert map_data._caught_up(regrouped, newer) is newer
    else:
        # votes that do not continue the regroup's (the room was read anew): the fit goes on
        # from its own analysis
        read_anew = live.live_analysis(start.matrix, conversation=start.conversation)
        assert read_anew.grouped_at_votes < regrouped.grouped_at_votes
        assert map_data._caught_up(regrouped, read_anew) is read_anew
