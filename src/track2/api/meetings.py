"""Meetings API: rounds of a dialogue, their agendas and participants, and one's own answer.

Same actions and access rules as the pages: an object the caller may not see answers 404;
a refused action answers 400 with {"detail": message, "field": field}.
"""

from __future__ import annotations

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from track2 import access
from track2.access.meetings import (
    access_meeting,
    access_own_meeting_seat,
    can_see_attendance,
    can_see_venue_address,
    own_meeting_seat,
    own_meeting_seats,
    venues_of,
)
from track2.api.auth import AuthedRequest
from track2.api.dialogues import P, no_content, utc, venue_out
from track2.api.fields import Code, Count, Id, Moment, Notes, Title, ZoneName
from track2.api.pagination import PageQuery, page_of
from track2.dialogues.queries import neutrality_warning, persons_of
from track2.disclosure.status import STATUS_LINE
from track2.errors import ActionRefused  # raised here; api.urls turns every refusal into 400 JSON
from track2.meetings import actions, queries
from track2.meetings.models import AgendaItem

router = Router(tags=["dialogues"])  # one group in the OpenAPI docs, as before the split
M = P + "/meetings/{meeting_id}"


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
            warning = neutrality_warning(meeting.dialogue, meeting.venue)
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
    meeting = actions.do_create_meeting(request.auth, dialogue, **fields)
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
    meeting = actions.do_update_meeting(request.auth, meeting, **fields)
    return meeting_out(request.auth, meeting, full=True)


@router.delete(
    M,
    response={204: None},
    summary="Cancel a meeting that has not started (conveners); a held one is archived instead",
)
def delete_meeting(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    actions.do_delete_meeting(
        request.auth, access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    )
    return no_content()


# --- agenda ----------------------------------------------------------------------------------


def _lead(meeting, lead_id):
    return actions.lead_of(meeting.dialogue, lead_id)


@router.post(
    M + "/agenda",
    response={201: dict},
    summary="Add an agenda item at the end (facilitators, conveners)",
)
def add_agenda_item(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, body: AgendaIn):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = actions.do_add_agenda_item(
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
    item = access.one_of(AgendaItem.objects.filter(meeting=meeting), item_id)
    fields = body.dict(exclude_unset=True)
    if "lead_id" in fields:
        fields["lead"] = _lead(meeting, fields.pop("lead_id"))
    return agenda_out(actions.do_update_agenda_item(request.auth, item, **fields))


@router.delete(M + "/agenda/{item_id}", response={204: None}, summary="Remove an agenda item")
def delete_agenda_item(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    actions.do_delete_agenda_item(
        request.auth, access.one_of(AgendaItem.objects.filter(meeting=meeting), item_id)
    )
    return no_content()


@router.post(M + "/agenda/{item_id}/move", summary="Move an agenda item up or down")
def move_agenda_item(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id, body: MoveIn
):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = access.one_of(AgendaItem.objects.filter(meeting=meeting), item_id)
    actions.do_move_agenda_item(request.auth, item, body.direction)
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
    persons = list(persons_of(meeting.dialogue).filter(pk__in=body.person_ids))
    if len(persons) != len(set(body.person_ids)):
        raise ActionRefused(
            _("Some person ids are not people of this dialogue."), field="person_ids"
        )
    added, told = actions.add_participants(
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
    return participant_out(actions.do_answer_meeting_invitation(request.auth, seat, body.status))


@router.post(
    M + "/participants/attended", summary="After a round: mark everyone still confirmed as attended"
)
def record_attended(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    return {"marked": actions.do_record_confirmed_as_attended(request.auth, meeting)}


@router.patch(
    M + "/participants/{participant_id}", summary="Mark invited/confirmed/declined/attended/absent"
)
def set_participant_status(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, participant_id: Id, body: StatusIn
):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    participant = access.one_of(meeting.participants.select_related("person"), participant_id)
    return participant_out(
        actions.do_set_participant_status(request.auth, participant, body.status)
    )


@router.delete(
    M + "/participants/{participant_id}",
    response={204: None},
    summary="Take someone off a meeting's list",
)
def remove_participant(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, participant_id: Id):
    meeting = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    actions.do_remove_participant(
        request.auth, access.one_of(meeting.participants.all(), participant_id)
    )
    return no_content()
