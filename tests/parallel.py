"""Calls made truly at once, for the PostgreSQL pass's concurrency tests: each in its own thread
(hence its own database connection, as in several served processes), released together by a
barrier so that they overlap rather than queue behind thread start-up."""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection


def at_once(calls: Sequence[Callable[[], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run every call at the same moment; return what they returned and what they raised."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            outcome = call()
            with lock:
                results.append(outcome)
        except BaseException as error:  # noqa: BLE001  (returned to the test, which asserts on it)
            with lock:
                errors.append(error)
        finally:
            connection.close()  # this thread's own connection; the test's stays open

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
