"""Server-sent events for an async view: one topic, heartbeats, coalescing, a bounded life.

A burst of changes (a room voting) is coalesced: a reader gets at most one event per `min_gap`
seconds, always the newest, so a map is refreshed a few times a second at most while every change
still shows within `min_gap` plus the time to re-read. The stream ends after `lifetime` seconds
and the browser reconnects with Last-Event-ID: access is checked again on each connection, so a
person removed from a dialogue stops receiving even content-free signals.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse

from track2 import live

HEARTBEAT_SECONDS = 15.0
MIN_GAP_SECONDS = 0.25
LIFETIME_SECONDS = 15 * 60.0
# What the browser waits before reconnecting after a dropped connection (the SSE `retry` field).
RETRY_MILLISECONDS = 1000
# Last-Event-ID values outside this range are not ids we issued: read as "no id".
LARGEST_ID = 2**63 - 1

# The OpenAPI description of a stream's answers, shared by every stream endpoint.
STREAM_RESPONSES = {
    200: {"description": "the event stream", "content": {"text/event-stream": {}}},
    204: {
        "description": "this server cannot stream (a WSGI server, not `track2 serve`): "
        "no live updates; re-read on your own schedule"
    },
}


def last_event_id(request: HttpRequest) -> int | None:
    """The id the browser last received (its Last-Event-ID header), or None."""
    raw = request.headers.get("Last-Event-ID", "").strip()
    if not raw.isascii() or not raw.isdigit() or len(raw) > 19:
        return None
    value = int(raw)
    return value if value <= LARGEST_ID else None


def frame(event: live.Event) -> str:
    data = json.dumps({"topic": event.topic, "id": event.id})
    return f"id: {event.id}\nevent: changed\ndata: {data}\n\n"


async def frames(
    topic: str,
    since: int | None,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    min_gap: float = MIN_GAP_SECONDS,
    lifetime: float = LIFETIME_SECONDS,
) -> AsyncIterator[str]:
    subscription = await live.subscribe(topic, since)
    try:
        yield f"retry: {RETRY_MILLISECONDS}\n\n"
        sent = -1 if since is None else since
        sent_at = float("-inf")
        ends_at = time.monotonic() + lifetime
        while True:
            left = ends_at - time.monotonic()
            if left <= 0:
                return
            try:
                event = await asyncio.wait_for(anext(subscription), timeout=min(heartbeat, left))
            except TimeoutError:
                yield ": heartbeat\n\n"
                continue
            wait = sent_at + min_gap - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)
            newest = max([event, *subscription.pending()], key=lambda e: e.id)
            if newest.id <= sent:
                continue
            yield frame(newest)
            sent, sent_at = newest.id, time.monotonic()
    except live.SubscriberTooSlow:
        # The browser reconnects with Last-Event-ID and is owed one catch-up event.
        return
    finally:
        subscription.close()


def event_stream(
    request: HttpRequest, topic: str, **tuning: float
) -> HttpResponse | StreamingHttpResponse:
    """The SSE answer for `topic`; the caller has already checked who may watch it.

    Only an ASGI server (`track2 serve`) can stream. Under WSGI (Django's test and development
    servers) Django gathers an async stream whole before sending any of it: the request would
    hold a thread and, on PostgreSQL, a listening connection for the stream's whole life while
    the browser received nothing. There the answer is 204, which closes a browser's EventSource
    (live.js tries again, backing off to every 30 s); the page still works, without live updates.
    """
    if not isinstance(request, ASGIRequest):
        empty = HttpResponse(status=204)
        empty["Cache-Control"] = "no-store"
        return empty
    response = StreamingHttpResponse(
        frames(topic, last_event_id(request), **tuning), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-store"
    # A proxy (nginx) must pass each event on as it comes, not buffer the stream.
    response["X-Accel-Buffering"] = "no"
    return response
