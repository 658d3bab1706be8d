"""The dialogue room's API: statements, moderation, votes, the common-ground map, exports.

Same actions and access rules as the room's pages. Nothing answered names who wrote or voted:
a statement's author is shown to nobody, the caller learns only which statements are their own.
"""

from __future__ import annotations

from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from track2.access.room import access_room
from track2.api.auth import AuthedRequest
from track2.api.fields import Code, Id, Reason, StatementText
from track2.api.pagination import PageQuery, page_of
from track2.api.refusals import files, not_permitted
from track2.deliberation import actions, exports, map_data, queries
from track2.disclosure.status import STATUS_LINE
from track2.site.reading import api_reads_only

router = Router(tags=["dialogue room"])
M = "/dialogues/{dialogue_id}/meetings/{meeting_id}"
S = M + "/statements/{statement_id}"


class StatementIn(Schema):
    text: StatementText
    to_facilitator: bool = Field(
        False, description="send it to the facilitators only: never shown to the room"
    )


class SubmittedOut(Schema):
    id: int
    status: str
    status_line: str


class ModerateIn(Schema):
    decision: Code = Field(description="accept, reject, fix (with text) or merge (with into)")
    reason: Reason = ""
    text: StatementText | None = Field(None, description="fix: the corrected text")
    into: Id | None = Field(None, description="merge: the statement this one duplicates")
    names_checked: bool = Field(
        False,
        description="the facilitator has checked that a text held as possibly naming someone "
        "names nobody: needed to accept such a statement, or to fix one in the room into it",
    )


class VoteIn(Schema):
    vote: Code = Field(description="agree, disagree or pass")


class ExportQuery(Schema):
    format: Literal["csv", "json", "polis"] = Field(
        "csv",
        description="csv or json: statements and aggregates; polis: a zip of the Pol.is layout",
    )


class StatementsQuery(PageQuery):
    view: Literal["room", "mine", "queue", "notes"] = Field(
        "room",
        description="room: statements to vote on; mine: your own with moderation reasons; "
        "queue: pending and held (facilitators); notes: sent to the facilitators only",
    )


@router.get(
    M + "/statements",
    summary="The room's statements (paginated; see `view`)",
    openapi_extra=not_permitted("A view your role does not have (queue, notes, mine)."),
)
@api_reads_only
def list_statements(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, params: Query[StatementsQuery]
):
    listing = queries.listing_for(request.auth, dialogue_id, meeting_id, params.view)
    page = page_of(listing.rows, params, listing.render)
    return {**page, "status_line": STATUS_LINE}


@router.post(
    M + "/statements", response={201: SubmittedOut}, summary="Submit a statement (anonymous)"
)
def submit_statement(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, payload: StatementIn):
    submission = actions.check_submit(
        request.auth, dialogue_id, meeting_id, payload.text, for_facilitator=payload.to_facilitator
    )
    statement = actions.do_submit(submission)
    return Status(201, {"id": statement.pk, "status": statement.status, "status_line": STATUS_LINE})


@router.post(S + "/moderate", summary="Accept, reject (with a reason), fix a typo or merge")
def moderate_statement(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, statement_id: Id, payload: ModerateIn
):
    decision = actions.check_moderate(
        request.auth,
        dialogue_id,
        meeting_id,
        statement_id,
        payload.decision,
        reason=payload.reason,
        text=payload.text,
        into=payload.into,
        names_checked=payload.names_checked,
    )
    statement = actions.do_moderate(request.auth, decision)
    return queries.statement_for_facilitator(statement)


@router.put(S + "/vote", summary="Vote on a statement, or change your vote")
def put_vote(
    request: AuthedRequest, dialogue_id: Id, meeting_id: Id, statement_id: Id, payload: VoteIn
):
    ballot = actions.check_vote(request.auth, dialogue_id, meeting_id, statement_id, payload.vote)
    actions.do_vote(ballot)
    return {"statement_id": ballot.statement_id, "vote": payload.vote}


@router.delete(S + "/vote", response={204: None}, summary="Withdraw your vote")
def delete_vote(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, statement_id: Id):
    ballot = actions.check_vote(request.auth, dialogue_id, meeting_id, statement_id, None)
    actions.do_vote(ballot)
    return HttpResponse(status=204)


@router.get(
    M + "/common-ground",
    summary="The common-ground map's data (small-cell rule)",
    openapi_extra=not_permitted("The facilitators do not show the results to you (yet)."),
)
@api_reads_only
def common_ground(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    shown = map_data.map_for(access_room(request.auth, dialogue_id, meeting_id))
    return HttpResponse(map_data.as_json(shown), content_type="application/json; charset=utf-8")


@router.get(
    M + "/export",
    summary="Statements and aggregates (CSV, JSON) or a Pol.is zip",
    openapi_extra=files(
        "text/csv", "application/json", "application/zip", description="The export file."
    ),
)
def export(request: AuthedRequest, dialogue_id: Id, meeting_id: Id, params: Query[ExportQuery]):
    document = exports.check_export(request.auth, dialogue_id, meeting_id, params.format)
    response = HttpResponse(document.content, content_type=document.content_type)
    response["Content-Disposition"] = f'attachment; filename="{document.filename}"'
    return response
