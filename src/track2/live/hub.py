"""The in-process side of live updates: who listens to which topic, and the newest event of each.

An event says only "topic T changed; event id N". Ids grow per topic (they need not be dense):
a reader who has seen id N of a topic has everything committed before N was issued, because ids are
issued after the change commits. So a subscriber never needs the events it missed, only the newest
one, and catching up after a reconnection is one event.

Subscribers live on one asyncio event loop (the server's); publishers may be threads (Django runs
sync views in a thread pool), so delivery crosses into the loop with `call_soon_threadsafe`.

Besides readers, a topic's kind may have listeners: functions of this process that act on every
new event of that kind, whoever announced it (`on`). They run in the thread that records the
event (the announcing thread, or the PostgreSQL listener on the event loop), so they must be
quick, must not touch the database, and must not mind being called twice for one change (the
announcing process tells its own listeners at once, then hears its NOTIFY like every other).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

# A subscriber that lets this many events wait unread is too slow to keep: it is dropped and, as
# an SSE client, reconnects with Last-Event-ID and catches up with one event. Memory stays bounded
# whatever a client does.
QUEUE_LIMIT = 64


@dataclass(frozen=True, slots=True)
class Event:
    topic: str
    id: int


class SubscriberTooSlow(Exception):
    """The subscriber's queue filled up; it has been dropped and must subscribe again."""


@dataclass(eq=False)
class Subscription:
    """One reader of one topic: an async iterator of events, closed with `close()`."""

    hub: Hub
    topic: str
    queue: asyncio.Queue[int] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))
    is_dropped: bool = False

    def __aiter__(self) -> AsyncIterator[Event]:
        return self

    async def __anext__(self) -> Event:
        if self.is_dropped:
            raise SubscriberTooSlow(self.topic)
        event_id = await self.queue.get()
        if self.is_dropped:
            raise SubscriberTooSlow(self.topic)
        return Event(self.topic, event_id)

    def pending(self) -> list[Event]:
        """The events already waiting, without waiting for more."""
        waiting = []
        while not self.queue.empty():
            waiting.append(Event(self.topic, self.queue.get_nowait()))
        return waiting

    def close(self) -> None:
        self.hub.unsubscribe(self)

    async def __aenter__(self) -> Subscription:
        return self

    async def __aexit__(self, *exc) -> None:
        self.close()


class Hub:
    """Topics, their newest event ids, and the subscribers of this process."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._latest: dict[str, int] = {}
        self._subscribers: dict[str, set[Subscription]] = {}
        self._listeners: dict[str, list[Callable[[str], None]]] = {}
        self._loop: asyncio.AbstractEventLoop | None = None
        # Every event issued after `floor` reaches this hub; an older one may not have (it was
        # issued before this process listened). None until the backend has said where it starts.
        self.floor: int | None = None

    # --- reading ----------------------------------------------------------------------------

    def latest(self, topic: str) -> int | None:
        with self._lock:
            return self._latest.get(topic)

    def catch_up(self, topic: str, last_event_id: int | None) -> int | None:
        """The id of the one event a reader who last saw `last_event_id` is owed now, or None.

        A reader with no id (a fresh page) is owed the current id, so that a change between
        rendering the page and connecting is not lost."""
        with self._lock:
            newest = self._latest.get(topic)
            floor = self.floor
        known = max(x for x in (newest, floor, 0) if x is not None)
        if last_event_id is None or last_event_id < known:
            return known
        return None

    def subscriber_count(self, topic: str | None = None) -> int:
        with self._lock:
            if topic is not None:
                return len(self._subscribers.get(topic, ()))
            return sum(len(s) for s in self._subscribers.values())

    # --- subscribing (on the event loop) ----------------------------------------------------

    def subscribe(self, topic: str) -> Subscription:
        loop = asyncio.get_running_loop()
        subscription = Subscription(self, topic)
        with self._lock:
            if self._loop is not loop:
                # A new loop (tests start one per test; a server has one): earlier subscribers
                # belonged to a loop that has ended.
                self._loop = loop
                self._subscribers = {}
            self._subscribers.setdefault(topic, set()).add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        with self._lock:
            readers = self._subscribers.get(subscription.topic)
            if readers is not None:
                readers.discard(subscription)
                if not readers:
                    del self._subscribers[subscription.topic]

    def topics_listened(self) -> list[str]:
        with self._lock:
            return list(self._subscribers)

    # --- listening (this process's own code) ------------------------------------------------

    def on(self, kind: str, listener: Callable[[str], None]) -> None:
        """Call `listener(rest)` on every new event of a topic `kind:rest` (once per function)."""
        with self._lock:
            listeners = self._listeners.setdefault(kind, [])
            if listener not in listeners:
                listeners.append(listener)

    def tell(self, topic: str) -> None:
        """Run the listeners of the topic's kind, in this thread."""
        with self._lock:
            listeners = self._listeners.get(topic.partition(":")[0])
            listeners = list(listeners) if listeners else []
        self._run(topic, listeners)

    @staticmethod
    def _run(topic: str, listeners: list[Callable[[str], None]]) -> None:
        for listener in listeners:
            try:
                listener(topic.partition(":")[2])
            except Exception:
                # Logged in full, never raised: on PostgreSQL the caller is the listening task,
                # which a raised error would end (no more live updates in this process).
                log.exception("live updates: a listener of %s failed", topic)

    # --- publishing (any thread) ------------------------------------------------------------

    def record(self, topic: str, event_id: int) -> bool:
        """Note event `event_id` of `topic`; tell the listeners of its kind and deliver it to
        its readers if it is newer than what they have."""
        with self._lock:
            if event_id <= self._latest.get(topic, -1):
                return False
            self._latest[topic] = event_id
            loop = self._loop
            has_readers = bool(self._subscribers.get(topic))
            listeners = self._listeners.get(topic.partition(":")[0])
            listeners = list(listeners) if listeners else []
        if listeners:
            self._run(topic, listeners)
        if loop is not None and has_readers and not loop.is_closed():
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                self._deliver(topic, event_id)
            else:
                loop.call_soon_threadsafe(self._deliver, topic, event_id)
        return True

    def _deliver(self, topic: str, event_id: int) -> None:
        with self._lock:
            readers = list(self._subscribers.get(topic, ()))
        for reader in readers:
            try:
                reader.queue.put_nowait(event_id)
            except asyncio.QueueFull:
                reader.is_dropped = True
                self.unsubscribe(reader)
                # Wake the reader if it waits (it cannot: a full queue has events), and make
                # the next read fail rather than hand out a stale backlog.
                reader.queue = asyncio.Queue(1)
                reader.queue.put_nowait(event_id)
