"""The background workers that fit the rooms' opinion groups, one process's own.

A worker is one daemon thread for every room of the process: a map read never waits for the
engine once a room has had its first fit (map_data). A room asks for a job with
`wanted(meeting_id)`; asks that arrive while a job runs fold into one (the job reads the newest
votes when it starts). The worker rests after each job as long as the job took (at least
`REST_SECONDS`), so that on a busy room it uses at most about half a core and the votes keep
theirs. map_data runs two: one continues each room's fit vote by vote (milliseconds), the other
chooses a room's groups again now and then (a cold analysis, up to about a second), so the
first never waits behind the second.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)

REST_SECONDS = 0.5


class FitWorker:
    def __init__(self, fit: Callable[[int], None], name: str = "track2-map-fits") -> None:
        self._fit = fit
        self._name = name
        self._wanted: dict[int, None] = {}  # meeting ids in the order asked (a dict: no doubles)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self.fits = 0  # fits done by this process (tests and the benchmark read it)

    def wanted(self, meeting_id: int) -> None:
        with self._cond:
            self._wanted[meeting_id] = None
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
                self._thread.start()
            self._cond.notify()

    def drop(self, meeting_id: int | None = None) -> None:
        """Forget the asks not yet started for one room (or all): its kept copy is gone, and a
        fit started later would find the room read anew and replace its first map (tests)."""
        with self._cond:
            if meeting_id is None:
                self._wanted.clear()
            else:
                self._wanted.pop(meeting_id, None)

    def is_wanted(self, meeting_id: int) -> bool:
        with self._cond:
            return meeting_id in self._wanted

    def _run(self) -> None:
        while True:
            with self._cond:
                while not self._wanted:
                    self._cond.wait()
                meeting_id = next(iter(self._wanted))
                del self._wanted[meeting_id]
            started = time.monotonic()
            try:
                self._fit(meeting_id)
            except Exception:
                # The room keeps its previous groups (shown with their age) and the next change
                # asks again; the failure is logged in full, never hidden.
                log.exception("map fit of meeting %s failed", meeting_id)
            self.fits += 1
            time.sleep(max(REST_SECONDS, time.monotonic() - started))
