"""Every back-channel route × every role, strangers, no session, wrong tokens and key holders.

Directory routes: the dialogue's members (any role), or someone whose key is in the directory
and signs the day; everyone else 404 (401 without credentials). Relay routes: only the mailbox's
tokens, whoever is signed in. Log routes: public."""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from track2.backchannel import crypto
from track2.backchannel.models import Envelope, Mailbox

from .conftest import b64, seal_for

pytestmark = pytest.mark.django_db

MEMBERS = ["convener", "facilitator", "rapporteur", "participant", "observer", "liaison"]
STRANGERS = ["outsider", "member_elsewhere", "foreign_convener", "site_admin"]


OPENING = {"delivery_token_hash": "a" * 64, "read_token_hash": "b" * 64}


def holder_headers(identity: crypto.Identity, day=None) -> dict:
    day = (day or datetime.now(UTC).date()).isoformat().encode()
    signature = identity.sign(b"track2/backchannel/v1/read-directory\x00" + day)
    return {
        "Track2-Key": identity.identity_key.hex(),
        "Track2-Key-Signature": base64.b64encode(signature).decode(),
    }


@pytest.fixture
def published(world, keys, publish):
    return publish(world.users["participant"], keys("arin"))


def directory_calls(world, entry_id: int):
    d = world.dialogue.pk
    return [
        ("get", f"/dialogues/{d}/directory", None),
        ("get", f"/dialogues/{d}/directory/{entry_id}", None),
        ("post", f"/dialogues/{d}/directory/{entry_id}/prekey", {}),
        # Opening a mailbox: members, and offline contacts signing with their key.
        ("put", f"/dialogues/{d}/mailboxes/" + "M" * 43, OPENING),
    ]


@pytest.mark.parametrize("role", MEMBERS + STRANGERS)
def test_directory_routes_by_role(world, api_as, keys, published, role):
    user = world.users[role]
    allowed = role in MEMBERS
    for method, path, body in directory_calls(world, published["id"]):
        response = api_as(user, method, path, body)
        assert response.status_code == (200 if allowed else 404), (role, method, path)
        if not allowed:
            assert world.dialogue.title.encode() not in response.content
            assert published["fingerprint"].encode() not in response.content
    publish = api_as(
        user,
        "post",
        f"/dialogues/{world.dialogue.pk}/directory",
        {"bundle": b64(keys(role).bundle().to_bytes())},
    )
    assert publish.status_code == (201 if allowed else 404), role
    opened = api_as(
        user,
        "put",
        f"/dialogues/{world.dialogue.pk}/mailboxes/" + "M" * 43,
        {"delivery_token_hash": "a" * 64, "read_token_hash": "b" * 64},
    )
    assert opened.status_code == (200 if allowed else 404), role


def test_directory_without_credentials_and_unknown_dialogue(world, api_as, published):
    for method, path, body in directory_calls(world, published["id"]):
        assert api_as(None, method, path, body).status_code == 401, path
    member = world.users["participant"]
    assert api_as(member, "get", "/dialogues/987654/directory").status_code == 404
    assert api_as(member, "get", "/dialogues/0/directory").status_code in (404, 422)
    other = api_as(member, "get", f"/dialogues/{world.dialogue.pk}/directory/987654")
    assert other.status_code == 404


def test_key_holders_read_only_their_own_dialogues_directory(world, api_as, keys, published):
    holder = keys("arin")  # published in this dialogue by the participant
    for method, path, body in directory_calls(world, published["id"]):
        assert api_as(None, method, path, body, **holder_headers(holder)).status_code == 200
    # Someone else's key, a key nobody published, a stale or a forged signature: not authenticated.
    stranger = crypto.generate_identity(one_time_prekeys=0)
    forged = {**holder_headers(stranger), "Track2-Key": holder.identity_key.hex()}
    stale = holder_headers(holder, day=datetime(2020, 1, 1, tzinfo=UTC).date())
    for headers in (holder_headers(stranger), forged, stale):
        response = api_as(None, "get", f"/dialogues/{world.dialogue.pk}/directory", **headers)
        assert response.status_code == 401
    # A holder may not publish (members only) and sees no other dialogue.
    response = api_as(
        None,
        "post",
        f"/dialogues/{world.dialogue.pk}/directory",
        {"bundle": b64(stranger.bundle().to_bytes())},
        **holder_headers(holder),
    )
    assert response.status_code == 401
    elsewhere = world.users["member_elsewhere"].memberships.get().dialogue_id
    response = api_as(None, "get", f"/dialogues/{elsewhere}/directory", **holder_headers(holder))
    assert response.status_code == 404
    response = api_as(
        None,
        "put",
        f"/dialogues/{elsewhere}/mailboxes/" + "N" * 43,
        OPENING,
        **holder_headers(holder),
    )
    assert response.status_code == 404
    # A holder's malformed opening: every problem named at once, nothing opened.
    response = api_as(
        None,
        "put",
        f"/dialogues/{world.dialogue.pk}/mailboxes/" + "\u202e" * 43,
        {"delivery_token_hash": "A" * 64, "read_token_hash": "z" * 64},
        **holder_headers(holder),
    )
    assert response.status_code == 400, response.content
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"mailbox_id", "delivery_token_hash", "read_token_hash"} <= fields
    oversized = api_as(
        None,
        "put",
        f"/dialogues/{world.dialogue.pk}/mailboxes/" + "N" * 43,
        {"delivery_token_hash": "a" * 64, "read_token_hash": "9" * 10**5},
        **holder_headers(holder),
    )
    assert oversized.status_code == 422
    assert not Mailbox.objects.filter(mailbox_id="\u202e" * 43).exists()


@pytest.mark.parametrize("role", [None, *MEMBERS, *STRANGERS])
def test_relay_answers_tokens_only(world, api_as, keys, open_box, role):
    address = open_box(world.users["participant"], keys("a"), keys("b"))
    blob = seal_for(world, keys("a"), keys("b"), address, b"hello")
    user = world.users[role] if role else None
    path = f"/mailboxes/{address.mailbox_id}/envelopes"
    # Signed in or not, without the mailbox's token nothing is posted, listed or read.
    assert api_as(user, "post", path, {"envelope": b64(blob)}).status_code == 422
    wrong = {"Track2-Delivery-Token": "W" * 43}
    assert api_as(user, "post", path, {"envelope": b64(blob)}, **wrong).status_code == 404
    assert api_as(user, "get", path, **{"Track2-Read-Token": "W" * 43}).status_code == 404
    posted = api_as(
        user,
        "post",
        path,
        {"envelope": b64(blob)},
        **{"Track2-Delivery-Token": address.delivery_token},
    )
    assert posted.status_code == 201
    envelope_id = posted.json()["id"]
    read = {"Track2-Read-Token": address.read_token}
    assert api_as(user, "get", f"{path}/{envelope_id}", **read).status_code == 200
    swapped = {"Track2-Read-Token": address.delivery_token}
    assert api_as(user, "get", f"{path}/{envelope_id}", **swapped).status_code == 404
    assert api_as(user, "delete", f"{path}/{envelope_id}", **swapped).status_code == 404
    assert api_as(user, "delete", f"{path}/{envelope_id}", **read).status_code == 204
    assert not Envelope.objects.exists()


@pytest.mark.parametrize("role", [None, "participant", "outsider", "site_admin"])
def test_log_is_public(world, api_as, keys, publish, role):
    publish(world.users["participant"], keys("arin"))
    user = world.users[role] if role else None
    checkpoint = api_as(user, "get", "/log/checkpoint")
    assert checkpoint.status_code == 200 and checkpoint.json()["size"] == 1
    assert api_as(user, "get", "/log/consistency?old_size=1&size=1").status_code == 200


@pytest.mark.parametrize("role", MEMBERS + STRANGERS)
def test_page_by_role(world, signed_in, keys, published, role):
    client = signed_in(world.users[role])
    response = client.get(reverse("backchannel:directory", args=[world.dialogue.pk]))
    if role in MEMBERS:
        assert response.status_code == 200
        page = response.content.decode()
        assert published["fingerprint"] in page and "Unofficial. Non-binding." in page
    else:
        assert response.status_code == 404
        assert published["fingerprint"].encode() not in response.content


def test_page_gives_the_commands_with_the_address_the_page_was_reached_by(world, signed_in):
    client = signed_in(world.users["participant"])
    page = reverse("backchannel:directory", args=[world.dialogue.pk])
    plain = client.get(page).content.decode()  # the test client: http://testserver
    assert "track2 backchannel --site http://testserver publish" in plain
    secure = client.get(page, secure=True).content.decode()
    assert "track2 backchannel --site https://testserver publish" in secure


def test_page_sends_anonymous_visitors_to_sign_in(world, client):
    response = client.get(reverse("backchannel:directory", args=[world.dialogue.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_relay_routes_log_nothing(world, api_as, keys, open_box, caplog):
    """No access trail on the relay: a post, a listing, a fetch, an acknowledgement, a wrong
    token, an unknown mailbox and an expired envelope write no log record at any level."""
    address = open_box(world.users["participant"], keys("a"), keys("b"))
    path = f"/mailboxes/{address.mailbox_id}/envelopes"
    read = {"Track2-Read-Token": address.read_token}
    caplog.set_level(logging.DEBUG)
    caplog.clear()
    answers = []
    for _ in range(2):
        blob = seal_for(world, keys("a"), keys("b"), address, b"no trail")
        posted = api_as(
            None,
            "post",
            path,
            {"envelope": b64(blob)},
            **{"Track2-Delivery-Token": address.delivery_token},
        )
        answers.append(posted.status_code)
    first, second = (item["id"] for item in api_as(None, "get", path, **read).json()["items"])
    answers.append(api_as(None, "get", f"{path}/{first}", **read).status_code)
    answers.append(api_as(None, "delete", f"{path}/{first}", **read).status_code)
    answers.append(api_as(None, "get", path, **{"Track2-Read-Token": "W" * 43}).status_code)
    answers.append(api_as(None, "get", "/mailboxes/" + "U" * 43 + "/envelopes", **read).status_code)
    Envelope.objects.update(expires_on=datetime(2020, 1, 1, tzinfo=UTC).date())
    answers.append(api_as(None, "get", f"{path}/{second}", **read).status_code)
    assert answers == [201, 201, 200, 204, 404, 404, 410]
    assert [record.getMessage() for record in caplog.records] == []
