"""A meeting that took place is the dialogue's record: it cannot be cancelled or deleted (page,
API, action); it can be archived, keeping its agenda and attendance and its place in the balance."""

from __future__ import annotations

import pytest
from django.urls import reverse

from track2.dialogues.balance import build_balance
from track2.errors import ActionRefused
from track2.meetings import actions as meeting_actions
from track2.meetings.models import AgendaItem, Meeting, MeetingParticipant

from .test_api import api  # noqa: F401 - the API client fixture


@pytest.fixture
def held(world):
    """Round 1 (past) with an agenda and attendance."""
    meeting_actions.do_add_agenda_item(
        world.users["convener"], world.past_meeting, title="Fisheries", duration_minutes=30
    )
    meeting_actions.do_add_participants(
        world.users["convener"], world.past_meeting, [world.persons["arin"], world.persons["cyra"]]
    )
    for p in world.past_meeting.participants.all():
        meeting_actions.do_set_participant_status(
            world.users["convener"], p, MeetingParticipant.Status.ATTENDED
        )
    return world.past_meeting


def record_of(meeting):
    return (
        Meeting.objects.filter(pk=meeting.pk).count(),
        AgendaItem.objects.filter(meeting=meeting).count(),
        MeetingParticipant.objects.filter(meeting=meeting, status="attended").count(),
    )


def test_the_action_refuses_to_delete_a_held_meeting(world, held):
    with pytest.raises(ActionRefused, match="already taken place.*Archive it instead"):
        meeting_actions.do_delete_meeting(world.users["convener"], held)
    assert record_of(held) == (1, 1, 2)


def test_the_page_refuses_with_a_message_and_keeps_everything(world, held, signed_in):
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:meeting_delete", args=[world.dialogue.pk, held.pk]), follow=True
    )
    assert "already taken place" in response.content.decode()
    assert record_of(held) == (1, 1, 2)


def test_the_api_refuses_with_a_message_and_keeps_everything(world, held, api):  # noqa: F811
    response = api("delete", f"/dialogues/{world.dialogue.pk}/meetings/{held.pk}")
    assert response.status_code == 400 and "already taken place" in response.json()["detail"]
    assert record_of(held) == (1, 1, 2)


def test_a_future_meeting_is_still_cancelled(world, signed_in):
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:meeting_delete", args=[world.dialogue.pk, world.meeting.pk])
    )
    assert response.status_code == 302 and not Meeting.objects.filter(pk=world.meeting.pk).exists()


def test_the_held_meeting_page_offers_archive_not_cancel(world, held, signed_in):
    client = signed_in(world.users["convener"])
    page = client.get(
        reverse("dialogues:meeting", args=[world.dialogue.pk, held.pk])
    ).content.decode()
    assert "Archive meeting" in page and "Cancel meeting" not in page
    upcoming = client.get(
        reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk])
    ).content.decode()
    assert "Cancel meeting" in upcoming and "Archive meeting" not in upcoming


def test_archiving_hides_from_the_list_keeps_the_record_and_the_balance(world, held, signed_in):
    before = build_balance(world.dialogue)
    client = signed_in(world.users["convener"])
    d = world.dialogue.pk
    response = client.post(
        reverse("dialogues:meeting_archive", args=[d, held.pk]), {"archived": "1"}, follow=True
    )
    assert "archived" in response.content.decode()
    held.refresh_from_db()
    assert held.archived_at is not None and record_of(held) == (1, 1, 2)
    listing = client.get(reverse("dialogues:meetings", args=[d])).content.decode()
    meeting_url = reverse("dialogues:meeting", args=[d, held.pk])
    assert meeting_url not in listing and "Show 1 archived meeting" in listing
    everything = client.get(
        reverse("dialogues:meetings", args=[d]) + "?archived=1"
    ).content.decode()
    assert meeting_url in everything and "Hide archived meetings" in everything
    after = build_balance(world.dialogue)
    assert (
        after.held_meetings == before.held_meetings
        and after.continuity_percent == before.continuity_percent
    )
    client.post(reverse("dialogues:meeting_archive", args=[d, held.pk]), {"archived": "0"})
    held.refresh_from_db()
    assert held.archived_at is None


def test_a_future_meeting_cannot_be_archived(world, signed_in, api):  # noqa: F811
    client = signed_in(world.users["convener"])
    response = client.post(
        reverse("dialogues:meeting_archive", args=[world.dialogue.pk, world.meeting.pk]),
        {"archived": "1"},
        follow=True,
    )
    assert "has not taken place yet" in response.content.decode()
    refused = api(
        "patch",
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}",
        json={"is_archived": True},
    )
    assert refused.status_code == 400 and refused.json()["field"] == "is_archived"
    world.meeting.refresh_from_db()
    assert world.meeting.archived_at is None


def test_the_api_archives_a_held_meeting(world, held, api):  # noqa: F811
    response = api(
        "patch", f"/dialogues/{world.dialogue.pk}/meetings/{held.pk}", json={"is_archived": True}
    )
    assert response.status_code == 200 and response.json()["is_archived"] is True
    assert record_of(held) == (1, 1, 2)
    for role in ("facilitator", "participant", "observer"):
        refused = api(
            "patch",
            f"/dialogues/{world.dialogue.pk}/meetings/{held.pk}",
            user=role,
            json={"is_archived": False},
        )
        assert refused.status_code == 404
    held.refresh_from_db()
    assert held.archived_at is not None


def test_bad_input_to_the_archive_form_changes_nothing(world, held, signed_in):
    client = signed_in(world.users["convener"])
    url = reverse("dialogues:meeting_archive", args=[world.dialogue.pk, held.pk])
    for value in ("maybe", "", "1\x00", "\u202e1", "9" * 5000):
        response = client.post(url, {"archived": value}, follow=True)
        assert response.status_code == 200 and "Say whether to archive" in response.content.decode()
    held.refresh_from_db()
    assert held.archived_at is None and record_of(held) == (1, 1, 2)
    assert client.get(url).status_code == 405


def test_archiving_through_the_api_is_recorded_once_as_the_page_records_it(world, held, api):  # noqa: F811
    from track2.audit.models import AuditEntry

    api("patch", f"/dialogues/{world.dialogue.pk}/meetings/{held.pk}", json={"is_archived": True})
    entries = AuditEntry.objects.filter(object_type="meeting", object_id=held.pk).values_list(
        "action", flat=True
    )
    assert sorted(entries) == ["archive", "create"]  # no "update" that changed nothing
