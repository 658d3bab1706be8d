"""Dialogues API: series, parties, roles, delegations and seats, venues, and the balance report
(meetings: api/meetings.py).

Same actions and access rules as the pages: an object the caller may not see answers 404;
a refused action answers 400 with {"detail": message, "field": field}.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any

from django.db.models import prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from ninja import Field, Query, Router, Schema

from track2 import access
from track2.access import delegations as delegation_access
from track2.access.people import person_named
from track2.access.venues import access_venue, venues_of
from track2.api.auth import AuthedRequest
from track2.api.fields import (
    Code,
    Email,
    Id,
    LinkSecret,
)
from track2.api.pagination import PageQuery, page_of
from track2.api.schemas import integer_type, schemas
from track2.dialogues import actions, queries, role_actions, venue_actions
from track2.dialogues.balance import build_balance
from track2.disclosure.site import is_shown_in_personal_capacity, k_of
from track2.disclosure.status import STATUS_LINE

router = Router(tags=["dialogues"])
P = "/dialogues/{dialogue_id}"


def no_content():
    return HttpResponse(status=204)


# --- schemas ---------------------------------------------------------------------------------


if TYPE_CHECKING:
    # Classes built by a call are no types to mypy; pydantic checks every field of them.
    DialogueIn = Any
    DialoguePatch = Any
    PartyIn = Any
    DelegationIn = Any
    DelegationPatch = Any
    VenueIn = Any
    VenuePatch = Any
else:
    DialogueIn, DialoguePatch = schemas(
        actions.DIALOGUE,
        "Dialogue",
        defaults={"k_anonymity": None},
        types={
            "k_anonymity": Annotated[
                integer_type(actions.DIALOGUE.field("k_anonymity")),
                Field(description="default: the site's TRACK2_K_ANONYMITY, also the floor"),
            ],
            "required_sectors": list[Code],
        },
        # One of the caller's institutions (GET /api/v1/me/institutions); optional when there is one.
        extra_in={"institution_id": (Id | None, None)},
    )
    PartyIn, _PartyPatch = schemas(
        actions.PARTY, "Party", extra_in={"with_delegation": (bool, False)}
    )
    DelegationIn, DelegationPatch = schemas(
        actions.DELEGATION, "Delegation", patch_names=("name", "party")
    )
    VenueIn, VenuePatch = schemas(venue_actions.VENUE, "Venue")


class RoleIn(Schema):
    email: Email
    role: Code


class RoleAnswerIn(Schema):
    # The secret at the end of the e-mailed link (…/role-invitation/SECRET/).
    secret: LinkSecret


class SeatIn(Schema):
    person_id: Id


# --- output ----------------------------------------------------------------------------------


def dialogue_out(ctx: access.DialogueAccess) -> dict:
    dialogue = ctx.dialogue
    data = {
        "status_line": STATUS_LINE,
        "id": dialogue.pk,
        "title": dialogue.title,
        "purpose": dialogue.purpose,
        "track": dialogue.track,
        "status": dialogue.status,
        "institution": {"id": dialogue.institution_id, "name": dialogue.institution.name},
        "is_attendance_confidential": dialogue.is_attendance_confidential,
        "default_attribution_mode": dialogue.default_attribution_mode,
        "k_anonymity": k_of(dialogue),
        "roles": list(ctx.role_names),
        "parties": [
            {"id": p.pk, "name": p.name, "country": p.country} for p in dialogue.parties.all()
        ],
    }
    if ctx.is_convener:
        data.update(
            {
                "min_members_per_side": dialogue.min_members_per_side,
                "required_sectors": dialogue.required_sectors,
                "max_side_ratio": str(dialogue.max_side_ratio),
                "max_gender_share": dialogue.max_gender_share,
            }
        )
    return data


def venue_out(venue, *, show_address: bool = True) -> dict:
    return {
        "id": venue.pk,
        "name": venue.name,
        "kind": venue.kind,
        "city": venue.city,
        "country": venue.country,
        "address": venue.address if show_address else None,
        "is_confidential": venue.is_confidential,
        "is_address_restricted": venue.is_address_restricted,
        "capacity": venue.capacity,
        "accessibility_notes": venue.accessibility_notes,
    }


def delegation_out(delegation, members=None) -> dict:
    size = getattr(delegation, "member_count", None)  # annotated by lists, counted here otherwise
    data = {
        "id": delegation.pk,
        "name": delegation.name,
        "kind": delegation.kind,
        "party_id": delegation.party_id,
        "size": delegation.members.count() if size is None else size,
    }
    if members is not None:
        data["members"] = [
            {
                "seat_id": s.pk,
                "person_id": s.person_id,
                "full_name": s.person.full_name,
                "sector": s.person.sector,
                "personal_capacity": is_shown_in_personal_capacity(s.person, delegation.dialogue),
            }
            for s in members
        ]
    return data


def utc(moment: datetime) -> str:
    """A time in UTC written with "Z" (docs/api.md), whatever zone the value carries."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --- dialogues -------------------------------------------------------------------------------


@router.get("/dialogues", summary="The dialogues I belong to, with my roles (paginated)")
def list_dialogues(request: AuthedRequest, paging: Query[PageQuery]):
    found = page_of(access.dialogues_for(request.auth), paging)
    prefetch_related_objects([ctx.dialogue for ctx in found["items"]], "parties")
    return {
        **found,
        "items": [dialogue_out(ctx) for ctx in found["items"]],
    }


@router.post(
    "/dialogues", response={201: dict}, summary="Create a dialogue series (you become its convener)"
)
def create_dialogue(request: AuthedRequest, body: DialogueIn):
    fields = body.dict(exclude_none=True)
    dialogue = actions.do_create_dialogue(
        request.auth, institution=fields.pop("institution_id", None), **fields
    )
    return JsonResponse(dialogue_out(access.dialogue_access(request.auth, dialogue)), status=201)


@router.get(P, summary="One dialogue (what your roles may see)")
def get_dialogue(request: AuthedRequest, dialogue_id: Id):
    return dialogue_out(access.access_dialogue(request.auth, dialogue_id, need="member"))


@router.patch(P, summary="Change a dialogue's settings (conveners)")
def update_dialogue(request: AuthedRequest, dialogue_id: Id, body: DialoguePatch):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = actions.do_update_dialogue(
        request.auth, ctx.dialogue, **body.dict(exclude_unset=True)
    )
    return dialogue_out(access.dialogue_access(request.auth, dialogue, ctx.roles))


@router.get(
    P + "/balance", summary="Balance report: sector × gender per delegation, attendance, warnings"
)
def balance(request: AuthedRequest, dialogue_id: Id):
    return build_balance(
        access.access_dialogue(request.auth, dialogue_id, need="convener").dialogue
    ).as_dict()


# --- parties and roles -----------------------------------------------------------------------


@router.post(P + "/parties", response={201: dict}, summary="Add a party in tension (conveners)")
def add_party(request: AuthedRequest, dialogue_id: Id, body: PartyIn):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    party = actions.do_add_party(request.auth, dialogue, **body.dict())
    return JsonResponse({"id": party.pk, "name": party.name, "country": party.country}, status=201)


@router.delete(
    P + "/parties/{party_id}",
    response={204: None},
    summary="Remove a party that no delegation represents",
)
def remove_party(request: AuthedRequest, dialogue_id: Id, party_id: Id):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_remove_party(request.auth, delegation_access.party(ctx, party_id))
    return no_content()


@router.get(P + "/roles", summary="Who holds which role (conveners; paginated)")
def list_roles(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    return page_of(
        dialogue.memberships.select_related("user").order_by("user__email", "role", "pk"),
        paging,
        lambda m: {"id": m.pk, "user_id": m.user_id, "email": m.user.email, "role": m.role},
    )


def role_invitation_out(invitation) -> dict:
    return {
        "id": invitation.pk,
        "email": invitation.sent_to,
        "role": invitation.role,
        "expires_at": utc(invitation.expires_at),
        "is_open": invitation.is_open,
    }


@router.post(
    P + "/roles",
    response={202: dict},
    summary="Offer a role by e-mail (conveners); it is given when its holder accepts",
)
def invite_to_role(request: AuthedRequest, dialogue_id: Id, body: RoleIn):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    invitation, _link = role_actions.do_invite_to_role(
        request.auth,
        dialogue,
        email=body.email,
        role=body.role,
        base_url=f"{request.scheme}://{request.get_host()}",
    )
    # The link itself is only e-mailed to the invited address, never returned.
    return JsonResponse(role_invitation_out(invitation), status=202)


@router.get(
    P + "/role-invitations",
    response={200: list[dict]},
    summary="Roles offered and not yet accepted (conveners)",
)
def list_role_invitations(request: AuthedRequest, dialogue_id: Id):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    return [role_invitation_out(i) for i in role_actions.open_role_invitations(dialogue)]


@router.delete(
    P + "/role-invitations/{invitation_id}",
    response={204: None},
    summary="Cancel a role offer (its link stops working)",
)
def cancel_role_invitation(request: AuthedRequest, dialogue_id: Id, invitation_id: Id):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    invitation = delegation_access.role_invitation(ctx, invitation_id)
    role_actions.do_cancel_role_invitation(request.auth, invitation)
    return no_content()


@router.post(
    "/role-invitations/accept",
    response={201: dict},
    tags=["role invitations"],
    summary="Accept a role offered to your account (the link's secret)",
)
def accept_role(request: AuthedRequest, body: RoleAnswerIn):
    membership = role_actions.do_accept_role(body.secret, request.auth)
    return JsonResponse(
        {"dialogue_id": membership.dialogue_id, "role": membership.role}, status=201
    )


@router.post(
    "/role-invitations/decline",
    response={204: None},
    tags=["role invitations"],
    summary="Decline a role offered to your account",
)
def decline_role(request: AuthedRequest, body: RoleAnswerIn):
    role_actions.do_decline_role(body.secret, request.auth)
    return no_content()


@router.delete(
    P + "/roles/{membership_id}",
    response={204: None},
    summary="Remove a role (a dialogue keeps at least one convener)",
)
def revoke_role(request: AuthedRequest, dialogue_id: Id, membership_id: Id):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_revoke_role(request.auth, delegation_access.membership(ctx, membership_id))
    return no_content()


# --- delegations -----------------------------------------------------------------------------


@router.get(
    P + "/delegations", summary="Delegations: members for conveners, and for your own (paginated)"
)
def list_delegations(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="member")
    dialogue = ctx.dialogue
    found = page_of(
        queries.delegations_with_counts(dialogue).order_by("kind", "name", "pk"), paging
    )
    for delegation in found["items"]:
        delegation.dialogue = dialogue  # the one already loaded: its rules decide personal capacity
    visible = [d.pk for d in found["items"] if ctx.sees_roster(d)]
    rosters = queries.members_by_delegation(dialogue, visible)
    return {**found, "items": [delegation_out(d, rosters.get(d.pk)) for d in found["items"]]}


@router.post(
    P + "/delegations",
    response={201: dict},
    summary="Create a delegation (one per party, or the facilitation team)",
)
def create_delegation(request: AuthedRequest, dialogue_id: Id, body: DelegationIn):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    party = delegation_access.party_named(ctx, body.party_id)
    delegation = actions.do_create_delegation(
        request.auth, dialogue, name=body.name, kind=body.kind, party=party
    )
    return JsonResponse(delegation_out(delegation, []), status=201)


@router.patch(P + "/delegations/{delegation_id}", summary="Rename a delegation or change its party")
def update_delegation(
    request: AuthedRequest, dialogue_id: Id, delegation_id: Id, body: DelegationPatch
):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    delegation = delegation_access.delegation(ctx, delegation_id)
    fields = body.dict(exclude_unset=True)
    party = delegation.party
    if "party_id" in fields:
        party = delegation_access.party_named(ctx, fields["party_id"])
    delegation = actions.do_update_delegation(
        request.auth, delegation, name=fields.get("name", delegation.name), party=party
    )
    return delegation_out(delegation, queries.members_of(delegation))


@router.delete(
    P + "/delegations/{delegation_id}", response={204: None}, summary="Delete an empty delegation"
)
def delete_delegation(request: AuthedRequest, dialogue_id: Id, delegation_id: Id):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_delete_delegation(request.auth, delegation_access.delegation(ctx, delegation_id))
    return no_content()


@router.post(
    P + "/delegations/{delegation_id}/seats",
    response={201: dict},
    summary="Seat a candidate in a delegation",
)
def seat(request: AuthedRequest, dialogue_id: Id, delegation_id: Id, body: SeatIn):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    delegation = delegation_access.delegation(ctx, delegation_id)
    person = person_named(ctx, body.person_id)
    member = actions.do_seat_in_delegation(request.auth, delegation, person)
    return JsonResponse(
        {"seat_id": member.pk, "person_id": person.pk, "delegation_id": delegation.pk}, status=201
    )


@router.delete(
    P + "/delegations/{delegation_id}/seats/{seat_id}",
    response={204: None},
    summary="Unseat a delegation member",
)
def unseat(request: AuthedRequest, dialogue_id: Id, delegation_id: Id, seat_id: Id):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_unseat(request.auth, delegation_access.seat(ctx, delegation_id, seat_id))
    return no_content()


# --- venues ----------------------------------------------------------------------------------


@router.get(
    P + "/venues", summary="The dialogue's venues, with neutrality warnings (conveners; paginated)"
)
def list_venues(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    parties = list(dialogue.parties.all())  # read once, not once per venue
    return page_of(
        venues_of(dialogue).order_by("name", "pk"),
        paging,
        lambda v: {
            **venue_out(v),
            "neutrality_warning": queries.neutrality_warning(dialogue, v, parties),
        },
    )


@router.post(P + "/venues", response={201: dict}, summary="Add a venue (conveners)")
def create_venue(request: AuthedRequest, dialogue_id: Id, body: VenueIn):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = ctx.dialogue
    venue = venue_actions.do_create_venue(request.auth, dialogue, **body.dict())
    return JsonResponse(
        {**venue_out(venue), "neutrality_warning": queries.neutrality_warning(dialogue, venue)},
        status=201,
    )


@router.patch(P + "/venues/{venue_id}", summary="Change a venue (conveners)")
def update_venue(request: AuthedRequest, dialogue_id: Id, venue_id: Id, body: VenuePatch):
    _ctx, venue = access_venue(request.auth, dialogue_id, venue_id, need="convener")
    return venue_out(
        venue_actions.do_update_venue(request.auth, venue, **body.dict(exclude_unset=True))
    )


@router.delete(
    P + "/venues/{venue_id}",
    response={204: None},
    summary="Remove a venue no meeting uses (conveners)",
)
def delete_venue(request: AuthedRequest, dialogue_id: Id, venue_id: Id):
    _ctx, venue = access_venue(request.auth, dialogue_id, venue_id, need="convener")
    venue_actions.do_delete_venue(request.auth, venue)
    return no_content()
