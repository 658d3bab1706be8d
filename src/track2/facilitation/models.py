"""The meeting in progress: the agenda timer, the speaking queue, turns, and what is kept of
them once the meeting's floor is closed.

Elapsed time is never a ticking counter: each start/resume opens an `ItemInterval`, each
pause/move-on closes it, and an item's elapsed time is the sum of its intervals (the open one up
to now). Per-person rows (`Hand`, `Turn`) are deleted when the floor closes under the Chatham
House Rule or off the record; `SpeakingTotal` keeps what the rule allows (actions.do_close_floor).
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from track2.deliberation.models import PSEUDONYM_LENGTH, STATEMENT_MAX, random_public_id

MAX_TURN_LIMIT = 60 * 60  # seconds: a turn limit above an hour is no limit


class Floor(models.Model):
    """A meeting's facilitation state: the item in progress, the turn limit, closing."""

    meeting = models.OneToOneField(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="floor"
    )
    current_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    turn_limit_seconds = models.PositiveIntegerField(
        _("turn limit (seconds)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(10), MaxValueValidator(MAX_TURN_LIMIT)],
    )
    # Set when the facilitator closes the floor: no more hands, turns or timers; per-person rows
    # have been aggregated as the attribution mode requires.
    closed_at = models.DateTimeField(null=True, blank=True)
    # A caucus break the facilitator called: every side steps out until then (everyone sees it).
    caucus_break_until = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"floor of meeting {self.meeting_id}"


class ItemInterval(models.Model):
    """One stretch of time an agenda item's timer ran."""

    item = models.ForeignKey(
        "meetings.AgendaItem", on_delete=models.CASCADE, related_name="intervals"
    )
    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at"]
        constraints = [
            # One timer runs at a time in a meeting.
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(ended_at__isnull=True),
                name="one_running_timer_per_meeting",
            )
        ]

    def __str__(self) -> str:
        return f"item {self.item_id} from {self.started_at:%H:%M:%S}"


class Hand(models.Model):
    """A raised hand in a meeting's speaking queue (one per person)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    delegation = models.ForeignKey(
        "dialogues.Delegation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_direct_response = models.BooleanField(default=False)
    # The facilitator's order; new hands go last (direct responses are not moved up by
    # themselves: the facilitator decides).
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_hand_per_person")
        ]

    def __str__(self) -> str:
        return f"hand {self.position} in meeting {self.meeting_id}"  # never the person: see Turn


class Turn(models.Model):
    """Someone had the floor. `agenda_item`: the item in progress when the turn began."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    delegation = models.ForeignKey(
        "dialogues.Delegation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_turn_per_meeting",
            )
        ]

    def __str__(self) -> str:
        # No name: a str() ends up in logs and the admin, which the Chatham House Rule does not reach.
        return f"turn {self.pk} in meeting {self.meeting_id}"


class SpeakingTotal(models.Model):
    """What is kept of the turns once the floor closes: seconds and turns per delegation (and per
    agenda item under the Chatham House Rule; for the whole meeting only, off the record)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    delegation = models.ForeignKey(
        "dialogues.Delegation", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    seconds = models.PositiveIntegerField(default=0)
    turns = models.PositiveIntegerField(default=0)
    # People of this delegation present when the floor closed (the balance's denominator).
    present = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.seconds} s in {self.turns} turns (meeting {self.meeting_id})"


class Caucus(models.Model):
    """A delegation's private space in one meeting: invisible to the other sides, observers and
    facilitators (track2.access.facilitation.access_caucus)."""

    meeting = models.ForeignKey("meetings.Meeting", on_delete=models.CASCADE, related_name="+")
    delegation = models.ForeignKey(
        "dialogues.Delegation", on_delete=models.CASCADE, related_name="caucuses"
    )
    # The delegation may invite the meeting's facilitators (and conveners) in to read it.
    are_facilitators_invited = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "delegation"], name="one_caucus_per_delegation_per_meeting"
            )
        ]

    def __str__(self) -> str:
        return f"caucus of delegation {self.delegation_id} in meeting {self.meeting_id}"


NOTE_MAX = 5_000


class CaucusNote(models.Model):
    """A note of the caucus, not attributed. One that names a participant, their e-mail or their
    affiliation is held: kept (nothing is lost) and shown to its writer only, who revises or
    deletes it; `held_for` is the only link to a writer, and only while held."""

    # A random id: the ids of a caucus's notes reveal neither their order nor their number.
    id = models.BigIntegerField(primary_key=True, default=random_public_id, editable=False)
    caucus = models.ForeignKey(Caucus, on_delete=models.CASCADE, related_name="notes")
    text = models.TextField(max_length=NOTE_MAX)
    held_for = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )

    def __str__(self) -> str:
        return f"caucus note {self.pk}"

    @property
    def is_held(self) -> bool:
        return self.held_for_id is not None


class CaucusPoll(models.Model):
    """A small poll of the caucus: a question and 2–6 options, one answer per person."""

    caucus = models.ForeignKey(Caucus, on_delete=models.CASCADE, related_name="polls")
    question = models.CharField(max_length=300)
    options = models.JSONField()
    is_open = models.BooleanField(default=True)
    # Counts per option kept when retention keeps aggregates only (the answers are then deleted).
    kept_counts = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return self.question


class CaucusAnswer(models.Model):
    poll = models.ForeignKey(CaucusPoll, on_delete=models.CASCADE, related_name="answers")
    person = models.ForeignKey("people.Person", on_delete=models.CASCADE, related_name="+")
    choice = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["poll", "person"], name="one_answer_per_person")
        ]

    def __str__(self) -> str:
        return f"answer to poll {self.poll_id}"


class CaucusStatement(models.Model):
    """A statement of the caucus: one short idea its members vote on (agree, disagree, pass),
    apart from the plenary room's statements — never in the room's list, map, engine or exports.
    Not attributed; one that names someone is held for its writer, as a note is."""

    # A random id, as for notes: no order, no count.
    id = models.BigIntegerField(primary_key=True, default=random_public_id, editable=False)
    caucus = models.ForeignKey(Caucus, on_delete=models.CASCADE, related_name="statements")
    text = models.CharField(max_length=STATEMENT_MAX)
    held_for = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    # [agree, disagree, pass] kept when retention keeps aggregates only (the votes then go).
    kept_counts = models.JSONField(null=True, blank=True)

    def __str__(self) -> str:
        return f"caucus statement {self.pk}"

    @property
    def is_held(self) -> bool:
        return self.held_for_id is not None


class CaucusVote(models.Model):
    """A member's vote on a caucus statement: 1 agree, -1 disagree, 0 pass (again to change).
    Like the room's votes, it names the voter's per-dialogue pseudonym (track2.keyring), never a
    person: the database alone does not say who voted what."""

    statement = models.ForeignKey(CaucusStatement, on_delete=models.CASCADE, related_name="votes")
    pseudonym = models.CharField(max_length=PSEUDONYM_LENGTH)
    vote = models.SmallIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["statement", "pseudonym"], name="one_caucus_vote_per_pseudonym"
            ),
            models.CheckConstraint(
                condition=models.Q(vote__in=[-1, 0, 1]), name="caucus_vote_is_agree_disagree_pass"
            ),
        ]

    def __str__(self) -> str:
        return f"vote on caucus statement {self.statement_id}"


RECORD_NOTE_MAX = 10_000
COMMENT_MAX = 2_000


class RecordVersion(models.Model):
    """One version of a meeting's record, by the rapporteur. An approved version is never
    changed: a later edit opens the next version, a draft copied from it."""

    meeting = models.ForeignKey(
        "meetings.Meeting", on_delete=models.CASCADE, related_name="record_versions"
    )
    number = models.PositiveIntegerField()
    approved_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="record_version_unique")
        ]

    def __str__(self) -> str:
        return f"record v{self.number} of meeting {self.meeting_id}"

    @property
    def is_approved(self) -> bool:
        return self.approved_at is not None


class RecordNote(models.Model):
    """A non-attributed note of the record, on an agenda item (or the meeting as a whole).
    `is_held`: it names a participant, their e-mail or affiliation — kept for the writers, never
    shared, and the version cannot be approved until it is revised."""

    version = models.ForeignKey(RecordVersion, on_delete=models.CASCADE, related_name="notes")
    agenda_item = models.ForeignKey(
        "meetings.AgendaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField(max_length=RECORD_NOTE_MAX)
    is_held = models.BooleanField(default=False)
    # Ids of the room's accepted statements this note cites.
    cites = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"record note {self.pk}"


class RecordComment(models.Model):
    """A participant's comment on a draft: no author is stored. Held like a note when it names
    someone (then the writers alone read it)."""

    id = models.BigIntegerField(primary_key=True, default=random_public_id, editable=False)
    version = models.ForeignKey(RecordVersion, on_delete=models.CASCADE, related_name="comments")
    text = models.TextField(max_length=COMMENT_MAX)
    is_held = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"comment {self.pk} on {self.version}"
