"""Live updates: "something changed" signals from the code that writes to the pages that watch.

    announce(meeting_topic(meeting.pk))          # sync code, inside or outside a transaction
    async with await subscribe(topic, last_id) as events:
        async for event in events: ...           # an async view (see stream.py for SSE)

An event carries a topic and an id, never content: whoever receives it re-reads what it needs
through the usual access rules. On PostgreSQL the signal crosses processes through LISTEN/NOTIFY
(postgres.py); on SQLite it stays in the process (inprocess.py).

Some signals are for the server processes themselves rather than for readers: `votes_gone_topic`
says that a room's votes were deleted (its dialogue deleted, or retention erased them), and every
process that keeps something of the room in memory (the map keeper, the vote notes) drops it on
hearing it (`on`); `key_gone_topic` says that a dialogue's pseudonym key was destroyed, and every
process lets go of its bytes. So that every server process hears them, each listens from its first request
(`listen_while_serving`, connected in apps.py), not only once someone watches a room.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable

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
    "votes_gone_topic",
    "VOTES_GONE",
    "key_gone_topic",
    "KEY_GONE",
    "on",
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


VOTES_GONE = "votes_gone"


def votes_gone_topic(meeting_id: int) -> str:
    """The meeting's votes were deleted: every process drops what it keeps of its room (never
    watched by readers; its listeners are the processes' own code, see `on`)."""
    return f"{VOTES_GONE}:{int(meeting_id)}"


KEY_GONE = "key_gone"


def key_gone_topic(dialogue_id: int) -> str:
    """The dialogue's pseudonym key was destroyed (or the dialogue deleted): every process lets
    go of the key's bytes and the pseudonyms made with it (keyring.forget)."""
    return f"{KEY_GONE}:{int(dialogue_id)}"


def on(kind: str, listener: Callable[[str], None]) -> None:
    """Call `listener(rest)` in this process on every `kind:rest` announced by any process
    (hub.py says what a listener may do)."""
    hub.on(kind, listener)


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


async def listen_while_serving(sender, **kwargs) -> None:
    """A served request has started (Django's `request_started`, from its ASGI handler): make sure
    this process listens. A process that answers requests may keep a room's map, and must hear
    when the room's votes go even if nobody watches a room through it. The first request waits
    (a little) until the listener is in place; later ones do not wait."""
    await backend().listen()


async def stop() -> None:
    """Close the listening connection (a server's shutdown, a test's end)."""
    if _backend is not None:
        await _backend.stop()
