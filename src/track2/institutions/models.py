"""Convening institutions: the tenancy boundary of Track2.

Every dialogue belongs to one institution (a think tank, a university, an NGO), and so does
every entry of the people directory. Nothing crosses institutions: a convener of one cannot
find, read or change the people of another. Only a site administrator creates an institution
and grants someone the right to convene in it (`track2 grant-convener`, or the admin).
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.translation import gettext_lazy as _


class Institution(models.Model):
    name = models.CharField(_("name"), max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            # "Institute X" and "institute x" are one institution: two would split its directory.
            models.UniqueConstraint(Lower("name"), name="institution_name_unique_ignoring_case"),
        ]

    def __str__(self) -> str:
        return self.name


class ConveningRight(models.Model):
    """The right of one account to convene dialogues in one institution (and so to use its
    people directory). Granted by a site administrator; revoking it deletes the row."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="convening_rights"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="convening_rights"
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["institution__name", "user__email"]
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "user"], name="one_convening_right_per_pair"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} convenes in {self.institution}"

    def clean(self) -> None:
        # A site administrator sees accounts, never a directory: holding a convening right
        # would open the institution's people to them (the admin runs this check).
        user = getattr(self, "user", None)
        if user is not None and user.is_superuser:
            raise ValidationError(
                {
                    "user": _(
                        "A site administrator cannot hold a convening right: it would open the "
                        "institution's people directory to them. Grant it to the convener's own "
                        "account."
                    )
                }
            )
