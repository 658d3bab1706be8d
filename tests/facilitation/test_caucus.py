"""Caucus rooms: notes (held when they name someone), polls, the caucus break; isolation from the
other side, observers, facilitators and outsiders through the API and the pages; a canary."""

from __future__ import annotations

import pytest

from tests.facilitation.conftest import floor_url
from tests.facilitation.test_access_matrix import OUTSIDE
from tests.helpers import sign_in
from track2.dialogues.models import DelegationMember
from track2.facilitation.models import CaucusNote, CaucusPoll
from track2.people.models import Person

CANARY = "CANARY-caucus-7f3a9"
NORTH_MEMBER = "participant"  # participants[0], of North
OTHERS = [
    "convener",
    "facilitator",
    "rapporteur",
    "observer",
    "liaison",
    "unseated",
    "south",
    *OUTSIDE,
]


@pytest.fixture
def caucus_world(world):
    # An observer seated in North still reads nothing of its caucus.
    DelegationMember.objects.create(
        dialogue=world.dialogue,
        delegation=world.north,
        person=Person.objects.create(
            institution=world.dialogue.institution,
            full_name="Olga Observer",
            sector="academia",
            country="Caldera",
            email="olga@example.org",
            user=world.users["observer"],
        ),
    )
    world.users["south"] = world.participants[4]
    return world


def c_url(world, delegation=None, tail=""):
    delegation = delegation or world.north
    return world.url(f"/caucus/{delegation.pk}{tail}")


def c_page(world, delegation=None, tail=""):
    delegation = delegation or world.north
    return f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/caucus/{delegation.pk}/{tail}"


def test_notes_polls_and_held_notes(caucus_world, api):
    world = caucus_world
    north = api(world.participants[0])
    added = north("post", c_url(world, tail="/notes"), {"text": f"Hold firm on quotas. {CANARY}"})
    assert added.status_code == 201 and not added.json()["held"]
    held = north("post", c_url(world, tail="/notes"), {"text": "As Person 05 said, ask again."})
    assert held.status_code == 201 and held.json()["held"]
    body = north("get", c_url(world)).json()
    assert [n["text"] for n in body["notes"]] == [f"Hold firm on quotas. {CANARY}"]
    assert [n["text"] for n in body["held_notes"]] == ["As Person 05 said, ask again."]
    # Another North member does not read the held note.
    other = api(world.participants[1])("get", c_url(world)).json()
    assert other["held_notes"] == [] and len(other["notes"]) == 1
    # Its writer revises it without the name: published, nothing lost.
    note_id = held.json()["id"]
    revised = north("put", c_url(world, tail=f"/notes/{note_id}"), {"text": "Ask again."})
    assert not revised.json()["held"] and len(revised.json()["notes"]) == 2
    # A published note is not revised or deleted through the held-note routes.
    assert north("put", c_url(world, tail=f"/notes/{note_id}"), {"text": "x"}).status_code == 400
    assert north("delete", c_url(world, tail=f"/notes/{note_id}")).status_code == 400
    poll = north(
        "post",
        c_url(world, tail="/polls"),
        {"question": "Accept the text?", "options": ["yes", "no"]},
    )
    assert poll.status_code == 201
    poll_id = CaucusPoll.objects.get().pk
    api(world.participants[1])("put", c_url(world, tail=f"/polls/{poll_id}/answer"), {"choice": 1})
    answered = north("put", c_url(world, tail=f"/polls/{poll_id}/answer"), {"choice": 1}).json()
    assert [o["count"] for o in answered["polls"][0]["options"]] == [0, 2]
    assert answered["polls"][0]["your_choice"] == 1
    assert north("post", c_url(world, tail=f"/polls/{poll_id}/close")).status_code == 200
    closed = north("put", c_url(world, tail=f"/polls/{poll_id}/answer"), {"choice": 0})
    assert closed.status_code == 400 and "closed" in closed.json()["detail"]


def test_bad_input_all_at_once(caucus_world, api):
    world = caucus_world
    north = api(world.participants[0])
    for body in [{"text": ""}, {"text": "a\u0000b"}, {"text": "x" * 20_001}, {"text": "\ud800"}]:
        response = north("post", c_url(world, tail="/notes"), body)
        assert response.status_code in (400, 422), (body, response.content)
    long = north("post", c_url(world, tail="/notes"), {"text": "x" * 5_001})
    assert long.status_code == 400 and "At most 5000" in long.json()["detail"]
    bad_poll = north(
        "post", c_url(world, tail="/polls"), {"question": "  ", "options": ["same", "same"]}
    )
    assert bad_poll.status_code == 400
    assert len(bad_poll.json()["errors"]) == 2
    naming = north(
        "post", c_url(world, tail="/polls"), {"question": "Trust Person 05?", "options": ["y", "n"]}
    )
    assert naming.status_code == 400 and "names nobody" in naming.json()["detail"]
    north("post", c_url(world, tail="/polls"), {"question": "Q?", "options": ["a", "b"]})
    poll_id = CaucusPoll.objects.get().pk
    for choice in [2, -1, 2**40, True]:
        answer = north("put", c_url(world, tail=f"/polls/{poll_id}/answer"), {"choice": choice})
        assert answer.status_code in (400, 422), choice
    assert not CaucusNote.objects.exists()


@pytest.mark.parametrize("role", OTHERS)
def test_another_sides_caucus_is_not_found(caucus_world, api, client, role):
    world = caucus_world
    api(world.participants[0])(
        "post", c_url(world, tail="/notes"), {"text": f"Secret line {CANARY}"}
    )
    api(world.participants[0])("post", c_url(world, tail="/notes"), {"text": f"Person 05 {CANARY}"})
    api(world.participants[0])(
        "post", c_url(world, tail="/polls"), {"question": "Q?", "options": ["a", "b"]}
    )
    poll_id = CaucusPoll.objects.get().pk
    note_id = CaucusNote.objects.filter(held_for__isnull=False).get().pk
    call = api(world.users[role])
    for method, tail, body in [
        ("get", "", None),
        ("post", "/notes", {"text": "A note from the wrong side."}),
        ("put", f"/notes/{note_id}", {"text": "Changed."}),
        ("delete", f"/notes/{note_id}", None),
        ("post", "/polls", {"question": "Q?", "options": ["a", "b"]}),
        ("put", f"/polls/{poll_id}/answer", {"choice": 0}),
        ("post", f"/polls/{poll_id}/close", None),
    ]:
        response = call(method, c_url(world, tail=tail), body)
        assert response.status_code == 404, (role, method, tail, response.content[:200])
        assert CANARY not in response.content.decode()
    sign_in(client, world.users[role])
    assert client.get(c_page(world)).status_code == 404
    assert client.post(c_page(world, tail="note/"), {"text": "x"}).status_code == 404
    # Nowhere else they may read carries the caucus: the floor, the room, the meeting's page.
    for url in [
        floor_url(world),
        world.url("/statements"),
    ]:
        assert CANARY not in call("get", url).content.decode()
    for url in [
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/",
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/",
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/room/",
    ]:
        assert CANARY not in client.get(url).content.decode()
    assert (
        CaucusNote.objects.count() == 2
        and CaucusNote.objects.filter(text__contains="wrong").count() == 0
    )


def test_the_caucus_page_for_its_members(caucus_world, client):
    world = caucus_world
    sign_in(client, world.participants[0])
    client.post(c_page(world, tail="note/"), {"text": f"Keep {CANARY}"})
    held = client.post(
        c_page(world, tail="note/"), {"text": "person.05@example.org agrees"}, follow=True
    )
    assert "it is held" in held.content.decode()
    client.post(c_page(world, tail="poll/"), {"question": "Go on?", "options": "yes\nno"})
    poll = CaucusPoll.objects.get()
    client.post(c_page(world, tail="answer/"), {"poll_id": poll.pk, "choice": "0"})
    text = client.get(c_page(world)).content.decode()
    assert CANARY in text and "Go on?" in text and "person.05@example.org agrees" in text
    assert "Unofficial. Non-binding." in text
    floor = client.get(
        f"/dialogues/{world.dialogue.pk}/meetings/{world.meeting.pk}/floor/"
    ).content.decode()
    assert "Your delegation&#x27;s caucus" in floor or "Your delegation's caucus" in floor
    client.logout()
    sign_in(client, world.participants[1])
    other = client.get(c_page(world)).content.decode()
    assert CANARY in other and "person.05@example.org" not in other
    bad = client.post(
        c_page(world, tail="answer/"), {"poll_id": "abc", "choice": "zz"}, follow=True
    )
    assert "not a poll of this caucus" in bad.content.decode()
    assert client.post(c_page(world, tail="nonsense/")).status_code == 404


def test_a_caucus_break_everyone_sees(caucus_world, api):
    world = caucus_world
    fac = api(world.users["facilitator"])
    for bad in [-1, 121, 2**70, True, 5.0, "5"]:
        refused = fac("post", floor_url(world, "/caucus-break"), {"minutes": bad})
        assert refused.status_code == 422 and "1 to 120 minutes" in refused.text, (
            bad,
            refused.text,
        )
    called = fac("post", floor_url(world, "/caucus-break"), {"minutes": 10}).json()
    assert 595 <= called["caucus_break"]["seconds_left"] <= 600
    for role in ["participant", "south", "rapporteur", "liaison"]:
        assert api(world.users[role])("get", floor_url(world)).json()["caucus_break"] is not None
    assert (
        api(world.participants[0])(
            "post", floor_url(world, "/caucus-break"), {"minutes": 5}
        ).status_code
        == 403
    )
    assert (
        fac("post", floor_url(world, "/caucus-break"), {"minutes": 0}).json()["caucus_break"]
        is None
    )


def test_invited_facilitators_read_and_do_not_write(caucus_world, api, client):
    world = caucus_world
    north = api(world.participants[0])
    north("post", c_url(world, tail="/notes"), {"text": f"Open line {CANARY}"})
    north("post", c_url(world, tail="/notes"), {"text": "Person 05 is key."})
    fac = api(world.users["facilitator"])
    assert fac("get", c_url(world)).status_code == 404
    assert fac("get", floor_url(world)).json()["invited_caucuses"] == []
    # Only the delegation invites; a facilitator cannot invite themselves in.
    assert fac("put", c_url(world, tail="/invitation"), {"invited": True}).status_code == 404
    invited = north("put", c_url(world, tail="/invitation"), {"invited": True})
    assert invited.status_code == 200 and invited.json()["are_facilitators_invited"]
    for role in ["facilitator", "convener"]:
        guest = api(world.users[role])
        body = guest("get", c_url(world)).json()
        assert body["is_guest"] and [n["text"] for n in body["notes"]] == [f"Open line {CANARY}"]
        assert body["held_notes"] == []
        assert guest("post", c_url(world, tail="/notes"), {"text": "x"}).status_code == 403
    listed = fac("get", floor_url(world)).json()["invited_caucuses"]
    assert listed == [{"delegation_id": world.north.pk, "delegation": "North"}]
    # The other sides, observers and the rest stay outside; the South caucus stays closed.
    for role in ["south", "observer", "rapporteur", "liaison", "outsider", "site_admin"]:
        assert api(world.users[role])("get", c_url(world)).status_code == 404, role
    assert fac("get", c_url(world, world.south)).status_code == 404
    sign_in(client, world.users["facilitator"])
    page = client.get(c_page(world)).content.decode()
    assert CANARY in page and "Add the note" not in page and "Person 05" not in page
    north("put", c_url(world, tail="/invitation"), {"invited": False})
    assert fac("get", c_url(world)).status_code == 404


def test_bodies_that_are_not_json_too_large_or_invalid_unicode(caucus_world, api):
    world = caucus_world
    north = api(world.participants[0])
    assert north("post", c_url(world, tail="/notes"), "not json").status_code == 400
    lone = north("post", c_url(world, tail="/notes"), '{"text": "lone \\ud800 surrogate"}')
    assert lone.status_code == 422
    huge = north("post", c_url(world, tail="/notes"), {"text": "y" * 2_000_000})
    assert huge.status_code == 413
    fac = api(world.users["facilitator"])
    assert fac("post", world.url("/record/notes"), {"text": "z" * 2_000_000}).status_code == 413
    assert fac(
        "post", floor_url(world, "/order"), {"hand_ids": list(range(1, 200_000))}
    ).status_code in (413, 422)
    assert not CaucusNote.objects.exists()


def test_closing_a_poll_from_the_page(caucus_world, client):
    """The page closes a poll as the API does; bad ids are refused with the same words, and an
    invited facilitator has no button and is refused."""
    world = caucus_world
    sign_in(client, world.participants[0])
    client.post(c_page(world, tail="poll/"), {"question": "Go on?", "options": "yes\nno"})
    poll = CaucusPoll.objects.get()
    assert "Close the poll “Go on?”" in client.get(c_page(world)).content.decode()
    for bad in ["", "abc", "9" * 40, "1%00", "%ED%A0%80", "-1", str(poll.pk + 1000)]:
        # Sent as the browser would encode it; %ED%A0%80 is a lone surrogate: invalid UTF-8.
        refused = client.post(
            c_page(world, tail="close-poll/"),
            f"poll_id={bad}",
            content_type="application/x-www-form-urlencoded",
            follow=True,
        )
        assert "not a poll of this caucus" in refused.content.decode(), repr(bad)
    assert CaucusPoll.objects.get().is_open
    client.post(c_page(world, tail="close-poll/"), {"poll_id": poll.pk})
    assert not CaucusPoll.objects.get().is_open
    text = client.get(c_page(world)).content.decode()
    assert "(closed)" in text and "Close the poll" not in text
    again = client.post(c_page(world, tail="close-poll/"), {"poll_id": poll.pk}, follow=True)
    assert "This poll is closed." in again.content.decode()
    late = client.post(
        c_page(world, tail="answer/"), {"poll_id": poll.pk, "choice": "0"}, follow=True
    )
    assert "This poll is closed." in late.content.decode()
    # Another side cannot reach it at all.
    client.logout()
    sign_in(client, world.participants[5])
    assert client.post(c_page(world, tail="close-poll/"), {"poll_id": poll.pk}).status_code == 404
