"""People: identity data about the unofficial participants, kept apart from dialogue content.

A Person is who someone is (name, sector, affiliations, contact). Whether and how they
take part in a dialogue is a Candidacy (nominated → vetted → invited → confirmed/declined),
with every step kept as a CandidacyStep. Only conveners of a dialogue in which a person is a
candidate see the person's identity details, vetting and risk notes (track2.access).

The directory belongs to a convening institution: each Person is an entry of one institution's
directory, shared by the conveners of that institution's dialogues, and nothing crosses
institutions (the same address may have an entry in two institutions, unknown to each other).
Risk notes belong to the Candidacy, not the Person: what one dialogue's conveners write about a
person's risks must not reach the conveners of another dialogue who nominate the same person.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Sector(models.TextChoices):
    ACADEMIA = "academia", _("academia")
    THINK_TANK = "think_tank", _("research / think tank")
    BUSINESS = "business", _("business")
    CIVIL_SOCIETY = "civil_society", _("NGO / civil society")
    FORMER_DIPLOMAT = "former_diplomat", _("former diplomat")
    FORMER_MILITARY = "former_military", _("former military / security")
    MEDIA = "media", _("journalist / media")
    SERVING_OFFICIAL = "serving_official", _("serving official")
    OTHER = "other", _("other")


class Gender(models.TextChoices):
    WOMAN = "woman", _("woman")
    MAN = "man", _("man")
    NON_BINARY = "non_binary", _("non-binary")
    SELF_DESCRIBED = "self_described", _("self-described")
    UNDISCLOSED = "", _("not recorded")


class Person(models.Model):
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("convening institution"),
    )
    full_name = models.CharField(_("full name"), max_length=200)
    pronouns = models.CharField(_("pronouns"), max_length=40, blank=True)
    sector = models.CharField(_("sector"), max_length=20, choices=Sector.choices)
    country = models.CharField(
        _("country"), max_length=100, help_text=_("country the person is from or based in")
    )
    languages = models.JSONField(_("languages"), default=list, blank=True)
    expertise = models.JSONField(_("expertise tags"), default=list, blank=True)
    email = models.EmailField(_("e-mail address"))
    phone = models.CharField(_("phone"), max_length=50, blank=True)
    # Optional, and used only for balance reports.
    gender = models.CharField(_("gender"), max_length=20, choices=Gender.choices, blank=True)
    # Set when the person accepts an invitation and signs in.
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="person",
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(
                "institution", Lower("email"), name="one_person_per_email_per_institution"
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def is_serving_official(self) -> bool:
        return self.sector == Sector.SERVING_OFFICIAL


class Affiliation(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="affiliations")
    organisation = models.CharField(_("organisation"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    is_current = models.BooleanField(_("current"), default=True)
    until_year = models.PositiveSmallIntegerField(_("until (year)"), null=True, blank=True)

    class Meta:
        ordering = ["-is_current", "-until_year", "organisation"]

    def __str__(self) -> str:
        return f"{self.position}, {self.organisation}" if self.position else self.organisation


class Candidacy(models.Model):
    """A person's way into one dialogue: nomination, vetting, invitation, answer."""

    class Status(models.TextChoices):
        NOMINATED = "nominated", _("nominated")
        VETTED = "vetted", _("vetted")
        INVITED = "invited", _("invited")
        CONFIRMED = "confirmed", _("confirmed")
        DECLINED = "declined", _("declined")
        WITHDRAWN = "withdrawn", _("withdrawn")

    dialogue = models.ForeignKey(
        "dialogues.Dialogue", on_delete=models.CASCADE, related_name="candidacies"
    )
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="candidacies")
    # The role the person is invited to take (participant, facilitator, observer, …).
    role = models.CharField(_("role"), max_length=12, default="participant")
    delegation = models.ForeignKey(
        "dialogues.Delegation",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="candidacies",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.NOMINATED
    )
    nominated_by = models.CharField(
        _("nominated by"), max_length=200, help_text=_("who proposed this person")
    )
    # Risks and sensitivities (e.g. travel, reprisals), for this dialogue's conveners only.
    risk_notes = models.TextField(_("risk and sensitivity notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["person__full_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "person"], name="one_candidacy_per_dialogue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.dialogue} ({self.status})"


class CandidacyStep(models.Model):
    """One recorded step of a candidacy: who did what, when, with notes. Never edited."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=10, choices=Candidacy.Status.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # For vetting: who vouched for the person.
    vouched_by = models.CharField(_("vouched for by"), max_length=200, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.candidacy_id}: {self.status} at {self.at:%Y-%m-%d}"


class Invitation(models.Model):
    """A one-time invitation link. Only the SHA-256 of the link's secret is stored."""

    candidacy = models.ForeignKey(Candidacy, on_delete=models.CASCADE, related_name="invitations")
    digest = models.CharField(max_length=64, unique=True)
    sent_to = models.EmailField()
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer invitation replaces this one or the candidacy is withdrawn.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"invitation to {self.sent_to} ({self.candidacy.dialogue})"
