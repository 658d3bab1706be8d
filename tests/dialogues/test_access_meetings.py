"""Each branch of track2.access.meetings, one condition at a time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from track2.access import NotFound
from track2.access.meetings import (
    access_delegation,
    access_meeting,
    access_venue,
    can_see_attendance,
    can_see_roster,
    can_see_venue_address,
    own_roster_delegation_id,
)
from track2.dialogues.models import Dialogue, Membership
from track2.meetings.models import MeetingParticipant


def test_access_meeting(world):
    d, m = world.dialogue.pk, world.meeting.pk
    assert access_meeting(world.users["observer"], d, m) == world.meeting
    assert access_meeting(world.users["convener"], str(d), str(m), need="convener") == world.meeting
    for user, args in (
        (world.users["outsider"], (d, m)),
        (world.users["observer"], (d, "x")),
        (world.users["observer"], (d, 999999)),
        (AnonymousUser(), (d, m)),
        (None, (d, m)),
    ):
        with pytest.raises(NotFound):
            access_meeting(user, *args)
    with pytest.raises(NotFound):
        access_meeting(world.users["participant"], d, m, need="convener")
    other = Dialogue.objects.create(title="Other", institution=world.dialogue.institution)
    Membership.objects.create(dialogue=other, user=world.users["outsider"], role="convener")
    with pytest.raises(NotFound):  # a meeting id of another dialogue
        access_meeting(world.users["outsider"], other.pk, m)


def test_access_venue(world):
    assert access_venue(world.users["convener"], world.dialogue.pk, world.home.pk) == world.home
    with pytest.raises(NotFound):
        access_venue(world.users["facilitator"], world.dialogue.pk, world.home.pk)
    with pytest.raises(NotFound):
        access_venue(world.users["convener"], world.dialogue.pk, "nope")


def test_address_rules(world):
    home, public = world.meeting, world.past_meeting
    assert can_see_venue_address(world.users["observer"], public)  # not restricted: every member
    assert not can_see_venue_address(world.users["outsider"], public)  # not a member
    assert can_see_venue_address(world.users["convener"], home)  # restricted: conveners
    assert not can_see_venue_address(world.users["participant"], home)  # not on the list
    seat = MeetingParticipant.objects.create(
        meeting=home, person=world.persons["arin"], status="invited"
    )
    assert not can_see_venue_address(world.users["participant"], home)  # invited is not confirmed
    for status, allowed in (
        ("confirmed", True),
        ("attended", True),
        ("declined", False),
        ("absent", False),
    ):
        seat.status = status
        seat.save()
        assert can_see_venue_address(world.users["participant"], home) is allowed, status
    world.meeting.venue = None
    assert not can_see_venue_address(world.users["convener"], world.meeting)  # no venue, no address
    world.users["participant"].is_active = False
    assert not can_see_venue_address(world.users["participant"], public)


def test_confidential_venue_that_is_not_a_home(world):
    world.venue.is_confidential = True
    world.venue.save()
    assert not can_see_venue_address(world.users["observer"], world.past_meeting)


def test_attendance_rules(world):
    dialogue = world.dialogue
    assert can_see_attendance(world.users["convener"], dialogue)
    for role in ("facilitator", "rapporteur", "participant", "observer", "liaison", "outsider"):
        assert not can_see_attendance(world.users[role], dialogue), role
    dialogue.is_attendance_confidential = False
    for role in ("facilitator", "rapporteur", "participant", "liaison"):
        assert can_see_attendance(world.users[role], dialogue), role
    assert not can_see_attendance(world.users["observer"], dialogue)
    assert not can_see_attendance(world.users["outsider"], dialogue)


def test_rosters(world):
    assert own_roster_delegation_id(world.users["participant"], world.dialogue) == world.caldera.pk
    assert (
        own_roster_delegation_id(world.users["facilitator"], world.dialogue)
        == world.facilitation.pk
    )
    assert own_roster_delegation_id(world.users["rapporteur"], world.dialogue) is None  # not seated
    assert can_see_roster(world.users["convener"], world.ostrava)
    assert not can_see_roster(world.users["participant"], world.ostrava)
    assert (
        access_delegation(world.users["participant"], world.dialogue.pk, world.caldera.pk)
        == world.caldera
    )
    with pytest.raises(NotFound):
        access_delegation(world.users["participant"], world.dialogue.pk, world.ostrava.pk)
    # a seated person whose only role is observer reads no roster
    Membership.objects.filter(user=world.users["participant"]).update(role="observer")
    assert own_roster_delegation_id(world.users["participant"], world.dialogue) is None
    with pytest.raises(NotFound):
        access_delegation(world.users["participant"], world.dialogue.pk, world.caldera.pk)
