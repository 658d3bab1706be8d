"""A meeting's floor through the API: the agenda timer, the speaking queue, turns, the balance.

Same actions and access rules as the facilitator's console. Names in the queue follow the
meeting's attribution mode (track2.access.facilitation); the balance is the facilitators'.
"""

from __future__ import annotations

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status

from track2.access.facilitation import access_floor
from track2.api.auth import AuthedRequest
from track2.api.fields import Code, Id
from track2.facilitation import actions, queries

router = Router(tags=["facilitation"])
F = "/dialogues/{dialogue_id}/meetings/{meeting_id}/floor"


class TimerIn(Schema):
    action: Code = Field(description="start, pause, resume or next (move on to the next item)")
    item_id: Id | None = Field(
        None, description="start: the agenda item (default: the current or first)"
    )


class TurnLimitIn(Schema):
    seconds: int | None = Field(None, description="10 … 3600 seconds, or null for no limit")


class HandIn(Schema):
    direct_response: bool = Field(False, description="a direct response to the speaker")


class OrderIn(Schema):
    hand_ids: list[Id] = Field(
        description="hands first in this order; the others keep theirs after"
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
