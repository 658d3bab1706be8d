"""One daemon timer that comes back while there is something to sweep: what keeps a room's
pseudonymous votes in a process's memory (the map keeper's copies, the vote notes) lets go of
what has waited too long, without a thread per room or a timestamp checked on every read."""

from __future__ import annotations

import threading
from collections.abc import Callable


class IdleSweep:
    """`sweep` runs `seconds` after `later(True)`, once at a time. Its owner calls `later` and
    `stop` under its own lock; `sweep` calls `ran()` under that lock, then `later` again if
    something is left."""

    def __init__(self, seconds: Callable[[], float], sweep: Callable[[], None]) -> None:
        self._seconds = seconds  # read at each start, so that a test may shorten it
        self._sweep = sweep
        self._timer: threading.Timer | None = None

    @property
    def pending(self) -> bool:
        return self._timer is not None

    def later(self, something_kept: bool) -> None:
        if self._timer is None and something_kept:
            self._timer = threading.Timer(self._seconds(), self._sweep)
            self._timer.daemon = True  # never holds the process open at exit
            self._timer.start()

    def ran(self) -> None:
        """The sweep is running: the next `later` may start a timer (a sweep called directly,
        as tests do, cancels the one waiting: one timer at a time still)."""
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.cancel()
        self._timer = None

    def stop(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
