"""The demo shows the room: a session in progress with both sides voting, statements pending and
held, a map with common ground and a divisive statement, and a Track 3 consultation."""

from __future__ import annotations

from collections import Counter

from tests.template_db import demo_in_database
from track2.deliberation import map_data
from track2.deliberation.models import Room, Statement, Vote
from track2.meetings.models import Meeting


def test_demo_room_and_consultation(db):
    logins = {login.email for login in demo_in_database()}
    session = Meeting.objects.get(title__startswith="Working session")
    assert session.has_started and Room.objects.get(meeting=session).is_open
    statuses = Counter(Statement.objects.filter(meeting=session).values_list("status", flat=True))
    assert 20 <= sum(statuses.values()) <= 30
    assert statuses["pending"] >= 2 and statuses["held"] == 1
    # One is written in Arabic: the moderation page shows it right to left (tests/site/test_bidi.py).
    assert Statement.objects.filter(
        meeting=session, status="pending", text__contains="خفر"
    ).exists()
    shown = map_data.room_map(session)
    assert len(shown["sides"]) == 2
    assert shown["voters"] >= 11
    assert shown["common_ground"] and shown["divisive"]
    # Its groups are ones the votes show: no caution on the demo's map.
    assert shown["groups_beat_one_group"] is True
    # Both sides' logins are in the demo and have not voted: a visitor votes and sees the map move.
    assert {"participant@demo.track2.invalid", "participant.ostrava@demo.track2.invalid"} <= logins
    consultation = Meeting.objects.get(title__startswith="Track 3 consultation")
    assert Room.objects.get(meeting=consultation).is_consultation
    voters = Vote.objects.filter(meeting=consultation).values("pseudonym").distinct().count()
    assert voters > 1000
    assert map_data.room_map(consultation)["groups_beat_one_group"] is True


def test_the_demo_map_says_what_sets_its_groups_apart(db):
    demo_in_database()
    session = Meeting.objects.get(title__startswith="Working session")
    shown = map_data.room_map(session)
    shown_groups = [g for g in shown["groups"] if g["size"]]
    assert len(shown_groups) >= 2
    # every group the room may see lists at least one statement, with its figures
    for group in shown_groups:
        assert group["representative"], group
        assert all(r["votes"] >= shown["k"] for r in group["representative"])
    # which delegations make up each group (no counts)
    crossed = shown["groups_by_delegation"]
    assert len(crossed["rows"]) == len(shown["groups"])
    assert all(row["delegations"] for row in crossed["rows"])
    # the consultation's groups of mostly passing voters have no majority answer to list
    consultation = Meeting.objects.get(title__startswith="Track 3 consultation")
    listing = [g for g in map_data.room_map(consultation)["groups"] if g["representative"]]
    assert len(listing) >= 2
