"""A progress bar on a terminal for the slow steps of a command (``track2 analyze``).

Drawn on stderr only when stderr is a terminal, and only once a step has run for ``delay``
seconds (2 s): quick runs and anything sent to a pipe or a file see nothing, so reports and
scripts are unchanged. A step with a known size shows the share done; one without (an analysis
whose stages report nothing) shows a moving block and the elapsed time. Drawn from a daemon
thread, so the work itself is never slowed by checks for when to redraw.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TextIO

_WIDTH = 24


class Progress:
    """Progress of a command's steps on ``stream`` (see the module docstring)."""

    def __init__(
        self,
        stream: TextIO,
        *,
        delay: float = 2.0,
        interval: float = 0.2,
        enabled: bool | None = None,
    ) -> None:
        self.stream = stream
        self.delay = delay
        self.interval = interval
        isatty = getattr(stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) if enabled is None else enabled

    def _line(self, label: str, elapsed: float, share: float | None, tick: int) -> str:
        if share is None:
            cells = [" "] * _WIDTH
            position = tick % (2 * _WIDTH - 2)
            cells[position if position < _WIDTH else 2 * _WIDTH - 2 - position] = "#"
            return f"\r{label} [{''.join(cells)}] {elapsed:5.1f} s"
        filled = int(round(_WIDTH * min(max(share, 0.0), 1.0)))
        bar = "#" * filled + "-" * (_WIDTH - filled)
        return f"\r{label} [{bar}] {100 * share:3.0f}% {elapsed:5.1f} s"

    @contextmanager
    def step(self, label: str, total: float | None = None) -> Iterator[Callable[[float], None]]:
        """Run one step; the yielded function reports how much of ``total`` is done. Until it
        is first called the step shows a moving block (a reader that cannot tell its share)."""
        done: list[float | None] = [None]

        def advance(amount: float) -> None:
            done[0] = amount

        if not self.enabled:
            yield advance
            return
        started = time.monotonic()
        finished = threading.Event()
        shown = [False]

        def draw() -> None:
            tick = 0
            if finished.wait(self.delay):
                return
            while not finished.is_set():
                share = done[0] / total if total and done[0] is not None else None
                self.stream.write(self._line(label, time.monotonic() - started, share, tick))
                self.stream.flush()
                shown[0] = True
                tick += 1
                finished.wait(self.interval)

        drawer = threading.Thread(target=draw, name="progress", daemon=True)
        drawer.start()
        try:
            yield advance
        finally:
            finished.set()
            drawer.join()
            if shown[0]:
                elapsed = time.monotonic() - started
                # Overwrite the bar with a plain line that stays in the scrollback.
                self.stream.write(f"\r{label}: {elapsed:.1f} s\033[K\n")
                self.stream.flush()
