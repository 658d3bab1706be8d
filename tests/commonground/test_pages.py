"""small_pages(): numpy's huge-page advice is off inside, and back as it was after the last
block ends, however blocks on different threads nest and overlap."""

from __future__ import annotations

import threading

import pytest

from track2.commonground import pages
from track2.commonground.pages import small_pages
from track2.commonground.track2_analysis import analyze_track2
from track2.simulate import SimulationParams, simulate_dialogue

pytestmark = pytest.mark.skipif(pages._set_madvise is None, reason="numpy without the switch")


def advising() -> bool:
    """numpy's current setting (reading it means setting it, so it is set back)."""
    assert pages._set_madvise is not None
    now = bool(pages._set_madvise(True))
    pages._set_madvise(now)
    return now


@pytest.fixture(autouse=True)
def advice_on():
    assert pages._set_madvise is not None
    before = pages._set_madvise(True)
    yield
    pages._set_madvise(before)


def test_off_inside_and_restored_after() -> None:
    with small_pages():
        assert not advising()
        with small_pages():
            assert not advising()
        assert not advising()
    assert advising()


def test_restored_after_an_error() -> None:
    with pytest.raises(ZeroDivisionError), small_pages():
        _ = 1 / 0
    assert advising()


def test_overlapping_blocks_on_two_threads() -> None:
    entered, release = threading.Event(), threading.Event()

    def other() -> None:
        with small_pages():
            entered.set()
            release.wait(10)

    thread = threading.Thread(target=other)
    with small_pages():
        thread.start()
        assert entered.wait(10)
    # this thread's block has ended, the other's has not: still off
    assert not advising()
    release.set()
    thread.join(10)
    assert advising()


def test_an_analysis_runs_in_small_pages_and_restores() -> None:
    seen: list[bool] = []
    matrix = simulate_dialogue(SimulationParams(n_participants=60, n_statements=20), seed=1).matrix

    class Watched(dict[str, float]):
        """Timings that note numpy's setting as each stage ends."""

        def __setitem__(self, stage: str, value: float) -> None:
            seen.append(advising())
            super().__setitem__(stage, value)

    analyze_track2(matrix, timings=Watched())
    assert seen and not any(seen)
    assert advising()
