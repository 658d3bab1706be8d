"""The sub-objects of a dialogue's make-up: parties, delegations and their seats, roles and
role invitations. Each loader takes the DialogueAccess the caller already holds, so a party,
delegation or seat of another dialogue is as unknown as one that does not exist."""

from __future__ import annotations

from django.utils.translation import gettext as _

from track2.access import DialogueAccess, NotFound, access_dialogue, one_of
from track2.dialogues.models import Delegation, DelegationMember, Membership, Party, RoleInvitation
from track2.errors import ActionRefused


def party(ctx: DialogueAccess, party_id) -> Party:
    return one_of(Party.objects.filter(dialogue=ctx.dialogue), party_id)


def party_named(ctx: DialogueAccess, party_id: int | None, field: str = "party_id") -> Party | None:
    """A party a request refers to in its body: a refusal on that field when it is not this
    dialogue's (the request itself is allowed; what it names is wrong)."""
    if party_id is None:
        return None
    found = Party.objects.filter(dialogue=ctx.dialogue, pk=party_id).first()
    if found is None:
        raise ActionRefused(_("This dialogue has no party with that id."), field=field)
    return found


def delegation(ctx: DialogueAccess, delegation_id) -> Delegation:
    """Any delegation of the dialogue (for those who manage them: the caller's `need` decided)."""
    return one_of(Delegation.objects.filter(dialogue=ctx.dialogue), delegation_id)


def delegation_named(
    ctx: DialogueAccess, delegation_id: int | None, field: str = "delegation_id"
) -> Delegation | None:
    """A delegation a request names in its body (a person's, a nomination's): None when it names
    none, a refusal on that field when it is not one of this dialogue's."""
    if delegation_id is None:
        return None
    found = Delegation.objects.filter(dialogue=ctx.dialogue, pk=delegation_id).first()
    if found is None:
        raise ActionRefused(_("There is no delegation with this id in this dialogue."), field=field)
    return found


def roster(user, dialogue_id, delegation_id) -> tuple[DialogueAccess, Delegation]:
    """A delegation with its roster: any of the dialogue's for conveners, one's own for members."""
    ctx = access_dialogue(user, dialogue_id, need="member")
    found = one_of(
        Delegation.objects.select_related("party", "dialogue").filter(dialogue=ctx.dialogue),
        delegation_id,
    )
    if not ctx.sees_roster(found):
        raise NotFound
    return ctx, found


def seat(ctx: DialogueAccess, delegation_id, seat_id) -> DelegationMember:
    """One member's place in one delegation of the dialogue."""
    return one_of(
        DelegationMember.objects.select_related("person").filter(
            dialogue=ctx.dialogue, delegation_id=delegation_id
        ),
        seat_id,
    )


def membership(ctx: DialogueAccess, membership_id) -> Membership:
    return one_of(Membership.objects.filter(dialogue=ctx.dialogue), membership_id)


def role_invitation(ctx: DialogueAccess, invitation_id) -> RoleInvitation:
    return one_of(RoleInvitation.objects.filter(dialogue=ctx.dialogue), invitation_id)
