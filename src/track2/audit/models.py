"""One row per write: who (kept by name if their account goes), what, on which object, when.

Values are never copied here, only the names of the fields that changed: the trail must not
become a second copy of risk notes, addresses or attendance that outlives their deletion.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    dialogue = models.ForeignKey(
        "dialogues.Dialogue",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="audit_entries",
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Kept when the account is deleted, so that the trail still says who it was.
    actor_name = models.CharField(_("by"), max_length=200)
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object"), max_length=30)
    object_id = models.BigIntegerField(null=True, blank=True)
    # The object this one belongs to (an agenda item's meeting, a seat's delegation), so that a
    # meeting's history still lists the items that were deleted from it.
    parent_type = models.CharField(max_length=30, blank=True)
    parent_id = models.BigIntegerField(null=True, blank=True)
    # The person a change is about (seated, vetted, added to a meeting…), for their history.
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    fields = models.JSONField(_("fields changed"), default=list, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object"),
            models.Index(fields=["parent_type", "parent_id"], name="audit_parent"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_name} {self.action} {self.object_type} {self.object_id} at {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("audit entries are never edited")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit entries are never deleted one by one")
