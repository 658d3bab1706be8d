"""The blind relay through its API: directory, mailboxes, envelopes, expiry, acknowledgement."""

from __future__ import annotations

import base64
from datetime import timedelta
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import call_command

from track2.backchannel import addressing, crypto
from track2.backchannel.models import DirectoryEntry, Envelope, LogLeaf, Mailbox

from .conftest import b64, seal_for

pytestmark = pytest.mark.django_db


def test_publish_claim_and_key_change(world, api_as, keys, publish):
    participant = world.users["participant"]
    first = publish(participant, keys("arin"))
    assert first["version"] == 1 and first["one_time_prekeys_left"] == 3
    assert first["fingerprint"] == crypto.fingerprint(keys("arin").bundle())
    # Handing out one-time prekeys: each once, then the fallback alone.
    handed = set()
    for _ in range(3):
        claim = api_as(
            world.users["observer"],
            "post",
            f"/dialogues/{world.dialogue.pk}/directory/{first['id']}/prekey",
        )
        assert claim.status_code == 200
        handed.add(claim.json()["key_id"])
        bundle = crypto.KeyBundle.from_bytes(base64.b64decode(claim.json()["bundle"]))
        crypto.verify_bundle(bundle)
        assert bundle.prekey().prekey_id.hex() == claim.json()["key_id"]
    assert len(handed) == 3 and None not in handed
    last = api_as(
        world.users["observer"],
        "post",
        f"/dialogues/{world.dialogue.pk}/directory/{first['id']}/prekey",
    )
    assert last.json()["key_id"] is None
    fallback = crypto.KeyBundle.from_bytes(base64.b64decode(last.json()["bundle"]))
    assert [p.kind for p in fallback.prekeys] == [crypto.FALLBACK]
    # Republishing the same keys never hands a prekey out again.
    again = publish(participant, keys("arin"))
    assert again["version"] == 1 and again["one_time_prekeys_left"] == 0
    # New keys: a key change, announced with the day.
    changed = publish(participant, crypto.generate_identity(one_time_prekeys=1))
    assert changed["version"] == 2 and changed["keys_changed_on"] is not None
    assert LogLeaf.objects.filter(kind=LogLeaf.Kind.KEY_BUNDLE).count() == 3


def test_bad_bundles_are_refused_with_every_problem(world, api_as, keys):
    path = f"/dialogues/{world.dialogue.pk}/directory"
    user = world.users["participant"]
    raw = bytearray(keys("arin").bundle().to_bytes())
    raw[40] ^= 1  # a substituted box key: its signature no longer holds
    response = api_as(
        user, "post", path, {"bundle": b64(bytes(raw)), "contact_label": "bad\x1bname"}
    )
    assert response.status_code == 422  # the label's control character is refused by the schema
    response = api_as(user, "post", path, {"bundle": b64(bytes(raw))})
    assert response.status_code == 400
    assert "not valid" in response.json()["detail"] and response.json()["field"] == "bundle"
    assert api_as(user, "post", path, {"bundle": "not base64!"}).status_code == 422
    assert api_as(user, "post", path, {"bundle": b64(b"\x01" * 200_000)}).status_code == 422
    assert not DirectoryEntry.objects.exists()


def test_offline_contact_is_vouched_for_by_one_member(world, api_as, keys, publish):
    entry = publish(world.users["liaison"], keys("contact"), label="Ministry contact")
    assert entry["is_offline_contact"] and entry["holder"] == "Ministry contact"
    refused = api_as(
        world.users["participant"],
        "post",
        f"/dialogues/{world.dialogue.pk}/directory",
        {"bundle": b64(keys("other").bundle().to_bytes()), "contact_label": "Ministry contact"},
    )
    assert refused.status_code == 400 and refused.json()["field"] == "contact_label"


def test_post_list_fetch_acknowledge(world, api_as, keys, open_box):
    sender, recipient = keys("arin"), keys("tomas")
    address = open_box(world.users["participant"], sender, recipient)
    # The recipient derives the same mailbox and opens it again: nothing changes.
    mirrored = addressing.mailbox(recipient, sender.bundle(), str(world.dialogue.pk), i_send=False)
    assert mirrored == address
    again = open_box(world.users["facilitator"], sender, recipient)
    assert again == address and Mailbox.objects.count() == 1
    envelope = seal_for(world, sender, recipient, address, b"Meet at the harbour.")
    posted = api_as(
        None,
        "post",
        f"/mailboxes/{address.mailbox_id}/envelopes",
        {"envelope": b64(envelope)},
        **{"Track2-Delivery-Token": address.delivery_token},
    )
    assert posted.status_code == 201, posted.content
    assert "Set-Cookie" not in posted.headers
    read = {"Track2-Read-Token": address.read_token}
    listing = api_as(None, "get", f"/mailboxes/{address.mailbox_id}/envelopes", **read)
    assert listing.status_code == 200 and listing.json()["total"] == 1
    item = listing.json()["items"][0]
    assert item["size"] == len(envelope) and not item["is_expired"]
    fetched = api_as(None, "get", f"/mailboxes/{address.mailbox_id}/envelopes/{item['id']}", **read)
    blob = base64.b64decode(fetched.json()["envelope"])
    opened = crypto.open_envelope(
        blob,
        recipient=recipient,
        context=crypto.Context(str(world.dialogue.pk), address.mailbox_id),
        expected_sender=sender.bundle(),
    )
    assert opened.message == b"Meet at the harbour."
    acked = api_as(
        None, "delete", f"/mailboxes/{address.mailbox_id}/envelopes/{item['id']}", **read
    )
    assert acked.status_code == 204 and not Envelope.objects.exists()
    kinds = list(LogLeaf.objects.order_by("index").values_list("kind", flat=True))
    assert kinds == [LogLeaf.Kind.POSTED, LogLeaf.Kind.ACKNOWLEDGED]


def test_tokens_are_not_interchangeable_and_unknown_is_not_found(world, api_as, keys, open_box):
    address = open_box(world.users["participant"], keys("a"), keys("b"))
    envelope = seal_for(world, keys("a"), keys("b"), address, b"x")
    path = f"/mailboxes/{address.mailbox_id}/envelopes"
    wrong = [
        {"Track2-Delivery-Token": address.read_token},
        {"Track2-Delivery-Token": "A" * 43},
        {"Track2-Delivery-Token": "short"},
        {},
    ]
    for headers in wrong:
        response = api_as(None, "post", path, {"envelope": b64(envelope)}, **headers)
        assert response.status_code in (404, 422), headers
    unknown = api_as(
        None,
        "post",
        "/mailboxes/" + "B" * 43 + "/envelopes",
        {"envelope": b64(envelope)},
        **{"Track2-Delivery-Token": address.delivery_token},
    )
    assert unknown.status_code == 404 and unknown.json() == {"detail": "Not found."}
    listing = api_as(None, "get", path, **{"Track2-Read-Token": address.delivery_token})
    assert listing.status_code == 404
    assert not Envelope.objects.exists()


def test_malformed_oversized_and_foreign_envelopes(world, api_as, keys, open_box):
    address = open_box(world.users["participant"], keys("a"), keys("b"))
    deliver = {"Track2-Delivery-Token": address.delivery_token}
    path = f"/mailboxes/{address.mailbox_id}/envelopes"
    good = seal_for(world, keys("a"), keys("b"), address, b"x")
    for bad in (good[:-1], good + b"\0", b"plaintext, not an envelope", b"\x02" + good[1:]):
        response = api_as(None, "post", path, {"envelope": b64(bad)}, **deliver)
        assert response.status_code == 400, bad[:4]
        assert "not a back-channel envelope" in response.json()["detail"]
    too_big = api_as(None, "post", path, {"envelope": b64(b"\1" * 200_000)}, **deliver)
    assert too_big.status_code == 422
    not_json = api_as(None, "post", path, {"envelope": "\ud800"}, **deliver)
    assert not_json.status_code in (400, 422)
    assert not Envelope.objects.exists() and not LogLeaf.objects.exists()


def test_expired_envelope_is_erased_and_reported(world, api_as, keys, open_box, settings):
    address = open_box(world.users["participant"], keys("a"), keys("b"))
    envelope = seal_for(world, keys("a"), keys("b"), address, b"late")
    api_as(
        None,
        "post",
        f"/mailboxes/{address.mailbox_id}/envelopes",
        {"envelope": b64(envelope)},
        **{"Track2-Delivery-Token": address.delivery_token},
    )
    stored = Envelope.objects.get()
    Envelope.objects.update(expires_on=stored.posted_on - timedelta(days=1))
    read = {"Track2-Read-Token": address.read_token}
    listing = api_as(None, "get", f"/mailboxes/{address.mailbox_id}/envelopes", **read)
    item = listing.json()["items"][0]
    assert item["is_expired"] and item["size"] == 0
    assert bytes(Envelope.objects.get().ciphertext) == b""
    gone = api_as(None, "get", f"/mailboxes/{address.mailbox_id}/envelopes/{item['id']}", **read)
    assert gone.status_code == 410 and "expired" in gone.json()["detail"]
    assert "send it again" in gone.json()["detail"]
    acked = api_as(
        None, "delete", f"/mailboxes/{address.mailbox_id}/envelopes/{item['id']}", **read
    )
    assert acked.status_code == 204 and not Envelope.objects.exists()
    assert LogLeaf.objects.filter(kind=LogLeaf.Kind.DELETED).count() == 1


def test_housekeeping_erases_expired_envelopes_on_a_quiet_site(world, api_as, keys, open_box):
    """Nobody reads or posts after expiry: `track2 housekeeping` erases the ciphertext anyway,
    logs the deletion once, and a second period later removes the emptied row."""
    address = open_box(world.users["participant"], keys("a"), keys("b"))
    for text in (b"late", b"later"):
        posted = api_as(
            None,
            "post",
            f"/mailboxes/{address.mailbox_id}/envelopes",
            {"envelope": b64(seal_for(world, keys("a"), keys("b"), address, text))},
            **{"Track2-Delivery-Token": address.delivery_token},
        )
        assert posted.status_code == 201
    first, second = Envelope.objects.order_by("envelope_id")
    Envelope.objects.filter(pk=first.pk).update(expires_on=first.posted_on - timedelta(days=1))
    out = StringIO()
    call_command("housekeeping", stdout=out)
    assert "Erased 1 expired back-channel message(s) nobody fetched." in out.getvalue()
    assert bytes(Envelope.objects.get(pk=first.pk).ciphertext) == b""
    assert bytes(Envelope.objects.get(pk=second.pk).ciphertext) != b""  # not expired: kept
    assert LogLeaf.objects.filter(kind=LogLeaf.Kind.DELETED).count() == 1
    again = StringIO()
    call_command("housekeeping", stdout=again)
    assert "nobody fetched" not in again.getvalue()
    assert LogLeaf.objects.filter(kind=LogLeaf.Kind.DELETED).count() == 1
    # The recipient is told for one more period, then the empty row goes too.
    Envelope.objects.filter(pk=first.pk).update(
        expires_on=first.posted_on - timedelta(days=1 + settings.TRACK2_BACKCHANNEL_DAYS + 1)
    )
    call_command("housekeeping", stdout=StringIO())
    assert list(Envelope.objects.values_list("pk", flat=True)) == [second.pk]
