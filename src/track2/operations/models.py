"""What operations remember: the site's identity, the backups made, retention, key destruction
and requests to delete a whole dialogue."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SiteIdentity(models.Model):
    """One row: the id that binds key shares and backups to this site (kept across restores)."""

    site_id = models.UUIDField(default=uuid.uuid4, unique=True)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return str(self.site_id)


class BackupRecord(models.Model):
    class Kind(models.TextChoices):
        DATABASE = "database", _("database and files")
        KEYS = "keys", _("keys")

    backup_id = models.UUIDField(unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    path = models.CharField(max_length=1000)
    made_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set when the written file was read back whole: authenticated and every checksum matched.
    verified_at = models.DateTimeField(null=True, blank=True)
    # Names of the key files a keys backup holds: a destroyed key stays in these files.
    key_files = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-made_at"]

    def __str__(self) -> str:
        return f"{self.kind} backup {self.backup_id}"


class RetentionPolicy(models.Model):
    """What happens to a dialogue's content when a meeting or the dialogue closes."""

    class OnClose(models.TextChoices):
        KEEP = "keep", _("keep the content")
        AGGREGATES = "aggregates", _("keep aggregates only")

    dialogue = models.OneToOneField(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="retention"
    )
    on_meeting_close = models.CharField(
        _("when a meeting closes"), max_length=12, choices=OnClose.choices, default=OnClose.KEEP
    )
    delete_content_after_days = models.PositiveIntegerField(
        _("delete content this many days after the dialogue closes"), null=True, blank=True
    )
    destroy_key_on_close = models.BooleanField(
        _("destroy the dialogue's key when it closes (needs two conveners)"), default=False
    )

    def __str__(self) -> str:
        return f"retention of {self.dialogue_id}"


class ConvenersDecision(models.Model):
    """What cannot be undone takes two conveners of the dialogue: one asks (this row), a different
    one confirms (track2.operations.two_conveners)."""

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(default=timezone.now)

    class Meta:
        abstract = True


class KeyDestruction(ConvenersDecision):
    """A dialogue's key destruction: asked by one convener, done when a second one confirms."""

    dialogue = models.OneToOneField(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="key_destruction"
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"key destruction of {self.dialogue_id}"


class DialogueDeletion(ConvenersDecision):
    """A request to delete a whole dialogue, asked by one convener. A second convener's
    confirmation deletes the dialogue, and this row with it (track2.operations.dialogue_deletion);
    a withdrawn request stays, so that the dialogue's trail can still name what was withdrawn."""

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="deletion_requests"
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            # Two conveners asking at once (two served workers) make one request, not two.
            models.UniqueConstraint(
                fields=["dialogue"],
                condition=models.Q(withdrawn_at__isnull=True),
                name="one_open_deletion_request_per_dialogue",
            ),
        ]

    def __str__(self) -> str:
        return f"deletion of dialogue {self.dialogue_id}"
