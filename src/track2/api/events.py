"""Live updates over HTTP: the server-sent event stream of a meeting's room.

An async view (ASGI): authentication (token or session) and the access check run in a thread
through django-ninja and `sync_to_async`; the stream then waits on the process's live-update
hub without holding a thread or a database connection.
"""

from __future__ import annotations

from asgiref.sync import sync_to_async
from ninja import Router

from track2.access.facilitation import access_meeting_events
from track2.api.auth import AuthedRequest
from track2.api.fields import Id
from track2.live import meeting_topic
from track2.live.stream import STREAM_RESPONSES, event_stream

router = Router(tags=["live updates"])
M = "/dialogues/{dialogue_id}/meetings/{meeting_id}"


@router.get(
    M + "/events",
    summary="The meeting's live updates as server-sent events (readers of its room, floor, record)",
    description=(
        '`text/event-stream`: one `changed` event (`id`, data `{"topic", "id"}`) whenever '
        "what the meeting's room shows changes — re-read what you show. Coalesced to at most "
        "four a second; a comment line every 15 s keeps the connection open. Reconnect with "
        "`Last-Event-ID` to receive one catch-up event if anything changed meanwhile."
    ),
    response={200: None, 204: None},
    url_name="meeting_events",
    openapi_extra={"responses": STREAM_RESPONSES},
)
async def meeting_events(request: AuthedRequest, dialogue_id: Id, meeting_id: Id):
    await sync_to_async(access_meeting_events)(request.auth, dialogue_id, meeting_id)
    return event_stream(request, meeting_topic(meeting_id))
