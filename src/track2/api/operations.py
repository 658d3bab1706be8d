"""Retention, key destruction and deletion of a dialogue, for its conveners (the Retention page's
actions, and its "Delete this dialogue" page's).

Destroying the key and deleting the dialogue take two different conveners: one POSTs the
request, another the confirmation; both are in the audit trail. Everyone else gets 404."""

from __future__ import annotations

from django.http import JsonResponse
from ninja import Field, Router, Schema
from pydantic import StrictBool

from track2.access.operations import RetentionAccess, access_retention
from track2.api.auth import AuthedRequest
from track2.api.dialogues import utc
from track2.api.fields import Code, Id, Line, RetentionDays
from track2.operations import actions
from track2.operations import dialogue_deletion as deletion

router = Router(tags=["operations"])
P = "/dialogues/{dialogue_id}"


class RetentionIn(Schema):
    on_meeting_close: Code = Field(description="keep | aggregates")
    delete_content_after_days: RetentionDays | None = Field(
        description=f"days after the dialogue closes, 0 to {actions.MAX_RETENTION_DAYS}; null keeps the content",
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


class DeletionIn(Schema):
    title: Line(deletion.MAX_TYPED_TITLE) = Field(  # type: ignore[valid-type]  # a pydantic type built by a function
        description="the dialogue's title, typed exactly (runs of spaces count as one)"
    )


def deletion_out(ctx: deletion.DeletionAccess) -> dict:
    pending = ctx.pending
    return {
        "dialogue_id": ctx.dialogue.pk,
        "deletion": "requested" if pending else "not_requested",
        "requested_by": pending.requested_by_id if pending else None,
        "requested_at": utc(pending.requested_at) if pending else None,
        "conveners": len(ctx.conveners),
        "may_be_deleted": ctx.has_second_convener,
        "holds": {held.code: held.count for held in ctx.contents()},
    }


@router.get(
    P + "/deletion",
    summary="Whether deleting the dialogue was asked for, and what it holds (conveners)",
)
def get_deletion(request: AuthedRequest, dialogue_id: Id):
    return deletion_out(deletion.access_deletion(request.auth, dialogue_id))


@router.post(
    P + "/deletion",
    response={201: dict},
    summary="Ask to delete the whole dialogue; a second convener confirms (conveners)",
)
def request_deletion(request: AuthedRequest, dialogue_id: Id, body: DeletionIn):
    ctx = deletion.check_request_deletion(request.auth, dialogue_id, body.title)
    _request, unreached = deletion.do_request_deletion(
        request.auth, ctx, base_url=f"{request.scheme}://{request.get_host()}"
    )
    answer = deletion_out(deletion.access_deletion(request.auth, dialogue_id))
    return JsonResponse({**answer, "conveners_not_told": unreached}, status=201)


@router.delete(
    P + "/deletion",
    summary="Withdraw the request to delete the dialogue (either convener)",
)
def withdraw_deletion(request: AuthedRequest, dialogue_id: Id):
    pending = deletion.check_withdraw_deletion(request.auth, dialogue_id)
    deletion.do_withdraw_deletion(request.auth, pending)
    return deletion_out(deletion.access_deletion(request.auth, dialogue_id))


@router.post(
    P + "/deletion/confirmation",
    summary="Confirm another convener's request: the dialogue and all it holds are deleted (conveners)",
)
def confirm_deletion(request: AuthedRequest, dialogue_id: Id, body: DeletionIn):
    ctx = deletion.check_confirm_deletion(request.auth, dialogue_id, body.title)
    done = deletion.do_confirm_deletion(request.auth, ctx)
    return {
        "dialogue_id": done.dialogue_id,
        "deleted": True,
        "deleted_at": utc(done.deleted_at),
        "requested_by": done.requested_by.pk if done.requested_by else None,
        "confirmed_by": done.confirmed_by.pk,
        "removed": {held.code: held.count for held in done.removed},
    }
