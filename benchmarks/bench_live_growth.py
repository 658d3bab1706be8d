"""A room that grows vote by vote (issue 15, item 6, and the dialogue room).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        .venv/bin/python benchmarks/bench_live_growth.py [--seeds 5]

A room's groups are first chosen when a handful of people have voted, and every later vote is a
live ``update``. For each room (simulated, 40 × 60 and 300 × 80, seeds 1..N): a cold
``live_analysis`` on a random quarter of its votes, then the other three quarters one vote at a
time in a random order (announcing each newcomer and new statement), then a cold analysis of the
final votes with the live k (the fit to match) and one that chooses k. Prints per room: the
updates' median, 90th percentile and largest time (wall, ms), how many times the groups were
chosen again, the live fit's log-likelihood against the cold fit of the same k (relative), the
ARI between them, the live k and the cold k, and how many groups have members.

Runs against any checkout's ``src`` on ``PYTHONPATH`` (an older one has no ``grouped_at_votes``:
its count of regroupings reads 0).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

from track2.commonground import live_analysis, update
from track2.commonground.stats import adjusted_rand_index
from track2.simulate import SimulationParams, simulate_dialogue

try:
    from track2.simulate import grown_room
except ImportError:  # an older checkout's src on PYTHONPATH (the "before" side): this one's helper
    _spec = importlib.util.spec_from_file_location(
        "arrival", Path(__file__).resolve().parents[1] / "src/track2/simulate/arrival.py"
    )
    if _spec is None or _spec.loader is None:
        raise
    _arrival = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(_arrival)
    grown_room = _arrival.grown_room

SIZES = ((40, 60), (300, 80))


def grow(n: int, m: int, seed: int) -> str:
    """One room grown from a quarter of its votes; its result line."""
    params = SimulationParams(n_participants=n, n_statements=m, mean_votes=min(40, m))
    start, rest = grown_room(simulate_dialogue(params, seed=seed).matrix, 0.25, seed)
    live = live_analysis(start, conversation="room")
    times, chosen = [], {getattr(live, "grouped_at_votes", 0)}
    for vote, joining, opened in rest:
        t = time.perf_counter()
        live = update(
            live, [vote], conversation="room", new_participants=joining, new_statements=opened
        )
        times.append(time.perf_counter() - t)
        chosen.add(getattr(live, "grouped_at_votes", 0))
    same_k = live_analysis(live.matrix, conversation="room", n_groups=live.k)
    free = live_analysis(live.matrix, conversation="room")
    gap = (live.groups.log_likelihood - same_k.groups.log_likelihood) / abs(
        same_k.groups.log_likelihood
    )
    ms = np.asarray(times) * 1e3
    return (
        f"{n} × {m} seed {seed}: {len(times)} updates, median {np.median(ms):.2f} ms, "
        f"p90 {np.percentile(ms, 90):.2f}, max {ms.max():.1f}; groups chosen again "
        f"{len(chosen) - 1} times; log-likelihood vs cold of the same k {gap:+.2%}, "
        f"ARI {adjusted_rand_index(live.group_labels, same_k.group_labels):.3f}; "
        f"k live {live.k}, cold {free.k}; groups with members {len(live.group_ids)}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="rooms of each size (seeds 1..N)")
    args = parser.parse_args()
    for n, m in SIZES:
        for seed in range(1, args.seeds + 1):
            print(grow(n, m, seed), flush=True)


if __name__ == "__main__":
    main()
