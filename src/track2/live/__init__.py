"""Live updates: "something changed" signals from the code that writes to the pages that watch.

    announce(meeting_topic(meeting.pk))          # sync code, inside or outside a transaction
    async with await subscribe(topic, last_id) as events:
        async for event in events: ...           # an async view (see stream.py for SSE)

An event carries a topic and an id, never content: whoever receives it re-reads what it needs
through the usual access rules. On PostgreSQL the signal crosses processes through LISTEN/NOTIFY
(postgres.py); on SQLite it stays in the process (inprocess.py).
"""

from __future__ import annotations

import re
import threading

from django.db import connections, transaction

from track2.live.hub import Event, Hub, SubscriberTooSlow, Subscription
from track2.live.inprocess import InProcess
from track2.live.postgres import Postgres

__all__ = [
    "Event",
    "Subscription",
    "SubscriberTooSlow",
    "announce",
    "backend",
    "hub",
    "meeting_topic",
    "caucus_topic",
    "subscribe",
]

TOPIC = re.compile(r"[a-z][a-z_]{0,31}:[0-9A-Za-z_-]{1,64}")

hub = Hub()
_backend: InProcess | Postgres | None = None
_backend_lock = threading.Lock()


def meeting_topic(meeting_id: int) -> str:
    """Everything a meeting's room shows: statements, moderation, votes, the map."""
    return f"meeting:{int(meeting_id)}"


def caucus_topic(meeting_id: int, delegation_id: int) -> str:
    """A delegation's caucus in a meeting: only that delegation's members may watch it
    (track2.access.facilitation.access_caucus); the meeting's topic never carries it."""
    return f"caucus:{int(meeting_id)}-{int(delegation_id)}"


def check_topic(topic: str) -> str:
    if not TOPIC.fullmatch(topic):
        raise ValueError(f"not a live-update topic: {topic!r}")
    return topic


def backend() -> InProcess | Postgres:
    global _backend
    with _backend_lock:
        if _backend is None:
            if connections["default"].vendor == "postgresql":
                _backend = Postgres(hub)
            else:
                _backend = InProcess(hub)
        return _backend


def announce(topic: str, using: str = "default", *, soon: bool = False) -> None:
    """Tell every watcher of `topic` that it changed, once the current transaction commits
    (at once outside one). A rolled-back change announces nothing. A failure to announce is
    logged, never raised: the change itself has committed, and readers catch up later.
    `soon`: the caller does not wait for the announcement (on PostgreSQL a thread of this
    process sends it, folding together the topics asked meanwhile): for the room's votes."""
    check_topic(topic)
    sender = backend()
    send = sender.send_soon if soon else sender.send
    transaction.on_commit(lambda: send(topic), using=using, robust=True)


async def subscribe(topic: str, last_event_id: int | None = None) -> Subscription:
    """A subscription to `topic` for the running event loop. Its first event, when owed, says
    what the reader missed since `last_event_id` (None: a fresh reader, who is owed the current
    id). Close it (`async with`, or `.close()`)."""
    check_topic(topic)
    await backend().start()
    subscription = hub.subscribe(topic)
    owed = hub.catch_up(topic, last_event_id)
    if owed is not None:
        subscription.queue.put_nowait(owed)
    return subscription


async def stop() -> None:
    """Close the listening connection (a server's shutdown, a test's end)."""
    if _backend is not None:
        await _backend.stop()
