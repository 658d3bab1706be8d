"""Every write of the back channel: `check_*` validates, `do_*` writes (STYLE.md §1).

Two kinds of caller. The key directory is a dialogue's: its members publish and read through
`track2.access`, and publishing is audited. The relay is nobody's: posting, reading and
acknowledging need a mailbox's token, never a session, and write no audit entry, because an
entry would name the user behind a mailbox (docs/decisions.md, "Back channel").
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from track2 import validation as admissible
from track2.access import access_dialogue
from track2.audit import record as audit
from track2.backchannel import crypto, log
from track2.backchannel.models import DirectoryEntry, Envelope, LogLeaf, Mailbox, OneTimePrekey
from track2.backchannel.queries import bundle_for_sender
from track2.backchannel.relay import (
    CAPABILITY,
    TOKEN_HASH,
    KeyHolder,
    dialogue_of_holder,
    expiry_from,
    today,
)
from track2.dialogues.models import Dialogue
from track2.errors import ActionRefused, Problems

# A bundle carries its one-time prekeys (about 1.3 KB each, ML-KEM-768 public keys): 100 of them
# last a busy correspondent a while and keep a bundle under 160 KiB.
MAX_PREKEYS = 100
MAX_BUNDLE_BYTES = 160 * 1024
# Envelopes waiting in one mailbox before the sender is told to wait for acknowledgements.
MAX_WAITING = 500
# Above every size `crypto.check_envelope` admits (the largest bucket, in the layers of a
# conveyance through a few intermediaries); that check applies the exact rule.
MAX_ENVELOPE_BYTES = 128 * 1024


class Gone(ActionRefused):
    """The envelope expired and was deleted; only the sender can send it again."""

    status = 410


# --- key directory ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    dialogue: Dialogue
    bundle: bytes
    identity_key: str
    fingerprint: str
    one_time_prekey_ids: list[bytes]
    contact_label: str


def _verified_bundle(raw: bytes, problems: Problems) -> crypto.KeyBundle | None:
    """The parsed bundle when every signature holds, else None with the problem noted."""
    if not raw:
        problems.add(_("Send the signed key bundle (base64); it is empty."), "bundle")
        return None
    if len(raw) > MAX_BUNDLE_BYTES:
        problems.add(
            _("The key bundle is larger than %(max)s bytes; publish fewer one-time prekeys.")
            % {"max": MAX_BUNDLE_BYTES},
            "bundle",
        )
        return None
    try:
        bundle = crypto.KeyBundle.from_bytes(raw)
        crypto.verify_bundle(bundle)
    except crypto.BackchannelError as error:
        problems.add(
            _(
                "The key bundle is not valid (%(why)s). Publish the one `track2 backchannel "
                "keygen` wrote, unchanged."
            )
            % {"why": error},
            "bundle",
        )
        return None
    one_time = [p for p in bundle.prekeys if p.kind == crypto.ONE_TIME]
    if len(one_time) > MAX_PREKEYS:
        problems.add(
            _("At most %(max)s one-time prekeys in a bundle; publish fewer at a time.")
            % {"max": MAX_PREKEYS},
            "bundle",
        )
    if not any(p.kind == crypto.FALLBACK for p in bundle.prekeys):
        problems.add(
            _("The key bundle has no fallback prekey; make a new one with `keygen`."), "bundle"
        )
    return bundle


def check_publish(user, dialogue_id, bundle: bytes, contact_label: str = "") -> Publication:
    dialogue = access_dialogue(user, dialogue_id, need="member").dialogue
    problems = Problems()
    parsed = _verified_bundle(bundle, problems)
    label = " ".join(contact_label.split())
    if label:
        problem = admissible.text_problem(label, multiline=False)
        if problem or len(label) > 100:
            problems.add(
                problem or _("The contact's label is longer than 100 characters; shorten it."),
                "contact_label",
            )
    problems.raise_any()
    assert parsed is not None  # noqa: S101  (raise_any refused every path without one)
    return Publication(
        dialogue,
        bundle,
        parsed.identity_key.hex(),
        crypto.fingerprint(parsed),
        [p.prekey_id for p in parsed.prekeys if p.kind == crypto.ONE_TIME],
        label,
    )


@transaction.atomic
def do_publish(user, publication: Publication) -> DirectoryEntry:
    """Put the bundle in the directory; a new fingerprint is a key change correspondents see."""
    day = today()
    owner = (
        {"user": None, "contact_label": publication.contact_label}
        if publication.contact_label
        else {"user": user, "contact_label": ""}
    )
    entry = (
        DirectoryEntry.objects.select_for_update()
        .filter(dialogue=publication.dialogue, **owner)
        .first()
    )
    if entry is None:
        entry = DirectoryEntry(dialogue=publication.dialogue, version=1, **owner)
        action = "publish key bundle"
    else:
        if entry.contact_label and entry.introduced_by_id != user.pk:
            raise ActionRefused(
                _(
                    "Another member introduced the offline contact %(label)s; only they can "
                    "publish its keys. Choose another label."
                )
                % {"label": entry.contact_label},
                field="contact_label",
            )
        action = "replace key bundle"
        if entry.fingerprint != publication.fingerprint:
            entry.version += 1
            entry.changed_on = day
            action = "change keys"
    if publication.contact_label:
        entry.introduced_by = user
    entry.bundle = publication.bundle
    entry.identity_key = publication.identity_key
    entry.fingerprint = publication.fingerprint
    entry.published_on = day
    entry.save()
    published = {key_id.hex() for key_id in publication.one_time_prekey_ids}
    entry.prekeys.exclude(key_id__in=published).delete()
    known = set(entry.prekeys.values_list("key_id", flat=True))
    OneTimePrekey.objects.bulk_create(
        OneTimePrekey(entry=entry, key_id=key_id) for key_id in sorted(published - known)
    )
    log.append(LogLeaf.Kind.KEY_BUNDLE, hashlib.sha256(publication.bundle).digest())
    audit.record(user, action, entry, dialogue=publication.dialogue)
    return entry


@transaction.atomic
def claim_prekey(entry: DirectoryEntry) -> tuple[bytes, str | None]:
    """Hand out one one-time prekey and forget it (used once: forward secrecy). When none is
    left the sender gets the bundle's fallback prekey alone. Returns (bundle, prekey id)."""
    prekey = (
        OneTimePrekey.objects.select_for_update()
        .filter(entry=entry, is_handed_out=False)
        .order_by("key_id")
        .first()
    )
    key_id = None
    if prekey is not None:
        key_id = prekey.key_id
        prekey.is_handed_out = True
        prekey.save(update_fields=["is_handed_out"])
    return bundle_for_sender(entry, key_id), key_id


# --- mailboxes -------------------------------------------------------------------------------


def check_open_mailbox(
    caller, dialogue_id, mailbox_id: str, delivery_token_hash: str, read_token_hash: str
) -> tuple[Dialogue, str, bytes, bytes]:
    """A member, or a key holder of the dialogue's directory (an offline contact, who has no
    account), opens a relationship's mailbox with the tokens' hashes (never the tokens)."""
    if isinstance(caller, KeyHolder):
        dialogue = dialogue_of_holder(caller, dialogue_id)
    else:
        dialogue = access_dialogue(caller, dialogue_id, need="member").dialogue
    problems = Problems()
    if not CAPABILITY.fullmatch(mailbox_id or ""):
        problems.add(
            _("A mailbox id is 43 base64url characters, as `track2 backchannel` derives it."),
            "mailbox_id",
        )
    for field, value in (
        ("delivery_token_hash", delivery_token_hash),
        ("read_token_hash", read_token_hash),
    ):
        if not TOKEN_HASH.fullmatch(value or ""):
            problems.add(_("Send the token's SHA-256 as 64 lower-case hex digits."), field)
    problems.raise_any()
    return (
        dialogue,
        mailbox_id,
        bytes.fromhex(delivery_token_hash),
        bytes.fromhex(read_token_hash),
    )


@transaction.atomic
def do_open_mailbox(opening: tuple[Dialogue, str, bytes, bytes]) -> tuple[Mailbox, bool]:
    """Open the mailbox, or confirm it is open with the same tokens (both correspondents open
    it; whoever comes second changes nothing). Returns the mailbox and whether it is new.
    No audit entry: it would name the member behind the mailbox."""
    dialogue, mailbox_id, delivery, read = opening
    mailbox, created = Mailbox.objects.select_for_update().get_or_create(
        mailbox_id=mailbox_id,
        defaults={
            "dialogue": dialogue,
            "delivery_token_hash": delivery,
            "read_token_hash": read,
            "opened_on": today(),
        },
    )
    if not created and (
        mailbox.dialogue_id != dialogue.pk
        or bytes(mailbox.delivery_token_hash) != delivery
        or bytes(mailbox.read_token_hash) != read
    ):
        raise ActionRefused(
            _(
                "This mailbox id is already open with other tokens. Derive the mailbox again with "
                "`track2 backchannel` from the current keys; an id is never reused."
            ),
            field="mailbox_id",
        )
    return mailbox, created


# --- envelopes -------------------------------------------------------------------------------


def check_post(mailbox: Mailbox, blob: bytes, receipt_hash: str | None = None) -> None:
    """Only a well-formed envelope of an allowed size, checked without any key."""
    problems = Problems()
    try:
        crypto.check_envelope(blob)
    except crypto.BackchannelError as error:
        problems.add(
            _(
                "This is not a back-channel envelope the relay accepts (%(why)s). Send what "
                "`track2 backchannel send` or `convey` wrote, unchanged."
            )
            % {"why": error},
            "envelope",
        )
    if receipt_hash is not None and not TOKEN_HASH.fullmatch(receipt_hash):
        problems.add(
            _("receipt_hash is the receipt's SHA-256 in 64 lower-case hex digits."),
            "receipt_hash",
        )
    if _is_full(mailbox):
        problems.add(_full_message(), "envelope")
    problems.raise_any()


def _is_full(mailbox: Mailbox) -> bool:
    return Envelope.objects.filter(mailbox=mailbox).count() >= MAX_WAITING


def _full_message() -> str:
    return _(
        "This mailbox already holds %(max)s unacknowledged envelopes; wait until the "
        "recipient reads and acknowledges them."
    ) % {"max": MAX_WAITING}


@transaction.atomic
def do_post(mailbox: Mailbox, blob: bytes, receipt_hash: str | None = None) -> Envelope:
    """Keep the envelope; log its hash, and the hash of the intermediary's receipt for it (the
    receipt itself travels inside the envelope: posted here it would name the intermediary)."""
    purge_expired()
    # Counted again under the mailbox's lock: posts arriving at once (several workers) each
    # counted the envelopes before any of the others was written, and all got in past the cap.
    Mailbox.objects.select_for_update().filter(pk=mailbox.pk).first()
    if _is_full(mailbox):
        raise ActionRefused(_full_message(), field="envelope")
    day = today()
    digest = hashlib.sha256(blob).digest()
    envelope = Envelope.objects.create(
        envelope_id=secrets.token_hex(16),
        mailbox=mailbox,
        ciphertext=blob,
        digest=digest,
        posted_on=day,
        expires_on=expiry_from(day),
    )
    log.append(LogLeaf.Kind.POSTED, digest)
    if receipt_hash is not None:
        log.append(LogLeaf.Kind.RECEIPT, bytes.fromhex(receipt_hash))
    return envelope


def readable(envelope: Envelope) -> bytes:
    """The ciphertext, or Gone when the envelope expired (its ciphertext is erased; the empty
    row goes when the recipient acknowledges it, or a second expiry period later)."""
    if envelope.expires_on < today() or not bytes(envelope.ciphertext):
        raise Gone(
            _(
                "This message expired on %(day)s and was deleted unread. Ask the sender to send "
                "it again."
            )
            % {"day": envelope.expires_on.isoformat()}
        )
    return bytes(envelope.ciphertext)


@transaction.atomic
def do_acknowledge(envelope: Envelope) -> None:
    """The recipient has it: delete it now (delete-on-acknowledge) and log that."""
    log.append(LogLeaf.Kind.ACKNOWLEDGED, bytes(envelope.digest))
    envelope.delete()


@transaction.atomic
def purge_expired(day: date | None = None) -> int:
    """Erase the ciphertext of every envelope past its expiry on `day` (today by default) and
    log each deletion. The empty row stays until its mailbox is read, so that the recipient
    learns a message expired. `track2 housekeeping` runs it too, for mailboxes nobody touches."""
    day = day or today()
    expired = list(
        Envelope.objects.select_for_update()
        .filter(expires_on__lt=day)
        .exclude(ciphertext=b"")
        .values_list("envelope_id", "digest")
    )
    for _id, digest in expired:
        log.append(LogLeaf.Kind.DELETED, bytes(digest))
    Envelope.objects.filter(envelope_id__in=[pk for pk, _d in expired]).update(ciphertext=b"")
    # Emptied rows nobody came to read: after a second period there is no one left to tell.
    Envelope.objects.filter(
        expires_on__lt=day - timedelta(days=settings.TRACK2_BACKCHANNEL_DAYS)
    ).delete()
    return len(expired)
