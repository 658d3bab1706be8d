"""Rules enforced by the actions, whoever calls them."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from track2.access.venues import venues_of
from track2.dialogues import actions, role_actions, venue_actions
from track2.dialogues.models import Dialogue, Membership
from track2.errors import ActionRefused
from track2.meetings import actions as meeting_actions
from track2.meetings.models import AgendaItem
from track2.people.models import Candidacy, Sector

from .conftest import make_person


def refused(call, *args, **kwargs) -> ActionRefused:
    with pytest.raises(ActionRefused) as caught:
        call(*args, **kwargs)
    return caught.value


def test_track_2_refuses_official_by_account_role(world, make_user):
    Dialogue.objects.filter(pk=world.dialogue.pk).update(track="track1_5")
    world.dialogue.refresh_from_db()
    official_user = make_user("official@example.org")
    make_person(world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL, user=official_user)
    Membership.objects.create(dialogue=world.dialogue, user=official_user, role="observer")
    refusal = refused(
        actions.do_update_dialogue, world.users["convener"], world.dialogue, track="track2"
    )
    assert refusal.field == "track" and "Sera Official" in refusal.message


def test_withdrawn_official_does_not_block_track_2(world):
    Dialogue.objects.filter(pk=world.dialogue.pk).update(track="track1_5")
    official = make_person(world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL)
    Candidacy.objects.filter(person=official).update(status="withdrawn")
    dialogue = actions.do_update_dialogue(world.users["convener"], world.dialogue, track="track2")
    assert dialogue.track == "track2"


def test_role_for_official_refused_in_track_2(world, make_user):
    user = make_user("official@example.org")
    make_person(world.dialogue, "Sera Official", sector=Sector.SERVING_OFFICIAL, user=user)
    _offer, link = role_actions.do_invite_to_role(
        world.users["convener"],
        world.dialogue,
        email=user.email,
        role="participant",
        base_url="https://track2.example",
    )
    refusal = refused(role_actions.do_accept_role, link.rstrip("/").rsplit("/", 1)[-1], user)
    assert "serving official" in refusal.message
    assert not Membership.objects.filter(user=user).exists()


def test_duplicate_role_refused(world):
    refusal = refused(
        role_actions.do_invite_to_role,
        world.users["convener"],
        world.dialogue,
        email=world.users["observer"].email.upper(),
        role="observer",
        base_url="https://track2.example",
    )
    assert "already" in refusal.message


def test_unseat_frees_the_person_for_another_delegation(world):
    seat = world.caldera.members.get(person=world.persons["bo"])
    actions.do_unseat(world.users["convener"], seat)
    actions.do_seat_in_delegation(world.users["convener"], world.ostrava, world.persons["bo"])
    assert world.ostrava.members.filter(person=world.persons["bo"]).exists()


def test_meeting_naive_times_are_read_in_the_meeting_zone(world):
    meeting = meeting_actions.do_create_meeting(
        world.users["convener"],
        world.dialogue,
        title="R",
        time_zone="America/New_York",
        starts_at=datetime(2031, 7, 1, 9, 0),
        ends_at=datetime(2031, 7, 1, 10, 30),
    )
    assert meeting.starts_at.astimezone(timezone.get_fixed_timezone(0)).hour == 13  # EDT = UTC-4
    assert meeting.attribution_mode == "chatham_house"


def test_meeting_update_refuses_end_before_start_and_keeps_the_row(world):
    before = (world.meeting.starts_at, world.meeting.ends_at)
    refusal = refused(
        meeting_actions.do_update_meeting,
        world.users["convener"],
        world.meeting,
        ends_at=world.meeting.starts_at - timedelta(minutes=1),
    )
    assert refusal.field == "ends_at"
    world.meeting.refresh_from_db()
    assert (world.meeting.starts_at, world.meeting.ends_at) == before


def test_venue_of_another_dialogue_refused_even_to_a_convener_of_both(world):
    other = actions.do_create_dialogue(world.users["convener"], title="Other series")
    foreign = venue_actions.do_create_venue(
        world.users["convener"],
        other,
        name="Elsewhere",
        kind="private_home",
        country="X",
        address="1 Hidden Road",
    )
    assert foreign not in venues_of(world.dialogue)
    assert set(venues_of(world.dialogue)) == {world.venue, world.home}
    refusal = refused(
        meeting_actions.do_create_meeting,
        world.users["convener"],
        world.dialogue,
        title="R",
        time_zone="UTC",
        venue=foreign,
        starts_at=timezone.now() + timedelta(days=1),
        ends_at=timezone.now() + timedelta(days=1, hours=1),
    )
    assert refusal.field == "venue"


def test_agenda_positions_survive_delete_and_moves(world):
    convener = world.users["convener"]
    items = [
        meeting_actions.do_add_agenda_item(convener, world.meeting, title=t, duration_minutes=10)
        for t in ("A", "B", "C", "D")
    ]
    meeting_actions.do_delete_agenda_item(convener, items[1])
    meeting_actions.do_move_agenda_item(convener, items[3], "up")
    meeting_actions.do_move_agenda_item(convener, items[3], "up")
    assert list(
        AgendaItem.objects.filter(meeting=world.meeting).values_list("title", flat=True)
    ) == ["D", "A", "C"]
    last = meeting_actions.do_add_agenda_item(
        convener, world.meeting, title="E", duration_minutes=10
    )
    assert last.position > max(
        AgendaItem.objects.exclude(pk=last.pk).values_list("position", flat=True)
    )
    assert (
        refused(meeting_actions.do_move_agenda_item, convener, items[0], "sideways").field
        == "direction"
    )


def test_agenda_lead_must_belong_to_the_dialogue(world):
    outsider = make_person(
        Dialogue.objects.create(title="Other", institution=world.dialogue.institution),
        "Olga Outside",
    )
    refusal = refused(
        meeting_actions.do_add_agenda_item,
        world.users["convener"],
        world.meeting,
        title="X",
        duration_minutes=10,
        lead=outsider,
    )
    assert refusal.field == "lead"


def test_capacity_counts_invited_confirmed_and_attended(world):
    convener = world.users["convener"]
    seats = meeting_actions.do_add_participants(
        convener, world.past_meeting, [world.persons[k] for k in ("arin", "bo", "cyra")]
    )
    meeting_actions.do_set_participant_status(convener, seats[0], "attended")
    meeting_actions.do_add_participants(convener, world.past_meeting, [world.persons["dane"]])
    refusal = refused(
        meeting_actions.do_add_participants, convener, world.past_meeting, [world.persons["tomas"]]
    )
    assert "holds 4 people" in refusal.message
    meeting_actions.do_set_participant_status(convener, seats[1], "absent")
    meeting_actions.do_add_participants(convener, world.past_meeting, [world.persons["tomas"]])


def test_venue_without_capacity_has_no_limit(world):
    room = venue_actions.do_create_venue(
        world.users["convener"], world.dialogue, name="Video room", kind="virtual"
    )
    meeting_actions.do_update_meeting(world.users["convener"], world.meeting, venue=room)
    everyone = [world.persons[k] for k in ("arin", "bo", "cyra", "dane", "tomas")]
    assert (
        len(meeting_actions.do_add_participants(world.users["convener"], world.meeting, everyone))
        == 5
    )
