"""Whole Track 2 mode analysis (`analyze_track2`: Pol.is map + Track 2 groups + bridging +
sides) at 1M × 5k, in-process on a simulated dialogue; file reading excluded as in issue 3.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        .venv/bin/python benchmarks/bench_track2_1m.py [--participants N --statements M]
        [--groups G --mean-votes V --popularity-skew S --exposure-tail T]
    # the three shapes of issue 15, each in a fresh process:
    .venv/bin/python benchmarks/bench_track2_1m.py --shapes

Prints the stage timings and the process's peak resident memory (ru_maxrss).
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import time

import numpy as np

from track2.commonground.track2_analysis import analyze_track2
from track2.simulate.dialogue import SimulationParams, simulate_dialogue

# Differently shaped dialogues (issue 15, item 7): votes per person, exposure skew, groups.
SHAPES = {
    "default (4 groups, 62 votes, skew 1.0)": ["--groups", "4", "--mean-votes", "62"],
    "sparse, skewed (3 groups, median ≈ 35 votes, skew 1.2, tail 1.8)": [
        "--groups",
        "3",
        "--mean-votes",
        "90",
        "--popularity-skew",
        "1.2",
        "--exposure-tail",
        "1.8",
    ],
    "flat, many groups (7 groups, median ≈ 55 votes, skew 0.3)": [
        "--groups",
        "7",
        "--mean-votes",
        "70",
        "--popularity-skew",
        "0.3",
    ],
}


def run_shapes() -> None:
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    for name, extra in SHAPES.items():
        print(f"== {name}", flush=True)
        subprocess.run([sys.executable, __file__, *extra], env=env, check=False)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--mean-votes", type=float, default=62)
    parser.add_argument("--popularity-skew", type=float, default=1.0)
    parser.add_argument("--exposure-tail", type=float, default=2.5)
    parser.add_argument("--shapes", action="store_true", help="run the three shapes")
    args = parser.parse_args()
    if args.shapes:
        run_shapes()
        return
    t0 = time.perf_counter()
    dialogue = simulate_dialogue(
        SimulationParams(
            n_participants=args.participants,
            n_statements=args.statements,
            n_groups=args.groups,
            mean_votes=args.mean_votes,
            popularity_skew=args.popularity_skew,
            exposure_tail=args.exposure_tail,
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
        f"simulated {args.participants} x {args.statements} ({dialogue.matrix.n_votes:,} votes, "
        f"median {int(np.median(dialogue.matrix.votes_per_participant))} per person) in "
        f"{simulated:.1f} s; peak before analysis {before:.0f} MB"
    )
    print(
        f"analyze_track2 wall {wall:.2f} s; stages: "
        + ", ".join(f"{k} {v:.2f}" for k, v in timings.items())
    )
    print(f"process peak {peak:.0f} MB")


if __name__ == "__main__":
    main()
