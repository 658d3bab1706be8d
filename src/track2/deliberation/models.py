"""The dialogue room: statements, votes, moderation, typo fixes and merges.

Confidentiality by construction (ARCHITECTURE.md): no table here has a user or person column.
Who wrote or voted is a per-dialogue pseudonym (track2.keyring) that only the key in
TRACK2_HOME/keys links to a person. Ids are random 63-bit numbers and no row carries a time of
its own (the meeting is the time), so neither ids nor lists reveal who came first.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import F
from django.utils.translation import gettext_lazy as _

STATEMENT_MAX = 300  # characters typed in the room: one short idea (Pol.is asks for 140)
STATEMENT_COLUMN = 2000  # room for imported Pol.is comments, which may be longer
REASON_MAX = 500
PSEUDONYM_LENGTH = 64  # hex of HMAC-SHA256


def random_id() -> int:
    """A random id in 1 … 2^63 − 1: reveals neither order nor count (collisions: 1 in 2^63)."""
    return secrets.randbits(63) or 1


def random_public_id() -> int:
    """A random id a client sees: below 2^53, so that JavaScript's numbers hold it exactly
    (a room's few hundred statements make a collision about 1 in 10^11)."""
    return secrets.randbits(53) or 1


class Room(models.Model):
    """How a meeting's room runs: moderation, who sees results, whether voting is open."""

    class Moderation(models.TextChoices):
        PRE = "pre", _("pre-moderation (shown after a facilitator accepts)")
        POST = "post", _("post-moderation (shown at once; facilitators may remove)")

    class Results(models.TextChoices):
        NEVER = "never", _("never (facilitators only)")
        AFTER_VOTE = "after_vote", _("after voting on a statement")
        ALWAYS = "always", _("always")
        AFTER_MEETING = "after_meeting", _("after the meeting")

    class Status(models.TextChoices):
        OPEN = "open", _("open for statements and votes")
        CLOSED = "closed", _("closed")

    class Order(models.TextChoices):
        FACILITATOR = "facilitator", _("the facilitator's order")
        PRIORITY = "priority", _("the engine's priority")

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, primary_key=True, related_name="room"
    )
    moderation = models.CharField(
        _("moderation"), max_length=4, choices=Moderation.choices, default=Moderation.PRE
    )
    results = models.CharField(
        _("the room sees results"),
        max_length=14,
        choices=Results.choices,
        default=Results.AFTER_VOTE,
    )
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.OPEN)
    order = models.CharField(
        _("next statement offered"),
        max_length=12,
        choices=Order.choices,
        default=Order.FACILITATOR,
    )
    # A Track 3 consultation imported from Pol.is: its voters have no accounts, only pseudonyms.
    is_consultation = models.BooleanField(default=False)
    # The map as the room last saw it (already through the small-cell rule), kept when an
    # off-the-record meeting closes and its per-pseudonym votes are deleted.
    kept_map = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"room of meeting {self.meeting_id}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


def room_order() -> tuple:
    """The room's order of statements: the facilitators' order, then the rest by id. Unordered
    statements follow the ordered ones on every database (SQLite puts NULL first, PostgreSQL
    last); the room's list, its map and its exports use this one order."""
    return (F("position").asc(nulls_last=True), "id")


class Statement(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("waiting for moderation")
        HELD = "held", _("held: may name a participant")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        MERGED = "merged", _("merged into another statement")

    id = models.BigIntegerField(primary_key=True, default=random_public_id, editable=False)
    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="statements"
    )
    text = models.CharField(_("statement"), max_length=STATEMENT_COLUMN)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    # Sent to the facilitator only: never shown to the room, never voted on.
    is_for_facilitator = models.BooleanField(default=False)
    # The submitter's pseudonym, so they can find their own statements (and rejection reasons);
    # blank for a facilitator's seed statement and after an off-the-record meeting closes.
    author = models.CharField(max_length=PSEUDONYM_LENGTH, blank=True, db_index=True)
    # The facilitator's order (smaller first); unordered statements follow, by id (random).
    position = models.PositiveIntegerField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged"
    )
    # Aggregates kept when the per-pseudonym votes are deleted (off the record, at closing).
    kept_agrees = models.PositiveIntegerField(null=True, blank=True)
    kept_disagrees = models.PositiveIntegerField(null=True, blank=True)
    kept_passes = models.PositiveIntegerField(null=True, blank=True)
    # Bumped by every vote written or withdrawn on this statement (in the vote's transaction):
    # the map's keeper re-reads the votes of the statements whose count moved, and nothing
    # else. A count per statement, never a per-vote number: it reveals no order of votes.
    changes = models.BigIntegerField(default=0, editable=False)

    class Meta:
        # Random ids: ordering by id is a fixed shuffle, never the order of submission.
        ordering = ["id"]
        indexes = [models.Index(fields=["meeting", "status"], name="statement_meeting_status")]

    def __str__(self) -> str:
        return self.text[:60]


class Moderation(models.Model):
    """A facilitator's decision on a statement, with the reason the submitter reads."""

    class Decision(models.TextChoices):
        ACCEPT = "accept", _("accepted")
        REJECT = "reject", _("rejected")
        HOLD = "hold", _("held for the facilitator")
        FIX = "fix", _("typo fixed")
        MERGE = "merge", _("merged")

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="moderations")
    decision = models.CharField(max_length=6, choices=Decision.choices)
    reason = models.CharField(max_length=REASON_MAX, blank=True)
    # The decision's place in the statement's own history (1, 2, …): not a time.
    number = models.PositiveIntegerField()

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="moderation_number")
        ]

    def __str__(self) -> str:
        return f"{self.decision} #{self.number}"


class StatementEdit(models.Model):
    """A typo fix: the text before and after, shown beside the statement."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="edits")
    before = models.CharField(max_length=STATEMENT_COLUMN)
    after = models.CharField(max_length=STATEMENT_COLUMN)
    number = models.PositiveIntegerField()

    class Meta:
        ordering = ["statement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["statement", "number"], name="statement_edit_number")
        ]

    def __str__(self) -> str:
        return f"typo fix #{self.number}"


class Vote(models.Model):
    """One pseudonym's answer on one statement. `meeting` is repeated so that the map reads a
    meeting's votes with one indexed query."""

    AGREE, DISAGREE, PASS = 1, -1, 0
    VALUES = {"agree": AGREE, "disagree": DISAGREE, "pass": PASS}

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="votes")
    pseudonym = models.CharField(max_length=PSEUDONYM_LENGTH)
    value = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "pseudonym"], name="one_vote_per_pseudonym"
            ),
            models.CheckConstraint(condition=models.Q(value__in=(-1, 0, 1)), name="vote_value"),
        ]
        indexes = [models.Index(fields=["meeting"], name="vote_meeting")]

    def __str__(self) -> str:
        return f"vote {self.value:+d}"
