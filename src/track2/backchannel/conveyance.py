"""Conveyance of a message through intermediaries, with signed receipts and a committed route.

The sender builds every layer:
- a *letter* for the recipient (the message, the sender's identity key and the route of
  intermediary identity keys the sender commits to), sealed to the recipient;
- for each intermediary, from the last to the first, a *routing* layer sealed to it: the next hop's
  identity key and mailbox and the envelope to hand on, which the intermediary cannot open.
An intermediary opens only its routing layer, signs a *receipt* over the hash of the envelope it
received, the hash of the envelope it hands on and the next hop, and forwards the inner envelope
inside a *carrier* envelope of its own to the next hop, together with the receipts so far (so the
server never sees who conveyed what). The recipient checks the receipts against the committed
route: same intermediaries in the same order, an unbroken chain of hashes ending at the letter.

Re-encrypt mode (only when the sender chooses it, and only for the last intermediary): the last
routing layer holds the letter itself, signed by the sender; the intermediary reads it, seals it
anew to the recipient, and signs a statement binding the old and new ciphertexts. The recipient
is shown that the intermediary could read the message. The sender's signature makes a re-encrypted
letter attributable to the sender (deniability is given up with the choice to let it be read).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from track2.backchannel import wire
from track2.backchannel.crypto import (
    Context,
    Identity,
    KeyBundle,
    OpenedEnvelope,
    open_envelope,
    seal,
    verify_signature,
)
from track2.backchannel.errors import (
    BadSignature,
    ConveyInstead,
    MalformedInput,
    RouteMismatch,
    UnexpectedSender,
)

__all__ = [
    "Delivery",
    "Forward",
    "Hop",
    "Receipt",
    "convey",
    "receive",
    "wrap",
]

MAX_INTERMEDIARIES = 3
FORWARD = 1
REENCRYPT = 2

_KIND_LETTER = ord("L")
_KIND_CARRIED = ord("C")
_DS_LETTER = b"track2/backchannel/v1/letter\x00"
_DS_RECEIPT = b"track2/backchannel/v1/receipt\x00"


def digest(blob: bytes) -> bytes:
    """The hash receipts and the transparency log use for an envelope."""
    return hashlib.sha256(blob).digest()


@dataclass(frozen=True)
class Hop:
    """Someone a message passes through or ends at: their verified bundle and their mailbox."""

    bundle: KeyBundle
    mailbox_id: str
    prekey_id: bytes | None = None


@dataclass(frozen=True)
class _Letter:
    mode: int
    sender_identity_key: bytes
    route: tuple[bytes, ...]
    message: bytes
    signature: bytes

    def unsigned_bytes(self) -> bytes:
        return (
            wire.header(_KIND_LETTER)
            + wire.u8(self.mode)
            + self.sender_identity_key
            + wire.u8(len(self.route))
            + b"".join(self.route)
            + wire.blob32(self.message)
        )

    def to_bytes(self) -> bytes:
        return self.unsigned_bytes() + wire.blob16(self.signature)

    @classmethod
    def from_bytes(cls, data: bytes) -> _Letter:
        wire.check_header(data, _KIND_LETTER, "letter")
        reader = wire.Reader(data, "letter", offset=2)
        mode = reader.u8_in((FORWARD, REENCRYPT), "conveyance mode")
        sender = reader.take(32)
        count = reader.u8()
        if count > MAX_INTERMEDIARIES:
            raise MalformedInput("The letter's route is longer than allowed.")
        route = tuple(reader.take(32) for _ in range(count))
        message = reader.blob32()
        signature = reader.blob16()
        reader.end()
        return cls(mode, sender, route, message, signature)


@dataclass(frozen=True)
class Receipt:
    """An intermediary's signed statement: I received envelope A and handed on envelope B to N.

    `kind` is FORWARD (B was inside A, unread) or REENCRYPT (the intermediary read A's letter and
    sealed it anew as B).
    """

    kind: int
    intermediary_key: bytes
    received_hash: bytes
    forwarded_hash: bytes
    next_identity_key: bytes
    next_mailbox_id: str
    signature: bytes

    def unsigned_bytes(self) -> bytes:
        return (
            wire.header(wire.KIND_RECEIPT)
            + wire.u8(self.kind)
            + self.intermediary_key
            + self.received_hash
            + self.forwarded_hash
            + self.next_identity_key
            + wire.text16(self.next_mailbox_id)
        )

    def to_bytes(self) -> bytes:
        return self.unsigned_bytes() + self.signature

    @classmethod
    def from_bytes(cls, data: bytes) -> Receipt:
        wire.check_header(data, wire.KIND_RECEIPT, "receipt")
        reader = wire.Reader(data, "receipt", offset=2)
        receipt = cls(
            reader.u8_in((FORWARD, REENCRYPT), "conveyance mode"),
            reader.take(32),
            reader.take(32),
            reader.take(32),
            reader.take(32),
            reader.text16(),
            reader.take(64),
        )
        reader.end()
        return receipt

    def verify(self) -> None:
        verify_signature(
            self.intermediary_key, _DS_RECEIPT + self.unsigned_bytes(), self.signature, "receipt"
        )

    @property
    def log_hash(self) -> bytes:
        """What the transparency log records for this receipt."""
        return digest(self.to_bytes())


@dataclass(frozen=True)
class _Routing:
    mode: int
    next_identity_key: bytes
    next_mailbox_id: str
    inner: bytes  # FORWARD: the envelope to hand on; REENCRYPT: the signed letter

    def to_bytes(self) -> bytes:
        return (
            wire.header(wire.KIND_ROUTING)
            + wire.u8(self.mode)
            + self.next_identity_key
            + wire.text16(self.next_mailbox_id)
            + wire.blob32(self.inner)
        )

    @classmethod
    def from_bytes(cls, data: bytes) -> _Routing:
        wire.check_header(data, wire.KIND_ROUTING, "routing instruction")
        reader = wire.Reader(data, "routing instruction", offset=2)
        mode = reader.u8_in((FORWARD, REENCRYPT), "conveyance mode")
        routing = cls(mode, reader.take(32), reader.text16(), reader.blob32())
        reader.end()
        return routing


@dataclass(frozen=True)
class _Carried:
    receipts: tuple[bytes, ...]
    inner: bytes

    def to_bytes(self) -> bytes:
        parts = [wire.header(_KIND_CARRIED), wire.u8(len(self.receipts))]
        parts += [wire.blob16(r) for r in self.receipts]
        parts.append(wire.blob32(self.inner))
        return b"".join(parts)

    @classmethod
    def from_bytes(cls, data: bytes) -> _Carried:
        wire.check_header(data, _KIND_CARRIED, "carrier")
        reader = wire.Reader(data, "carrier", offset=2)
        count = reader.u8()
        if count > MAX_INTERMEDIARIES:
            raise MalformedInput("The carrier holds more receipts than a route can have.")
        receipts = tuple(reader.blob16() for _ in range(count))
        inner = reader.blob32()
        reader.end()
        return cls(receipts, inner)


def _sign_letter(letter: _Letter, sender: Identity) -> _Letter:
    signature = sender.sign(_DS_LETTER + letter.unsigned_bytes())
    return _Letter(letter.mode, letter.sender_identity_key, letter.route, letter.message, signature)


def wrap(
    message: bytes,
    *,
    sender: Identity,
    dialogue_id: str,
    recipient: Hop,
    via: Sequence[Hop] = (),
    reencrypt: bool = False,
) -> bytes:
    """The envelope to post to the first hop's mailbox (the recipient's when `via` is empty)."""
    if len(via) > MAX_INTERMEDIARIES:
        raise MalformedInput(f"A route has at most {MAX_INTERMEDIARIES} intermediaries.")
    if reencrypt and not via:
        raise MalformedInput("Re-encrypt mode needs an intermediary to re-encrypt.")
    route = tuple(hop.bundle.identity_key for hop in via)
    letter = _Letter(REENCRYPT if reencrypt else FORWARD, sender.identity_key, route, message, b"")
    hops = [*via, recipient]
    for hop in hops:
        Context(dialogue_id, hop.mailbox_id).to_bytes()  # refuse an unencodable id up front

    def seal_to(hop: Hop, payload: bytes) -> bytes:
        context = Context(dialogue_id, hop.mailbox_id)
        return seal(
            payload, sender=sender, recipient=hop.bundle, context=context, prekey_id=hop.prekey_id
        )

    if not via:
        return seal_to(recipient, letter.to_bytes())
    try:
        if reencrypt:
            signed = _sign_letter(letter, sender).to_bytes()
            routing = _Routing(
                REENCRYPT, recipient.bundle.identity_key, recipient.mailbox_id, signed
            )
            blob = seal_to(via[-1], routing.to_bytes())
            hops = hops[:-1]
        else:
            blob = seal_to(recipient, letter.to_bytes())
        # Wrap outwards: each intermediary's layer names the hop after it and carries its envelope.
        for index in range(len(hops) - 2, -1, -1):
            hop, after = hops[index], hops[index + 1]
            routing = _Routing(FORWARD, after.bundle.identity_key, after.mailbox_id, blob)
            blob = seal_to(hop, routing.to_bytes())
    except MalformedInput as error:  # ids were checked above: only the size is left to fail
        raise MalformedInput(
            f"The message ({len(message):,} bytes) is too large to convey through "
            f"{len(via)} intermediaries: each layer adds about 1.3 KB and rounds up to the "
            "next size bucket (64 KiB at most). Send it in parts or through fewer "
            "intermediaries."
        ) from error
    return blob


@dataclass(frozen=True)
class Forward:
    """What an intermediary posts next: `envelope` to `mailbox_id`, and its receipt to the log."""

    mailbox_id: str
    envelope: bytes
    receipt: Receipt
    next_identity_key: bytes
    read_message: bytes | None  # the message, in re-encrypt mode only


@dataclass(frozen=True)
class _Layer:
    opened: OpenedEnvelope  # the envelope the sender made for this hop
    receipts: tuple[bytes, ...]  # receipts carried so far
    received: bytes  # the bytes of that sender-made envelope (what receipts hash)
    handed_by: bytes  # identity key of the intermediary that handed it over (empty if none)
    to_retire: tuple[OpenedEnvelope, ...]

    def retire(self, identity: Identity) -> None:
        """Delete the one-time prekeys used, once the caller has all it needs (forward secrecy);
        until then a failure leaves the envelope openable again, so nothing accepted is lost."""
        for envelope in self.to_retire:
            if not envelope.used_fallback:
                identity.retire_prekey(envelope.prekey_id)


def _open_layer(blob: bytes, identity: Identity, context: Context) -> _Layer:
    """Open an envelope; when it is a carrier, open the sender-made envelope inside it too."""
    # Both layers may have been sealed to the same one-time prekey (the sender's and the
    # intermediary's directory look-ups can both fall back to it): retire only once both opened.
    opened = open_envelope(blob, recipient=identity, context=context, consume=False)
    if opened.message[1:2] == bytes((_KIND_CARRIED,)):
        carried = _Carried.from_bytes(opened.message)
        inner = open_envelope(carried.inner, recipient=identity, context=context, consume=False)
        return _Layer(
            inner, carried.receipts, carried.inner, opened.sender_identity_key, (opened, inner)
        )
    return _Layer(opened, (), blob, b"", (opened,))


def convey(
    blob: bytes,
    *,
    intermediary: Identity,
    context: Context,
    fetch_bundle: Callable[[bytes], Hop],
) -> Forward:
    """As an intermediary: open my layer, sign a receipt, and build what I hand on.

    `fetch_bundle(identity_key)` returns the next hop's verified bundle and a prekey from the
    key directory (the caller refuses a bundle whose fingerprint was not compared); the mailbox
    used is the one the sender named in the routing layer, not the Hop's.
    The intermediary's one-time prekeys are retired only once everything succeeded: persist the
    identity after posting the forward.
    """
    layer = _open_layer(blob, intermediary, context)
    opened, receipts, received = layer.opened, layer.receipts, layer.received
    routing = _Routing.from_bytes(opened.message)
    next_hop = fetch_bundle(routing.next_identity_key)
    if next_hop.bundle.identity_key != routing.next_identity_key:
        raise UnexpectedSender(
            "The key directory returned a different person than the sender named as next hop."
        )
    next_context = Context(context.dialogue_id, routing.next_mailbox_id)
    read_message = None
    if routing.mode == REENCRYPT:
        letter = _Letter.from_bytes(routing.inner)
        _check_letter_signature(letter)
        if letter.sender_identity_key != opened.sender_identity_key:
            raise UnexpectedSender("The letter to re-encrypt is not signed by its sender.")
        read_message = letter.message
        handed_on = seal(
            letter.to_bytes(),
            sender=intermediary,
            recipient=next_hop.bundle,
            context=next_context,
            prekey_id=next_hop.prekey_id,
        )
    else:
        handed_on = routing.inner
    unsigned = Receipt(
        routing.mode,
        intermediary.identity_key,
        digest(received),
        digest(handed_on),
        routing.next_identity_key,
        routing.next_mailbox_id,
        b"",
    )
    receipt = Receipt(
        unsigned.kind,
        unsigned.intermediary_key,
        unsigned.received_hash,
        unsigned.forwarded_hash,
        unsigned.next_identity_key,
        unsigned.next_mailbox_id,
        intermediary.sign(_DS_RECEIPT + unsigned.unsigned_bytes()),
    )
    carrier = _Carried((*receipts, receipt.to_bytes()), handed_on)
    envelope = seal(
        carrier.to_bytes(),
        sender=intermediary,
        recipient=next_hop.bundle,
        context=next_context,
        prekey_id=next_hop.prekey_id,
    )
    layer.retire(intermediary)
    return Forward(
        routing.next_mailbox_id, envelope, receipt, routing.next_identity_key, read_message
    )


def _check_letter_signature(letter: _Letter) -> None:
    try:
        verify_signature(
            letter.sender_identity_key,
            _DS_LETTER + letter.unsigned_bytes(),
            letter.signature,
            "re-encrypted letter",
        )
    except BadSignature as error:
        raise RouteMismatch(
            "The re-encrypted letter is not signed by the sender it names: the intermediary "
            "may have forged it. Do not trust it."
        ) from error


@dataclass(frozen=True)
class Delivery:
    """A message the recipient opened and whose route checked out."""

    message: bytes
    sender_identity_key: bytes
    route: tuple[bytes, ...]
    receipts: tuple[Receipt, ...]
    reencrypted_by: bytes | None  # the intermediary that read and re-encrypted it, if any


def receive(
    blob: bytes,
    *,
    recipient: Identity,
    context: Context,
    expected_sender: bytes | None = None,
) -> Delivery:
    """As the recipient: open, then check the actual route against the committed one."""
    layer = _open_layer(blob, recipient, context)
    opened, raw_receipts = layer.opened, layer.receipts
    if opened.message[1:2] != bytes((_KIND_LETTER,)):
        raise ConveyInstead(
            "This envelope is a routing layer for an intermediary, not a message for you: "
            "convey it instead."
        )
    letter = _Letter.from_bytes(opened.message)
    receipts = tuple(Receipt.from_bytes(r) for r in raw_receipts)
    if expected_sender is not None and expected_sender != letter.sender_identity_key:
        raise UnexpectedSender("The message is not from the correspondent you expected.")
    if letter.mode == REENCRYPT:
        _check_letter_signature(letter)
        if not letter.route or opened.sender_identity_key != letter.route[-1]:
            raise RouteMismatch("The re-encrypted letter was not sealed by the last intermediary.")
    elif opened.sender_identity_key != letter.sender_identity_key:
        raise RouteMismatch(
            "The letter names a sender other than the one who sealed it: it was forged."
        )
    _check_route(letter, receipts, layer.received, layer.handed_by, recipient.identity_key, context)
    layer.retire(recipient)
    return Delivery(
        letter.message,
        letter.sender_identity_key,
        letter.route,
        receipts,
        letter.route[-1] if letter.mode == REENCRYPT else None,
    )


def _check_route(
    letter: _Letter,
    receipts: tuple[Receipt, ...],
    received: bytes,
    handed_by: bytes,
    recipient_key: bytes,
    context: Context,
) -> None:
    route = letter.route
    if len(receipts) != len(route):
        raise RouteMismatch(
            f"The sender committed to {len(route)} intermediaries but {len(receipts)} receipts "
            "came with the message: it did not take the route the sender chose."
        )
    if route and handed_by != route[-1]:
        raise RouteMismatch("The message was handed over by someone not on the committed route.")
    if not route and handed_by:
        raise RouteMismatch("A direct message arrived through an intermediary.")
    for index, (receipt, expected_key) in enumerate(zip(receipts, route, strict=True)):
        try:
            receipt.verify()
        except BadSignature as error:
            raise RouteMismatch(
                f"Receipt {index + 1} is not signed by its intermediary."
            ) from error
        if receipt.intermediary_key != expected_key:
            raise RouteMismatch(
                f"Hop {index + 1} was conveyed by someone other than the intermediary the sender "
                "committed to."
            )
        is_last = index == len(route) - 1
        expected_next = recipient_key if is_last else route[index + 1]
        if receipt.next_identity_key != expected_next:
            raise RouteMismatch(f"Hop {index + 1} was handed to someone off the committed route.")
        expected_mode = letter.mode if is_last else FORWARD
        if receipt.kind != expected_mode:
            raise RouteMismatch(
                f"Hop {index + 1} re-encrypted the message though the sender did not choose it."
                if receipt.kind == REENCRYPT
                else f"Hop {index + 1} claims a plain forward where the sender chose re-encrypt."
            )
        if not is_last and receipt.forwarded_hash != receipts[index + 1].received_hash:
            raise RouteMismatch(f"The receipts of hops {index + 1} and {index + 2} do not chain.")
    if receipts:
        last = receipts[-1]
        if last.forwarded_hash != digest(received) or last.next_mailbox_id != context.mailbox_id:
            raise RouteMismatch("The last receipt does not cover the envelope that arrived.")
