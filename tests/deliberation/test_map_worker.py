"""The map's fit worker: asks fold, and asks for a forgotten room are dropped."""

from __future__ import annotations

import threading
import time

from track2.deliberation import map_worker


def _held_worker() -> tuple[map_worker.FitWorker, threading.Event, list[int]]:
    """A worker whose fit of meeting 1 runs until released; the others return at once."""
    release = threading.Event()
    fitted: list[int] = []

    def fit(meeting_id: int) -> None:
        if meeting_id == 1:
            release.wait(10)
        fitted.append(meeting_id)

    worker = map_worker.FitWorker(fit)
    worker.wanted(1)
    deadline = time.monotonic() + 10
    while worker.is_wanted(1) and time.monotonic() < deadline:  # started, now held
        time.sleep(0.01)
    return worker, release, fitted


def _settle(worker: map_worker.FitWorker, fits: int) -> None:
    deadline = time.monotonic() + 10
    while worker.fits < fits and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)  # a fit that should not run would have started by now


def test_asks_not_started_are_dropped_for_a_forgotten_room(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(map_worker, "REST_SECONDS", 0.0)
    worker, release, fitted = _held_worker()
    for meeting_id in (2, 3, 2, 4):  # asked while 1 runs; the second ask for 2 folds in
        worker.wanted(meeting_id)
    worker.drop(2)
    assert not worker.is_wanted(2) and worker.is_wanted(3)
    release.set()
    _settle(worker, 3)
    assert fitted == [1, 3, 4]

    worker, release, fitted = _held_worker()
    worker.wanted(5)
    worker.wanted(6)
    worker.drop()  # every room
    release.set()
    _settle(worker, 1)
    assert fitted == [1]
