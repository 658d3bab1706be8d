"""The console's typed entries and what each act says (audit, findings 8 and 9): a refused caucus
break or turn limit comes back (400) with the value as typed and the problem beside its field,
not at the top of a long page with the field emptied; every act says what it did, naming only
whom the viewer may see; times read as the running clocks write them (m:ss) from the first
rendering; the floor links back to its meeting."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.facilitation.page_fields import errors_at, page_of
from tests.helpers import sign_in
from track2.access.facilitation import access_floor
from track2.dialogues.models import AttributionMode
from track2.facilitation import queries
from track2.facilitation.models import Floor, Hand, ItemInterval, Turn

ESC = "\x1b"


def page(world, tail=""):
    return f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/{tail}"


def _said(response) -> str:
    return html.unescape(response.content.decode())


BAD_BREAKS = [
    ("500", "A caucus break lasts 1 to 120 minutes; 0 ends it."),
    ("-5", "A caucus break lasts 1 to 120 minutes"),
    ("abc", "A caucus break lasts 1 to 120 minutes"),
    ("", "A caucus break lasts 1 to 120 minutes"),
    ("9" * 40, "A caucus break lasts 1 to 120 minutes"),
    (f"1{ESC}0", "A caucus break lasts 1 to 120 minutes"),
    ("1\x00", "A caucus break lasts 1 to 120 minutes"),
    ("7" * 5000, "A caucus break lasts 1 to 120 minutes"),
]


@pytest.mark.parametrize(("typed", "words"), BAD_BREAKS)
def test_a_refused_caucus_break_keeps_the_value_beside_its_problem(world, client, typed, words):
    sign_in(client, world.users["facilitator"])
    response = client.post(page(world, "caucus-break/"), {"minutes": typed})
    assert response.status_code == 400
    form = page_of(response)
    assert form.controls["minutes"].value == typed
    assert words in errors_at(form, "minutes")
    assert not form.controls["seconds"].is_invalid  # the other entry is untouched
    # Shown at the action's address (POST only): the live region re-reads the console itself.
    assert f'data-live-fragment="{page(world)}"' in response.content.decode()
    assert not Floor.objects.filter(caucus_break_until__isnull=False).exists()


BAD_LIMITS = [
    ("5", "A turn limit runs from 10 to 3600 seconds"),
    ("-5", "A turn limit runs from 10 to 3600 seconds"),
    ("0", "A turn limit runs from 10 to 3600 seconds"),
    ("3601", "A turn limit runs from 10 to 3600 seconds"),
    ("9" * 40, "A turn limit runs from 10 to 3600 seconds"),
    ("abc", "Give the limit as a whole number of seconds, or none."),
    ("1.5", "Give the limit as a whole number of seconds, or none."),
    (f"12{ESC}", "Give the limit as a whole number of seconds, or none."),
    ("x" * 5000, "Give the limit as a whole number of seconds, or none."),
]


@pytest.mark.parametrize(("typed", "words"), BAD_LIMITS)
def test_a_refused_turn_limit_keeps_the_value_beside_its_problem(world, client, typed, words):
    Floor.objects.create(meeting=world.meeting, turn_limit_seconds=90)
    sign_in(client, world.users["facilitator"])
    response = client.post(page(world, "turn-limit/"), {"seconds": typed})
    assert response.status_code == 400
    form = page_of(response)
    assert form.controls["seconds"].value == typed
    assert words in errors_at(form, "seconds")
    assert Floor.objects.get().turn_limit_seconds == 90


def test_good_entries_are_saved_and_said(world, client):
    sign_in(client, world.users["facilitator"])
    said = _said(client.post(page(world, "turn-limit/"), {"seconds": " 120 "}, follow=True))
    assert "The turn limit is now 120 seconds." in said
    assert page_of(client.get(page(world))).controls["seconds"].value == "120"
    said = _said(client.post(page(world, "turn-limit/"), {"seconds": ""}, follow=True))
    assert "No turn limit now." in said and Floor.objects.get().turn_limit_seconds is None
    said = _said(client.post(page(world, "caucus-break/"), {"minutes": "10"}, follow=True))
    assert "A caucus break of 10 minutes is called" in said
    words = " ".join(re.sub(r"<[^>]+>", "", said).split())
    assert "Time left: 10:00" in words or "Time left: 9:59" in words
    said = _said(client.post(page(world, "caucus-break/"), {"minutes": "0"}, follow=True))
    assert "The caucus break is over." in said


def test_a_refusal_no_input_changes_is_said_above_the_page(world, client):
    """A participant has no such entry: told, as a button's refusal is, and nothing changes."""
    sign_in(client, world.participants[0])
    told = client.post(page(world, "caucus-break/"), {"minutes": "10"}, follow=True)
    assert "Only the meeting's facilitators and conveners run the floor." in _said(told)
    assert not Floor.objects.filter(caucus_break_until__isnull=False).exists()


def test_a_meeting_ended_meanwhile_says_so_with_the_value_kept(world, client):
    world.meeting.ends_at = timezone.now() - timedelta(minutes=1)
    world.meeting.save(update_fields=["ends_at"])
    sign_in(client, world.users["facilitator"])
    response = client.post(page(world, "caucus-break/"), {"minutes": "500"})
    assert response.status_code == 400
    form = page_of(response)
    assert form.controls["minutes"].value == "500"
    # Every problem at once: the meeting's end above the form, the range beside the field.
    assert "This meeting is over: calling a caucus break" in _said(response)
    assert "1 to 120 minutes" in errors_at(form, "minutes")


def test_each_act_says_what_it_did(world, client):
    north, south = world.participants[0], world.participants[5]
    sign_in(client, north)
    said = _said(client.post(page(world, "raise/"), {"direct_response": "on"}, follow=True))
    assert "Your hand is raised, as a direct response." in said
    said = _said(client.post(page(world, "lower/"), follow=True))
    assert "Your hand is lowered." in said
    client.post(page(world, "raise/"))
    client.logout()
    sign_in(client, south)
    assert "Your hand is raised." in _said(client.post(page(world, "raise/"), follow=True))
    client.logout()
    sign_in(client, world.users["facilitator"])
    steps = [
        ("timer/", {"action": "start", "item_id": ""}, "Item 1. Fisheries started."),
        ("timer/", {"action": "pause"}, "Timer paused on 1. Fisheries."),
        ("timer/", {"action": "resume"}, "Timer resumed on 1. Fisheries."),
        (
            "first/",
            {"hand_id": lambda: Hand.objects.get(person__user=south).pk},
            "Moved Person 05 (South) to the front of the queue.",
        ),
        (
            "give/",
            {"hand_id": lambda: Hand.objects.get(person__user=south).pk},
            "Floor given to Person 05 (South).",
        ),
        ("end-turn/", {}, "Ended the turn of Person 05 (South), after 0:0"),
        ("timer/", {"action": "next"}, "Moved on to 2. Shipping lanes."),
        ("timer/", {"action": "next"}, "The agenda is done: no item is in progress."),
    ]
    for tail, body, words in steps:
        data = {k: v() if callable(v) else v for k, v in body.items()}
        said = _said(client.post(page(world, tail), data, follow=True))
        assert words in said, (tail, words)
        assert "Done." not in said


@pytest.mark.parametrize(
    ("mode", "words"),
    [
        (AttributionMode.CHATHAM_HOUSE, "a member of South"),
        (AttributionMode.OFF_RECORD, "a participant"),
        (AttributionMode.ON_RECORD, "Person 05 (South)"),
    ],
)
def test_what_is_said_names_only_whom_the_viewer_may_see(world, mode, words):
    """Once the meeting has ended, names leave the floor under the Chatham House Rule and off the
    record (and off the record the side too): the words of an act follow the same rule."""
    world.meeting.attribution_mode = mode
    world.meeting.save(update_fields=["attribution_mode"])
    hand = Hand.objects.create(
        meeting=world.meeting,
        person=world.persons[world.participants[5].pk],
        delegation=world.south,
        position=1,
    )
    ctx = access_floor(world.users["facilitator"], world.dialogue.pk, world.meeting.pk)
    assert queries.who_words(ctx, hand) == "Person 05 (South)"  # live: the facilitator reads it
    world.meeting.ends_at = timezone.now() - timedelta(minutes=1)
    world.meeting.save(update_fields=["ends_at"])
    ended = access_floor(world.users["facilitator"], world.dialogue.pk, world.meeting.pk)
    assert queries.who_words(ended, hand) == words
    assert queries.hand_words(ended, hand.pk) == words
    assert queries.hand_words(ended, 999_999) == "a participant"


def test_times_render_as_the_clocks_show_them(world, client):
    item = world.meeting.agenda_items.get(position=1)
    started = timezone.now() - timedelta(seconds=2000)
    ItemInterval.objects.create(
        item=item,
        meeting=world.meeting,
        started_at=started,
        ended_at=started + timedelta(seconds=2000),
    )
    Floor.objects.create(
        meeting=world.meeting,
        current_item=item,
        caucus_break_until=timezone.now() + timedelta(minutes=10, seconds=30),
    )
    Turn.objects.create(
        meeting=world.meeting,
        person=world.persons[world.participants[0].pk],
        delegation=world.north,
        started_at=timezone.now() - timedelta(seconds=65),
    )
    sign_in(client, world.users["facilitator"])
    text = " ".join(_said(client.get(page(world))).split())
    # 2,000 s of 30 minutes, 200 s over; a turn of 65 s; 10 min 30 s of break left.
    assert ">33:20</span> of 30 min" in text and "over by 3:20" in text
    assert ">1:05</span>" in text or ">1:06</span>" in text
    assert ">10:30</span>" in text or ">10:29</span>" in text
    assert " s</span>" not in text
    assert [queries.clock(s) for s in (0, 9, 60, 3599, 3661)] == [
        "0:00",
        "0:09",
        "1:00",
        "59:59",
        "61:01",
    ]


@pytest.mark.parametrize("role", ["facilitator", "participant", "liaison"])
def test_the_floor_links_back_to_its_meeting(world, client, role):
    sign_in(client, world.users[role])
    meeting_page = f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/"
    assert f'href="{meeting_page}"' in client.get(page(world)).content.decode()
    assert client.get(meeting_page).status_code == 200
