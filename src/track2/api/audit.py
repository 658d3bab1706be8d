"""The audit trail of a dialogue, for its conveners (the same reads as the Changes page)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from ninja import Field, Query, Router

from track2.access import access_dialogue
from track2.api.auth import AuthedRequest
from track2.api.fields import Id
from track2.api.pagination import PageQuery, page_of
from track2.audit import queries
from track2.errors import ActionRefused

router = Router(tags=["audit"])
if TYPE_CHECKING:
    ObjectType = (
        str  # what a checker can know; pydantic gets the Literal below, which refuses unknown kinds
    )
else:
    ObjectType = Literal[tuple(queries.OBJECT_TYPES)]  # built from the one list


class ChangesQuery(PageQuery):
    object_type: ObjectType | None = Field(None, description="only this kind of object")
    object_id: Id | None = Field(
        None, description="with object_type: that object and what belongs to it"
    )


@router.get(
    "/dialogues/{dialogue_id}/changes",
    summary="Who changed what and when in this dialogue, newest first (conveners)",
)
def list_changes(request: AuthedRequest, dialogue_id: Id, filters: Query[ChangesQuery]):
    dialogue = access_dialogue(request.auth, dialogue_id, need="convener").dialogue
    if filters.object_id is not None and filters.object_type is None:
        raise ActionRefused(
            "object_id needs object_type: say which kind of object the number belongs to.",
            field="object_type",
        )
    entries = queries.for_dialogue(
        dialogue, object_type=filters.object_type, object_id=filters.object_id
    )
    # The same envelope as every list; the page's entries are named together (one query per kind).
    envelope = page_of(entries, filters)
    envelope["items"] = [
        queries.entry_out(line) for line in queries.lines(dialogue, envelope["items"])
    ]
    return envelope
