"""What conveners read: the Changes page and endpoint (filters, pages, bad input) and the
history beside a meeting, a delegation and a person."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dialogues.test_api import bearer
from track2.audit.models import AuditEntry
from track2.dialogues import venue_actions
from track2.institutions.models import ConveningRight
from track2.meetings import actions as meeting_actions
from track2.people import actions as people_actions


@pytest.fixture
def convener(world, signed_in):
    return signed_in(world.users["convener"])


def changes(world, query=""):
    return reverse("audit:changes", args=[world.dialogue.pk]) + query


def test_the_meeting_page_lists_its_changes_and_its_deleted_agenda_items(world, convener):
    item = meeting_actions.do_add_agenda_item(
        world.users["convener"], world.meeting, title="Opening", duration_minutes=20
    )
    meeting_actions.do_delete_agenda_item(world.users["convener"], item)
    meeting_actions.do_update_meeting(world.users["convener"], world.meeting, title="Round 2 bis")
    page = convener.get(
        reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk])
    ).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "changed meeting “Round 2 bis”" in history and "title" in history
    assert "deleted agenda item" in history and "deleted since" in history
    assert "convener@example.org" in history
    assert "Lakeside" not in history  # another object's changes stay on their own page


def test_the_delegation_page_lists_its_seats(world, convener):
    page = convener.get(
        reverse("dialogues:delegation", args=[world.dialogue.pk, world.caldera.pk])
    ).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "seated delegation seat" in history and "Arin Solvei" in history and "Bo Tarn" in history
    assert "Cyra Vell" not in history  # seated in the other delegation


def test_the_person_page_shows_who_changed_which_fields(world, convener):
    bo = world.persons["bo"]
    people_actions.do_update_person(world.users["convener"], bo, phone="+41 00", country="Caldera")
    page = convener.get(reverse("people:detail", args=[world.dialogue.pk, bo.pk])).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "changed person “Bo Tarn”" in history and "phone" in history and "+41 00" not in history
    assert "seated delegation seat" in history and "convener@example.org" in history
    assert "Arin Solvei" not in history


def test_filters_and_pages(world, convener):
    for n in range(60):
        venue_actions.do_update_venue(world.users["convener"], world.venue, city=f"City {n}")
    first = convener.get(changes(world, "?object_type=venue")).content.decode()
    assert (
        "Page 1 of 2" in first
        and "changed venue “Lakeside Centre”" in first
        and "Round 2" not in first
    )
    second = convener.get(changes(world, "?object_type=venue&page=2")).content.decode()
    assert "Page 2 of 2" in second
    only = convener.get(
        changes(world, f"?object_type=meeting&object_id={world.meeting.pk}")
    ).content.decode()
    assert "Round 2" in only and "Round 1" not in only and "Lakeside" not in only


@pytest.mark.parametrize(
    "query, message",
    [
        ("?object_type=spaceship", "Select a valid choice"),
        ("?object_type=meeting&object_id=abc", "Enter a number from 1 to 9223372036854775807"),
        ("?object_type=meeting&object_id=" + "9" * 30, "Enter a number from 1 to"),
        ("?object_type=meeting&object_id=-4", "Enter a number from 1 to"),
        ("?object_id=3", "Choose the kind of object"),
        ("?object_type=%00%1b", "Select a valid choice"),
    ],
)
def test_bad_filters_say_what_is_wrong(world, convener, query, message):
    response = convener.get(changes(world, query))
    assert response.status_code == 200 and message in response.content.decode()


@pytest.mark.parametrize("page", ["abc", "-1", "0", "9" * 40, "%00"])
def test_bad_page_numbers_show_a_page(world, convener, page):
    assert convener.get(changes(world, f"?page={page}")).status_code == 200


def test_api_filters_pages_and_totals(world, client):
    token = bearer(world.users["convener"])
    base = f"/api/v1/dialogues/{world.dialogue.pk}/changes"
    everything = client.get(base, **token).json()
    assert everything["total"] == AuditEntry.objects.filter(dialogue=world.dialogue).count()
    page = client.get(base + "?limit=2&page=2", **token).json()
    assert page["page"] == 2 and len(page["items"]) == 2
    assert page["items"][0]["id"] == everything["items"][2]["id"]
    entry = everything["items"][0]
    assert set(entry) >= {
        "at",
        "actor",
        "action",
        "object_type",
        "object_id",
        "object_name",
        "fields",
    }
    assert entry["at"].endswith("Z")
    meeting = client.get(
        base + f"?object_type=meeting&object_id={world.meeting.pk}", **token
    ).json()
    assert meeting["total"] >= 1 and {e["object_name"] for e in meeting["items"]} == {"Round 2"}
    beyond = client.get(base + "?page=999", **token).json()
    assert beyond["items"] == [] and beyond["total"] == everything["total"]


@pytest.mark.parametrize(
    "query, status",
    [
        ("?page=0", 422),
        ("?page=abc", 422),
        ("?page=" + "9" * 30, 422),
        ("?limit=0", 422),
        ("?limit=501", 422),
        ("?object_type=spaceship", 422),
        ("?object_type=meeting&object_id=" + "9" * 25, 422),
        ("?object_type=meeting&object_id=0", 422),
        ("?object_id=3", 400),
        ("?object_type=%ED%A0%80", 422),
    ],
)
def test_api_bad_input(world, client, query, status):
    answer = client.get(
        f"/api/v1/dialogues/{world.dialogue.pk}/changes{query}", **bearer(world.users["convener"])
    )
    assert answer.status_code == status, answer.content
    assert answer.json()["detail"]


def test_a_person_history_shows_nothing_from_another_dialogue(world, convener, make_user):
    from track2.dialogues import actions

    bo = world.persons["bo"]
    elsewhere = make_user("other-convener@example.org")
    # A convener of another dialogue of the same institution (they share its directory).
    ConveningRight.objects.create(institution=world.dialogue.institution, user=elsewhere)
    other = actions.do_create_dialogue(elsewhere, title="Another dialogue")
    people_actions.do_nominate_existing(elsewhere, other, bo, nominated_by="Dr O")
    people_actions.do_update_person(elsewhere, bo, pronouns="they/them")
    page = convener.get(reverse("people:detail", args=[world.dialogue.pk, bo.pk])).content.decode()
    history = page[page.index('id="history-heading"') :]
    assert "other-convener@example.org" not in history and "pronouns" not in history
    people_actions.do_update_person(world.users["convener"], bo, pronouns="she/her")
    page = convener.get(reverse("people:detail", args=[world.dialogue.pk, bo.pk])).content.decode()
    assert "pronouns" in page[page.index('id="history-heading"') :]
