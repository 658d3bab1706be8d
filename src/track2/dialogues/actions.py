"""Every write about dialogues: `check_*` validates, `do_*` writes (STYLE.md §1)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from track2.dialogues.models import Delegation, DelegationMember
from track2.errors import ActionRefused
from track2.people.eligibility import check_eligible


def check_seat_in_delegation(delegation: Delegation, person) -> bool:
    """Refuse an ineligible person or a second delegation; return the personal-capacity flag."""
    dialogue = delegation.dialogue
    personal_capacity = check_eligible(person, dialogue)
    other = (
        DelegationMember.objects.filter(dialogue=dialogue, person=person)
        .select_related("delegation")
        .first()
    )
    if other is not None:
        if other.delegation_id == delegation.pk:
            raise ActionRefused(_("%(name)s is already in this delegation.") % {"name": person.full_name}, field="person")
        raise ActionRefused(
            _("%(name)s is already in the delegation “%(other)s”; a person can be in only one delegation "
              "of a dialogue. Remove them there first.") % {"name": person.full_name, "other": other.delegation.name},
            field="person",
        )
    return personal_capacity


@transaction.atomic
def do_seat_in_delegation(by, delegation: Delegation, person) -> DelegationMember:
    """Put `person` in `delegation` (the caller has checked that `by` may convene)."""
    check_seat_in_delegation(delegation, person)
    try:
        with transaction.atomic():
            return DelegationMember.objects.create(
                dialogue=delegation.dialogue,
                delegation=delegation,
                person=person,
                # Everyone takes part in a personal capacity; a Track 1.5 official is
                # flagged as such wherever the person's sector is shown.
                in_personal_capacity=True,
            )
    except IntegrityError:
        # Two conveners seating the same person at once: the constraint decides.
        raise ActionRefused(
            _("%(name)s was just put in another delegation of this dialogue.") % {"name": person.full_name},
            field="person",
        ) from None
