"""THE authorisation rules of Track2: every protected object is loaded through here.

Each function either returns the object the user may use or raises `NotFound` — never
"forbidden", so that nobody outside a dialogue can learn that it exists (STYLE.md §2).
Site administrators get no implicit access to dialogue content: confidentiality is
between the dialogue's members and its conveners.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models.signals import post_delete, post_save
from django.http import Http404

from track2.dialogues.models import Dialogue, Membership, Role
from track2.validation import MAX_ID


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


# Roles already read during the current request: a page asks for them from the view, the
# navigation tag and several checks; one query per dialogue is enough. None outside a request
# (commands, tests calling actions), where nothing is remembered.
_request_roles: ContextVar[dict[tuple[int, int], frozenset[str]] | None] = ContextVar(
    "track2_roles", default=None
)


@contextmanager
def roles_remembered_for_request() -> Iterator[None]:
    token = _request_roles.set({})
    try:
        yield
    finally:
        _request_roles.reset(token)


def _forget_roles(**_signal) -> None:
    # A request that changes a role must see the change in what it renders next.
    remembered = _request_roles.get()
    if remembered is not None:
        remembered.clear()


post_save.connect(_forget_roles, sender=Membership, dispatch_uid="track2.access.forget_roles.save")
post_delete.connect(
    _forget_roles, sender=Membership, dispatch_uid="track2.access.forget_roles.delete"
)


def roles_of(user, dialogue_id: int) -> frozenset[str]:
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    remembered = _request_roles.get()
    key = (user.pk, int(dialogue_id))
    if remembered is not None and key in remembered:
        return remembered[key]
    roles = frozenset(
        Membership.objects.filter(user=user, dialogue_id=dialogue_id).values_list("role", flat=True)
    )
    if remembered is not None:
        remembered[key] = roles
    return roles


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


def access_dialogue(user, dialogue_id: int | str, need: str = "member") -> Dialogue:
    """Return the dialogue if `user` holds a role that satisfies `need`; else NotFound."""
    pk = parse_id(dialogue_id)
    roles = roles_of(user, pk)
    if not has_need(roles, need):
        raise NotFound
    try:
        return Dialogue.objects.select_related("institution").get(pk=pk)
    except Dialogue.DoesNotExist:
        raise NotFound from None


@dataclass(frozen=True)
class DialogueMembership:
    dialogue: Dialogue
    roles: tuple[str, ...]


def dialogues_for(user) -> list[DialogueMembership]:
    """The dialogues this user belongs to, with the user's roles in each."""
    if user is None or not user.is_authenticated or not user.is_active:
        return []
    by_dialogue: dict[int, list[str]] = defaultdict(list)
    dialogues: dict[int, Dialogue] = {}
    for membership in Membership.objects.filter(user=user).select_related("dialogue__institution"):
        by_dialogue[membership.dialogue_id].append(membership.role)
        dialogues[membership.dialogue_id] = membership.dialogue
    ordered = sorted(dialogues.values(), key=lambda d: d.title.lower())
    return [DialogueMembership(d, tuple(sorted(by_dialogue[d.pk]))) for d in ordered]
