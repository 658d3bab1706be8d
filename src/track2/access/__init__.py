"""THE authorisation rules of Track2: every protected object is loaded through here.

Each function either returns the object the user may use or raises `NotFound` — never
"forbidden", so that nobody outside a dialogue can learn that it exists (STYLE.md §2).
Site administrators get no implicit access to dialogue content: confidentiality is
between the dialogue's members and its conveners.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from django.http import Http404

from track2.dialogues.models import DelegationMember, Dialogue, Membership, Role
from track2.validation import MAX_ID

if TYPE_CHECKING:
    from track2.people.models import Person


class NotFound(Http404):
    """The object does not exist, or this user may not know that it does."""


# What each need requires: the roles that satisfy it. Read top to bottom as the rules.
NEEDS: dict[str, frozenset[str]] = {
    # see that the dialogue exists and what it shares with all its members
    "member": frozenset(Role.values),
    # take part: submit statements, vote, endorse
    "participant": frozenset({Role.PARTICIPANT}),
    # run meetings: agendas, moderation, drafts
    "facilitator": frozenset({Role.FACILITATOR, Role.CONVENER}),
    # write the non-attributed record
    "rapporteur": frozenset({Role.RAPPORTEUR, Role.FACILITATOR, Role.CONVENER}),
    # carry outputs to officials and record their reactions
    "liaison": frozenset({Role.LIAISON, Role.CONVENER}),
    # identity details, vetting, invitations, confidential attendance
    "convener": frozenset({Role.CONVENER}),
}


def roles_of(user, dialogue_id: int) -> frozenset[str]:
    """The user's roles in one dialogue (one query). Only the loaders here call it: everything
    else asks the DialogueAccess they returned."""
    if not is_signed_in(user):
        return frozenset()
    return frozenset(
        Membership.objects.filter(user=user, dialogue_id=dialogue_id).values_list("role", flat=True)
    )


def is_signed_in(user) -> bool:
    """A real, active account (not anonymous, not deactivated): only such a user holds roles."""
    return user is not None and user.is_authenticated and user.is_active


def has_need(roles: frozenset[str], need: str) -> bool:
    if need not in NEEDS:
        raise ValueError(f"unknown access need {need!r}; one of {sorted(NEEDS)}")
    return bool(roles & NEEDS[need])


def parse_id(value) -> int:
    """An id from a URL or a request; anything that is not a whole number an id column can
    hold (1 … 2^63 − 1) is simply not found — never a database error."""
    try:
        pk = int(value)
    except (TypeError, ValueError):
        raise NotFound from None
    if not 1 <= pk <= MAX_ID:
        raise NotFound
    return pk


def one_of(queryset, pk):
    """One object of an already-authorised queryset by the id the caller sent, or the same
    NotFound as everywhere (a bad id, another dialogue's object and a missing one look alike)."""
    try:
        return queryset.get(pk=parse_id(pk))
    except queryset.model.DoesNotExist:
        raise NotFound from None


@dataclass(frozen=True)
class DialogueAccess:
    """A dialogue as one viewer may use it: the dialogue, the viewer's roles in it (read once),
    the viewer. Pages, the API, templates and template tags ask it (`ctx.is_convener`); no
    other code reads roles. Properties are questions about this viewer, never about others."""

    dialogue: Dialogue
    roles: frozenset[str]
    user: Any = None  # the viewer (a User, or anonymous)

    def has(self, need: str) -> bool:
        """Whether the viewer's roles satisfy `need` (a key of NEEDS)."""
        return has_need(self.roles, need)

    @property
    def is_member(self) -> bool:
        return bool(self.roles)

    @property
    def is_convener(self) -> bool:
        return Role.CONVENER in self.roles

    @property
    def is_facilitator(self) -> bool:
        """Holds the facilitator role (conveners may facilitate too: see may_manage_agenda)."""
        return Role.FACILITATOR in self.roles

    @property
    def is_rapporteur(self) -> bool:
        return Role.RAPPORTEUR in self.roles

    @property
    def is_participant(self) -> bool:
        return Role.PARTICIPANT in self.roles

    @property
    def is_observer(self) -> bool:
        return Role.OBSERVER in self.roles

    @property
    def is_liaison(self) -> bool:
        return Role.LIAISON in self.roles

    @property
    def is_only_observer(self) -> bool:
        """Observers read only what is shared with them (no rosters, no attendance lists)."""
        return bool(self.roles) and not self.roles - {Role.OBSERVER}

    @property
    def may_facilitate(self) -> bool:
        """Runs meetings: facilitators and conveners."""
        return self.has("facilitator")

    @property
    def may_manage_agenda(self) -> bool:
        return self.has("facilitator")

    @property
    def sees_attendance(self) -> bool:
        """Who is invited to and attends meetings. Confidential lists: conveners only.
        Otherwise every member except observers (who read only what is shared with them)."""
        if self.is_convener:
            return True
        if self.dialogue.is_attendance_confidential:
            return False
        return self.is_member and not self.is_only_observer

    @cached_property
    def person(self) -> Person | None:
        """The viewer's own entry in the people directory, if any (read when first asked)."""
        from track2.people.models import Person

        if not is_signed_in(self.user):
            return None
        return Person.objects.filter(user=self.user).first()

    @property
    def role_names(self) -> tuple[str, ...]:
        """The roles in a stable order, for display."""
        return tuple(sorted(self.roles))

    @cached_property
    def own_seat(self) -> DelegationMember | None:
        """The viewer's own place in one of the dialogue's delegations (read when first asked)."""
        if not is_signed_in(self.user):
            return None
        return (
            DelegationMember.objects.filter(dialogue=self.dialogue, person__user=self.user)
            .select_related("delegation")
            .first()
        )

    @property
    def own_roster_delegation_id(self) -> int | None:
        """The delegation whose members this viewer may list: their own, if they are seated and
        hold a role other than observer (observers read no rosters). Conveners see every roster."""
        if not self.is_member or self.is_only_observer or self.own_seat is None:
            return None
        return self.own_seat.delegation_id

    def sees_roster(self, delegation) -> bool:
        """Whether the viewer may list this delegation's members."""
        return self.is_convener or self.own_roster_delegation_id == delegation.pk


def dialogue_access(
    user, dialogue: Dialogue, roles: frozenset[str] | None = None
) -> DialogueAccess:
    """The context of a dialogue already loaded for this user (a list of their dialogues, a
    meeting's own dialogue). `roles`: when a list has read them for every dialogue at once."""
    return DialogueAccess(dialogue, roles_of(user, dialogue.pk) if roles is None else roles, user)


def access_dialogue(user, dialogue_id: int | str, need: str = "member") -> DialogueAccess:
    """The dialogue with the viewer's roles, if `user` holds a role that satisfies `need`;
    else NotFound (whether or not the dialogue exists)."""
    pk = parse_id(dialogue_id)
    roles = roles_of(user, pk)
    if not has_need(roles, need):
        raise NotFound
    try:
        dialogue = Dialogue.objects.select_related("institution").get(pk=pk)
    except Dialogue.DoesNotExist:
        raise NotFound from None
    return DialogueAccess(dialogue, roles, user)


def dialogues_for(user) -> list[DialogueAccess]:
    """The dialogues this user belongs to, each with the user's roles (one query in all)."""
    if not is_signed_in(user):
        return []
    by_dialogue: dict[int, set[str]] = defaultdict(set)
    dialogues: dict[int, Dialogue] = {}
    for membership in Membership.objects.filter(user=user).select_related("dialogue__institution"):
        by_dialogue[membership.dialogue_id].add(membership.role)
        dialogues[membership.dialogue_id] = membership.dialogue
    ordered = sorted(dialogues.values(), key=lambda d: d.title.lower())
    return [DialogueAccess(d, frozenset(by_dialogue[d.pk]), user) for d in ordered]
