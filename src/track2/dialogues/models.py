"""Dialogue series and who holds which role in each.

The convening issue fills the Dialogue out (parties, delegations, venues, meetings);
the foundation needs only enough for roles to attach to.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CONVENER = "convener", _("convener")
    FACILITATOR = "facilitator", _("facilitator")
    RAPPORTEUR = "rapporteur", _("rapporteur")
    PARTICIPANT = "participant", _("participant")
    OBSERVER = "observer", _("observer")
    LIAISON = "liaison", _("liaison")


class Dialogue(models.Model):
    class Track(models.TextChoices):
        TRACK_2 = "track2", _("Track 2")
        TRACK_1_5 = "track1_5", _("Track 1.5")

    class Status(models.TextChoices):
        PLANNING = "planning", _("planning")
        ACTIVE = "active", _("active")
        CONCLUDED = "concluded", _("concluded")
        ARCHIVED = "archived", _("archived")

    title = models.CharField(_("title"), max_length=200)
    purpose = models.TextField(_("purpose"), blank=True)
    track = models.CharField(_("track"), max_length=10, choices=Track.choices, default=Track.TRACK_2)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PLANNING)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("dialogues:detail", args=[self.pk])


class Membership(models.Model):
    """One role of one user in one dialogue. A user may hold several roles (several rows)."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "user", "role"], name="one_row_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.dialogue}"
