"""Who is present, on the console (issue 11: "who is present (conveners and facilitators only,
when attendance is confidential)"), through the API and the page alike: the floor's runners see
it whatever the list's confidentiality; nobody else reads names there (the queue's rule holds)."""

from __future__ import annotations

import pytest

from tests.facilitation.conftest import floor_url
from tests.facilitation.test_access_matrix import OUTSIDE, ROLES
from tests.helpers import sign_in
from track2.meetings.models import MeetingParticipant

RUNNERS = ("facilitator", "convener")


@pytest.mark.parametrize("confidential", [False, True])
@pytest.mark.parametrize("role", ROLES)
def test_who_sees_who_is_present(world, api, client, role, confidential):
    world.dialogue.is_attendance_confidential = confidential
    world.dialogue.save(update_fields=["is_attendance_confidential"])
    declined = world.persons[world.participants[7].pk]
    MeetingParticipant.objects.filter(meeting=world.meeting, person=declined).update(
        status=MeetingParticipant.Status.DECLINED
    )
    user = world.users[role]
    answer = api(user)("get", floor_url(world))
    sign_in(client, user)
    page = client.get(
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/"
    ).content.decode()
    if role in OUTSIDE or role == "observer":
        assert answer.status_code == 404
        return
    present = answer.json()["present"]
    if role in RUNNERS:
        assert [p["name"] for p in present] == [f"Person {i:02d}" for i in range(7)], role
        assert {p["delegation"] for p in present} == {"North", "South"}
        assert "Present (7)" in page and "Person 06 (South)" in page
        assert "Person 07" not in page  # declined: not present
    else:
        assert present is None, role
        assert "Present (" not in page, role


def test_nobody_is_listed_once_the_meeting_is_over(world, api):
    from datetime import timedelta

    from django.utils import timezone

    fac = api(world.users["facilitator"])
    assert len(fac("get", floor_url(world)).json()["present"]) == 8
    world.meeting.ends_at = timezone.now() - timedelta(minutes=1)
    world.meeting.save(update_fields=["ends_at"])
    assert fac("get", floor_url(world)).json()["present"] is None


def test_before_the_meeting_starts_nobody_is_called_present(world, api, client):
    """Audit, finding 10: a future meeting's console listed "Present (15)" though nobody was
    there yet; and the console says who sees the list (the meeting's page to participants says
    only conveners see attendance)."""
    from datetime import timedelta

    from django.utils import timezone

    page = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/"
    sign_in(client, world.users["facilitator"])
    live = client.get(page).content.decode()
    assert "Present (8)" in live
    assert "shown to the dialogue's facilitators and conveners on this console" in live
    world.meeting.starts_at = timezone.now() + timedelta(days=3)
    world.meeting.ends_at = world.meeting.starts_at + timedelta(hours=3)
    world.meeting.save(update_fields=["starts_at", "ends_at"])
    ahead = client.get(page).content.decode()
    assert "Present (" not in ahead and "Confirmed to attend (8)" in ahead
    assert "The meeting has not started" in ahead
    facts = api(world.users["facilitator"])("get", floor_url(world)).json()
    assert facts["has_started"] is False and len(facts["present"]) == 8
    MeetingParticipant.objects.filter(meeting=world.meeting).update(
        status=MeetingParticipant.Status.INVITED
    )
    assert "Nobody has confirmed yet." in client.get(page).content.decode()
