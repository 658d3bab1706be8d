"""iCalendar per meeting and the private feed (RFC 5545)."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.helpers import PASSWORD
from track2.accounts.actions import SignInRefused
from track2.accounts.models import SignInAttempt
from track2.meetings import actions as meeting_actions
from track2.meetings.actions import do_revoke_calendar_token
from track2.meetings.calendar import CalendarEvent, escape_text, fold, render_calendar
from track2.meetings.models import MeetingParticipant


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


def do_issue_calendar_token(user) -> str:
    return meeting_actions.do_issue_calendar_token(user, PASSWORD, "127.0.0.1")


def test_escaping_follows_rfc_5545():
    assert escape_text("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"


def test_folding_at_75_octets_without_splitting_characters():
    line = "DESCRIPTION:" + "Ωmega " * 40
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(p.encode("utf-8")) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert folded.replace("\r\n ", "") == line
    for part in parts:
        part.encode("utf-8").decode("utf-8")  # no character cut in half


def test_calendar_structure_and_crlf():
    event = CalendarEvent(
        uid="meeting-1@example.org",
        starts_at=datetime(2031, 3, 2, 1, 0, tzinfo=UTC),
        ends_at=datetime(2031, 3, 2, 9, 0, tzinfo=UTC),
        summary="Round 3, Varena; part 1",
        location="",
    )
    text = render_calendar([event], now=datetime(2030, 1, 1, tzinfo=UTC))
    assert text.endswith("\r\n")
    assert "\n" not in text.replace("\r\n", "")
    lines = unfold(text)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    assert "VERSION:2.0" in lines
    assert "UID:meeting-1@example.org" in lines
    assert "DTSTAMP:20300101T000000Z" in lines
    assert "DTSTART:20310302T010000Z" in lines and "DTEND:20310302T090000Z" in lines
    assert "SUMMARY:Round 3\\, Varena\\; part 1" in lines
    assert not any(line.startswith("LOCATION") for line in lines)


def test_meeting_ics_never_carries_a_private_address(world, signed_in):
    # The download goes where the mailed file and the feed go: into a calendar service.
    url = reverse("dialogues:meeting_ics", args=[world.dialogue.pk, world.meeting.pk])
    client = signed_in(world.users["participant"])
    response = client.get(url)
    assert response["Content-Type"].startswith("text/calendar")
    text = response.content.decode()
    assert "Secret Lane" not in text and "LOCATION" not in text
    start = world.meeting.starts_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    assert f"DTSTART:{start}" in unfold(text)
    MeetingParticipant.objects.create(
        meeting=world.meeting, person=world.persons["arin"], status="confirmed"
    )
    meeting_page = "URL:http://testserver" + reverse(
        "dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk]
    )
    for role in ("participant", "convener"):
        lines = unfold(signed_in(world.users[role]).get(url).content.decode())
        assert "Secret Lane" not in "".join(lines), role
        assert (
            "LOCATION:A private home\\, Lindau\\, Norland\\nAddress on the meeting page" in lines
        ), role
        assert meeting_page in lines, role


def test_public_venue_address_goes_to_every_member(world, signed_in):
    url = reverse("dialogues:meeting_ics", args=[world.dialogue.pk, world.past_meeting.pk])
    text = signed_in(world.users["observer"]).get(url).content.decode()
    assert "1 Quai du Lac" in "".join(unfold(text))


def test_feed_lists_meetings_of_all_my_dialogues(world, client):
    user = world.users["participant"]
    token = do_issue_calendar_token(user)
    response = client.get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    lines = unfold(response.content.decode())
    assert sum(1 for line in lines if line == "BEGIN:VEVENT") == 2
    assert not any("Secret Lane" in line for line in lines)
    assert response["Cache-Control"] == "private, no-store"


def test_feed_token_revoked_and_unknown_answer_404(world, client):
    user = world.users["participant"]
    old = do_issue_calendar_token(user)
    new = do_issue_calendar_token(user)
    assert client.get(f"/calendar/{old}.ics").status_code == 404
    assert client.get(f"/calendar/{new}.ics").status_code == 200
    do_revoke_calendar_token(user)
    assert client.get(f"/calendar/{new}.ics").status_code == 404
    assert client.get("/calendar/short.ics").status_code == 404
    assert client.get("/calendar/" + "x" * 43 + ".ics").status_code == 404


def test_outsider_feed_is_empty(world, client):
    token = do_issue_calendar_token(world.users["outsider"])
    text = client.get(f"/calendar/{token}.ics").content.decode()
    assert "BEGIN:VEVENT" not in text


def test_calendar_settings_page_asks_the_password_shows_the_address_once_and_revokes(
    world, signed_in
):
    user = world.users["observer"]
    client = signed_in(user)
    page = reverse("dialogues:calendar")
    assert b"The feed is off" in client.get(page).content
    refused = client.post(page, {"issue": "1", "password": "not my password"})
    assert refused.status_code == 400 and "not right" in refused.content.decode()
    user.refresh_from_db()
    assert user.calendar_token == ""
    made = client.post(page, {"issue": "1", "password": PASSWORD})
    assert made.status_code == 200 and "no-store" in made["Cache-Control"]
    token = made.context["feed_url"].rsplit("/", 1)[-1].removesuffix(".ics")
    user.refresh_from_db()
    # Only the digest is kept; the address is on this answer and on no later page.
    assert user.calendar_token == hashlib.sha256(token.encode()).hexdigest()
    later = client.get(page).content.decode()
    assert token not in later and "shown once" in later
    assert client.get(f"/calendar/{token}.ics").status_code == 200
    assert client.get(f"/calendar/{user.calendar_token}.ics").status_code == 404
    client.post(page, {"revoke": "1"})
    user.refresh_from_db()
    assert user.calendar_token == ""


def test_a_feed_address_needs_the_password_and_counts_a_wrong_one(world):
    user = world.users["participant"]
    before = SignInAttempt.objects.count()
    with pytest.raises(SignInRefused):
        meeting_actions.do_issue_calendar_token(user, "wrong", "127.0.0.1")
    user.refresh_from_db()
    assert user.calendar_token == "" and SignInAttempt.objects.count() > before


def test_the_owner_is_told_when_a_feed_address_is_made(world, django_capture_on_commit_callbacks):
    # a lasting credential, as an API token or a passkey: "if this was not you…"
    from django.core import mail

    user = world.users["participant"]
    with django_capture_on_commit_callbacks(execute=True):
        meeting_actions.do_issue_calendar_token(user, PASSWORD, "127.0.0.1")
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "calendar feed address was made" in mail.outbox[0].body


def test_calendar_settings_needs_sign_in(client, db):
    assert client.get(reverse("dialogues:calendar")).status_code == 302


@given(st.text(min_size=0, max_size=400))
def test_any_text_folds_within_75_octets_and_unfolds_back(text):
    line = "SUMMARY:" + escape_text(text)
    folded = fold(line)
    assert all(len(part.encode("utf-8")) <= 75 for part in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert "\n" not in escape_text(text) and "\r" not in escape_text(text)


CONTROL = "".join(
    chr(c) for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)


def test_control_characters_never_reach_a_calendar_file_raw():
    event = CalendarEvent(
        uid="meeting-1@example.org",
        starts_at=datetime(2031, 3, 2, 1, 0, tzinfo=UTC),
        ends_at=datetime(2031, 3, 2, 9, 0, tzinfo=UTC),
        summary="Round\x1b[31m 3\x00\x0b",
        description="one\ntwo\tthree\x7f\x85\ud800",
        location="Hall\x07",
    )
    text = render_calendar([event], now=datetime(2030, 1, 1, tzinfo=UTC))
    assert not set(text) & set(CONTROL)
    text.encode("utf-8")  # no lone surrogate left to break the answer
    lines = unfold(text)
    assert "SUMMARY:Round[31m 3" in lines
    assert "DESCRIPTION:one\\ntwo\tthree\ufffd" in lines


@given(st.text(max_size=200))
def test_any_stored_text_gives_a_printable_calendar(text):
    event = CalendarEvent(
        uid="u@example.org",
        starts_at=datetime(2031, 3, 2, tzinfo=UTC),
        ends_at=datetime(2031, 3, 3, tzinfo=UTC),
        summary=text,
        description=text,
        location=text,
    )
    rendered = render_calendar([event], now=datetime(2030, 1, 1, tzinfo=UTC))
    rendered.encode("utf-8")
    assert not set(rendered.replace("\r\n", "")) & set(CONTROL)


def test_meeting_stored_with_control_characters_downloads_clean(world, signed_in):
    # Stored before input was checked (or by a path that skipped the checks): the file is still clean.
    type(world.meeting).objects.filter(pk=world.meeting.pk).update(
        title="Round\x1b 2\x0b"
    )  # no NUL: PostgreSQL refuses it in text
    url = reverse("dialogues:meeting_ics", args=[world.dialogue.pk, world.meeting.pk])
    response = signed_in(world.users["convener"]).get(url)
    assert response.status_code == 200
    text = response.content.decode()
    assert not set(text) & set(CONTROL)
    assert any(line.startswith("SUMMARY:Round 2") for line in unfold(text))


def test_line_and_paragraph_separators_never_reach_a_calendar_file():
    # Valid TEXT, but some clients break the line there: a one-line summary would show two.
    event = CalendarEvent(
        uid="meeting-1@example.org",
        starts_at=datetime(2031, 3, 2, 1, 0, tzinfo=UTC),
        ends_at=datetime(2031, 3, 2, 9, 0, tzinfo=UTC),
        summary="Round\u20282\u2029part 1",
        description="one\u2028two",
        location="Hall\u2029B",
    )
    text = render_calendar([event], now=datetime(2030, 1, 1, tzinfo=UTC))
    assert "\u2028" not in text and "\u2029" not in text
    lines = unfold(text)
    assert "SUMMARY:Round 2 part 1" in lines and "LOCATION:Hall B" in lines
