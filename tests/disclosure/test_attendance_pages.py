"""A confidential attendance list shows no per-status counts to anyone who may not read it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from track2.dialogues.models import Dialogue
from track2.meetings import actions as meeting_actions
from track2.meetings.models import MeetingParticipant

ROLES = ["facilitator", "rapporteur", "participant", "observer", "liaison"]


@pytest.fixture
def answered(world):
    added = meeting_actions.do_add_participants(
        world.users["convener"],
        world.meeting,
        [world.persons["bo"], world.persons["cyra"], world.persons["dane"]],
    )
    meeting_actions.do_set_participant_status(
        world.users["convener"], added[0], MeetingParticipant.Status.DECLINED
    )
    return world


@pytest.mark.parametrize("role", ROLES)
def test_no_counts_on_a_confidential_list(answered, signed_in, role) -> None:
    world = answered
    page = (
        signed_in(world.users[role])
        .get(reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk]))
        .content.decode()
    )
    assert "confidential" in page
    for words in ("declined: 1", "invited: 2", "declined", "invited:"):
        assert words not in page, (role, words)


def test_conveners_see_the_list_and_its_counts(answered, signed_in) -> None:
    page = (
        signed_in(answered.users["convener"])
        .get(reverse("dialogues:meeting", args=[answered.dialogue.pk, answered.meeting.pk]))
        .content.decode()
    )
    assert "invited: 2; declined: 1" in page and "Bo Tarn" in page


def test_an_open_list_shows_counts_to_members_but_not_observers(answered, signed_in) -> None:
    Dialogue.objects.filter(pk=answered.dialogue.pk).update(is_attendance_confidential=False)
    url = reverse("dialogues:meeting", args=[answered.dialogue.pk, answered.meeting.pk])
    assert "declined: 1" in signed_in(answered.users["participant"]).get(url).content.decode()
    observer = signed_in(answered.users["observer"]).get(url).content.decode()
    assert "declined" not in observer and "Bo Tarn" not in observer
