"""Meetings API: rounds of a dialogue, their agendas and participants, and one's own answer.

Same actions and access rules as the pages: an object the caller may not see answers 404;
a refused action answers 400 with {"detail": message, "field": field}.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.http import JsonResponse
from ninja import Query, Router, Schema

from track2 import access
from track2.access.meetings import (
    MeetingAccess,
    access_attendance,
    access_meeting,
    access_own_meeting_seat,
    lead_named,
    meetings_of,
    scheduled,
)
from track2.access.people import persons_named
from track2.access.venues import venue_named
from track2.api.auth import AuthedRequest
from track2.api.dialogues import P, no_content, utc, venue_out
from track2.api.fields import Code, Id
from track2.api.pagination import PageQuery, page_of
from track2.api.schemas import schemas
from track2.dialogues.queries import neutrality_warning
from track2.disclosure.status import STATUS_LINE
from track2.meetings import actions, queries

router = Router(tags=["dialogues"])  # one group in the OpenAPI docs, as before the split
M = P + "/meetings/{meeting_id}"


if TYPE_CHECKING:
    # Classes built by a call are no types to mypy; pydantic checks every field of them.
    MeetingIn = Any
    MeetingPatch = Any
    AgendaIn = Any
    AgendaPatch = Any
else:
    MeetingIn, MeetingPatch = schemas(
        actions.MEETING,
        "Meeting",
        required=("time_zone",),
        defaults={"attribution_mode": None},  # None: the dialogue's default mode
        extra_patch={"is_archived": (bool | None, None)},
    )
    AgendaIn, AgendaPatch = schemas(actions.AGENDA_ITEM, "Agenda")


class MoveIn(Schema):
    direction: Code


class ParticipantsIn(Schema):
    person_ids: list[Id]
    status: Code = "invited"
    notify: bool = True


class StatusIn(Schema):
    status: Code


# --- output ----------------------------------------------------------------------------------


def meeting_out(ctx: MeetingAccess, *, full: bool = False) -> dict:
    meeting, seat = ctx.meeting, ctx.own_seat
    user = ctx.dialogue_access.user
    planned, theirs = queries.meeting_times(meeting, getattr(user, "time_zone", None))
    show_address = ctx.shows_venue_address
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
        # Warnings go to those who can act on them: the agenda's to facilitators and conveners,
        # the venue's neutrality to conveners (who choose the venue); never to participants.
        warnings = []
        if ctx.may_manage_agenda:
            warnings.append(queries.agenda_warning(meeting, timing))
        if ctx.is_convener:
            warnings.append(neutrality_warning(meeting.dialogue, meeting.venue))
        data["warnings"] = [w for w in warnings if w]
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


@router.get(
    P + "/meetings",
    summary="The dialogue's meetings (times in UTC, local and your zone; paginated)",
)
def list_meetings(request: AuthedRequest, dialogue_id: Id, paging: Query[PageQuery]):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="member")
    meetings = ctx.dialogue.meetings.select_related("venue").order_by("starts_at", "pk")
    found = page_of(meetings, paging)
    return {**found, "items": [meeting_out(m) for m in meetings_of(ctx, found["items"])]}


@router.post(
    P + "/meetings",
    response={201: dict},
    summary="Schedule a meeting; naive times are in its time zone (conveners)",
)
def create_meeting(request: AuthedRequest, dialogue_id: Id, body: MeetingIn):
    ctx = access.access_dialogue(request.auth, dialogue_id, need="convener")
    fields = body.dict()
    fields["venue"] = venue_named(ctx, fields.pop("venue_id"))
    meeting = actions.do_create_meeting(request.auth, ctx.dialogue, **fields)
    return JsonResponse(meeting_out(scheduled(ctx, meeting), full=True), status=201)


@router.get(M, summary="One meeting with its agenda")
def get_meeting(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    return meeting_out(access_meeting(request.auth, dialogue_id, meeting_id), full=True)


@router.patch(M, summary="Change or archive a meeting (conveners)")
def update_meeting(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, body: MeetingPatch):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    fields = body.dict(exclude_unset=True)
    if "venue_id" in fields:
        fields["venue"] = venue_named(ctx.dialogue_access, fields.pop("venue_id"))
    meeting = actions.do_update_meeting(request.auth, ctx.meeting, **fields)
    return meeting_out(ctx.seeing(meeting), full=True)


@router.delete(
    M,
    response={204: None},
    summary="Cancel a meeting that has not started (conveners); a held one is archived instead",
)
def delete_meeting(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    actions.do_delete_meeting(request.auth, ctx.meeting)
    return no_content()


# --- agenda ----------------------------------------------------------------------------------


@router.post(
    M + "/agenda",
    response={201: dict},
    summary="Add an agenda item at the end (facilitators, conveners)",
)
def add_agenda_item(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, body: AgendaIn):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = actions.do_add_agenda_item(
        request.auth,
        ctx.meeting,
        title=body.title,
        description=body.description,
        duration_minutes=body.duration_minutes,
        lead=lead_named(ctx.dialogue_access, body.lead_id),
    )
    return JsonResponse(agenda_out(item), status=201)


@router.patch(M + "/agenda/{item_id}", summary="Change an agenda item")
def update_agenda_item(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id, body: AgendaPatch
):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    item = ctx.agenda_item(item_id)
    fields = body.dict(exclude_unset=True)
    if "lead_id" in fields:
        fields["lead"] = lead_named(ctx.dialogue_access, fields.pop("lead_id"))
    return agenda_out(actions.do_update_agenda_item(request.auth, item, **fields))


@router.delete(M + "/agenda/{item_id}", response={204: None}, summary="Remove an agenda item")
def delete_agenda_item(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    actions.do_delete_agenda_item(request.auth, ctx.agenda_item(item_id))
    return no_content()


@router.post(M + "/agenda/{item_id}/move", summary="Move an agenda item up or down")
def move_agenda_item(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, item_id: Id, body: MoveIn
):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="facilitator")
    actions.do_move_agenda_item(request.auth, ctx.agenda_item(item_id), body.direction)
    return [agenda_out(i) for i in ctx.meeting.agenda_items.select_related("lead")]


# --- participants ----------------------------------------------------------------------------


@router.get(
    M + "/participants",
    summary="Who is invited and who came (confidential lists: conveners; paginated)",
)
def list_participants(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, paging: Query[PageQuery]
):
    meeting = access_attendance(request.auth, dialogue_id, meeting_id).meeting
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
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    added, told = actions.add_participants(
        request.auth,
        ctx.meeting,
        persons_named(ctx.dialogue_access, body.person_ids),
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
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    return {"marked": actions.do_record_confirmed_as_attended(request.auth, ctx.meeting)}


@router.patch(
    M + "/participants/{participant_id}", summary="Mark invited/confirmed/declined/attended/absent"
)
def set_participant_status(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, participant_id: Id, body: StatusIn
):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    return participant_out(
        actions.do_set_participant_status(
            request.auth, ctx.participant(participant_id), body.status
        )
    )


@router.delete(
    M + "/participants/{participant_id}",
    response={204: None},
    summary="Take someone off a meeting's list",
)
def remove_participant(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, participant_id: Id):
    ctx = access_meeting(request.auth, dialogue_id, meeting_id, need="convener")
    actions.do_remove_participant(request.auth, ctx.participant(participant_id))
    return no_content()
