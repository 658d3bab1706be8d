"""Who may convene, and in which institution.

A convening right is given by a site administrator; with it a user may create dialogues in
that institution. An institution the caller holds no right in is simply not found.
"""

from __future__ import annotations

from django.db.models import QuerySet

from track2.access import NotFound, is_signed_in, parse_id
from track2.institutions.models import Institution


def institutions_for(user) -> QuerySet[Institution]:
    """The institutions in which `user` may convene (ordered by name)."""
    if not is_signed_in(user) or user.is_superuser:
        # A site administrator never convenes, even holding a right from before they became
        # one or made outside the admin and the command (which both refuse it): a convener
        # reads the institution's people directory.
        return Institution.objects.none()
    return Institution.objects.filter(convening_rights__user=user).order_by("name")


def may_convene(user) -> bool:
    """Whether `user` may create a dialogue at all (shows "Convene a new dialogue")."""
    return institutions_for(user).exists()


def may_convene_in(user, institution: Institution) -> bool:
    return institutions_for(user).filter(pk=institution.pk).exists()


def access_institution(user, institution_id) -> Institution:
    """One institution the caller may convene in; else NotFound (whether or not it exists)."""
    try:
        return institutions_for(user).get(pk=parse_id(institution_id))
    except Institution.DoesNotExist:
        raise NotFound from None
