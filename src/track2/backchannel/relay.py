"""Capabilities of the blind relay: mailbox ids and tokens as the clients derive them.

A mailbox is addressed by an id and opened by two tokens (deliver, read) that the two
correspondents' clients derive from their keys; the server stores only the id and the
SHA-256 of each token, and compares in constant time. No session, cookie or address is
involved, so nothing the server keeps names the person behind a mailbox.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from track2.access import NotFound
from track2.backchannel import crypto
from track2.backchannel.models import DirectoryEntry, Envelope, Mailbox
from track2.dialogues.models import Dialogue

# 32 random or derived bytes, base64url without padding (RFC 4648 §5).
CAPABILITY = re.compile(r"[A-Za-z0-9_-]{43}")
TOKEN_HASH = re.compile(r"[0-9a-f]{64}")
# An envelope's id: 16 random bytes in hex (the server chooses it; never read as a command option).
ENVELOPE_ID = re.compile(r"[0-9a-f]{32}")


def today() -> date:
    """Times the relay keeps are whole days (UTC): an hour would help correlate traffic."""
    return timezone.now().date()


def expiry_from(day: date) -> date:
    return day + timedelta(days=settings.TRACK2_BACKCHANNEL_DAYS)


def token_hash(token: str) -> bytes:
    # Tokens carry 256 random or derived bits: a plain hash is enough (no password stretching).
    return hashlib.sha256(token.encode("ascii")).digest()


def _holding(mailbox_id: str, token: str, column: str) -> Mailbox:
    if not CAPABILITY.fullmatch(mailbox_id or "") or not CAPABILITY.fullmatch(token or ""):
        raise NotFound
    try:
        mailbox = Mailbox.objects.get(mailbox_id=mailbox_id)
    except Mailbox.DoesNotExist:
        raise NotFound from None
    # One answer for "no such mailbox" and "wrong token": neither says the mailbox exists.
    if not hmac.compare_digest(bytes(getattr(mailbox, column)), token_hash(token)):
        raise NotFound
    return mailbox


def mailbox_for_delivery(mailbox_id: str, token: str) -> Mailbox:
    return _holding(mailbox_id, token, "delivery_token_hash")


def mailbox_for_reading(mailbox_id: str, token: str) -> Mailbox:
    return _holding(mailbox_id, token, "read_token_hash")


def envelope_in(mailbox: Mailbox, envelope_id: str) -> Envelope:
    if not ENVELOPE_ID.fullmatch(envelope_id or ""):
        raise NotFound
    try:
        return mailbox.envelopes.get(envelope_id=envelope_id)
    except Envelope.DoesNotExist:
        raise NotFound from None


# What a key holder signs to read its dialogue's directory without an account: the day (UTC).
READ_DIRECTORY = b"track2/backchannel/v1/read-directory\x00"


def directory_read_message(day: date) -> bytes:
    return READ_DIRECTORY + day.isoformat().encode("ascii")


@dataclass(frozen=True)
class KeyHolder:
    """A caller who proved it holds the private identity key of `identity_key` (hex)."""

    identity_key: str


def key_holder(identity_key_hex: str, signature_b64: str) -> KeyHolder | None:
    """Who signed today (or yesterday, for clocks either side of midnight) with a published
    identity key; None when nothing matches, so the caller is simply not authenticated."""
    if not re.fullmatch(r"[0-9a-f]{64}", identity_key_hex or ""):
        return None
    try:
        signature = base64.b64decode((signature_b64 or "").encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        return None
    if not DirectoryEntry.objects.filter(identity_key=identity_key_hex).exists():
        return None
    for day in (today(), today() - timedelta(days=1)):
        try:
            crypto.verify_signature(
                bytes.fromhex(identity_key_hex), directory_read_message(day), signature, "request"
            )
        except crypto.BackchannelError:
            continue
        return KeyHolder(identity_key_hex)
    return None


def dialogue_of_holder(holder: KeyHolder, dialogue_id: int) -> Dialogue:
    """The dialogue, when the holder's key is in its directory; else NotFound."""
    entry = (
        DirectoryEntry.objects.select_related("dialogue")
        .filter(identity_key=holder.identity_key, dialogue_id=dialogue_id)
        .first()
    )
    if entry is None:
        raise NotFound
    return entry.dialogue
