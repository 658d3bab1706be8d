"""Reads the back channel's page, API and command share: the directory, a mailbox's envelopes."""

from __future__ import annotations

import base64

from django.db.models import Count, Q, QuerySet

from track2.access import NotFound, parse_id
from track2.backchannel import crypto
from track2.backchannel.models import DirectoryEntry, Envelope, Mailbox
from track2.backchannel.relay import today
from track2.dialogues.models import Dialogue
from track2.disclosure.status import STATUS_LINE


def b64(raw: bytes) -> str:
    return base64.b64encode(bytes(raw)).decode("ascii")


def directory_of(dialogue: Dialogue) -> QuerySet[DirectoryEntry]:
    """Everyone with published keys, by name (members) and label (offline contacts)."""
    return (
        DirectoryEntry.objects.filter(dialogue=dialogue)
        .select_related("user", "introduced_by")
        # Counted in the one query, not once per entry.
        .annotate(prekeys_left=Count("prekeys", filter=Q(prekeys__is_handed_out=False)))
        .order_by("contact_label", "user__display_name", "user__email", "pk")
    )


def entry_in(dialogue: Dialogue, entry_id) -> DirectoryEntry:
    try:
        return directory_of(dialogue).get(pk=parse_id(entry_id))
    except DirectoryEntry.DoesNotExist:
        raise NotFound from None


def bundle_for_sender(entry: DirectoryEntry, one_time_id: str | None) -> bytes:
    """The entry's bundle with only the fallback prekey, and the one one-time prekey handed out."""
    parsed = crypto.KeyBundle.from_bytes(bytes(entry.bundle))
    return parsed.with_prekeys([bytes.fromhex(one_time_id)] if one_time_id else []).to_bytes()


def holder_name(entry: DirectoryEntry) -> str:
    if entry.contact_label:
        return entry.contact_label
    user = entry.user
    return (getattr(user, "display_name", "") or user.email) if user is not None else ""


def prekeys_left(entry: DirectoryEntry) -> int:
    """One-time prekeys not yet handed out (annotated by `directory_of`, else counted)."""
    counted = getattr(entry, "prekeys_left", None)
    return counted if counted is not None else entry.prekeys.filter(is_handed_out=False).count()


def entry_out(entry: DirectoryEntry, *, with_bundle: bool = True) -> dict:
    shown = {
        "id": entry.pk,
        "holder": holder_name(entry),
        "identity_key": entry.identity_key,
        "is_offline_contact": bool(entry.contact_label),
        "introduced_by": holder_name_of_user(entry.introduced_by),
        "fingerprint": entry.fingerprint,
        "version": entry.version,
        "published_on": entry.published_on,
        "keys_changed_on": entry.changed_on,
        "one_time_prekeys_left": prekeys_left(entry),
    }
    if with_bundle:
        # Without its one-time prekeys: those are handed out one at a time (`claim_prekey`).
        shown["bundle"] = b64(bundle_for_sender(entry, None))
    return shown


def holder_name_of_user(user) -> str | None:
    if user is None:
        return None
    return getattr(user, "display_name", "") or user.email


def waiting_in(mailbox: Mailbox) -> QuerySet[Envelope]:
    # By random id: the order says nothing about arrival.
    return mailbox.envelopes.order_by("envelope_id")


def envelope_out(envelope: Envelope) -> dict:
    expired = envelope.expires_on < today() or not bytes(envelope.ciphertext)
    return {
        "id": envelope.envelope_id,
        "size": len(bytes(envelope.ciphertext)),
        "sha256": bytes(envelope.digest).hex(),
        "posted_on": envelope.posted_on,
        "expires_on": envelope.expires_on,
        "is_expired": expired,
    }


def relay_totals(dialogue: Dialogue) -> dict:
    """What the server knows anyway, for the dialogue's page: counts, never who or when."""
    return {
        "mailboxes": Mailbox.objects.filter(dialogue=dialogue).count(),
        "waiting": Envelope.objects.filter(mailbox__dialogue=dialogue).count(),
        "status_line": STATUS_LINE,
    }
