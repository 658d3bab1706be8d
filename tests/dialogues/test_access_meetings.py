"""Each branch of the meeting, venue and roster rules in track2.access, one condition at a time."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from track2.access import NotFound, dialogue_access
from track2.access import delegations as delegation_access
from track2.access.meetings import access_meeting, own_meeting_seat, shows_venue_address
from track2.access.venues import access_venue
from track2.dialogues.models import Dialogue, Membership
from track2.meetings.models import MeetingParticipant


def sees_address(user, meeting) -> bool:
    return shows_venue_address(
        dialogue_access(user, meeting.dialogue), meeting, own_meeting_seat(user, meeting)
    )


def test_access_meeting(world):
    d, m = world.dialogue.pk, world.meeting.pk
    assert access_meeting(world.users["observer"], d, m).meeting == world.meeting
    found = access_meeting(world.users["convener"], str(d), str(m), need="convener")
    assert (found.meeting, found.dialogue) == (world.meeting, world.dialogue)
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
    ctx, venue = access_venue(world.users["convener"], world.dialogue.pk, world.home.pk)
    assert (ctx.dialogue, venue) == (world.dialogue, world.home)
    with pytest.raises(NotFound):
        access_venue(world.users["facilitator"], world.dialogue.pk, world.home.pk)
    with pytest.raises(NotFound):
        access_venue(world.users["convener"], world.dialogue.pk, "nope")


def test_address_rules(world):
    home, public = world.meeting, world.past_meeting
    assert sees_address(world.users["observer"], public)  # not restricted: every member
    assert not sees_address(world.users["outsider"], public)  # not a member
    assert sees_address(world.users["convener"], home)  # restricted: conveners
    assert not sees_address(world.users["participant"], home)  # not on the list
    seat = MeetingParticipant.objects.create(
        meeting=home, person=world.persons["arin"], status="invited"
    )
    assert not sees_address(world.users["participant"], home)  # invited is not confirmed
    for status, allowed in (
        ("confirmed", True),
        ("attended", True),
        ("declined", False),
        ("absent", False),
    ):
        seat.status = status
        seat.save()
        assert sees_address(world.users["participant"], home) is allowed, status
        ctx = access_meeting(world.users["participant"], world.dialogue.pk, home.pk)
        assert ctx.shows_venue_address is allowed, status  # the page's and the API's question
    world.meeting.venue = None
    assert not sees_address(world.users["convener"], world.meeting)  # no venue, no address
    world.users["participant"].is_active = False
    assert not sees_address(world.users["participant"], public)


def test_confidential_venue_that_is_not_a_home(world):
    world.venue.is_confidential = True
    world.venue.save()
    assert not sees_address(world.users["observer"], world.past_meeting)


def test_attendance_rules(world):
    dialogue = world.dialogue
    assert dialogue_access(world.users["convener"], dialogue).sees_attendance
    for role in ("facilitator", "rapporteur", "participant", "observer", "liaison", "outsider"):
        assert not dialogue_access(world.users[role], dialogue).sees_attendance, role
    dialogue.is_attendance_confidential = False
    for role in ("facilitator", "rapporteur", "participant", "liaison"):
        assert dialogue_access(world.users[role], dialogue).sees_attendance, role
    assert not dialogue_access(world.users["observer"], dialogue).sees_attendance
    assert not dialogue_access(world.users["outsider"], dialogue).sees_attendance


def test_rosters(world):
    def ctx(role):
        return dialogue_access(world.users[role], world.dialogue)

    assert ctx("participant").own_roster_delegation_id == world.caldera.pk
    assert ctx("facilitator").own_roster_delegation_id == world.facilitation.pk
    assert ctx("rapporteur").own_roster_delegation_id is None  # not seated
    assert ctx("convener").sees_roster(world.ostrava)
    assert not ctx("participant").sees_roster(world.ostrava)
    _ctx, found = delegation_access.roster(
        world.users["participant"], world.dialogue.pk, world.caldera.pk
    )
    assert found == world.caldera
    with pytest.raises(NotFound):
        delegation_access.roster(world.users["participant"], world.dialogue.pk, world.ostrava.pk)
    # a seated person whose only role is observer reads no roster
    Membership.objects.filter(user=world.users["participant"]).update(role="observer")
    assert ctx("participant").own_roster_delegation_id is None
    with pytest.raises(NotFound):
        delegation_access.roster(world.users["participant"], world.dialogue.pk, world.caldera.pk)
