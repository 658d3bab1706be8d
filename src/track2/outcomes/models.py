"""Outcome documents of a dialogue. A version's content is never changed once written: every edit
is a new version whose SHA-256 (of `texts.canonical_text`) identifies the exact words."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from track2.dialogues.models import Dialogue


class Kind(models.TextChoices):
    CHAIRS_SUMMARY = "chairs_summary", _("chair's summary")
    JOINT_STATEMENT = "joint_statement", _("joint statement")
    NON_PAPER = "non_paper", _("non-paper")
    AIDE_MEMOIRE = "aide_memoire", _("confidential aide-mémoire")
    RECOMMENDATIONS = "recommendations", _("recommendations memo")


class Attribution(models.TextChoices):
    CHATHAM_HOUSE = "chatham_house", _("Chatham House Rule: counts per delegation, no names")
    ON_RECORD = "on_record", _("on the record: endorsers who chose to be listed are named")


class OutcomeDocument(models.Model):
    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="outcomes")
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    attribution = models.CharField(
        max_length=16, choices=Attribution.choices, default=Attribution.CHATHAM_HOUSE
    )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_open_to_participants(self) -> bool:
        """Whether participants read it (track2.access.outcomes keeps an aide-mémoire for the
        conveners): only then can anyone respond to it or rank its competing drafts."""
        return self.kind != Kind.AIDE_MEMOIRE


class Version(models.Model):
    document = models.ForeignKey(OutcomeDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    # [{"heading": str, "paragraphs": [{"key": str, "text": str, "cites": [statement ids]}]}]
    sections = models.JSONField()
    sha256 = models.CharField(max_length=64)
    note = models.CharField(max_length=300, blank=True)
    made_on = models.DateField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_version_number"),
        ]

    def __str__(self) -> str:
        return f"version {self.number} of document {self.document_id}"

    def save(self, *args, **kwargs) -> None:
        # An endorsement names a version by its hash: changing a stored version would make it
        # name words nobody endorsed. Every edit is a new version (actions._new_version).
        if not self._state.adding:
            raise ValueError(f"{self} is never changed once written; make a new version")
        super().save(*args, **kwargs)


class Amendment(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")
        CONFLICT = "conflict", _("conflict: the paragraph changed meanwhile")

    document = models.ForeignKey(
        OutcomeDocument, on_delete=models.CASCADE, related_name="amendments"
    )
    paragraph_key = models.CharField(max_length=16)
    # The paragraph's words the proposer saw; a different current text is a conflict.
    base_text = models.TextField()
    base_version = models.PositiveIntegerField()
    text = models.TextField()
    proposer = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    reason = models.CharField(max_length=500, blank=True)
    result_version = models.PositiveIntegerField(null=True, blank=True)

    def __str__(self) -> str:
        return f"amendment {self.pk} ({self.status})"


class Endorsement(models.Model):
    class Grade(models.TextChoices):
        ENDORSE = "endorse", _("endorse")
        LIVE_WITH = "live_with", _("can live with it")
        STAND_ASIDE = "stand_aside", _("stand aside")
        OBJECT = "object", _("object")

    document = models.ForeignKey(
        OutcomeDocument, on_delete=models.CASCADE, related_name="endorsements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    version_sha256 = models.CharField(max_length=64)
    version_number = models.PositiveIntegerField()
    grade = models.CharField(max_length=12, choices=Grade.choices)
    reason = models.CharField(max_length=500, blank=True)
    listed = models.BooleanField(default=False)
    # The day, never the time (content reveals no order); empty for responses given before it
    # was kept.
    given_on = models.DateField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "user"], name="one_endorsement_each"),
        ]

    def __str__(self) -> str:
        return f"{self.grade} on version {self.version_number}"


class ReplacedEndorsement(models.Model):
    """A response its giver replaced by a later one ("the second replaces the first, recorded"):
    kept for its giver, who alone sees it; never counted and never shown by name."""

    document = models.ForeignKey(
        OutcomeDocument, on_delete=models.CASCADE, related_name="replaced_endorsements"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    grade = models.CharField(max_length=12, choices=Endorsement.Grade.choices)
    version_sha256 = models.CharField(max_length=64)
    version_number = models.PositiveIntegerField()
    reason = models.CharField(max_length=500, blank=True)
    given_on = models.DateField(null=True, blank=True)  # empty when the response predates it
    replaced_on = models.DateField()

    def __str__(self) -> str:
        return f"{self.grade} on version {self.version_number}, replaced"


class Alternative(models.Model):
    """A competing draft for one paragraph, ranked by participants (Schulze)."""

    document = models.ForeignKey(
        OutcomeDocument, on_delete=models.CASCADE, related_name="alternatives"
    )
    paragraph_key = models.CharField(max_length=16)
    text = models.TextField()

    def __str__(self) -> str:
        return f"draft {self.pk} for paragraph {self.paragraph_key}"


class Ranking(models.Model):
    document = models.ForeignKey(OutcomeDocument, on_delete=models.CASCADE, related_name="rankings")
    paragraph_key = models.CharField(max_length=16)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    order = models.JSONField()  # alternative ids, most preferred first

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["document", "paragraph_key", "user"], name="one_ranking_each"
            ),
        ]

    def __str__(self) -> str:
        return f"ranking of paragraph {self.paragraph_key}"


class Copy(models.Model):
    """One numbered, watermarked copy of a confidential aide-mémoire."""

    document = models.ForeignKey(OutcomeDocument, on_delete=models.CASCADE, related_name="copies")
    number = models.PositiveIntegerField()
    recipient = models.CharField(max_length=200)
    version_number = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="one_copy_number"),
        ]

    def __str__(self) -> str:
        return f"copy {self.number} of document {self.document_id}"
