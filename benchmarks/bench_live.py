"""Live update benchmark (issue 15, item 6): a re-analysis after one new vote.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        .venv/bin/python benchmarks/bench_live.py [--updates 50]

For each size (40 × 60 and 2,000 × 300, simulated with two declared sides, seed 1): a cold
``live_analysis``, then ``--updates`` calls of ``update`` with one random vote each (a random
participant and statement, so about half replace an earlier vote). Reports the median and 90th
percentile of the update time (wall, and the process's CPU time: the machine is shared), its mean
(bridging is refitted on every 4th update only, so the median alone would hide it), the median
per stage, and the cold Track 2 analysis
(``analyze_track2`` with sides, median of 5) for comparison. One process, threads pinned.

``--profile``: instead, 300 updates at 40 × 60 under cProfile with the thread's CPU clock
(``time.thread_time``), the 25 costliest functions by own time: where a small room's update
goes.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import statistics
import time

import numpy as np

from track2.commonground import analyze_track2, live_analysis, update
from track2.simulate.dialogue import SimulationParams, simulate_dialogue

SIZES = {"40 × 60": (40, 60, 40), "2,000 × 300": (2_000, 300, 60)}
TARGETS_MS = {"40 × 60": 3.0, "2,000 × 300": 25.0}


def run(name: str, updates: int) -> None:
    n, m, mean_votes = SIZES[name]
    dialogue = simulate_dialogue(
        SimulationParams(n_participants=n, n_statements=m, mean_votes=mean_votes), seed=1
    )
    side_of = [str(s) for s in dialogue.truth.side.tolist()]
    cold_times = []
    for _ in range(5):
        t0 = time.perf_counter()
        analyze_track2(dialogue.matrix, side_of=side_of)
        cold_times.append(time.perf_counter() - t0)
    live = live_analysis(dialogue.matrix, conversation="bench", side_of=side_of)
    rng = np.random.default_rng(0)
    times: list[float] = []
    cpu: list[float] = []
    stages: dict[str, list[float]] = {}
    for _ in range(updates):
        vote = (
            int(dialogue.matrix.participant_ids[rng.integers(n)]),
            int(dialogue.matrix.statement_ids[rng.integers(m)]),
            int(rng.choice([-1, 0, 1])),
        )
        t0, c0 = time.perf_counter(), time.process_time()
        timings: dict[str, float] = {}
        live = update(live, [vote], conversation="bench", timings=timings)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
        for stage, seconds in timings.items():
            stages.setdefault(stage, []).append(seconds)
    median_ms = 1000 * statistics.median(times)
    p90_ms = 1000 * float(np.percentile(times, 90))
    verdict = "met" if median_ms <= TARGETS_MS[name] else "NOT met"
    print(
        f"{name}: {dialogue.matrix.n_votes:,} votes, k={live.k}; update after one vote: "
        f"median {median_ms:.2f} ms (CPU {1000 * statistics.median(cpu):.2f} ms), "
        f"mean {1000 * statistics.fmean(times):.2f} ms (CPU {1000 * statistics.fmean(cpu):.2f}), "
        f"p90 {p90_ms:.2f} ms over {updates} updates "
        f"(target ≤ {TARGETS_MS[name]:g} ms: {verdict}); cold analyze_track2 with sides: "
        f"median {1000 * statistics.median(cold_times):.1f} ms"
    )
    print(
        "  stages (median ms): "
        + ", ".join(f"{s} {1000 * statistics.median(v):.2f}" for s, v in stages.items())
    )


def profile(updates: int = 300) -> None:
    n, m, mean_votes = SIZES["40 × 60"]
    dialogue = simulate_dialogue(
        SimulationParams(n_participants=n, n_statements=m, mean_votes=mean_votes), seed=1
    )
    side_of = [str(s) for s in dialogue.truth.side.tolist()]
    live = live_analysis(dialogue.matrix, conversation="bench", side_of=side_of)
    rng = np.random.default_rng(0)
    votes = [
        (
            int(dialogue.matrix.participant_ids[rng.integers(n)]),
            int(dialogue.matrix.statement_ids[rng.integers(m)]),
            int(rng.choice([-1, 0, 1])),
        )
        for _ in range(updates)
    ]
    profiler = cProfile.Profile(time.thread_time)
    profiler.enable()
    for vote in votes:
        live = update(live, [vote], conversation="bench")
    profiler.disable()
    pstats.Stats(profiler).sort_stats("tottime").print_stats(25)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--updates", type=int, default=50)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    if args.profile:
        profile()
        return
    for name in SIZES:
        run(name, args.updates)


if __name__ == "__main__":
    main()
