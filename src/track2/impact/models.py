"""Policy impact and trust: what was recommended, carried to whom and with what reaction; who in
government was told the dialogue exists; what the convener discloses publicly; and the trust and
tension surveys.

Survey answers follow the room's rule (ARCHITECTURE.md, "Confidentiality by construction"): no
user or person column, only the per-dialogue pseudonym (track2.keyring), random ids and the day.
The respondent's delegation is kept because results are given per delegation, and only above k.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from track2.deliberation.models import PSEUDONYM_LENGTH, random_id
from track2.dialogues.models import Delegation, Dialogue


class Recommendation(models.Model):
    class Target(models.TextChoices):
        MINISTRY = "ministry", _("ministry")
        PARLIAMENT = "parliament", _("parliament committee")
        REGIONAL = "regional", _("regional body")
        UN = "un", _("UN body")
        OTHER = "other", _("other institution")

    class Priority(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="recommendations")
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("recommendation"))
    # Drawn from an outcome document: the paragraph and the exact words (version hash).
    document = models.ForeignKey(
        "outcomes.OutcomeDocument",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    paragraph_key = models.CharField(max_length=16, blank=True)
    version_number = models.PositiveIntegerField(null=True, blank=True)
    version_sha256 = models.CharField(max_length=64, blank=True)
    target_kind = models.CharField(_("target"), max_length=12, choices=Target.choices)
    target_institution = models.CharField(_("target institution"), max_length=200)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("policy carrier"),
    )
    priority = models.CharField(
        _("priority"), max_length=6, choices=Priority.choices, default=Priority.MEDIUM
    )
    due_on = models.DateField(_("due date"), null=True, blank=True)
    recommended_on = models.DateField(_("recommended on"))

    def __str__(self) -> str:
        return self.title


class Relay(models.Model):
    class Channel(models.TextChoices):
        MEETING = "meeting", _("meeting")
        NON_PAPER = "non_paper", _("non-paper")
        BACK_CHANNEL = "back_channel", _("back channel")
        LETTER = "letter", _("letter or e-mail")

    class Sensitivity(models.TextChoices):
        # Who reads the name of the official briefed; everyone else reads "an official".
        # Narrowest first: `opens_wider` compares by this order.
        LIAISONS = "liaisons", _("conveners and liaisons only")
        MEMBERS = "members", _("every member of the dialogue")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="relays"
    )
    briefed = models.CharField(_("official or institution briefed"), max_length=200)
    sensitivity = models.CharField(
        _("who may read who was briefed"),
        max_length=8,
        choices=Sensitivity.choices,
        default=Sensitivity.LIAISONS,
    )
    channel = models.CharField(_("channel"), max_length=12, choices=Channel.choices)
    relayed_on = models.DateField(_("relayed on"))
    version_number = models.PositiveIntegerField(_("document version"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"relay {self.pk} of recommendation {self.recommendation_id}"


def opens_wider(sensitivity: str, than: str) -> bool:
    """Whether `sensitivity` lets more people read who was briefed than `than` does."""
    order = list(Relay.Sensitivity.values)
    return order.index(sensitivity) > order.index(than)


class Reaction(models.Model):
    class Status(models.TextChoices):
        RECEIVED = "received", _("received")
        ACKNOWLEDGED = "acknowledged", _("acknowledged")
        CONSIDERING = "considering", _("under consideration")
        ADOPTED_IN_PART = "adopted_in_part", _("adopted in part")
        ADOPTED = "adopted", _("adopted")
        REJECTED = "rejected", _("rejected")
        NO_RESPONSE = "no_response", _("no response")

    recommendation = models.ForeignKey(
        Recommendation, on_delete=models.CASCADE, related_name="reactions"
    )
    relay = models.ForeignKey(
        Relay, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(_("reaction"), max_length=16, choices=Status.choices)
    reacted_on = models.DateField(_("on"))
    evidence_text = models.TextField(_("evidence: the words adopted or said"), blank=True)
    evidence_url = models.URLField(_("evidence: link"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.status} on recommendation {self.recommendation_id}"


class Notification(models.Model):
    """Track 1.5 standing: a government or official told that the dialogue exists."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="notifications")
    informed = models.CharField(_("government or official informed"), max_length=200)
    informed_on = models.DateField(_("informed on"))
    informed_by = models.CharField(_("informed by"), max_length=200)
    note = models.CharField(_("note"), max_length=500, blank=True)

    def __str__(self) -> str:
        return f"notification {self.pk}"


class Disclosure(models.Model):
    """What the convener opens: the public page's fields, what observers may read, and who may
    read the officials briefed (the sensitivity a liaison's relay takes: docs/impact.md)."""

    dialogue = models.OneToOneField(
        Dialogue, on_delete=models.CASCADE, primary_key=True, related_name="impact_disclosure"
    )
    is_public = models.BooleanField(_("publish a public page"), default=False)
    shows_institution = models.BooleanField(_("show the convening institution"), default=False)
    shows_parties = models.BooleanField(_("show the parties"), default=False)
    public_theme = models.CharField(_("theme (as published)"), max_length=200, blank=True)
    observers_see_recommendations = models.BooleanField(
        _("observers read recommendations, relays and reactions"), default=False
    )
    observers_see_evaluation = models.BooleanField(
        _("observers read the evaluation"), default=False
    )
    relay_sensitivity = models.CharField(
        _("who may read who was briefed in relays"),
        max_length=8,
        choices=Relay.Sensitivity.choices,
        default=Relay.Sensitivity.LIAISONS,
    )

    def __str__(self) -> str:
        return f"disclosure of dialogue {self.dialogue_id}"


class Survey(models.Model):
    class Phase(models.TextChoices):
        BEFORE = "before", _("before the meeting")
        AFTER = "after", _("after the meeting")
        FOLLOW_UP = "follow_up", _("delayed follow-up")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="surveys")
    meeting = models.ForeignKey(
        "meetings.Meeting", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    round_number = models.PositiveSmallIntegerField(_("round"))
    phase = models.CharField(_("when"), max_length=10, choices=Phase.choices)
    is_open = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "round_number", "phase"], name="one_survey_per_round_phase"
            ),
        ]

    def __str__(self) -> str:
        return f"round {self.round_number}, {self.get_phase_display()}"


class Response(models.Model):
    """One pseudonym's answers to one survey: a second answer replaces the first while open."""

    id = models.BigIntegerField(primary_key=True, default=random_id, editable=False)
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    pseudonym = models.CharField(max_length=PSEUDONYM_LENGTH)
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="+")
    # {delegation id (str): 0–100} toward each other side (ANES feeling thermometer).
    thermometer = models.JSONField()
    # {item code: 1–5} (track2.impact.instruments.TRUST_ITEMS).
    trust = models.JSONField()
    escalation = models.PositiveSmallIntegerField()  # perceived likelihood, 0–100 %
    free_text = models.TextField(blank=True)
    answered_on = models.DateField()  # the day, never the time

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["survey", "pseudonym"], name="one_response_per_pseudonym"
            ),
            models.CheckConstraint(
                condition=models.Q(escalation__lte=100), name="escalation_percent"
            ),
        ]

    def __str__(self) -> str:
        return f"response to survey {self.survey_id}"
