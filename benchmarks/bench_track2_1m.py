"""Whole Track 2 mode analysis (`analyze_track2`: Pol.is map + Track 2 groups + bridging +
sides) at 1M × 5k, in-process on a simulated dialogue; file reading excluded as in issue 3.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        .venv/bin/python benchmarks/bench_track2_1m.py [--participants N --statements M]

Prints the stage timings and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time

from track2.commonground.track2_analysis import analyze_track2
from track2.simulate.dialogue import SimulationParams, simulate_dialogue


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--mean-votes", type=int, default=62)
    args = parser.parse_args()
    t0 = time.perf_counter()
    dialogue = simulate_dialogue(
        SimulationParams(
            n_participants=args.participants,
            n_statements=args.statements,
            n_groups=4,
            mean_votes=args.mean_votes,
        ),
        seed=1,
    )
    simulated = time.perf_counter() - t0
    side_of = [str(s) for s in dialogue.truth.side.tolist()]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    t0 = time.perf_counter()
    timings: dict[str, float] = {}
    analyze_track2(dialogue.matrix, random_state=0, side_of=side_of, timings=timings)
    wall = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"simulated {args.participants} x {args.statements} in {simulated:.1f} s; peak before analysis {before:.0f} MB"
    )
    print(
        f"analyze_track2 wall {wall:.2f} s; stages: "
        + ", ".join(f"{k} {v:.2f}" for k, v in timings.items())
    )
    print(f"process peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
