"""iCalendar per meeting and the private feed (RFC 5545)."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from track2.meetings.actions import do_issue_calendar_token, do_revoke_calendar_token
from track2.meetings.calendar import CalendarEvent, escape_text, fold, render_calendar
from track2.meetings.models import MeetingParticipant


def unfold(text: str) -> list[str]:
    return text.replace("\r\n ", "").split("\r\n")


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


def test_meeting_ics_hides_private_address_until_confirmed(world, signed_in):
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
    text = client.get(url).content.decode()
    assert "7 Secret Lane" in "".join(unfold(text))
    convener = signed_in(world.users["convener"]).get(url).content.decode()
    assert "7 Secret Lane" in "".join(unfold(convener))


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


def test_calendar_settings_page_issues_and_revokes(world, signed_in):
    client = signed_in(world.users["observer"])
    page = reverse("dialogues:calendar")
    assert b"The feed is off" in client.get(page).content
    client.post(page, {"issue": "1"})
    world.users["observer"].refresh_from_db()
    token = world.users["observer"].calendar_token
    assert token and token.encode() in client.get(page).content
    client.post(page, {"revoke": "1"})
    world.users["observer"].refresh_from_db()
    assert world.users["observer"].calendar_token == ""


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
