"""What each person reads: their attendance in plain words, and warnings only for those who can act."""

from __future__ import annotations

import pytest
from django.urls import reverse

from track2.dialogues import venue_actions
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant

from .test_api import api  # noqa: F401 - the API client fixture


@pytest.mark.parametrize(
    "status, sentence",
    [
        ("invited", "You are invited to this meeting. Please say whether you will attend."),
        ("confirmed", "You have confirmed that you will attend."),
        ("declined", "You have said that you cannot attend."),
        ("attended", "You attended this meeting."),
        ("absent", "You are recorded as absent from this meeting."),
    ],
)
def test_own_attendance_reads_as_a_sentence(world, signed_in, status, sentence):
    MeetingParticipant.objects.create(
        meeting=world.past_meeting, person=world.persons["arin"], status=status
    )
    page = (
        signed_in(world.users["participant"])
        .get(reverse("dialogues:meeting", args=[world.dialogue.pk, world.past_meeting.pk]))
        .content.decode()
    )
    assert sentence in page
    assert "You are <strong>" not in page


@pytest.fixture
def overrun(world):
    meeting_actions.do_add_agenda_item(
        world.users["convener"], world.meeting, title="Everything", duration_minutes=600
    )
    return world.meeting


@pytest.mark.parametrize(
    "role, sees",
    [
        ("convener", True),
        ("facilitator", True),
        ("rapporteur", False),
        ("participant", False),
        ("observer", False),
        ("liaison", False),
    ],
)
def test_agenda_warnings_only_for_those_who_plan(world, overrun, signed_in, api, role, sees):  # noqa: F811
    page = (
        signed_in(world.users[role])
        .get(reverse("dialogues:meeting", args=[world.dialogue.pk, overrun.pk]))
        .content.decode()
    )
    assert ("shorten items or extend the meeting" in page) is sees, role
    warnings = api(
        "get", f"/dialogues/{world.dialogue.pk}/meetings/{overrun.pk}", user=role
    ).json()["warnings"]
    assert bool(warnings) is sees, (role, warnings)


@pytest.mark.parametrize(
    "role, sees",
    [("convener", True), ("facilitator", False), ("participant", False), ("observer", False)],
)
def test_the_neutrality_warning_only_for_conveners(world, signed_in, api, role, sees):  # noqa: F811
    venue_actions.do_update_venue(
        world.users["convener"], world.home, country="Caldera"
    )  # a party's country
    page = (
        signed_in(world.users[role])
        .get(reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk]))
        .content.decode()
    )
    assert ("Neutrality:" in page) is sees, role
    warnings = api(
        "get", f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}", user=role
    ).json()["warnings"]
    assert any("Caldera" in w for w in warnings) is sees, (role, warnings)
