"""Dialogue series, their parties and delegations, who holds which role, and venues
(meetings held at them are in `track2.meetings`).

Identity data lives in `track2.people`; here a delegation member is a Person, and a
Membership gives a signed-in user a role in one dialogue (track2.access reads it).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from track2.disclosure.site import default_k, validate_k


class Role(models.TextChoices):
    CONVENER = "convener", _("convener")
    FACILITATOR = "facilitator", _("facilitator")
    RAPPORTEUR = "rapporteur", _("rapporteur")
    PARTICIPANT = "participant", _("participant")
    OBSERVER = "observer", _("observer")
    LIAISON = "liaison", _("liaison")


class AttributionMode(models.TextChoices):
    ON_RECORD = "on_record", _("on the record")
    CHATHAM_HOUSE = "chatham_house", _("Chatham House Rule")
    OFF_RECORD = "off_record", _("off the record (aggregates only)")
    CLOSED = "closed", _("closed (members only, on record among them)")


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
    track = models.CharField(
        _("track"), max_length=10, choices=Track.choices, default=Track.TRACK_2
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PLANNING
    )
    # The tenancy boundary: the dialogue's people directory is its institution's (track2.institutions).
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.PROTECT,
        related_name="dialogues",
        verbose_name=_("convening institution"),
    )
    # Confidentiality settings.
    is_attendance_confidential = models.BooleanField(
        _("attendance list is confidential"),
        default=True,
        help_text=_("when on, only conveners see who attends"),
    )
    default_attribution_mode = models.CharField(
        _("default attribution mode for meetings"),
        max_length=14,
        choices=AttributionMode.choices,
        default=AttributionMode.CHATHAM_HOUSE,
    )
    # The site's TRACK2_K_ANONYMITY is the default and the floor (track2.disclosure).
    k_anonymity = models.PositiveSmallIntegerField(
        _("smallest group shown in breakdowns (k)"),
        default=default_k,
        validators=[validate_k],
        help_text=_(
            "a breakdown by delegation or opinion group shows a cell only when it counts at "
            "least k people; never below this site's floor"
        ),
    )
    # Balance thresholds for the convener's dashboard.
    min_members_per_side = models.PositiveSmallIntegerField(
        _("warn when a side has fewer members than"), default=4
    )
    required_sectors = models.JSONField(
        _("sectors every side should include"),
        default=list,
        blank=True,
    )
    max_side_ratio = models.DecimalField(
        _("warn when the largest side is more than this many times the smallest"),
        max_digits=4,
        decimal_places=2,
        default=Decimal("1.50"),
        validators=[MinValueValidator(Decimal("1.00")), MaxValueValidator(Decimal("10.00"))],
    )
    max_gender_share = models.PositiveSmallIntegerField(
        _("warn when one gender makes up more than this % of a side"),
        default=75,
        validators=[MinValueValidator(50), MaxValueValidator(100)],
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
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
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["dialogue", "user", "role"], name="one_row_per_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} — {self.dialogue}"


class Party(models.Model):
    """A side in tension (usually a country or community) whose people the dialogue brings together."""

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="parties")
    name = models.CharField(_("name"), max_length=200)
    country = models.CharField(
        _("country"),
        max_length=100,
        blank=True,
        help_text=_("used to warn when a venue is in a party's country"),
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "name"], name="party_name_unique_in_dialogue"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Delegation(models.Model):
    """The people who come from one side, or the facilitation / third-party team."""

    class Kind(models.TextChoices):
        SIDE = "side", _("side")
        FACILITATION = "facilitation", _("facilitators / third party")

    dialogue = models.ForeignKey(Dialogue, on_delete=models.CASCADE, related_name="delegations")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.SIDE)
    party = models.ForeignKey(
        Party, null=True, blank=True, on_delete=models.PROTECT, related_name="delegations"
    )

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "name"], name="delegation_name_unique_in_dialogue"
            )
        ]

    def __str__(self) -> str:
        return self.name


class DelegationMember(models.Model):
    """A person in a delegation. `dialogue` is repeated so the database itself refuses a
    person in two delegations of one dialogue."""

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="delegation_members"
    )
    delegation = models.ForeignKey(Delegation, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="delegation_seats"
    )
    # Track 1.5: a serving official takes part in a personal capacity, and is shown as such.
    in_personal_capacity = models.BooleanField(default=True)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["dialogue", "person"], name="one_delegation_per_person_per_dialogue"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} in {self.delegation}"


class Venue(models.Model):
    class Kind(models.TextChoices):
        UNIVERSITY = "university", _("university")
        THINK_TANK = "think_tank", _("think tank")
        CONFERENCE_CENTRE = "conference_centre", _("conference centre")
        PRIVATE_HOME = "private_home", _("private home")
        VIRTUAL = "virtual", _("virtual")
        OTHER = "other", _("other")

    # The dialogue whose conveners keep this venue: a private home's address must not reach the
    # conveners of other dialogues. Empty only for venues made in the admin.
    dialogue = models.ForeignKey(
        Dialogue, null=True, blank=True, on_delete=models.CASCADE, related_name="venues"
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100, blank=True)
    # Shown only to confirmed members of a meeting there when the venue is confidential
    # or a private home (track2.access).
    address = models.TextField(_("address or joining details"), blank=True)
    is_confidential = models.BooleanField(_("location is confidential"), default=False)
    capacity = models.PositiveIntegerField(_("capacity (people)"), null=True, blank=True)
    accessibility_notes = models.TextField(_("accessibility notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_address_restricted(self) -> bool:
        return self.is_confidential or self.kind == self.Kind.PRIVATE_HOME


class RoleInvitation(models.Model):
    """A role offered by a convener to whoever holds the account of `sent_to`; the role is
    given only when that person, signed in, accepts the one-time link. Only the SHA-256 of
    the link's secret is stored."""

    dialogue = models.ForeignKey(
        Dialogue, on_delete=models.CASCADE, related_name="role_invitations"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices)
    sent_to = models.EmailField(_("e-mail address"))
    digest = models.CharField(max_length=64, unique=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Set when the convener cancels it, the holder declines, or a newer invitation replaces it.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["sent_to", "role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()} in {self.dialogue} for {self.sent_to}"

    @property
    def is_open(self) -> bool:
        return self.used_at is None and self.revoked_at is None
