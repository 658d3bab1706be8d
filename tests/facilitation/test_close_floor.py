"""Closing the floor is for good (audit, finding 2): the console offers it only where it can
happen — not before the meeting starts, not on a floor already closed, not on an ended meeting
whose floor nobody used — asks for confirmation first, and says what was kept. The rule is the
action's: the API refuses the same cases with the same words."""

from __future__ import annotations

import html
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.facilitation.conftest import floor_url
from tests.facilitation.test_floor import _speak
from tests.helpers import sign_in
from track2.dialogues.models import AttributionMode
from track2.facilitation.models import Floor, SpeakingTotal, Turn

CLOSE = "Close the floor (keep only totals the attribution mode allows)"
CONFIRM = 'data-confirm="Close the floor for good?'


def page(world, tail=""):
    return f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/{tail}"


def _schedule(world, *, starts_in: timedelta, hours: int = 3):
    world.meeting.starts_at = timezone.now() + starts_in
    world.meeting.ends_at = world.meeting.starts_at + timedelta(hours=hours)
    world.meeting.save(update_fields=["starts_at", "ends_at"])


def _console(client, world) -> str:
    return html.unescape(client.get(page(world)).content.decode())


def test_a_meeting_not_started_cannot_have_its_floor_closed(world, api, client):
    _schedule(world, starts_in=timedelta(days=30))
    refused = api(world.users["facilitator"])("post", floor_url(world, "/close"))
    assert refused.status_code == 400
    assert "has not started yet" in refused.json()["detail"]
    assert not Floor.objects.filter(closed_at__isnull=False).exists()
    sign_in(client, world.users["facilitator"])
    console = _console(client, world)
    assert CLOSE not in console and "This meeting is over" not in console
    # Sent anyway (an old tab): refused with the reason, and the floor stays open.
    told = client.post(page(world, "close/"), follow=True)
    assert "has not started yet" in html.unescape(told.content.decode())
    assert not Floor.objects.filter(closed_at__isnull=False).exists()
    assert "This meeting is over" not in _console(client, world)
    # The facilitator can still prepare it: the timer's controls are there.
    assert "Call the break" in _console(client, world)


def test_the_button_asks_for_confirmation_and_says_what_is_kept(world, api, client):
    _speak(world, api, world.participants[0], 30)
    sign_in(client, world.users["convener"])
    console = _console(client, world)
    assert CLOSE in console and CONFIRM in console
    assert "only seconds and turns per delegation and per agenda item are kept" in console
    done = client.post(page(world, "close/"), follow=True)
    said = html.unescape(done.content.decode())
    assert "The floor is closed. Who spoke is deleted" in said and "Done." not in said
    assert not Turn.objects.exists() and SpeakingTotal.objects.exists()
    # Closed: no button; the page says so; the action refuses a second close.
    assert CLOSE not in said and "This meeting is over: the floor is closed." in said
    again = client.post(page(world, "close/"), follow=True)
    assert "already closed" in again.content.decode()


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        (AttributionMode.ON_RECORD, "Every turn is kept"),
        (AttributionMode.CLOSED, "Every turn is kept"),
        (AttributionMode.OFF_RECORD, "only seconds and turns per delegation are kept"),
    ],
)
def test_what_closing_keeps_follows_the_attribution_mode(world, client, mode, words):
    world.meeting.attribution_mode = mode
    world.meeting.save(update_fields=["attribution_mode"])
    sign_in(client, world.users["facilitator"])
    assert words in _console(client, world)
    done = client.post(page(world, "close/"), follow=True)
    assert words in html.unescape(done.content.decode())


def test_an_ended_meeting_whose_floor_nobody_used_has_nothing_to_close(world, api, client):
    _schedule(world, starts_in=-timedelta(hours=5), hours=2)
    refused = api(world.users["facilitator"])("post", floor_url(world, "/close"))
    assert refused.status_code == 400 and "nothing to close" in refused.json()["detail"]
    assert not Floor.objects.exists()
    sign_in(client, world.users["facilitator"])
    console = _console(client, world)
    assert CLOSE not in console and "This meeting is over: the floor is closed." in console


def test_an_ended_meeting_with_turns_left_may_still_be_closed_at_once(world, api, client):
    _speak(world, api, world.participants[0], 30)
    world.meeting.ends_at = timezone.now() - timedelta(minutes=1)
    world.meeting.save(update_fields=["ends_at"])
    sign_in(client, world.users["facilitator"])
    console = _console(client, world)
    assert CLOSE in console and "the floor is closed." not in console
    assert "it closes by itself at the next housekeeping" in console
    client.post(page(world, "close/"))
    assert not Turn.objects.exists() and Floor.objects.get().closed_at is not None


@pytest.mark.parametrize("role", ["rapporteur", "participant", "liaison"])
def test_nobody_else_is_offered_the_button(world, client, role):
    sign_in(client, world.users[role])
    assert CLOSE not in _console(client, world)
