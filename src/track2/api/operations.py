"""Retention and key destruction of a dialogue, for its conveners (the Retention page's actions).

Destroying the key takes two different conveners: one POSTs the request, another the
confirmation; both are in the audit trail. Everyone else gets 404."""

from __future__ import annotations

from django.http import JsonResponse
from ninja import Field, Router, Schema
from pydantic import StrictBool, StrictInt

from track2.access.operations import RetentionAccess, access_retention
from track2.api.auth import AuthedRequest
from track2.api.dialogues import utc
from track2.api.fields import Code, Id
from track2.operations import actions

router = Router(tags=["operations"])
P = "/dialogues/{dialogue_id}"


class RetentionIn(Schema):
    on_meeting_close: Code = Field(description="keep | aggregates")
    delete_content_after_days: StrictInt | None = Field(
        description=f"days after the dialogue closes, 0 to {actions.MAX_RETENTION_DAYS}; null keeps the content"
    )
    destroy_key_on_close: StrictBool


def retention_out(ctx: RetentionAccess) -> dict:
    policy, pending = ctx.policy, ctx.pending
    return {
        "dialogue_id": ctx.dialogue_access.dialogue.pk,
        "on_meeting_close": policy.on_meeting_close,
        "delete_content_after_days": policy.delete_content_after_days,
        "destroy_key_on_close": policy.destroy_key_on_close,
        "key": (
            "destroyed" if ctx.is_key_destroyed else "destruction_requested" if pending else "kept"
        ),
        "destruction_requested_by": pending.requested_by_id if pending else None,
        "destruction_requested_at": utc(pending.requested_at) if pending else None,
    }


@router.get(P + "/retention", summary="The dialogue's retention policy and its key (conveners)")
def get_retention(request: AuthedRequest, dialogue_id: Id):
    return retention_out(access_retention(request.auth, dialogue_id))


@router.put(P + "/retention", summary="Set the dialogue's retention policy (conveners)")
def set_retention(request: AuthedRequest, dialogue_id: Id, body: RetentionIn):
    fields = body.dict()
    dialogue = actions.check_set_retention(request.auth, dialogue_id, **fields)
    actions.do_set_retention(request.auth, dialogue, **fields)
    return retention_out(access_retention(request.auth, dialogue_id))


@router.post(
    P + "/key-destruction",
    response={201: dict},
    summary="Ask to destroy the dialogue's pseudonym key; a second convener confirms (conveners)",
)
def request_key_destruction(request: AuthedRequest, dialogue_id: Id):
    dialogue = actions.check_request_key_destruction(request.auth, dialogue_id)
    actions.do_request_key_destruction(request.auth, dialogue)
    return JsonResponse(retention_out(access_retention(request.auth, dialogue_id)), status=201)


@router.post(
    P + "/key-destruction/confirmation",
    summary="Confirm another convener's request: the key is destroyed, irreversibly (conveners)",
)
def confirm_key_destruction(request: AuthedRequest, dialogue_id: Id):
    pending = actions.check_confirm_key_destruction(request.auth, dialogue_id)
    actions.do_confirm_key_destruction(request.auth, pending)
    return retention_out(access_retention(request.auth, dialogue_id))
