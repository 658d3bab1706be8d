"""Whole Track 2 mode analysis (`analyze_track2`: Pol.is map + Track 2 groups + bridging +
sides) at 1M × 5k, in-process on a simulated dialogue; file reading excluded as in issue 3.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        .venv/bin/python benchmarks/bench_track2_1m.py [--participants N --statements M]
        [--groups G --mean-votes V --popularity-skew S --exposure-tail T]
    # the shapes of issue 15, each in a fresh process (--cache DIR: simulate once, keep
    # the matrix in DIR as .npz, time only the analysis on later runs):
    .venv/bin/python benchmarks/bench_track2_1m.py --shapes [--cache /tmp/track2-1m] [--repeat 5]
    # --repeat N: each shape N times, interleaved, each in a fresh process; medians at the end
    # --workers 1,2: each shape with 1 and with 2 threads, side by side
    # a fourth shape from an independent generator (track2.simulate.continuum: ideal points
    # in a plane, no latent groups): --continuum [--mean-votes 35 is its median]

Prints the stage timings (wall and CPU), the process's peak resident memory (ru_maxrss) and
the ARI of the Bayes oracle and of the Track 2 groups against the planted groups.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path

import numpy as np

from track2.commonground.matrix import VoteMatrix
from track2.commonground.stats import adjusted_rand_index
from track2.commonground.track2_analysis import analyze_track2
from track2.simulate.continuum import ContinuumParams, continuum_clusters, simulate_continuum
from track2.simulate.dialogue import (
    SimulationParams,
    SyntheticTruth,
    plant,
    simulate_dialogue,
)
from track2.simulate.oracle import oracle_from_truth

_RESULT = "result (wall s, peak MB):"  # the line --shapes --repeat reads back

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
    # more groups than the scan's max_groups (8): the slowest shape to choose k on, and the
    # flattest spectrum for the Pol.is map (44 Lanczos products where 4 groups need 33)
    "flat, more groups than the scan tries (10 groups, median ≈ 55 votes, skew 0.3)": [
        "--groups",
        "10",
        "--mean-votes",
        "70",
        "--popularity-skew",
        "0.3",
    ],
    "continuum (ideal points in a plane, 3 overlapping clusters, median ≈ 26 votes, Zipf 1.1)": [
        "--continuum",
        "--mean-votes",
        "35",
    ],
}


def _cached(key: str, cache: str | None, make: Callable[[], VoteMatrix]) -> VoteMatrix:
    """``make()``, kept in (and read back from) an .npz file in ``cache`` named after ``key``."""
    path = None
    if cache:
        path = Path(cache) / f"track2-1m-{hashlib.sha256(key.encode()).hexdigest()[:16]}.npz"
        if path.exists():
            with np.load(path) as saved:
                arrays = {name: saved[name] for name in saved.files}
            return VoteMatrix(**arrays)
    matrix = make()
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez(path, **{f.name: getattr(matrix, f.name) for f in fields(VoteMatrix)})
    return matrix


def simulated_matrix(
    params: SimulationParams, cache: str | None
) -> tuple[VoteMatrix, SyntheticTruth]:
    """The seed-1 dialogue of ``params``; with ``cache``, its matrix is kept in (and read back
    from) an .npz file there. The truth is planted again: it is cheap and deterministic."""
    matrix = _cached(repr(params), cache, lambda: simulate_dialogue(params, seed=1).matrix)
    return matrix, plant(params, 1)


def run_shapes(extra_args: list[str], repeat: int, workers: list[int | None]) -> None:
    """Each shape ``repeat`` times with each of ``workers`` (None: the analysis's own choice),
    each run in a fresh process, interleaved (shape 1 with each worker count, shape 2, ...,
    then again), then the median, lowest and highest wall time and peak per shape and count."""
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "OPENBLAS_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
    }
    results: dict[tuple[str, int | None], list[tuple[float, float]]] = {
        (name, count): [] for name in SHAPES for count in workers
    }
    for run in range(repeat):
        for name, extra in SHAPES.items():
            for count in workers:
                threads = [] if count is None else ["--workers", str(count)]
                print(
                    f"== {name}"
                    + ("" if count is None else f", {count} thread(s)")
                    + (f" (run {run + 1} of {repeat})" if repeat > 1 else ""),
                    flush=True,
                )
                done = subprocess.run(
                    [sys.executable, __file__, *extra, *extra_args, *threads],
                    env=env,
                    check=False,
                    capture_output=True,
                    text=True,
                )
                print(done.stdout, end="", flush=True)
                print(done.stderr, end="", file=sys.stderr, flush=True)
                for line in done.stdout.splitlines():
                    if line.startswith(_RESULT):
                        wall, peak = (float(v) for v in line[len(_RESULT) :].split())
                        results[name, count].append((wall, peak))
    if repeat > 1:
        print("== summary: wall time (s) and process peak (MB) per shape")
        for (name, count), runs in results.items():
            walls, peaks = [w for w, _ in runs], [p for _, p in runs]
            if walls:
                label = "" if count is None else f", {count} thread(s)"
                print(
                    f"{name}{label}: median {np.median(walls):.2f} s (lowest {min(walls):.2f}, "
                    f"highest {max(walls):.2f}, {len(walls)} runs); peak median "
                    f"{np.median(peaks):.0f} MB (highest {max(peaks):.0f})"
                )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--participants", type=int, default=1_000_000)
    parser.add_argument("--statements", type=int, default=5_000)
    parser.add_argument("--groups", type=int, default=4)
    parser.add_argument("--mean-votes", type=float, default=62)
    parser.add_argument("--popularity-skew", type=float, default=1.0)
    parser.add_argument("--exposure-tail", type=float, default=2.5)
    parser.add_argument("--shapes", action="store_true", help="run the five shapes")
    parser.add_argument(
        "--continuum",
        action="store_true",
        help="the independent generator (track2.simulate.continuum); --mean-votes is its median",
    )
    parser.add_argument(
        "--workers",
        help="threads for analyze_track2 (default: its own choice, 2 on two cores at 1M); "
        "with --shapes a list such as 1,2 runs each shape with each, side by side",
    )
    parser.add_argument(
        "--repeat", type=int, default=1, help="with --shapes: runs of each shape (medians)"
    )
    parser.add_argument(
        "--cache",
        metavar="DIR",
        help="keep each simulated matrix in DIR as .npz and reuse it (times the analysis only)",
    )
    args = parser.parse_args()
    if args.shapes:
        counts: list[int | None] = [None]
        if args.workers is not None:
            counts = [int(c) for c in args.workers.split(",")]
        run_shapes(["--cache", args.cache] if args.cache else [], args.repeat, counts)
        return
    t0 = time.perf_counter()
    truth: SyntheticTruth | None = None
    if args.continuum:
        shape = ContinuumParams(
            n_participants=args.participants,
            n_statements=args.statements,
            median_votes=args.mean_votes,
        )
        matrix = _cached(repr(shape), args.cache, lambda: simulate_continuum(shape, seed=1)[0])
        planted_clusters = continuum_clusters(shape, seed=1)
        side_of = [f"side-{c % 2}" for c in planted_clusters.tolist()]
    else:
        params = SimulationParams(
            n_participants=args.participants,
            n_statements=args.statements,
            n_groups=args.groups,
            mean_votes=args.mean_votes,
            popularity_skew=args.popularity_skew,
            exposure_tail=args.exposure_tail,
        )
        matrix, truth = simulated_matrix(params, args.cache)
        side_of = [str(s) for s in truth.side.tolist()]
    simulated = time.perf_counter() - t0
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    timings: dict[str, float] = {}
    cpu_timings: dict[str, float] = {}
    t0, c0 = time.perf_counter(), time.process_time()
    result = analyze_track2(
        matrix,
        random_state=0,
        side_of=side_of,
        timings=timings,
        cpu_timings=cpu_timings,
        workers=None if args.workers is None else int(args.workers),
    )
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(
        f"simulated {args.participants} x {args.statements} ({matrix.n_votes:,} votes, "
        f"median {int(np.median(matrix.votes_per_participant))} per person) in "
        f"{simulated:.1f} s; peak before analysis {before:.0f} MB"
    )
    print(
        f"analyze_track2 wall {wall:.2f} s, CPU {cpu:.2f} s; stages (wall / CPU): "
        + ", ".join(f"{k} {v:.2f}/{cpu_timings.get(k, 0):.2f}" for k, v in timings.items())
    )
    print(f"process peak {peak:.0f} MB; load average (1 min) {load:.1f}")
    print(f"{_RESULT} {wall:.3f} {peak:.0f}")
    # Quality, after the peak was read: ARI of the Bayes oracle and of the Track 2 groups
    # against the planted groups, over participants with at least one vote.
    voters = np.diff(matrix.indptr) > 0
    found = result.groups.labels[voters]
    if truth is None:  # a continuum has clusters of ideal points, not groups: no oracle
        ari = adjusted_rand_index(planted_clusters[voters], found)
        print(f"groups: {result.groups.n_groups}; ARI against the 3 overlapping clusters {ari:.4f}")
        return
    planted = truth.group[matrix.participant_ids][voters]
    oracle = oracle_from_truth(matrix, truth).labels[voters]
    ari_o, ari_t = adjusted_rand_index(planted, oracle), adjusted_rand_index(planted, found)
    print(
        f"groups: {result.groups.n_groups} (planted {args.groups}); ARI oracle {ari_o:.4f}, "
        f"Track 2 {ari_t:.4f} ({ari_t / ari_o:.1%} of the oracle)"
    )


if __name__ == "__main__":
    main()
