"""After a meeting ends (issue 11: "names only inside the live meeting … only the per-delegation
totals are kept afterwards"): names leave the queue at once, and `track2 housekeeping` closes a
floor nobody closed, keeping only what the attribution mode allows."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.facilitation.conftest import floor_url
from tests.facilitation.test_floor import _speak
from tests.helpers import sign_in
from track2.audit.models import AuditEntry
from track2.dialogues.models import AttributionMode
from track2.facilitation.models import Floor, Hand, ItemInterval, SpeakingTotal, Turn
from track2.operations import housekeeping


def _end(world, minutes_ago=5):
    world.meeting.ends_at = timezone.now() - timedelta(minutes=minutes_ago)
    world.meeting.save(update_fields=["ends_at"])


def _mode(world, mode):
    world.meeting.attribution_mode = mode
    world.meeting.save(update_fields=["attribution_mode"])


def _queue_as(world, api, user):
    response = api(user)("get", floor_url(world))
    assert response.status_code == 200
    return response.json()["queue"]


@pytest.mark.parametrize(
    "mode,sides_after",
    [
        (AttributionMode.CHATHAM_HOUSE, True),
        (AttributionMode.OFF_RECORD, False),
    ],
)
def test_names_leave_the_queue_when_the_meeting_ends(world, api, client, mode, sides_after):
    _mode(world, mode)
    api(world.participants[5])("post", floor_url(world, "/hand"), {})
    for who in (world.users["facilitator"], world.participants[0]):
        (hand,) = _queue_as(world, api, who)
        assert hand["name"] == "Person 05" and hand["delegation"] == "South"
    _end(world)
    for who in (world.users["facilitator"], world.users["convener"], world.participants[0]):
        (hand,) = _queue_as(world, api, who)
        assert hand["name"] is None, who
        assert (hand["delegation"] == "South") == sides_after, who
    client.logout()
    sign_in(client, world.users["facilitator"])
    text = client.get(
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/"
    ).content.decode()
    assert "Person 05" not in text and "a participant" in text


def test_on_the_record_names_stay_after_the_end(world, api):
    _mode(world, AttributionMode.ON_RECORD)
    api(world.participants[5])("post", floor_url(world, "/hand"), {})
    _end(world)
    (hand,) = _queue_as(world, api, world.participants[0])
    assert hand["name"] == "Person 05"


def test_housekeeping_closes_the_floor_of_an_ended_meeting(world, api):
    fac = api(world.users["facilitator"])
    fac("post", floor_url(world, "/timer"), {"action": "start"})
    _speak(world, api, world.participants[0], 120)
    api(world.participants[5])("post", floor_url(world, "/hand"), {})
    hand = Hand.objects.get(person__user=world.participants[5])
    fac("post", floor_url(world, "/give"), {"hand_id": hand.pk})  # still speaking at the end
    api(world.participants[2])("post", floor_url(world, "/hand"), {})
    # The meeting ended 10 minutes after that turn began; housekeeping runs an hour later.
    running = Turn.objects.get(ended_at__isnull=True)
    ended_at = running.started_at + timedelta(minutes=10)
    world.meeting.ends_at = ended_at
    world.meeting.save(update_fields=["ends_at"])
    now = ended_at + timedelta(hours=1)
    done = housekeeping.run(now)
    assert done.floors_closed == 1
    floor = Floor.objects.get(meeting=world.meeting)
    assert floor.closed_at == ended_at
    assert not Turn.objects.exists() and not Hand.objects.exists()
    assert not ItemInterval.objects.filter(ended_at__isnull=True).exists()
    kept = {
        (t.delegation.name, t.agenda_item.title if t.agenda_item else None): (t.seconds, t.turns)
        for t in SpeakingTotal.objects.select_related("delegation", "agenda_item")
    }
    # South's running turn counts up to the meeting's end, not to when housekeeping ran.
    assert kept == {("North", "Fisheries"): (120, 1), ("South", "Fisheries"): (600, 1)}
    entry = AuditEntry.objects.get(object_type="floor", action="close")
    assert entry.actor_name == "system" and entry.actor_id is None
    assert housekeeping.run(now).floors_closed == 0  # a second run changes nothing


def test_housekeeping_leaves_live_floors_and_keeps_turns_on_the_record(world, api):
    _speak(world, api, world.participants[0], 30)  # a live meeting: untouched
    assert housekeeping.run(timezone.now()).floors_closed == 0
    assert Floor.objects.get(meeting=world.meeting).closed_at is None
    assert Turn.objects.count() == 1
    _mode(world, AttributionMode.ON_RECORD)
    _end(world)
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert "Closed the floor of 1 meeting(s) that ended with it open." in out.getvalue()
    assert Turn.objects.count() == 1 and not SpeakingTotal.objects.exists()


def test_an_archived_meetings_floor_is_closed_off_the_record(world, api):
    _mode(world, AttributionMode.OFF_RECORD)
    _speak(world, api, world.participants[0], 30)
    world.meeting.archived_at = timezone.now()
    world.meeting.save(update_fields=["archived_at"])
    assert housekeeping.run(timezone.now()).floors_closed == 1
    assert sorted(
        SpeakingTotal.objects.values_list("delegation__name", "agenda_item", "seconds", "turns")
    ) == [("North", None, 30, 1), ("South", None, 0, 0)]
