"""Live updates within one process (SQLite, or any site served by one worker).

Ids count up from the clock in microseconds at the first one issued, so they keep growing across
restarts (a process issues fewer ids than microseconds pass): a browser that reconnects to a
restarted server with Last-Event-ID is owed one catch-up event, never ignored because the counter
started again at 1. Only the first id reads the clock: an id is not the time of a change, which
under the Chatham House Rule no output may give.
"""

from __future__ import annotations

import threading
import time

from track2.live.hub import Hub

_lock = threading.Lock()
_last = 0


def next_id() -> int:
    global _last
    with _lock:
        _last = _last + 1 if _last else time.time_ns() // 1000
        return _last


class InProcess:
    name = "in-process"

    def __init__(self, hub: Hub) -> None:
        self.hub = hub
        hub.floor = next_id()

    def send(self, topic: str) -> None:
        self.hub.record(topic, next_id())

    send_soon = send  # nothing to wait for in-process

    async def start(self) -> None:
        """Nothing to connect to."""

    async def listen(self) -> None:
        """Nothing to connect to: every announcement of this process reaches its hub."""

    async def stop(self) -> None:
        """Nothing to close."""
