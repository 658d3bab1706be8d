"""What the blind relay stores: public key bundles, opaque envelopes, and a log of hashes.

Nothing here links a mailbox or an envelope to a user: a mailbox's id and tokens are derived
by the two correspondents' clients from their keys, the server keeps only the id and SHA-256 of
the tokens, and times are whole days (docs/security-model.md).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from track2.backchannel import logentry


class DirectoryEntry(models.Model):
    """One person's current signed public key bundle in a dialogue's key directory.

    A member publishes their own; an offline contact (no account) is published by the member
    who gave them their passphrase and is named by a label. A new identity key raises
    `version` and sets `changed_on`: correspondents must compare fingerprints again.
    """

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="key_directory"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="key_bundles",
    )
    contact_label = models.CharField(_("offline contact"), max_length=100, blank=True)
    # The member who vouches for an offline contact (carried their passphrase out of band).
    introduced_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="introduced_contacts",
    )
    # The Ed25519 identity key, hex: how an intermediary finds the next hop a sender named, and
    # how an offline contact proves it holds this entry's key (it has no account).
    identity_key = models.CharField(max_length=64, db_index=True)
    bundle = models.BinaryField(_("signed public key bundle"))
    fingerprint = models.CharField(_("fingerprint"), max_length=200)
    version = models.PositiveIntegerField(default=1)
    published_on = models.DateField()
    changed_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "user"],
                condition=models.Q(user__isnull=False),
                name="one_bundle_per_member",
            ),
            models.UniqueConstraint(
                fields=["dialogue", "contact_label"],
                condition=~models.Q(contact_label=""),
                name="one_bundle_per_contact",
            ),
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(contact_label=""))
                | (models.Q(user__isnull=True) & ~models.Q(contact_label="")),
                name="member_or_contact",
            ),
        ]

    def __str__(self) -> str:
        return self.contact_label or str(self.user)


class OneTimePrekey(models.Model):
    """A one-time prekey of the entry's bundle, handed out at most once. The row stays after
    it is handed out, so that republishing the same keys never hands it out again; the owner's
    client deletes its private half once it has opened the envelope sealed to it."""

    entry = models.ForeignKey(DirectoryEntry, on_delete=models.CASCADE, related_name="prekeys")
    key_id = models.CharField(max_length=64)
    is_handed_out = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["entry", "key_id"], name="one_prekey_per_id"),
        ]

    def __str__(self) -> str:
        return f"one-time prekey {self.key_id[:8]}…"


class Mailbox(models.Model):
    """A relationship's drop box: an id and hashed tokens, derived by its two clients."""

    mailbox_id = models.CharField(primary_key=True, max_length=64)
    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="mailboxes"
    )
    delivery_token_hash = models.BinaryField(max_length=32)
    read_token_hash = models.BinaryField(max_length=32)
    opened_on = models.DateField()

    def __str__(self) -> str:
        return f"mailbox {self.mailbox_id[:6]}…"


class Envelope(models.Model):
    """Ciphertext only. The id is random, so listing by id reveals no order of arrival."""

    envelope_id = models.CharField(primary_key=True, max_length=32)
    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="envelopes")
    ciphertext = models.BinaryField()
    digest = models.BinaryField(max_length=32)
    posted_on = models.DateField()
    expires_on = models.DateField(db_index=True)

    def __str__(self) -> str:
        return f"envelope {self.envelope_id[:6]}…"


class LogLeaf(models.Model):
    """One entry of the transparency log: what kind of event, and the SHA-256 of its object.

    The leaf's data is `kind byte || digest`; `leaf_hash` is its RFC 9162 §2.1.1 hash."""

    class Kind(models.IntegerChoices):
        KEY_BUNDLE = logentry.KEY_BUNDLE, _("key bundle published")
        POSTED = logentry.POSTED, _("envelope posted")
        RECEIPT = logentry.RECEIPT, _("intermediary's receipt")
        ACKNOWLEDGED = logentry.ACKNOWLEDGED, _("envelope acknowledged")
        DELETED = logentry.DELETED, _("envelope deleted")

    index = models.BigIntegerField(primary_key=True)
    kind = models.PositiveSmallIntegerField(choices=Kind.choices)
    digest = models.BinaryField(max_length=32)
    leaf_hash = models.BinaryField(max_length=32, db_index=True)

    def __str__(self) -> str:
        return f"log entry {self.index}"


class LogSubtree(models.Model):
    """A memoised complete subtree: leaves [position * 2^level, (position + 1) * 2^level),
    which never change once full, so a root or proof at a million leaves reads O(log n) rows."""

    level = models.PositiveSmallIntegerField()
    position = models.BigIntegerField()
    node_hash = models.BinaryField(max_length=32)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["level", "position"], name="one_hash_per_subtree"),
        ]

    def __str__(self) -> str:
        return f"subtree {self.level}/{self.position}"


class Checkpoint(models.Model):
    """A signed checkpoint (C2SP tlog-checkpoint in a signed note) at one tree size."""

    size = models.BigIntegerField(primary_key=True)
    root_hash = models.BinaryField(max_length=32)
    note = models.TextField()
    # The log key's public half ("name+keyid+key") that signed the note: a restored database is
    # checked against it before its keys are restored (empty for checkpoints signed before).
    verifier = models.CharField(max_length=300, blank=True, default="")
    signed_on = models.DateField()

    def __str__(self) -> str:
        return f"checkpoint at {self.size}"


class LogHead(models.Model):
    """The log's size, one row: appends lock it, so two processes never take the same index."""

    size = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"log of {self.size}"
