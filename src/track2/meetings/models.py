"""Meetings (the rounds of a dialogue), their agendas, and who is expected and who came.

These tables were created by the dialogues app and keep their names (`db_table`): the models
moved here with state-only migrations, so no row was copied or rebuilt.
"""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from track2.dialogues.models import AttributionMode


class Meeting(models.Model):
    """One round of a dialogue, at a venue, in a time zone."""

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="meetings"
    )
    title = models.CharField(_("title"), max_length=200)
    venue = models.ForeignKey(
        "dialogues.Venue", null=True, blank=True, on_delete=models.PROTECT, related_name="meetings"
    )
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    # The zone the meeting is planned in; each viewer sees times in their own zone too.
    time_zone = models.CharField(_("time zone"), max_length=64, default="UTC")
    attribution_mode = models.CharField(
        _("attribution mode"),
        max_length=14,
        choices=AttributionMode.choices,
        default=AttributionMode.CHATHAM_HOUSE,
    )
    # A round that took place is part of the dialogue's record: it is archived (hidden from the
    # default list, still counted in the balance), never deleted.
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "dialogues_meeting"  # the table it had before meetings became their own app
        ordering = ["starts_at"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="meeting_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def has_started(self) -> bool:
        return self.starts_at <= timezone.now()


class AgendaItem(models.Model):
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda_items")
    position = models.PositiveIntegerField()
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    duration_minutes = models.PositiveIntegerField(
        _("minutes"), validators=[MinValueValidator(1), MaxValueValidator(24 * 60)]
    )
    lead = models.ForeignKey(
        "people.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        db_table = "dialogues_agendaitem"
        ordering = ["meeting", "position"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "position"], name="agenda_position_unique")
        ]

    def __str__(self) -> str:
        return f"{self.position}. {self.title}"


class MeetingParticipant(models.Model):
    """A person expected at a meeting, and whether they came."""

    class Status(models.TextChoices):
        INVITED = "invited", _("invited")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")
        ATTENDED = "attended", _("attended")
        ABSENT = "absent", _("absent")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participants")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="meeting_seats"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.INVITED)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "dialogues_meetingparticipant"
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="one_seat_per_meeting")
        ]

    def __str__(self) -> str:
        return f"{self.person} at {self.meeting} ({self.status})"
