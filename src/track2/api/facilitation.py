"""A meeting's floor through the API: the agenda timer, the speaking queue, turns, the balance.

Same actions and access rules as the facilitator's console. Names in the queue follow the
meeting's attribution mode (track2.access.facilitation); the balance is the facilitators'.
"""

from __future__ import annotations

from typing import Literal

from asgiref.sync import sync_to_async
from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status
from pydantic import StrictInt

from track2.access.facilitation import access_caucus, access_floor, access_record
from track2.api.auth import AuthedRequest
from track2.api.fields import BreakMinutes, Code, Id, Line, Notes, StatementText, TurnSeconds
from track2.api.refusals import files
from track2.facilitation import actions, caucus, export, queries, record
from track2.live import caucus_topic
from track2.live.stream import STREAM_RESPONSES, event_stream

router = Router(tags=["facilitation"])
F = "/dialogues/{dialogue_id}/meetings/{meeting_id}/floor"


class TimerIn(Schema):
    action: Code = Field(description="start, pause, resume or next (move on to the next item)")
    item_id: Id | None = Field(
        None, description="start: the agenda item (default: the current or first)"
    )


class TurnLimitIn(Schema):
    # Ranged here too, so that the API lists it with the body's other problems (the action ranges
    # the form's and every other caller's).
    seconds: TurnSeconds | None = Field(None, description="10 … 3600 seconds, or null for no limit")


class HandIn(Schema):
    direct_response: bool = Field(False, description="a direct response to the speaker")


class OrderIn(Schema):
    hand_ids: list[Id] = Field(
        max_length=500, description="hands first in this order; the others keep theirs after"
    )


class GiveIn(Schema):
    hand_id: Id


def _state(request, dialogue_id, meeting_id) -> dict:
    return queries.floor_for(access_floor(request.auth, dialogue_id, meeting_id))


@router.get(F, summary="The floor: item in progress and its timer, queue, turn, balance")
def floor(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    return _state(request, dialogue_id, meeting_id)


@router.post(F + "/timer", summary="Start, pause, resume or move on (facilitators)")
def timer(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: TimerIn):
    change = actions.check_timer(
        request.auth, dialogue_id, meeting_id, payload.action, payload.item_id
    )
    actions.do_timer(request.auth, change)
    return _state(request, dialogue_id, meeting_id)


@router.put(F + "/turn-limit", summary="Set or clear the turn limit (facilitators)")
def turn_limit(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: TurnLimitIn):
    ctx, limit = actions.check_turn_limit(request.auth, dialogue_id, meeting_id, payload.seconds)
    actions.do_turn_limit(request.auth, ctx, limit)
    return _state(request, dialogue_id, meeting_id)


@router.post(F + "/hand", response={201: dict}, summary="Raise your hand (participants present)")
def raise_hand(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: HandIn):
    ctx = actions.check_raise(request.auth, dialogue_id, meeting_id, payload.direct_response)
    actions.do_raise(ctx, payload.direct_response)
    return Status(201, _state(request, dialogue_id, meeting_id))


@router.delete(F + "/hand", response={204: None}, summary="Lower your hand")
def lower_hand(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    actions.do_lower(actions.check_lower(request.auth, dialogue_id, meeting_id))
    return HttpResponse(status=204)


@router.post(F + "/order", summary="Order the queue (facilitators)")
def order(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: OrderIn):
    ctx, ids = actions.check_order(request.auth, dialogue_id, meeting_id, payload.hand_ids)
    actions.do_order(ctx, ids)
    return _state(request, dialogue_id, meeting_id)


@router.post(F + "/give", summary="Give the floor to a raised hand (facilitators)")
def give(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: GiveIn):
    ctx, hand = actions.check_give_floor(request.auth, dialogue_id, meeting_id, payload.hand_id)
    actions.do_give_floor(ctx, hand)
    return _state(request, dialogue_id, meeting_id)


@router.post(F + "/end-turn", summary="End the current turn (facilitators)")
def end_turn(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    ctx, turn = actions.check_end_turn(request.auth, dialogue_id, meeting_id)
    actions.do_end_turn(ctx, turn)
    return _state(request, dialogue_id, meeting_id)


@router.post(F + "/close", summary="Close the floor: keep only what the attribution mode allows")
def close(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    ctx = actions.check_close_floor(request.auth, dialogue_id, meeting_id)
    actions.do_close_floor(request.auth, ctx)
    return _state(request, dialogue_id, meeting_id)


# --- caucus rooms ----------------------------------------------------------------------------

C = "/dialogues/{dialogue_id}/meetings/{meeting_id}/caucus/{delegation_id}"


class CaucusBreakIn(Schema):
    minutes: BreakMinutes = Field(description="1 … 120 minutes; 0 ends the break")


class NoteIn(Schema):
    text: Notes


class PollIn(Schema):
    question: Line(300)  # type: ignore[valid-type]  # a pydantic type built by a function
    options: list[Line(200)] = Field(max_length=6)  # type: ignore[valid-type]  # as above


class AnswerIn(Schema):
    choice: StrictInt = Field(description="the option's number, from 0")


@router.post(F + "/caucus-break", summary="Call (or end, with 0) a caucus break (facilitators)")
def caucus_break(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: CaucusBreakIn):
    ctx, minutes = caucus.check_caucus_break(request.auth, dialogue_id, meeting_id, payload.minutes)
    caucus.do_caucus_break(request.auth, ctx, minutes)
    return _state(request, dialogue_id, meeting_id)


def _caucus(request, dialogue_id, meeting_id, delegation_id) -> dict:
    return caucus.caucus_for(access_caucus(request.auth, dialogue_id, meeting_id, delegation_id))


@router.get(C, summary="A delegation's caucus: statements, notes and polls (its members only)")
def caucus_room(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, delegation_id: Id):
    return _caucus(request, dialogue_id, meeting_id, delegation_id)


@router.post(
    C + "/notes", response={201: dict}, summary="Add a caucus note (held if it names someone)"
)
def add_note(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, delegation_id: Id, payload: NoteIn
):
    draft = caucus.check_note(request.auth, dialogue_id, meeting_id, delegation_id, payload.text)
    note = caucus.do_note(draft)
    return Status(
        201,
        {
            "id": note.pk,
            "held": note.is_held,
            **_caucus(request, dialogue_id, meeting_id, delegation_id),
        },
    )


@router.put(C + "/notes/{note_id}", summary="Revise a held note of yours")
def revise_note(
    request: AuthedRequest,
    dialogue_id: Id,
    meeting_id: Id,
    delegation_id: Id,
    note_id: Id,
    payload: NoteIn,
):
    draft = caucus.check_note(
        request.auth, dialogue_id, meeting_id, delegation_id, payload.text, note_id=note_id
    )
    note = caucus.do_note(draft)
    return {
        "id": note.pk,
        "held": note.is_held,
        **_caucus(request, dialogue_id, meeting_id, delegation_id),
    }


@router.delete(C + "/notes/{note_id}", response={204: None}, summary="Delete a held note of yours")
def delete_note(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, delegation_id: Id, note_id: Id
):
    caucus.do_delete_held(
        caucus.check_delete_held(request.auth, dialogue_id, meeting_id, delegation_id, note_id)
    )
    return HttpResponse(status=204)


@router.post(C + "/polls", response={201: dict}, summary="Ask the caucus a small poll")
def add_poll(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, delegation_id: Id, payload: PollIn
):
    ctx, question, options = caucus.check_poll(
        request.auth, dialogue_id, meeting_id, delegation_id, payload.question, payload.options
    )
    caucus.do_poll(ctx, question, options)
    return Status(201, _caucus(request, dialogue_id, meeting_id, delegation_id))


@router.put(C + "/polls/{poll_id}/answer", summary="Answer a caucus poll (again to change)")
def answer_poll(
    request: AuthedRequest,
    dialogue_id: Id,
    meeting_id: Id,
    delegation_id: Id,
    poll_id: Id,
    payload: AnswerIn,
):
    ctx, poll, choice = caucus.check_answer(
        request.auth, dialogue_id, meeting_id, delegation_id, poll_id, payload.choice
    )
    caucus.do_answer(ctx, poll, choice)
    return _caucus(request, dialogue_id, meeting_id, delegation_id)


@router.post(C + "/polls/{poll_id}/close", summary="Close a caucus poll")
def close_poll(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, delegation_id: Id, poll_id: Id
):
    ctx, poll = caucus.check_close_poll(
        request.auth, dialogue_id, meeting_id, delegation_id, poll_id
    )
    caucus.do_close_poll(ctx, poll)
    return _caucus(request, dialogue_id, meeting_id, delegation_id)


class CaucusStatementIn(Schema):
    text: StatementText


class CaucusVoteIn(Schema):
    vote: Code = Field(description="agree, disagree or pass")


@router.post(
    C + "/statements",
    response={201: dict},
    summary="Add a caucus statement (the caucus's own, not the room's; held if it names someone)",
)
def add_caucus_statement(
    request: AuthedRequest,
    dialogue_id: Id,
    meeting_id: Id,
    delegation_id: Id,
    payload: CaucusStatementIn,
):
    draft = caucus.check_statement(
        request.auth, dialogue_id, meeting_id, delegation_id, payload.text
    )
    statement = caucus.do_statement(draft)
    return Status(
        201,
        {
            "id": statement.pk,
            "held": statement.is_held,
            **_caucus(request, dialogue_id, meeting_id, delegation_id),
        },
    )


@router.put(C + "/statements/{statement_id}", summary="Revise a held caucus statement of yours")
def revise_caucus_statement(
    request: AuthedRequest,
    dialogue_id: Id,
    meeting_id: Id,
    delegation_id: Id,
    statement_id: Id,
    payload: CaucusStatementIn,
):
    draft = caucus.check_statement(
        request.auth,
        dialogue_id,
        meeting_id,
        delegation_id,
        payload.text,
        statement_id=statement_id,
    )
    statement = caucus.do_statement(draft)
    return {
        "id": statement.pk,
        "held": statement.is_held,
        **_caucus(request, dialogue_id, meeting_id, delegation_id),
    }


@router.delete(
    C + "/statements/{statement_id}",
    response={204: None},
    summary="Delete a held caucus statement of yours",
)
def delete_caucus_statement(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, delegation_id: Id, statement_id: Id
):
    caucus.do_delete_held_statement(
        caucus.check_delete_held_statement(
            request.auth, dialogue_id, meeting_id, delegation_id, statement_id
        )
    )
    return HttpResponse(status=204)


@router.put(
    C + "/statements/{statement_id}/vote",
    summary="Vote on a caucus statement: agree, disagree or pass (again to change)",
)
def vote_caucus_statement(
    request: AuthedRequest,
    dialogue_id: Id,
    meeting_id: Id,
    delegation_id: Id,
    statement_id: Id,
    payload: CaucusVoteIn,
):
    ctx, statement, vote, pseudonym = caucus.check_vote(
        request.auth, dialogue_id, meeting_id, delegation_id, statement_id, payload.vote
    )
    caucus.do_vote(ctx, statement, vote, pseudonym)
    return _caucus(request, dialogue_id, meeting_id, delegation_id)


class InvitationIn(Schema):
    invited: bool = Field(description="true: the meeting's facilitators and conveners may read")


@router.put(C + "/invitation", summary="Invite the facilitators in to read the caucus, or not")
def invite(
    request: AuthedRequest,
    dialogue_id: Id,
    meeting_id: Id,
    delegation_id: Id,
    payload: InvitationIn,
):
    ctx, invited = caucus.check_invite(
        request.auth, dialogue_id, meeting_id, delegation_id, payload.invited
    )
    caucus.do_invite(ctx, invited)
    return _caucus(request, dialogue_id, meeting_id, delegation_id)


@router.get(
    C + "/events",
    summary="The caucus's live updates as server-sent events (its members only)",
    response={200: None, 204: None},
    url_name="caucus_events",
    openapi_extra={"responses": STREAM_RESPONSES},
)
async def caucus_events(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, delegation_id: Id):
    found = await sync_to_async(access_caucus)(request.auth, dialogue_id, meeting_id, delegation_id)
    return event_stream(request, caucus_topic(found.meeting.pk, found.delegation.pk))


# --- the rapporteur's record -----------------------------------------------------------------

R = "/dialogues/{dialogue_id}/meetings/{meeting_id}/record"


class RecordNoteIn(Schema):
    text: Notes
    item_id: Id | None = Field(None, description="the agenda item; null: the meeting as a whole")
    cites: list[Id] = Field(default_factory=list, max_length=20, description="accepted statements")


class CommentIn(Schema):
    text: Notes


class RecordExportQuery(Schema):
    format: Literal["html", "pdf"] = "pdf"


def _record(request, dialogue_id, meeting_id) -> dict:
    return record.record_for(access_record(request.auth, dialogue_id, meeting_id))


@router.get(R, summary="The meeting's record: approved version, and the draft for who may see it")
def meeting_record(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    return _record(request, dialogue_id, meeting_id)


@router.post(R + "/notes", response={201: dict}, summary="Add a note to the draft (rapporteur)")
def add_record_note(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: RecordNoteIn):
    change = record.check_note(
        request.auth, dialogue_id, meeting_id, payload.text, payload.item_id, payload.cites
    )
    note = record.do_note(request.auth, change)
    return Status(
        201, {"id": note.pk, "held": note.is_held, **_record(request, dialogue_id, meeting_id)}
    )


@router.put(R + "/notes/{note_id}", summary="Revise a note (an approved record gets a new version)")
def revise_record_note(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, note_id: Id, payload: RecordNoteIn
):
    change = record.check_note(
        request.auth, dialogue_id, meeting_id, payload.text, payload.item_id, payload.cites, note_id
    )
    note = record.do_note(request.auth, change)
    return {"id": note.pk, "held": note.is_held, **_record(request, dialogue_id, meeting_id)}


@router.delete(R + "/notes/{note_id}", response={204: None}, summary="Remove a note from the draft")
def remove_record_note(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, note_id: Id):
    ctx, note = record.check_remove_note(request.auth, dialogue_id, meeting_id, note_id)
    record.do_remove_note(request.auth, ctx, note)
    return HttpResponse(status=204)


@router.post(R + "/approve", summary="Approve the draft for sharing (facilitators)")
def approve_record(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    ctx, version = record.check_approve(request.auth, dialogue_id, meeting_id)
    record.do_approve(request.auth, ctx, version)
    return _record(request, dialogue_id, meeting_id)


@router.post(R + "/comments", response={201: dict}, summary="Comment on the draft (participants)")
def comment_record(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: CommentIn):
    version, text, held = record.check_comment(request.auth, dialogue_id, meeting_id, payload.text)
    record.do_comment(version, text, held)
    return Status(201, {"held": held, **_record(request, dialogue_id, meeting_id)})


@router.get(
    R + "/export",
    summary="The approved record as HTML or PDF",
    openapi_extra=files("text/html", "application/pdf", description="The record."),
)
def export_record(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, params: Query[RecordExportQuery]
):
    document = export.check_export(request.auth, dialogue_id, meeting_id, params.format)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response
