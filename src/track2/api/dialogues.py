"""Dialogues API: series, parties, roles, delegations and seats, venues, meetings with their
agendas and participants, and the balance report.

Same actions and access rules as the pages: an object the caller may not see answers 404;
a refused action answers 400 with {"detail": message, "field": field}.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from track2 import access
from track2.access.meetings import (
    access_meeting,
    access_own_meeting_seat,
    access_venue,
    can_see_attendance,
    can_see_roster,
    can_see_venue_address,
    own_meeting_seat,
    venues_of,
)
from track2.dialogues import actions, meeting_actions, queries
from track2.dialogues.balance import build_balance
from track2.dialogues.models import AgendaItem, Delegation, DelegationMember, Membership, Party
from track2.errors import ActionRefused  # raised here; api.urls turns every refusal into 400 JSON

router = Router(tags=["dialogues"])
P = "/dialogues/{dialogue_id}"
M = P + "/meetings/{meeting_id}"


def _one(queryset, pk):
    try:
        return queryset.get(pk=int(pk))
    except (queryset.model.DoesNotExist, TypeError, ValueError):
        raise access.NotFound from None


def _no_content():
    return HttpResponse(status=204)


# --- schemas ---------------------------------------------------------------------------------

class DialogueIn(Schema):
    title: str
    purpose: str = ""
    track: str = "track2"
    status: str = "planning"
    convening_institution: str = ""
    is_attendance_confidential: bool = True
    default_attribution_mode: str = "chatham_house"
    k_anonymity: int = 3
    min_members_per_side: int = 4
    required_sectors: list[str] = []
    max_side_ratio: Decimal = Decimal("1.50")
    max_gender_share: int = 75


class DialoguePatch(Schema):
    title: str | None = None
    purpose: str | None = None
    track: str | None = None
    status: str | None = None
    convening_institution: str | None = None
    is_attendance_confidential: bool | None = None
    default_attribution_mode: str | None = None
    k_anonymity: int | None = None
    min_members_per_side: int | None = None
    required_sectors: list[str] | None = None
    max_side_ratio: Decimal | None = None
    max_gender_share: int | None = None


class PartyIn(Schema):
    name: str
    country: str = ""
    with_delegation: bool = False


class RoleIn(Schema):
    user_id: int
    role: str


class DelegationIn(Schema):
    name: str
    kind: str = "side"
    party_id: int | None = None


class DelegationPatch(Schema):
    name: str | None = None
    party_id: int | None = None


class SeatIn(Schema):
    person_id: int


class VenueIn(Schema):
    name: str
    kind: str
    city: str = ""
    country: str = ""
    address: str = ""
    is_confidential: bool = False
    capacity: int | None = None
    accessibility_notes: str = ""


class VenuePatch(Schema):
    name: str | None = None
    kind: str | None = None
    city: str | None = None
    country: str | None = None
    address: str | None = None
    is_confidential: bool | None = None
    capacity: int | None = None
    accessibility_notes: str | None = None


class MeetingIn(Schema):
    title: str
    starts_at: datetime
    ends_at: datetime
    time_zone: str
    venue_id: int | None = None
    attribution_mode: str | None = None


class MeetingPatch(Schema):
    title: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    time_zone: str | None = None
    venue_id: int | None = None
    attribution_mode: str | None = None
    is_archived: bool | None = None


class AgendaIn(Schema):
    title: str
    duration_minutes: int
    description: str = ""
    lead_id: int | None = None


class AgendaPatch(Schema):
    title: str | None = None
    duration_minutes: int | None = None
    description: str | None = None
    lead_id: int | None = None


class MoveIn(Schema):
    direction: str


class ParticipantsIn(Schema):
    person_ids: list[int]
    status: str = "invited"
    notify: bool = True


class StatusIn(Schema):
    status: str


# --- output ----------------------------------------------------------------------------------

def dialogue_out(user, dialogue) -> dict:
    roles = access.roles_of(user, dialogue.pk)
    data = {
        "id": dialogue.pk, "title": dialogue.title, "purpose": dialogue.purpose, "track": dialogue.track,
        "status": dialogue.status, "convening_institution": dialogue.convening_institution,
        "is_attendance_confidential": dialogue.is_attendance_confidential,
        "default_attribution_mode": dialogue.default_attribution_mode, "k_anonymity": dialogue.k_anonymity,
        "roles": sorted(roles),
        "parties": [{"id": p.pk, "name": p.name, "country": p.country} for p in dialogue.parties.all()],
    }
    if access.has_need(roles, "convener"):
        data.update({
            "min_members_per_side": dialogue.min_members_per_side,
            "required_sectors": dialogue.required_sectors,
            "max_side_ratio": str(dialogue.max_side_ratio),
            "max_gender_share": dialogue.max_gender_share,
        })
    return data


def venue_out(venue, *, show_address: bool = True) -> dict:
    return {
        "id": venue.pk, "name": venue.name, "kind": venue.kind, "city": venue.city, "country": venue.country,
        "address": venue.address if show_address else None, "is_confidential": venue.is_confidential,
        "is_address_restricted": venue.is_address_restricted, "capacity": venue.capacity,
        "accessibility_notes": venue.accessibility_notes,
    }


def delegation_out(delegation, members=None) -> dict:
    data = {"id": delegation.pk, "name": delegation.name, "kind": delegation.kind,
            "party_id": delegation.party_id, "size": delegation.members.count()}
    if members is not None:
        data["members"] = [
            {"seat_id": s.pk, "person_id": s.person_id, "full_name": s.person.full_name, "sector": s.person.sector,
             "personal_capacity": s.person.is_serving_official}
            for s in members
        ]
    return data


def meeting_out(user, meeting, *, full: bool = False) -> dict:
    planned, theirs = queries.meeting_times(meeting, getattr(user, "time_zone", None))
    show_address = can_see_venue_address(user, meeting)
    data = {
        "id": meeting.pk, "title": meeting.title, "time_zone": meeting.time_zone,
        "starts_at": meeting.starts_at.isoformat(), "ends_at": meeting.ends_at.isoformat(),
        "starts_local": planned.starts.isoformat(), "ends_local": planned.ends.isoformat(),
        "starts_in_my_zone": (theirs or planned).starts.isoformat(),
        "attribution_mode": meeting.attribution_mode,
        "venue": venue_out(meeting.venue, show_address=show_address) if meeting.venue else None,
        "is_archived": meeting.archived_at is not None,
    }
    seat = own_meeting_seat(user, meeting)
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
            data["warnings"] = [w for w in (queries.agenda_warning(meeting),) if w]
        if access.has_need(roles, "convener"):
            warning = queries.neutrality_warning(meeting.dialogue, meeting.venue)
            if warning:
                data["warnings"].append(warning)
    return data


def agenda_out(item) -> dict:
    return {"id": item.pk, "position": item.position, "title": item.title, "description": item.description,
            "duration_minutes": item.duration_minutes, "lead_id": item.lead_id,
            "lead": item.lead.full_name if item.lead else None}


def participant_out(p) -> dict:
    return {"id": p.pk, "person_id": p.person_id, "full_name": p.person.full_name, "status": p.status}


# --- dialogues -------------------------------------------------------------------------------

@router.get("/dialogues", summary="The dialogues I belong to, with my roles")
def list_dialogues(request: HttpRequest):
    return [dialogue_out(request.auth, m.dialogue) for m in access.dialogues_for(request.auth)]


@router.post("/dialogues", summary="Create a dialogue series (you become its convener)")
def create_dialogue(request: HttpRequest, body: DialogueIn):
    dialogue = actions.do_create_dialogue(request.auth, **body.dict())
    return JsonResponse(dialogue_out(request.auth, dialogue), status=201)


@router.get(P, summary="One dialogue (what your roles may see)")
def get_dialogue(request: HttpRequest, dialogue_id: int):
    return dialogue_out(request.auth, access.access_dialogue(request.auth, dialogue_id, need="member"))


@router.patch(P, summary="Change a dialogue's settings (conveners)")
def update_dialogue(request: HttpRequest, dialogue_id: int, body: DialoguePatch):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    dialogue = actions.do_update_dialogue(request.auth, dialogue, **body.dict(exclude_unset=True))
    return dialogue_out(request.auth, dialogue)


@router.get(P + "/balance", summary="Balance report: sector × gender per delegation, attendance, warnings")
def balance(request: HttpRequest, dialogue_id: int):
    return build_balance(access.access_dialogue(request.auth, dialogue_id, need="convener")).as_dict()


# --- parties and roles -----------------------------------------------------------------------

@router.post(P + "/parties", summary="Add a party in tension (conveners)")
def add_party(request: HttpRequest, dialogue_id: int, body: PartyIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    party = actions.do_add_party(request.auth, dialogue, **body.dict())
    return JsonResponse({"id": party.pk, "name": party.name, "country": party.country}, status=201)


@router.delete(P + "/parties/{party_id}", summary="Remove a party that no delegation represents")
def remove_party(request: HttpRequest, dialogue_id: int, party_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_remove_party(request.auth, _one(Party.objects.filter(dialogue=dialogue), party_id))
    return _no_content()


@router.get(P + "/roles", summary="Who holds which role (conveners)")
def list_roles(request: HttpRequest, dialogue_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    return [{"id": m.pk, "user_id": m.user_id, "email": m.user.email, "role": m.role}
            for m in dialogue.memberships.select_related("user").order_by("user__email", "role")]


@router.post(P + "/roles", summary="Give a linked user a role (conveners)")
def grant_role(request: HttpRequest, dialogue_id: int, body: RoleIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    user = actions.linked_users(dialogue).filter(pk=body.user_id).first()
    if user is None:
        raise ActionRefused(_("No user with this id is linked to this dialogue; invite them first."), field="user_id")
    membership = actions.do_grant_role(request.auth, dialogue, user, body.role)
    return JsonResponse({"id": membership.pk, "user_id": user.pk, "role": membership.role}, status=201)


@router.delete(P + "/roles/{membership_id}", summary="Remove a role (a dialogue keeps at least one convener)")
def revoke_role(request: HttpRequest, dialogue_id: int, membership_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_revoke_role(request.auth, _one(Membership.objects.filter(dialogue=dialogue), membership_id))
    return _no_content()


# --- delegations -----------------------------------------------------------------------------

@router.get(P + "/delegations", summary="Delegations: members for conveners, and for your own delegation")
def list_delegations(request: HttpRequest, dialogue_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="member")
    result = []
    for delegation in Delegation.objects.filter(dialogue=dialogue).select_related("dialogue").order_by("kind", "name"):
        sees = can_see_roster(request.auth, delegation)
        result.append(delegation_out(delegation, queries.members_of(delegation) if sees else None))
    return result


@router.post(P + "/delegations", summary="Create a delegation (one per party, or the facilitation team)")
def create_delegation(request: HttpRequest, dialogue_id: int, body: DelegationIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    party = None
    if body.party_id is not None:
        party = Party.objects.filter(dialogue=dialogue, pk=body.party_id).first()
        if party is None:
            raise ActionRefused(_("This dialogue has no party with that id."), field="party_id")
    delegation = actions.do_create_delegation(request.auth, dialogue, name=body.name, kind=body.kind, party=party)
    return JsonResponse(delegation_out(delegation, []), status=201)


@router.patch(P + "/delegations/{delegation_id}", summary="Rename a delegation or change its party")
def update_delegation(request: HttpRequest, dialogue_id: int, delegation_id: int, body: DelegationPatch):
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
    delegation = actions.do_update_delegation(request.auth, delegation, name=fields.get("name", delegation.name),
                                              party=party)
    return delegation_out(delegation, queries.members_of(delegation))


@router.delete(P + "/delegations/{delegation_id}", summary="Delete an empty delegation")
def delete_delegation(request: HttpRequest, dialogue_id: int, delegation_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_delete_delegation(request.auth, _one(Delegation.objects.filter(dialogue=dialogue), delegation_id))
    return _no_content()


@router.post(P + "/delegations/{delegation_id}/seats", summary="Seat a candidate in a delegation")
def seat(request: HttpRequest, dialogue_id: int, delegation_id: int, body: SeatIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    delegation = _one(Delegation.objects.filter(dialogue=dialogue), delegation_id)
    person = queries.persons_of(dialogue).filter(pk=body.person_id).first()
    if person is None:
        raise ActionRefused(_("No person with this id is a candidate in this dialogue."), field="person_id")
    member = actions.do_seat_in_delegation(request.auth, delegation, person)
    return JsonResponse({"seat_id": member.pk, "person_id": person.pk, "delegation_id": delegation.pk}, status=201)


@router.delete(P + "/delegations/{delegation_id}/seats/{seat_id}", summary="Unseat a delegation member")
def unseat(request: HttpRequest, dialogue_id: int, delegation_id: int, seat_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    actions.do_unseat(request.auth, _one(
        DelegationMember.objects.filter(dialogue=dialogue, delegation_id=delegation_id), seat_id))
    return _no_content()


# --- venues ----------------------------------------------------------------------------------

@router.get(P + "/venues", summary="The dialogue's venues, with neutrality warnings (conveners)")
def list_venues(request: HttpRequest, dialogue_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    return [{**venue_out(v), "neutrality_warning": queries.neutrality_warning(dialogue, v)}
            for v in venues_of(dialogue)]


@router.post(P + "/venues", summary="Add a venue (conveners)")
def create_venue(request: HttpRequest, dialogue_id: int, body: VenueIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    venue = meeting_actions.do_create_venue(request.auth, dialogue, **body.dict())
    return JsonResponse({**venue_out(venue), "neutrality_warning": queries.neutrality_warning(dialogue, venue)},
                        status=201)


@router.patch(P + "/venues/{venue_id}", summary="Change a venue (conveners)")
def update_venue(request: HttpRequest, dialogue_id: int, venue_id: int, body: VenuePatch):
    venue = access_venue(request.auth, dialogue_id, venue_id, need="convener")
    return venue_out(meeting_actions.do_update_venue(request.auth, venue, **body.dict(exclude_unset=True)))


@router.delete(P + "/venues/{venue_id}", summary="Remove a venue no meeting uses (conveners)")
def delete_venue(request: HttpRequest, dialogue_id: int, venue_id: int):
    meeting_actions.do_delete_venue(request.auth, access_venue(request.auth, dialogue_id, venue_id, need="convener"))
    return _no_content()


# --- meetings --------------------------------------------------------------------------------

def _venue_for(request, dialogue, venue_id):
    if venue_id is None:
        return None
    venue = venues_of(dialogue).filter(pk=venue_id).first()
    if venue is None:
        raise ActionRefused(_("This dialogue has no venue with that id."), field="venue_id")
    return venue


@router.get(P + "/meetings", summary="The dialogue's meetings (times in UTC, local and your zone)")
def list_meetings(request: HttpRequest, dialogue_id: int):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="member")
    return [meeting_out(request.auth, m) for m in dialogue.meetings.select_related("venue", "dialogue")]


@router.post(P + "/meetings", summary="Schedule a meeting; naive times are in its time zone (conveners)")
def create_meeting(request: HttpRequest, dialogue_id: int, body: MeetingIn):
    dialogue = access.access_dialogue(request.auth, dialogue_id, need="convener")
    fields = body.dict()
    fields["venue"] = _venue_for(request, dialogue, fields.pop("venue_id"))
    meeting = meeting_actions.do_create_meeting(request.auth, dialogue, **fields)
    return JsonResponse(meeting_out(request.auth, meeting, full=True), status=201)


@router.get(M, summary="One meeting with its agenda")
def get_meeting(request: HttpRequest, dialogue_id: int, meeting_id: int):
    return meeting_out(request.auth, access_meeting(request.auth, dialogue_id, meeting_id), full=True)


@router.patch(M, summary="Change or archive a meeting (conveners)")
def update_meeting(request: HttpRequest, dialogue_id: int, meeting_id: int, body: MeetingPatch):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    fields = body.dict(exclude_unset=True)
    if "venue_id" in fields:
        fields["venue"] = _venue_for(request, meeting.dialogue, fields.pop("venue_id"))
    meeting = meeting_actions.do_update_meeting(request.auth, meeting, **fields)
    return meeting_out(request.auth, meeting, full=True)


@router.delete(M, summary="Cancel a meeting that has not started (conveners); a held one is archived instead")
def delete_meeting(request: HttpRequest, dialogue_id: int, meeting_id: int):
    meeting_actions.do_delete_meeting(request.auth, access_meeting(request.auth, dialogue_id, meeting_id,
                                                                   need="convener"))
    return _no_content()


# --- agenda ----------------------------------------------------------------------------------

def _lead(meeting, lead_id):
    if lead_id is None:
        return None
    person = queries.seated_persons(meeting.dialogue).filter(pk=lead_id).first()
    if person is None:
        raise ActionRefused(_("No member of this dialogue's delegations has this id."), field="lead_id")
    return person


@router.post(M + "/agenda", summary="Add an agenda item at the end (facilitators, conveners)")
def add_agenda_item(request: HttpRequest, dialogue_id: int, meeting_id: int, body: AgendaIn):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = meeting_actions.do_add_agenda_item(request.auth, meeting, title=body.title, description=body.description,
                                              duration_minutes=body.duration_minutes, lead=_lead(meeting, body.lead_id))
    return JsonResponse(agenda_out(item), status=201)


@router.patch(M + "/agenda/{item_id}", summary="Change an agenda item")
def update_agenda_item(request: HttpRequest, dialogue_id: int, meeting_id: int, item_id: int, body: AgendaPatch):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = _one(AgendaItem.objects.filter(meeting=meeting), item_id)
    fields = body.dict(exclude_unset=True)
    if "lead_id" in fields:
        fields["lead"] = _lead(meeting, fields.pop("lead_id"))
    return agenda_out(meeting_actions.do_update_agenda_item(request.auth, item, **fields))


@router.delete(M + "/agenda/{item_id}", summary="Remove an agenda item")
def delete_agenda_item(request: HttpRequest, dialogue_id: int, meeting_id: int, item_id: int):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    meeting_actions.do_delete_agenda_item(request.auth, _one(AgendaItem.objects.filter(meeting=meeting), item_id))
    return _no_content()


@router.post(M + "/agenda/{item_id}/move", summary="Move an agenda item up or down")
def move_agenda_item(request: HttpRequest, dialogue_id: int, meeting_id: int, item_id: int, body: MoveIn):
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


@router.get(M + "/participants", summary="Who is invited and who came (confidential lists: conveners)")
def list_participants(request: HttpRequest, dialogue_id: int, meeting_id: int):
    meeting = _attendance_meeting(request, dialogue_id, meeting_id)
    return [participant_out(p) for p in meeting.participants.select_related("person").order_by("person__full_name")]


@router.post(M + "/participants", summary="Add delegation members to a meeting (conveners)")
def add_participants(request: HttpRequest, dialogue_id: int, meeting_id: int, body: ParticipantsIn):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    persons = list(queries.persons_of(meeting.dialogue).filter(pk__in=body.person_ids))
    if len(persons) != len(set(body.person_ids)):
        raise ActionRefused(_("Some person ids are not people of this dialogue."), field="person_ids")
    added, told = meeting_actions.add_participants(request.auth, meeting, persons, body.status, notify=body.notify,
                                                   base_url=f"{request.scheme}://{request.get_host()}")
    return JsonResponse([{**participant_out(p), "notified": (told[p.pk] is None) if p.pk in told else None,
                          "notice_problem": told.get(p.pk)} for p in added], status=201, safe=False)


@router.post(M + "/my-answer", summary="Say whether you will attend (confirmed or declined), before it starts")
def answer_invitation(request: HttpRequest, dialogue_id: int, meeting_id: int, body: StatusIn):
    seat = access_own_meeting_seat(request.auth, dialogue_id, meeting_id)
    return participant_out(meeting_actions.do_answer_meeting_invitation(request.auth, seat, body.status))


@router.post(M + "/participants/attended", summary="After a round: mark everyone still confirmed as attended")
def record_attended(request: HttpRequest, dialogue_id: int, meeting_id: int):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    return {"marked": meeting_actions.do_record_confirmed_as_attended(request.auth, meeting)}


@router.patch(M + "/participants/{participant_id}", summary="Mark invited/confirmed/declined/attended/absent")
def set_participant_status(request: HttpRequest, dialogue_id: int, meeting_id: int, participant_id: int,
                           body: StatusIn):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    participant = _one(meeting.participants.select_related("person"), participant_id)
    return participant_out(meeting_actions.do_set_participant_status(request.auth, participant, body.status))


@router.delete(M + "/participants/{participant_id}", summary="Take someone off a meeting's list")
def remove_participant(request: HttpRequest, dialogue_id: int, meeting_id: int, participant_id: int):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    meeting_actions.do_remove_participant(request.auth, _one(meeting.participants.all(), participant_id))
    return _no_content()
