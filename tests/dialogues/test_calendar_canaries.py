"""The canary scan for calendar files (audit of accounts, finding 3): a private home's or a
confidential venue's address, and a virtual room's joining details, are planted as canaries; the
private feed and every meeting's .ics download, for every role (conveners and people confirmed
for each meeting included), must never carry one. Calendar services keep what they fetch."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.helpers import PASSWORD
from track2.dialogues import venue_actions
from track2.dialogues.models import Venue
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant

from .conftest import ROLES

CANARIES = ("canaryaddr", "canaryroom", "zqxgate")
EVERYONE = [*ROLES, "outsider", "member_elsewhere", "foreign_convener", "site_admin"]


def unfolded(response) -> str:
    return response.content.decode().replace("\r\n ", "").lower()


def _plant(world) -> list:
    convener = world.users["convener"]
    Venue.objects.filter(pk=world.home.pk).update(address="Canaryaddr01 Hidden Lane, zqxgate")
    venues = [
        world.home,
        venue_actions.do_create_venue(
            convener,
            world.dialogue,
            name="Quiet hotel",
            kind="conference_centre",
            city="Lindau",
            country="Norland",
            address="Canaryaddr02 Harbour Road",
            is_confidential=True,
        ),
        venue_actions.do_create_venue(
            convener,
            world.dialogue,
            name="Secure video room",
            kind="virtual",
            country="Norland",
            address="https://meet.example.org/canaryroom03 (passcode 9911)",
            is_confidential=True,
        ),
        # Not marked confidential: its link still lets anyone in.
        venue_actions.do_create_venue(
            convener,
            world.dialogue,
            name="Open video room",
            kind="virtual",
            country="Norland",
            address="https://meet.example.org/canaryroom04",
        ),
    ]
    meetings = [world.meeting]
    start = timezone.now() + timedelta(days=40)
    for i, venue in enumerate(venues[1:], start=3):
        meetings.append(
            meeting_actions.do_create_meeting(
                convener,
                world.dialogue,
                title=f"Round {i}",
                venue=venue,
                starts_at=start + timedelta(days=i),
                ends_at=start + timedelta(days=i, hours=2),
                time_zone="UTC",
            )
        )
    # The strongest case: the participant and the facilitator are confirmed for every meeting,
    # so the page shows them every address.
    for meeting in meetings:
        for person in ("arin", "tomas"):
            MeetingParticipant.objects.create(
                meeting=meeting, person=world.persons[person], status="confirmed"
            )
    return meetings


def test_no_confidential_address_in_any_calendar_file_for_any_role(world, client, signed_in):
    meetings = _plant(world)
    # The scan can fail: the canaries are real, and shown on the page to those confirmed.
    page = signed_in(world.users["participant"]).get(
        reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk])
    )
    assert "Canaryaddr01" in page.content.decode()
    for role in EVERYONE:
        user = world.users[role]
        token = meeting_actions.do_issue_calendar_token(user, PASSWORD, "127.0.0.1")
        client.logout()
        feed = client.get(f"/calendar/{token}.ics")
        assert feed.status_code == 200, role
        text = unfolded(feed)
        for canary in CANARIES:
            assert canary not in text, (canary, "feed", role)
        if role in ("convener", "participant", "facilitator"):
            # They may see each address: the feed says where it is instead, for all four.
            assert text.count("address on the meeting page") == 4, role
            assert "1 quai du lac" in text, role  # a public venue's address stays
        downloader = signed_in(user)
        for meeting in meetings:
            url = reverse("dialogues:meeting_ics", args=[world.dialogue.pk, meeting.pk])
            response = downloader.get(url)
            assert response.status_code in (200, 404), (role, response.status_code)
            for canary in CANARIES:
                assert canary not in unfolded(response), (canary, meeting.title, role)
