"""The Changes page and endpoint: the dialogue's conveners only. Every other role, an outsider,
a convener of another dialogue and the site administrator get the same 404 as for a dialogue
that does not exist; anonymous visitors are sent to sign in (page) or get 401 (API)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.dialogues.test_api import bearer
from track2.dialogues import actions
from track2.institutions.models import ConveningRight
from track2.people import actions as people_actions
from track2.people.models import Candidacy

OTHERS = [
    "facilitator",
    "rapporteur",
    "participant",
    "observer",
    "liaison",
    "outsider",
    "elsewhere",
    "site_admin",
]


@pytest.fixture
def readers(world, make_user):
    users = dict(world.users)
    users["elsewhere"] = make_user("elsewhere@example.org")
    ConveningRight.objects.create(institution=world.dialogue.institution, user=users["elsewhere"])
    actions.do_create_dialogue(users["elsewhere"], title="Another dialogue")
    users["site_admin"] = make_user("root@example.org", is_staff=True, is_superuser=True)
    return users


def _urls(world):
    d = world.dialogue.pk
    return [
        reverse("audit:changes", args=[d]),
        reverse("audit:changes", args=[d]) + f"?object_type=meeting&object_id={world.meeting.pk}",
    ]


def test_conveners_read_the_changes(world, signed_in, readers):
    client = signed_in(readers["convener"])
    for url in _urls(world):
        response = client.get(url)
        assert response.status_code == 200 and b"Round 2" in response.content
    api = bearer(readers["convener"])
    answer = client.get(f"/api/v1/dialogues/{world.dialogue.pk}/changes", **api)
    assert answer.status_code == 200 and answer.json()["total"] > 0


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_gets_not_found(world, signed_in, readers, role, client):
    browser = signed_in(readers[role])
    for url in [*_urls(world), reverse("audit:changes", args=[world.dialogue.pk + 999])]:
        response = browser.get(url)
        assert response.status_code == 404, (role, url)
        assert world.dialogue.title.encode() not in response.content
    token = bearer(readers[role])
    for d in (world.dialogue.pk, world.dialogue.pk + 999):
        answer = browser.get(f"/api/v1/dialogues/{d}/changes", **token)
        assert answer.status_code == 404 and answer.json() == {"detail": "Not found."}, role


def test_anonymous_visitors(world, client):
    response = client.get(_urls(world)[0])
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(f"/api/v1/dialogues/{world.dialogue.pk}/changes").status_code == 401


def test_per_object_histories_are_for_conveners(world, signed_in):
    meeting_url = reverse("dialogues:meeting", args=[world.dialogue.pk, world.meeting.pk])
    for role in ("facilitator", "participant", "observer"):
        page = signed_in(world.users[role]).get(meeting_url).content.decode()
        assert 'id="history-heading"' not in page, role
    own = (
        signed_in(world.users["participant"])
        .get(reverse("dialogues:delegation", args=[world.dialogue.pk, world.caldera.pk]))
        .content.decode()
    )
    assert 'id="history-heading"' not in own


CANARY = "CANARY-risk-7f3a1c"


def test_values_never_reach_the_trail(world, signed_in, client):
    """Risk notes, addresses and names changed are named as fields, never copied."""
    convener = world.users["convener"]
    candidacy = Candidacy.objects.get(dialogue=world.dialogue, person=world.persons["bo"])
    people_actions.do_set_risk_notes(convener, candidacy, f"{CANARY} notes")
    people_actions.do_update_person(convener, world.persons["bo"], phone=f"+41 {CANARY[-6:]}")
    from track2.dialogues import venue_actions

    venue_actions.do_update_venue(convener, world.home, address=f"{CANARY} lane")
    from track2.audit.models import AuditEntry

    stored = [
        str((e.actor_name, e.action, e.object_type, e.fields)) for e in AuditEntry.objects.all()
    ]
    assert not any(CANARY in row or CANARY[-6:] in row for row in stored)
    page = (
        signed_in(convener).get(reverse("audit:changes", args=[world.dialogue.pk])).content.decode()
    )
    assert "risk_notes" in page and "address" in page and CANARY not in page
    api = client.get(
        f"/api/v1/dialogues/{world.dialogue.pk}/changes", **bearer(convener)
    ).content.decode()
    assert "risk_notes" in api and CANARY not in api
