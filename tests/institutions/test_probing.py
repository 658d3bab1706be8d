"""Nominating, adding or importing an address reveals nothing about other institutions: an
address known only elsewhere gets exactly the answer of an address nobody ever used."""

from __future__ import annotations

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.helpers import sign_in

KNOWN_ELSEWHERE = "arin@caldera.example"  # a candidate in the other institution (see conftest)
NEVER_SEEN = "zed@nowhere.example"


def _plain(html: bytes, *addresses: str) -> str:
    """The page without what legitimately differs: the address typed, CSRF tokens, ids."""
    text = html.decode()
    for address in addresses:
        text = text.replace(address, "ADDRESS")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    text = re.sub(r'name="digest" value="[0-9a-f]+"', "", text)  # the uploaded file's SHA-256
    return re.sub(r"/people/\d+/", "/people/N/", text)


@pytest.fixture
def attacker_client(client, tenants):
    sign_in(client, tenants.attacker)
    return client


def test_nominate_page_says_the_same_for_known_elsewhere_and_unknown(attacker_client, tenants):
    url = reverse("people:nominate", args=[tenants.attacker_dialogue.pk])
    answers = [
        attacker_client.post(url, {"email": email, "nominated_by": "Me", "role": "participant"})
        for email in (KNOWN_ELSEWHERE, NEVER_SEEN)
    ]
    assert [a.status_code for a in answers] == [400, 400]
    assert _plain(answers[0].content, KNOWN_ELSEWHERE) == _plain(answers[1].content, NEVER_SEEN)
    assert "Arin" not in answers[0].content.decode()


def test_add_page_creates_a_new_entry_for_an_address_known_elsewhere(attacker_client, tenants):
    url = reverse("people:add", args=[tenants.attacker_dialogue.pk])
    for email in (KNOWN_ELSEWHERE, NEVER_SEEN):
        response = attacker_client.post(
            url,
            {
                "full_name": "New One",
                "email": email,
                "sector": "media",
                "country": "X",
                "nominated_by": "Me",
                "role": "participant",
            },
        )
        assert response.status_code == 302, email
        page = attacker_client.get(response["Location"]).content.decode()
        assert "Arin" not in page and "CANARY-RISK" not in page and "Caldera" not in page


def test_roster_preview_page_and_api_reveal_nothing(attacker_client, tenants, api_as):
    def roster(email):
        return f"full_name,email,sector,country,nominated_by\nNew One,{email},media,X,Me\n".encode()

    url = reverse("people:import", args=[tenants.attacker_dialogue.pk])
    previews = [
        attacker_client.post(url, {"file": SimpleUploadedFile("r.csv", roster(e), "text/csv")})
        for e in (KNOWN_ELSEWHERE, NEVER_SEEN)
    ]
    assert [p.status_code for p in previews] == [200, 200]
    assert _plain(previews[0].content, KNOWN_ELSEWHERE) == _plain(previews[1].content, NEVER_SEEN)
    assert "already" not in previews[0].content.decode()

    api_previews = []
    for email in (KNOWN_ELSEWHERE, NEVER_SEEN):
        response = attacker_client.post(
            f"/api/v1/dialogues/{tenants.attacker_dialogue.pk}/people/roster",
            {"file": SimpleUploadedFile("r.csv", roster(email), "text/csv")},
            HTTP_AUTHORIZATION=_bearer(tenants.attacker),
        )
        api_previews.append((response.status_code, response.json()))
    assert (
        api_previews[0]
        == api_previews[1]
        == (200, {"valid": True, "rows": 1, "added": 0, "errors": []})
    )


def test_within_one_institution_the_directory_is_shared(tenants, make_user, api_as):
    """A colleague convening another dialogue of the same institution finds the entry (the decision
    recorded in docs/decisions.md), without the first dialogue's risk notes."""
    from track2.dialogues import actions as dialogue_actions
    from track2.institutions.actions import do_grant_convener

    colleague = make_user("colleague@maritime.example")
    do_grant_convener(None, colleague.email, "institute for maritime dialogue")
    second = dialogue_actions.do_create_dialogue(colleague, title="Second Channel")
    response = api_as(
        colleague,
        "post",
        f"/dialogues/{second.pk}/people/nominate",
        {"email": KNOWN_ELSEWHERE, "nominated_by": "Me"},
    )
    assert response.status_code == 201
    body = response.json()
    assert body["id"] == tenants.candidacy.person_id and body["candidacy"]["risk_notes"] == ""
    assert "CANARY-RISK" not in response.content.decode()


def _bearer(user) -> str:
    from track2.accounts.actions import do_create_api_token

    raw, _token = do_create_api_token(user, "probe")
    return f"Bearer {raw}"
