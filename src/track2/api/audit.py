"""The audit trail of a dialogue, for its conveners (the same reads as the Changes page)."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from track2.access import access_dialogue
from track2.audit import queries
from track2.errors import ActionRefused

router = Router(tags=["audit"])
ObjectType = Literal[tuple(queries.OBJECT_TYPES)]  # type: ignore[valid-type]  # built from the one list


class ChangesQuery(Schema):
    object_type: ObjectType | None = Field(None, description="only this kind of object")
    object_id: int | None = Field(None, ge=1, le=2**63 - 1,
                                  description="with object_type: that object and what belongs to it")
    page: int = Field(1, ge=1, le=1_000_000)
    limit: int = Field(50, ge=1, le=200)


@router.get("/dialogues/{dialogue_id}/changes",
            summary="Who changed what and when in this dialogue, newest first (conveners)")
def list_changes(request: HttpRequest, dialogue_id: int, filters: Query[ChangesQuery]):
    dialogue = access_dialogue(request.auth, dialogue_id, need="convener")
    if filters.object_id is not None and filters.object_type is None:
        raise ActionRefused("object_id needs object_type: say which kind of object the number belongs to.",
                            field="object_type")
    entries = queries.for_dialogue(dialogue, object_type=filters.object_type, object_id=filters.object_id)
    start = (filters.page - 1) * filters.limit
    shown = queries.lines(dialogue, entries[start:start + filters.limit])
    return {"total": entries.count(), "page": filters.page, "limit": filters.limit,
            "entries": [queries.entry_out(line) for line in shown]}
