"""Live updates across processes and machines: PostgreSQL LISTEN/NOTIFY.

A change is announced, after its transaction commits, as one `pg_notify` carrying the topic and
an id from the sequence `track2_live_seq` (taken after the commit, so an event id covers every
change committed before it; see hub.py). Each server process holds one extra connection that
LISTENs and hands what it hears to its hub; its own announcements come back the same way, so
every process, this one included, hears every change in commit order.
"""

from __future__ import annotations

import asyncio
import logging
import threading

from django.db import DatabaseError, connections

from track2.live.hub import Hub

log = logging.getLogger(__name__)

CHANNEL = "track2_live"
SEQUENCE = "track2_live_seq"
# The notification is "topic id", a few dozen bytes: far under NOTIFY's 8,000-byte limit.
NOTIFY_SQL = f"SELECT pg_notify('{CHANNEL}', %s || ' ' || nextval('{SEQUENCE}')::text)"  # noqa: S608  (constants)
FLOOR_SQL = f"SELECT CASE WHEN is_called THEN last_value ELSE 0 END FROM {SEQUENCE}"  # noqa: S608  (a constant)
# After a lost listening connection, wait this long before trying again (doubling, capped).
RETRY_SECONDS = (0.2, 10.0)
# The announcer thread closes its database connection after this long without announcements: a
# quiet process holds no idle session (a worker's count of connections stays its requests'), and
# the next vote's announcement opens one again, off the request's path.
ANNOUNCER_IDLE_SECONDS = 2.0


def connection_params(alias: str = "default") -> dict:
    """The libpq parameters Django's own connection uses, for the listening connection."""
    settings = connections[alias].settings_dict
    params = {
        "dbname": settings["NAME"],
        "user": settings.get("USER") or None,
        "password": settings.get("PASSWORD") or None,
        "host": settings.get("HOST") or None,
        "port": settings.get("PORT") or None,
        **settings.get("OPTIONS", {}),
    }
    for django_only in ("isolation_level", "server_side_binding", "pool", "assume_role"):
        params.pop(django_only, None)
    return {key: value for key, value in params.items() if value is not None}


def parse_notification(payload: str) -> tuple[str, int] | None:
    topic, _, number = payload.rpartition(" ")
    if not topic or not number.isdigit():
        return None
    return topic, int(number)


class Postgres:
    name = "postgresql"

    def __init__(self, hub: Hub, alias: str = "default") -> None:
        self.hub = hub
        self.alias = alias
        self._task: asyncio.Task | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ready: asyncio.Event | None = None
        self._soon: dict[str, None] = {}  # topics to announce, in the order asked (no doubles)
        self._soon_changed = threading.Condition()
        self._announcer: threading.Thread | None = None

    def send(self, topic: str) -> None:
        """Announce through Django's connection (the caller's thread, after its commit). This
        process's listeners of the topic's kind are told first, at once: this process may not
        listen (a command), and what they drop must go even if the NOTIFY fails."""
        self.hub.tell(topic)
        with connections[self.alias].cursor() as cursor:
            cursor.execute(NOTIFY_SQL, [topic])

    def send_soon(self, topic: str) -> None:
        """Announce from this process's announcer thread, after the caller's commit: the
        caller (a vote) does not wait for the round trip, and the topics asked while one
        NOTIFY is on its way fold into one. The id is still taken after every commit that asked
        for it, so it covers them all (hub.py)."""
        with self._soon_changed:
            self._soon[topic] = None
            if self._announcer is None or not self._announcer.is_alive():
                self._announcer = threading.Thread(
                    target=self._announce, name="track2-live-announce", daemon=True
                )
                self._announcer.start()
            self._soon_changed.notify()

    def _announce(self) -> None:
        while True:
            with self._soon_changed:
                if not self._soon and not self._soon_changed.wait(ANNOUNCER_IDLE_SECONDS):
                    connections[self.alias].close()
                while not self._soon:
                    self._soon_changed.wait()
                topics = list(self._soon)
                self._soon.clear()
            for topic in topics:
                try:
                    self.send(topic)
                except DatabaseError:
                    # As an announcement after a commit anywhere: logged, never raised (the
                    # change has committed; readers catch up on the next one). A broken
                    # connection is dropped so that the next announcement opens a new one.
                    log.exception("live updates: announcing %s failed", topic)
                    connections[self.alias].close()

    def _listening(self) -> tuple[asyncio.Event, bool]:
        """The listener of the running event loop (started here if there is none yet) and
        whether it was started by this call."""
        loop = asyncio.get_running_loop()
        ready = self._ready
        if ready is None or self._task is None or self._loop is not loop or self._task.done():
            self._loop = loop
            self._ready = ready = asyncio.Event()
            self._task = loop.create_task(self._listen(ready), name="track2-live-listen")
            return ready, True
        return ready, False

    async def start(self) -> None:
        """Listen, once per event loop; wait (a little) until the listener is in place."""
        ready, _started = self._listening()
        await self._wait(ready)

    async def listen(self) -> None:
        """Listen, once per event loop; only the call that starts the listener waits for it."""
        ready, started = self._listening()
        if started:
            await self._wait(ready)

    @staticmethod
    async def _wait(ready: asyncio.Event) -> None:
        try:
            await asyncio.wait_for(ready.wait(), timeout=5)
        except TimeoutError:
            # The stream goes on with heartbeats; events flow (with a catch-up) once connected.
            log.warning("live updates: the PostgreSQL listener is not connected yet")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass
            self._task = None

    async def _listen(self, ready: asyncio.Event) -> None:
        # Here, not at the top: every `track2` command and served process imports this module,
        # and on SQLite none of them needs psycopg (0.1 s a process start; Django's PostgreSQL
        # backend imports it anyway when it is the database).
        import psycopg

        delay, longest = RETRY_SECONDS
        while True:
            try:
                conn = await psycopg.AsyncConnection.connect(
                    autocommit=True, **connection_params(self.alias)
                )
                async with conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    row = await (await conn.execute(FLOOR_SQL)).fetchone()
                    floor = int(row[0]) if row else 0
                    self.hub.floor = floor
                    # Whatever was announced while no connection listened is owed to the
                    # readers of every topic as one catch-up event.
                    for topic in self.hub.topics_listened():
                        self.hub.record(topic, floor)
                    ready.set()
                    delay = RETRY_SECONDS[0]
                    async for note in conn.notifies():
                        parsed = parse_notification(note.payload)
                        if parsed is not None:
                            self.hub.record(*parsed)
            except psycopg.Error as err:
                log.warning(
                    "live updates: the PostgreSQL listener lost its connection (%s); retrying",
                    type(err).__name__,
                )
            await asyncio.sleep(delay)
            delay = min(delay * 2, longest)
