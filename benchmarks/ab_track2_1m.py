"""Before and after, side by side: the 1M × 5k whole Track 2 analysis of another checkout
(``--before``, e.g. a git worktree of an older commit) against this one, on the shapes of
bench_track2_1m.py, alternating (before, after; then after, before), each run in a fresh
process with threads pinned; medians, ranges and ratios at the end.

    git worktree add /tmp/before 3115880
    .venv/bin/python benchmarks/ab_track2_1m.py --before /tmp/before --runs 3 \
        --cache /tmp/track2-1m

Each version runs its own benchmarks/bench_track2_1m.py with its own src on PYTHONPATH, and
both read the same cached matrices (the cache key is the simulation's parameters).
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
from bench_track2_1m import SHAPES

HERE = Path(__file__).resolve().parent.parent
PINNED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def one_run(root: Path, shape_args: list[str], cache: str) -> tuple[float, float, str]:
    """Wall seconds, peak MB and the ARI line of one analysis by the checkout at ``root``."""
    out = subprocess.run(
        [sys.executable, str(root / "benchmarks" / "bench_track2_1m.py"), *shape_args]
        + ["--cache", cache],
        env={**os.environ, **PINNED, "PYTHONPATH": str(root / "src")},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    wall = re.search(r"analyze_track2 wall ([\d.]+) s", out)
    peak = re.search(r"process peak (\d+) MB", out)
    # planted shapes: the ARI as a share of the oracle's; the continuum: the ARI itself
    ari = re.search(r"\(([\d.]+%) of the oracle\)", out) or re.search(
        r"ARI against the \d+ overlapping clusters ([\d.]+)", out
    )
    if not (wall and peak and ari):
        raise SystemExit(f"unexpected output from {root}:\n{out}")
    return float(wall.group(1)), float(peak.group(1)), ari.group(1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", required=True, type=Path, help="the other checkout")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--cache", default="/tmp/track2-1m")
    args = parser.parse_args()
    versions = {"before": args.before.resolve(), "after": HERE}
    walls: dict[tuple[str, str], list[float]] = {}
    peaks: dict[tuple[str, str], list[float]] = {}
    for run in range(args.runs):
        for shape, shape_args in SHAPES.items():
            order = ["before", "after"] if run % 2 == 0 else ["after", "before"]
            for version in order:
                wall, peak, ari = one_run(versions[version], shape_args, args.cache)
                walls.setdefault((shape, version), []).append(wall)
                peaks.setdefault((shape, version), []).append(peak)
                print(
                    f"run {run + 1} {version:6s} {shape}: wall {wall:.2f} s, peak {peak:.0f} MB, "
                    f"Track 2 ARI {ari} (of the oracle's, or against the clusters)",
                    flush=True,
                )
    for shape in SHAPES:
        before, after = walls[(shape, "before")], walls[(shape, "after")]
        print(
            f"{shape}: before median {np.median(before):.2f} s ({min(before):.2f}-"
            f"{max(before):.2f}), after median {np.median(after):.2f} s ({min(after):.2f}-"
            f"{max(after):.2f}), {np.median(before) / np.median(after):.2f}x; peak "
            f"{max(peaks[(shape, 'before')]):.0f} -> {max(peaks[(shape, 'after')]):.0f} MB"
        )


if __name__ == "__main__":
    main()
