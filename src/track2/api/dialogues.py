"""Dialogues API: series, parties, roles, delegations and seats, venues, meetings with their
agendas and participants, and the balance report.

Same actions and access rules as the pages: an object the caller may not see answers 404;
a refused action answers 400 with {"detail": message, "field": field}.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from django.db.models import prefetch_related_objects
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from track2 import access
from track2.access.meetings import (
    access_meeting,
    access_own_meeting_seat,
    access_venue,
    can_see_attendance,
    can_see_roster,
    can_see_venue_address,
    own_meeting_seat,
    own_meeting_seats,
    own_roster_delegation_id,
    venues_of,
)
from track2.api.auth import AuthedRequest
from track2.api.fields import (
    Code,
    Count,
    Email,
    Id,
    LinkSecret,
    Moment,
    Notes,
    Place,
    Small,
    Title,
    ZoneName,
)
from track2.api.pagination import PageQuery, page_of
from track2.dialogues import actions, meeting_actions, queries, role_actions
from track2.dialogues.balance import build_balance
from track2.dialogues.models import (
    AgendaItem,
    Delegation,
    DelegationMember,
    Membership,
    Party,
    RoleInvitation,
)
from track2.disclosure.site import is_shown_in_personal_capacity, k_of
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused  # raised here; api.urls turns every refusal into 400 JSON

router = Router(tags=["dialogues"])
P = "/dialogues/{dialogue_id}"
M = P + "/meetings/{meeting_id}"


def _one(queryset, pk):
    try:
        return queryset.get(pk=access.parse_id(pk))
    except queryset.model.DoesNotExist:
        raise access.NotFound from None


def _no_content():
    return HttpResponse(status=204)


# --- schemas ---------------------------------------------------------------------------------


class DialogueIn(Schema):
    title: Title
    purpose: Notes = ""
    track: Code = "track2"
    status: Code = "planning"
    # One of the caller's institutions (GET /api/v1/me/institutions); optional when there is one.
    institution_id: Id | None = None
    is_attendance_confidential: bool = True
    default_attribution_mode: Code = "chatham_house"
    k_anonymity: Small | None = Field(
        None, description="default: the site's TRACK2_K_ANONYMITY, which is also the floor"
    )
    min_members_per_side: Small = 4
    required_sectors: list[Code] = []
    max_side_ratio: Decimal = Decimal("1.50")
    max_gender_share: Small = 75


class DialoguePatch(Schema):
    title: Title | None = None
    purpose: Notes | None = None
    track: Code | None = None
    status: Code | None = None
    is_attendance_confidential: bool | None = None
    default_attribution_mode: Code | None = None
    k_anonymity: Small | None = None
    min_members_per_side: Small | None = None
    required_sectors: list[Code] | None = None
    max_side_ratio: Decimal | None = None
    max_gender_share: Small | None = None


class PartyIn(Schema):
    name: Title
    country: Place = ""
    with_delegation: bool = False


class RoleIn(Schema):
    email: Email
    role: Code


class RoleAnswerIn(Schema):
    # The secret at the end of the e-mailed link (…/role-invitation/SECRET/).
    secret: LinkSecret


class DelegationIn(Schema):
    name: Title
    kind: Code = "side"
    party_id: Id | None = None


class DelegationPatch(Schema):
    name: Title | None = None
    party_id: Id | None = None


class SeatIn(Schema):
    person_id: Id


class VenueIn(Schema):
    name: Title
    kind: Code
    city: Place = ""
    country: Place = ""
    address: Notes = ""
    is_confidential: bool = False
    capacity: Count | None = None
    accessibility_notes: Notes = ""


class VenuePatch(Schema):
    name: Title | None = None
    kind: Code | None = None
    city: Place | None = None
    country: Place | None = None
    address: Notes | None = None
    is_confidential: bool | None = None
    capacity: Count | None = None
    accessibility_notes: Notes | None = None


class MeetingIn(Schema):
    title: Title
    starts_at: Moment
    ends_at: Moment
    time_zone: ZoneName
    venue_id: Id | None = None
    attribution_mode: Code | None = None


class MeetingPatch(Schema):
    title: Title | None = None
    starts_at: Moment | None = None
    ends_at: Moment | None = None
    time_zone: ZoneName | None = None
    venue_id: Id | None = None
    attribution_mode: Code | None = None
    is_archived: bool | None = None


class AgendaIn(Schema):
    title: Title
    duration_minutes: Count
    description: Notes = ""
    lead_id: Id | None = None


class AgendaPatch(Schema):
    title: Title | None = None
    duration_minutes: Count | None = None
    description: Notes | None = None
    lead_id: Id | None = None


class MoveIn(Schema):
    direction: Code


class ParticipantsIn(Schema):
    person_ids: list[Id]
    status: Code = "invited"
    notify: bool = True


class StatusIn(Schema):
    status: Code


# --- output ----------------------------------------------------------------------------------


def dialogue_out(user, dialogue, roles: frozenset[str] | None = None) -> dict:
    """`roles`: the caller's roles in it, when a list has read them for every dialogue at once."""
    roles = access.roles_of(user, dialogue.pk) if roles is None else roles
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
        "roles": sorted(roles),
        "parties": [
            {"id": p.pk, "name": p.name, "country": p.country} for p in dialogue.parties.all()
        ],
    }
    if access.has_need(roles, "convener"):
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


def meeting_out(user, meeting, *, full: bool = False, seats: dict | None = None) -> dict:
    """`seats`: the viewer's places on the dialogue's meeting lists, read once for a whole list."""
    planned, theirs = queries.meeting_times(meeting, getattr(user, "time_zone", None))
    seat = seats.get(meeting.pk) if seats is not None else own_meeting_seat(user, meeting)
    show_address = can_see_venue_address(user, meeting, seat)
    data = {
        "status_line": STATUS_LINE,
        "id": meeting.pk,
        "title": meeting.title,
        "time_zone": meeting.time_zone,
        "starts_at": utc(meeting.starts_at),
        "ends_at": utc(meeting.ends_at),
        "starts_local": planned.starts.isoformat(),
        "ends_local": planned.ends.isoformat(),
        "starts_in_my_zone": (theirs or planned).starts.isoformat(),
        "attribution_mode": meeting.attribution_mode,
        "venue": venue_out(meeting.venue, show_address=show_address) if meeting.venue else None,
        "is_archived": meeting.archived_at is not None,
    }
    data["my_status"] = seat.status if seat is not None else None
    if full:
        timing = queries.agenda_timing(meeting)
        data["agenda"] = [agenda_out(i) for i in meeting.agenda_items.select_related("lead")]
        data["agenda_minutes"] = timing.agenda_minutes
        data["meeting_minutes"] = timing.meeting_minutes
        data["warnings"] = []
        # Warnings go to those who can act on them: the agenda's to facilitators and conveners,
        # the venue's neutrality to conveners (who choose the venue); never to participants.
        roles = access.roles_of(user, meeting.dialogue_id)
        if access.has_need(roles, "facilitator"):
            data["warnings"] = [w for w in (queries.agenda_warning(meeting, timing),) if w]
        if access.has_need(roles, "convener"):
            warning = queries.neutrality_warning(meeting.dialogue, meeting.venue)
            if warning:
                data["warnings"].append(warning)
    return data


def agenda_out(item) -> dict:
    return {
        "id": item.pk,
        "position": item.position,
        "title": item.title,
        "description": item.description,
        "duration_minutes": item.duration_minutes,
        "lead_id": item.lead_id,
        "lead": item.lead.full_name if item.lead else None,
    }


def participant_out(p) -> dict:
    return {
        "id": p.pk,
        "person_id": p.person_id,
        "full_name": p.person.full_name,
        "status": p.status,
    }


# --- dialogues -------------------------------------------------------------------------------


@router.get("/dialogues", summary="The dialogues I belong to, with my roles (paginated)")
def list_dialogues(request: AuthedRequest, paging: Query[PageQuery]):
    found = page_of(access.dialogues_for(request.auth), paging)
    prefetch_related_objects([m.dialogue for m in found["items"]], "parties")
    return {
        **found,
        "items": [
            dialogue_out(request.auth, m.dialogue, frozenset(m.roles)) for m in found["items"]
        ],
    }


@router.post(
    "/dialogues", response={201: dict}, summary="Create a dialogue series (you become its convener)"
)
def create_dialogue(request: AuthedRequest, body: DialogueIn):
    fields = body.dict(exclude_none=True)
    dialogue = actions.do_create_dialogue(
        request.auth, institution=fields.pop("institution_id", None), **fields
    )
    return JsonResponse(dialogue_out(request.auth, dialogue), status=201)


@router.get(P, summary="One dialogue (what your roles may see)")
def get_dialogue(request: AuthedRequest, dialogue_id: Id):
    return dialogue_out(
        request.auth, access.access_dialogue(request.auth, dialogue_id, need="member")
    )


@router.patch(P, summary="Change a dialogue's settings (conveners)")
def update_dialogue(request: AuthedRequest, dialogue_id: Id, body: DialoguePatch):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = actions.do_update_dialogue(request.auth, dialogue, **body.dict(exclude_unset=True))
    return dialogue_out(request.auth, dialogue)


@router.get(
    P + "/balance", summary="Balance report: sector × gender per delegation, attendance, warnings"
)
def balance(request: AuthedRequest, dialogue_id: Id):
    return build_balance(
        access.access_dialogue(request.auth, dialogue_id, need="convener")
    ).as_dict()


# --- parties and roles -----------------------------------------------------------------------


@router.post(P + "/parties", response={201: dict}, summary="Add a party in tension (conveners)")
def add_party(request: AuthedRequest, dialogue_id: Id, body: PartyIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    party = actions.do_add_party(request.auth, dialogue, **body.dict())
    return JsonResponse({"id": party.pk, "name": party.name, "country": party.country}, status=201)


@router.delete(
    P + "/parties/{party_id}",
    response={204: None},
    summary="Remove a party that no delegation represents",
)
def remove_party(request: AuthedRequest, dialogue_id: Id, party_id: Id):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_remove_party(request.auth, _one(Party.objects.filter(dialogue=dialogue), party_id))
    return _no_content()


@router.get(P + "/roles", summary="Who holds which role (conveners; paginated)")
def list_roles(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
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
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
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
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    return [role_invitation_out(i) for i in role_actions.open_role_invitations(dialogue)]


@router.delete(
    P + "/role-invitations/{invitation_id}",
    response={204: None},
    summary="Cancel a role offer (its link stops working)",
)
def cancel_role_invitation(request: AuthedRequest, dialogue_id: Id, invitation_id: Id):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    invitation = _one(RoleInvitation.objects.filter(dialogue=dialogue), invitation_id)
    role_actions.do_cancel_role_invitation(request.auth, invitation)
    return _no_content()


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
    return _no_content()


@router.delete(
    P + "/roles/{membership_id}",
    response={204: None},
    summary="Remove a role (a dialogue keeps at least one convener)",
)
def revoke_role(request: AuthedRequest, dialogue_id: Id, membership_id: Id):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_revoke_role(
        request.auth, _one(Membership.objects.filter(dialogue=dialogue), membership_id)
    )
    return _no_content()


# --- delegations -----------------------------------------------------------------------------


@router.get(
    P + "/delegations", summary="Delegations: members for conveners, and for your own (paginated)"
)
def list_delegations(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="member")
    own_id = own_roster_delegation_id(request.auth, dialogue)
    found = page_of(
        queries.delegations_with_counts(dialogue).order_by("kind", "name", "pk"), paging
    )
    for delegation in found["items"]:
        delegation.dialogue = dialogue  # the one already loaded: its rules decide personal capacity
    visible = [d.pk for d in found["items"] if can_see_roster(request.auth, d, own_id)]
    rosters = queries.members_by_delegation(dialogue, visible)
    return {**found, "items": [delegation_out(d, rosters.get(d.pk)) for d in found["items"]]}


@router.post(
    P + "/delegations",
    response={201: dict},
    summary="Create a delegation (one per party, or the facilitation team)",
)
def create_delegation(request: AuthedRequest, dialogue_id: Id, body: DelegationIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    party = None
    if body.party_id is not None:
        party = Party.objects.filter(dialogue=dialogue, pk=body.party_id).first()
        if party is None:
            raise ActionRefused(_("This dialogue has no party with that id."), field="party_id")
    delegation = actions.do_create_delegation(
        request.auth, dialogue, name=body.name, kind=body.kind, party=party
    )
    return JsonResponse(delegation_out(delegation, []), status=201)


@router.patch(P + "/delegations/{delegation_id}", summary="Rename a delegation or change its party")
def update_delegation(
    request: AuthedRequest, dialogue_id: Id, delegation_id: Id, body: DelegationPatch
):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    delegation = _one(Delegation.objects.filter(dialogue=dialogue), delegation_id)
    fields = body.dict(exclude_unset=True)
    party = delegation.party
    if "party_id" in fields:
        party = None
        if fields["party_id"] is not None:
            party = Party.objects.filter(dialogue=dialogue, pk=fields["party_id"]).first()
            if party is None:
                raise ActionRefused(_("This dialogue has no party with that id."), field="party_id")
    delegation = actions.do_update_delegation(
        request.auth, delegation, name=fields.get("name", delegation.name), party=party
    )
    return delegation_out(delegation, queries.members_of(delegation))


@router.delete(
    P + "/delegations/{delegation_id}", response={204: None}, summary="Delete an empty delegation"
)
def delete_delegation(request: AuthedRequest, dialogue_id: Id, delegation_id: Id):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_delete_delegation(
        request.auth, _one(Delegation.objects.filter(dialogue=dialogue), delegation_id)
    )
    return _no_content()


@router.post(
    P + "/delegations/{delegation_id}/seats",
    response={201: dict},
    summary="Seat a candidate in a delegation",
)
def seat(request: AuthedRequest, dialogue_id: Id, delegation_id: Id, body: SeatIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    delegation = _one(Delegation.objects.filter(dialogue=dialogue), delegation_id)
    person = queries.persons_of(dialogue).filter(pk=body.person_id).first()
    if person is None:
        raise ActionRefused(
            _("No person with this id is a candidate in this dialogue."), field="person_id"
        )
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
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_unseat(
        request.auth,
        _one(
            DelegationMember.objects.filter(dialogue=dialogue, delegation_id=delegation_id), seat_id
        ),
    )
    return _no_content()


# --- venues ----------------------------------------------------------------------------------


@router.get(
    P + "/venues", summary="The dialogue's venues, with neutrality warnings (conveners; paginated)"
)
def list_venues(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
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
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    venue = meeting_actions.do_create_venue(request.auth, dialogue, **body.dict())
    return JsonResponse(
        {**venue_out(venue), "neutrality_warning": queries.neutrality_warning(dialogue, venue)},
        status=201,
    )


@router.patch(P + "/venues/{venue_id}", summary="Change a venue (conveners)")
def update_venue(request: AuthedRequest, dialogue_id: Id, venue_id: Id, body: VenuePatch):
    venue = access_venue(request.auth, dialogue_id, venue_id, need="convener")
    return venue_out(
        meeting_actions.do_update_venue(request.auth, venue, **body.dict(exclude_unset=True))
    )


@router.delete(
    P + "/venues/{venue_id}",
    response={204: None},
    summary="Remove a venue no meeting uses (conveners)",
)
def delete_venue(request: AuthedRequest, dialogue_id: Id, venue_id: Id):
    meeting_actions.do_delete_venue(
        request.auth, access_venue(request.auth, dialogue_id, venue_id, need="convener")
    )
    return _no_content()


# --- meetings --------------------------------------------------------------------------------


def _venue_for(request, dialogue, venue_id):
    if venue_id is None:
        return None
    venue = venues_of(dialogue).filter(pk=venue_id).first()
    if venue is None:
        raise ActionRefused(_("This dialogue has no venue with that id."), field="venue_id")
    return venue


@router.get(
    P + "/meetings",
    summary="The dialogue's meetings (times in UTC, local and your zone; paginated)",
)
def list_meetings(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="member")
    seats = own_meeting_seats(request.auth, dialogue)
    meetings = dialogue.meetings.select_related("venue", "dialogue").order_by("starts_at", "pk")
    return page_of(meetings, paging, lambda m: meeting_out(request.auth, m, seats=seats))


@router.post(
    P + "/meetings",
    response={201: dict},
    summary="Schedule a meeting; naive times are in its time zone (conveners)",
)
def create_meeting(request: AuthedRequest, dialogue_id: Id, body: MeetingIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    fields = body.dict()
    fields["venue"] = _venue_for(request, dialogue, fields.pop("venue_id"))
    meeting = meeting_actions.do_create_meeting(request.auth, dialogue, **fields)
    return JsonResponse(meeting_out(request.auth, meeting, full=True), status=201)


@router.get(M, summary="One meeting with its agenda")
def get_meeting(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    return meeting_out(
        request.auth, access_meeting(request.auth, dialogue_id, meeting_id), full=True
    )


@router.patch(M, summary="Change or archive a meeting (conveners)")
def update_meeting(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, body: MeetingPatch):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    fields = body.dict(exclude_unset=True)
    if "venue_id" in fields:
        fields["venue"] = _venue_for(request, meeting.dialogue, fields.pop("venue_id"))
    meeting = meeting_actions.do_update_meeting(request.auth, meeting, **fields)
    return meeting_out(request.auth, meeting, full=True)


@router.delete(
    M,
    response={204: None},
    summary="Cancel a meeting that has not started (conveners); a held one is archived instead",
)
def delete_meeting(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    meeting_actions.do_delete_meeting(
        request.auth, access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    )
    return _no_content()


# --- agenda ----------------------------------------------------------------------------------


def _lead(meeting, lead_id):
    return meeting_actions.lead_of(meeting.dialogue, lead_id)


@router.post(
    M + "/agenda",
    response={201: dict},
    summary="Add an agenda item at the end (facilitators, conveners)",
)
def add_agenda_item(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, body: AgendaIn):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = meeting_actions.do_add_agenda_item(
        request.auth,
        meeting,
        title=body.title,
        description=body.description,
        duration_minutes=body.duration_minutes,
        lead=_lead(meeting, body.lead_id),
    )
    return JsonResponse(agenda_out(item), status=201)


@router.patch(M + "/agenda/{item_id}", summary="Change an agenda item")
def update_agenda_item(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id, body: AgendaPatch
):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = _one(AgendaItem.objects.filter(meeting=meeting), item_id)
    fields = body.dict(exclude_unset=True)
    if "lead_id" in fields:
        fields["lead"] = _lead(meeting, fields.pop("lead_id"))
    return agenda_out(meeting_actions.do_update_agenda_item(request.auth, item, **fields))


@router.delete(M + "/agenda/{item_id}", response={204: None}, summary="Remove an agenda item")
def delete_agenda_item(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    meeting_actions.do_delete_agenda_item(
        request.auth, _one(AgendaItem.objects.filter(meeting=meeting), item_id)
    )
    return _no_content()


@router.post(M + "/agenda/{item_id}/move", summary="Move an agenda item up or down")
def move_agenda_item(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id, body: MoveIn
):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = _one(AgendaItem.objects.filter(meeting=meeting), item_id)
    meeting_actions.do_move_agenda_item(request.auth, item, body.direction)
    return [agenda_out(i) for i in meeting.agenda_items.select_related("lead")]


# --- participants ----------------------------------------------------------------------------


def _attendance_meeting(request, dialogue_id, meeting_id):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="member")
    if not can_see_attendance(request.auth, meeting.dialogue):
        raise access.NotFound
    return meeting


@router.get(
    M + "/participants",
    summary="Who is invited and who came (confidential lists: conveners; paginated)",
)
def list_participants(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, paging: Query[PageQuery]
):
    meeting = _attendance_meeting(request, dialogue_id, meeting_id)
    return page_of(
        meeting.participants.select_related("person").order_by("person__full_name", "pk"),
        paging,
        participant_out,
    )


@router.post(
    M + "/participants",
    response={201: list},
    summary="Add delegation members to a meeting (conveners)",
)
def add_participants(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, body: ParticipantsIn):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    persons = list(queries.persons_of(meeting.dialogue).filter(pk__in=body.person_ids))
    if len(persons) != len(set(body.person_ids)):
        raise ActionRefused(
            _("Some person ids are not people of this dialogue."), field="person_ids"
        )
    added, told = meeting_actions.add_participants(
        request.auth,
        meeting,
        persons,
        body.status,
        notify=body.notify,
        base_url=f"{request.scheme}://{request.get_host()}",
    )
    return JsonResponse(
        [
            {
                **participant_out(p),
                "notified": (told[p.pk] is None) if p.pk in told else None,
                "notice_problem": told.get(p.pk),
            }
            for p in added
        ],
        status=201,
        safe=False,
    )


@router.post(
    M + "/my-answer",
    summary="Say whether you will attend (confirmed or declined), before it starts",
)
def answer_invitation(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, body: StatusIn):
    seat = access_own_meeting_seat(request.auth, dialogue_id, meeting_id)
    return participant_out(
        meeting_actions.do_answer_meeting_invitation(request.auth, seat, body.status)
    )


@router.post(
    M + "/participants/attended", summary="After a round: mark everyone still confirmed as attended"
)
def record_attended(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    return {"marked": meeting_actions.do_record_confirmed_as_attended(request.auth, meeting)}


@router.patch(
    M + "/participants/{participant_id}", summary="Mark invited/confirmed/declined/attended/absent"
)
def set_participant_status(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, participant_id: Id, body: StatusIn
):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    participant = _one(meeting.participants.select_related("person"), participant_id)
    return participant_out(
        meeting_actions.do_set_participant_status(request.auth, participant, body.status)
    )


@router.delete(
    M + "/participants/{participant_id}",
    response={204: None},
    summary="Take someone off a meeting's list",
)
def remove_participant(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, participant_id: Id):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    meeting_actions.do_remove_participant(
        request.auth, _one(meeting.participants.all(), participant_id)
    )
    return _no_content()
