"""Conveyance through intermediaries: receipts, the committed route, and re-encrypt mode."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from track2.backchannel import conveyance
from track2.backchannel.conveyance import Hop, Receipt, convey, receive, wrap
from track2.backchannel.crypto import ONE_TIME, Context, Identity, generate_identity, seal
from track2.backchannel.errors import (
    BackchannelError,
    ConveyInstead,
    MalformedInput,
    RouteMismatch,
    UnexpectedSender,
)

DIALOGUE = "dialogue-b41d"


class Directory:
    """The key directory as a client sees it: each one-time prekey is handed out once."""

    def __init__(self, *people: Identity) -> None:
        self.people = {p.identity_key: p for p in people}
        self.mailboxes = {p.identity_key: f"mailbox-{i}" for i, p in enumerate(people)}
        self.handed: set[bytes] = set()

    def hop(self, identity_key: bytes) -> Hop:
        person = self.people[identity_key]
        bundle = person.bundle()
        for prekey in bundle.prekeys:
            if prekey.kind == ONE_TIME and prekey.prekey_id not in self.handed:
                self.handed.add(prekey.prekey_id)
                return Hop(
                    bundle.with_prekeys([prekey.prekey_id]),
                    self.mailboxes[identity_key],
                    prekey.prekey_id,
                )
        return Hop(bundle.with_prekeys([]), self.mailboxes[identity_key])

    def context(self, person: Identity) -> Context:
        return Context(DIALOGUE, self.mailboxes[person.identity_key])


@pytest.fixture
def people():
    sender, first, second, recipient = (generate_identity(6) for _ in range(4))
    return sender, first, second, recipient, Directory(sender, first, second, recipient)


def _send(people, via_count: int, reencrypt: bool = False, message: bytes = b"the offer stands"):
    sender, first, second, recipient, directory = people
    via = [first, second][:via_count]
    blob = wrap(
        message,
        sender=sender,
        dialogue_id=DIALOGUE,
        recipient=directory.hop(recipient.identity_key),
        via=[directory.hop(p.identity_key) for p in via],
        reencrypt=reencrypt,
    )
    forwards = []
    for person in via:
        forward = convey(
            blob, intermediary=person, context=directory.context(person), fetch_bundle=directory.hop
        )
        forwards.append(forward)
        blob = forward.envelope
    return blob, forwards


@pytest.mark.parametrize("via_count", [0, 1, 2])
def test_route_is_checked_end_to_end(people, via_count):
    sender, first, second, recipient, directory = people
    blob, forwards = _send(people, via_count)
    delivery = receive(
        blob,
        recipient=recipient,
        context=directory.context(recipient),
        expected_sender=sender.identity_key,
    )
    assert delivery.message == b"the offer stands"
    assert delivery.sender_identity_key == sender.identity_key
    assert delivery.route == tuple(p.identity_key for p in [first, second][:via_count])
    assert [r.intermediary_key for r in delivery.receipts] == list(delivery.route)
    assert delivery.reencrypted_by is None
    for forward in forwards:
        assert forward.read_message is None  # a plain intermediary never sees the message
        forward.receipt.verify()
        assert Receipt.from_bytes(forward.receipt.to_bytes()) == forward.receipt
        assert len(forward.receipt.log_hash) == 32


def test_intermediaries_see_only_routing(people):
    sender, first, second, recipient, directory = people
    blob, forwards = _send(people, 2, message=b"CANARY-7d1e-conveyed")
    assert all(b"CANARY" not in f.envelope for f in forwards)
    # The intermediary's own view (what it opened) holds no plaintext either.
    assert forwards[0].next_identity_key == second.identity_key
    assert forwards[1].next_identity_key == recipient.identity_key


def test_reencrypt_mode_is_shown_to_the_recipient(people):
    sender, first, second, recipient, directory = people
    blob, forwards = _send(people, 2, reencrypt=True, message=b"read it, then carry it")
    assert forwards[0].read_message is None
    assert forwards[1].read_message == b"read it, then carry it"
    assert forwards[1].receipt.kind == conveyance.REENCRYPT
    delivery = receive(blob, recipient=recipient, context=directory.context(recipient))
    assert delivery.reencrypted_by == second.identity_key
    assert delivery.sender_identity_key == sender.identity_key
    assert delivery.message == b"read it, then carry it"


def test_reencrypt_needs_an_intermediary_and_routes_are_bounded(people):
    sender, first, second, recipient, directory = people
    with pytest.raises(MalformedInput):
        wrap(
            b"x",
            sender=sender,
            dialogue_id=DIALOGUE,
            recipient=directory.hop(recipient.identity_key),
            reencrypt=True,
        )
    with pytest.raises(MalformedInput):
        wrap(
            b"x",
            sender=sender,
            dialogue_id=DIALOGUE,
            recipient=directory.hop(recipient.identity_key),
            via=[directory.hop(first.identity_key)] * 4,
        )


def _carrier(
    handed_by: Identity,
    receipts: list[bytes],
    inner: bytes,
    recipient: Identity,
    directory: Directory,
) -> bytes:
    carried = conveyance._Carried(tuple(receipts), inner)
    hop = directory.hop(recipient.identity_key)
    return seal(
        carried.to_bytes(),
        sender=handed_by,
        recipient=hop.bundle,
        context=directory.context(recipient),
        prekey_id=hop.prekey_id,
    )


def _inner_and_receipts(blob: bytes, recipient: Identity, directory: Directory):
    """Open the carrier as the recipient would, without consuming keys, to replay its parts."""
    layer = conveyance._open_layer(blob, recipient, directory.context(recipient))
    return layer.received, list(layer.receipts)


@pytest.mark.parametrize("attack", ["drop", "reorder", "duplicate", "forged", "wrong-handler"])
def test_a_route_that_differs_from_the_committed_one_is_refused(people, attack):
    sender, first, second, recipient, directory = people
    blob, _forwards = _send(people, 2)
    inner, receipts = _inner_and_receipts(blob, recipient, directory)
    handler = second
    if attack == "drop":
        receipts = receipts[1:]
    elif attack == "reorder":
        receipts = receipts[::-1]
    elif attack == "duplicate":
        receipts = [receipts[1], receipts[1]]
    elif attack == "forged":
        genuine = Receipt.from_bytes(receipts[0])
        receipts[0] = Receipt(
            genuine.kind,
            genuine.intermediary_key,
            genuine.received_hash,
            b"\x00" * 32,
            genuine.next_identity_key,
            genuine.next_mailbox_id,
            genuine.signature,
        ).to_bytes()
    elif attack == "wrong-handler":
        handler = first  # the first intermediary skipped the second and delivered itself
    forged = _carrier(handler, receipts, inner, recipient, directory)
    with pytest.raises(RouteMismatch):
        receive(forged, recipient=recipient, context=directory.context(recipient))


def test_a_direct_message_cannot_claim_receipts_and_an_intermediary_cannot_forge_a_letter(people):
    sender, first, second, recipient, directory = people
    direct, _ = _send(people, 0)
    # Wrapping a direct letter into a carrier makes it arrive "through" someone: refused.
    opened_blob = _carrier(first, [], direct, recipient, directory)
    with pytest.raises(RouteMismatch):
        receive(opened_blob, recipient=recipient, context=directory.context(recipient))
    # An intermediary that writes its own re-encrypt letter in the sender's name: no signature.
    letter = conveyance._Letter(
        conveyance.REENCRYPT, sender.identity_key, (first.identity_key,), b"forged", b"\x00" * 64
    )
    hop = directory.hop(recipient.identity_key)
    forged = seal(
        letter.to_bytes(),
        sender=first,
        recipient=hop.bundle,
        context=directory.context(recipient),
        prekey_id=hop.prekey_id,
    )
    with pytest.raises(RouteMismatch):
        receive(
            _carrier(first, [], forged, recipient, directory),
            recipient=recipient,
            context=directory.context(recipient),
        )


def test_recipient_refuses_an_unexpected_sender_and_a_routing_layer(people):
    sender, first, second, recipient, directory = people
    blob, _ = _send(people, 1)
    with pytest.raises(UnexpectedSender):
        receive(
            blob,
            recipient=recipient,
            context=directory.context(recipient),
            expected_sender=first.identity_key,
        )
    routing_for_first = wrap(
        b"x",
        sender=sender,
        dialogue_id=DIALOGUE,
        recipient=directory.hop(recipient.identity_key),
        via=[directory.hop(first.identity_key)],
    )
    with pytest.raises(ConveyInstead, match="convey it instead"):
        receive(routing_for_first, recipient=first, context=directory.context(first))


def test_directory_substituting_the_next_hop_is_refused(people):
    sender, first, second, recipient, directory = people
    blob = wrap(
        b"x",
        sender=sender,
        dialogue_id=DIALOGUE,
        recipient=directory.hop(recipient.identity_key),
        via=[directory.hop(first.identity_key)],
    )
    mallory = generate_identity(2)
    with pytest.raises(UnexpectedSender):
        convey(
            blob,
            intermediary=first,
            context=directory.context(first),
            fetch_bundle=lambda _key: Hop(mallory.bundle(), "mailbox-mallory"),
        )
    # The failed attempt consumed nothing: the intermediary can still convey it.
    forward = convey(
        blob, intermediary=first, context=directory.context(first), fetch_bundle=directory.hop
    )
    assert (
        receive(forward.envelope, recipient=recipient, context=directory.context(recipient)).message
        == b"x"
    )


def test_tampered_or_replayed_conveyance_fails_closed(people):
    sender, first, second, recipient, directory = people
    blob, _ = _send(people, 1)
    tampered = bytearray(blob)
    tampered[len(blob) // 2] ^= 0x10
    with pytest.raises(BackchannelError):
        receive(bytes(tampered), recipient=recipient, context=directory.context(recipient))
    receive(blob, recipient=recipient, context=directory.context(recipient))
    with pytest.raises(BackchannelError):
        receive(blob, recipient=recipient, context=directory.context(recipient))


def test_a_message_too_large_for_its_route_is_refused_with_advice(people):
    sender, first, second, recipient, directory = people
    with pytest.raises(MalformedInput, match="too large to convey through 1 intermediaries"):
        wrap(
            b"x" * 64_000,
            sender=sender,
            dialogue_id=DIALOGUE,
            recipient=directory.hop(recipient.identity_key),
            via=[directory.hop(first.identity_key)],
        )


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(message=st.binary(max_size=3000), via_count=st.integers(0, 2), reencrypt=st.booleans())
def test_any_message_round_trips_through_any_route(people, message, via_count, reencrypt):
    sender, first, second, recipient, directory = people
    if reencrypt and not via_count:
        return
    blob, forwards = _send(people, via_count, reencrypt=reencrypt, message=message)
    delivery = receive(blob, recipient=recipient, context=directory.context(recipient))
    assert delivery.message == message
    assert len(delivery.receipts) == via_count
    assert (delivery.reencrypted_by is not None) == reencrypt
