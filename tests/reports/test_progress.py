"""The progress bar of slow `track2 analyze` steps: on a terminal only, only past the delay."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path

from track2.reports.progress import Progress

BREXIT = Path(__file__).resolve().parents[1] / "data" / "polis" / "brexit-consensus"


def _terminal_output(run) -> str:  # type: ignore[no-untyped-def]
    """Run ``run(stream)`` with ``stream`` a real pseudo-terminal; return what it drew."""
    controller, terminal = os.openpty()
    with os.fdopen(terminal, "w", encoding="utf-8", closefd=True) as stream:
        assert stream.isatty()
        run(stream)
    chunks = []
    os.set_blocking(controller, False)
    while True:
        try:
            chunk = os.read(controller, 65536)
        except (BlockingIOError, OSError):
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    return b"".join(chunks).decode("utf-8")


def test_a_slow_step_draws_a_bar_with_its_share_on_a_terminal() -> None:
    def run(stream):  # type: ignore[no-untyped-def]
        progress = Progress(stream, delay=0.05, interval=0.02)
        with progress.step("reading votes.csv", total=200) as advance:
            advance(100)
            time.sleep(0.3)

    shown = _terminal_output(run)
    assert "\rreading votes.csv [" + "#" * 12 + "-" * 12 + "]  50%" in shown
    assert "reading votes.csv: 0." in shown  # the closing line with the time it took


def test_a_step_of_unknown_size_shows_a_moving_block_and_the_time() -> None:
    def run(stream):  # type: ignore[no-untyped-def]
        with Progress(stream, delay=0.05, interval=0.02).step("analysing (track2 mode)"):
            time.sleep(0.3)

    shown = _terminal_output(run)
    frames = [f for f in shown.split("\r") if f.startswith("analysing (track2 mode) [")]
    assert len(frames) >= 3
    assert frames[0] != frames[1]  # the block moves
    assert all(f.rstrip().endswith(" s") for f in frames)


def test_quick_steps_and_pipes_show_nothing() -> None:
    def quick(stream):  # type: ignore[no-untyped-def]
        with Progress(stream, delay=1.0).step("reading"):
            pass

    assert _terminal_output(quick) == ""
    not_a_terminal = StringIO()
    with Progress(not_a_terminal, delay=0.0, interval=0.01).step("reading"):
        time.sleep(0.1)
    assert not_a_terminal.getvalue() == ""


def test_analyze_on_a_pipe_writes_no_progress() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "track2", "analyze", str(BREXIT), "--mode", "polis"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    assert "opinion groups" in done.stdout


def test_a_sized_step_shows_a_moving_block_until_its_share_is_reported() -> None:
    # A small votes.csv or a participants-votes.csv reports no share: no bar stuck at 0%.
    def run(stream):  # type: ignore[no-untyped-def]
        with Progress(stream, delay=0.05, interval=0.02).step("reading", total=1.0):
            time.sleep(0.3)

    frames = [f for f in _terminal_output(run).split("\r") if f.startswith("reading [")]
    assert len(frames) >= 3 and not any("%" in f for f in frames)
