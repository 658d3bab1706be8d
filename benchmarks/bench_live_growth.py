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

``--beside LAG``: also grow each room the way the dialogue room does since stop 44: updates never
choose the groups themselves (``regroup_when_due=False``); when an update's result is
``regroup_due``, ``regroup`` runs on it as if beside the updates, its result is taken up LAG
votes later by ``catch_up`` (the votes cast while it ran) and the next update continues from
there. Prints, beside the same figures, the regroups' own times (off the votes' path) and the
largest update including its catch-up (what the map waits for).

Runs against any checkout's ``src`` on ``PYTHONPATH`` (an older one has no ``grouped_at_votes``:
its count of regroupings reads 0; nor ``regroup``: do not pass ``--beside`` to it).
"""

from __future__ import annotations

import argparse
import importlib.util
import time
from pathlib import Path

import numpy as np

from track2.commonground import live_analysis, update

try:
    from track2.commonground import catch_up, regroup
except ImportError:  # an older checkout: no --beside
    catch_up = regroup = None  # type: ignore[assignment]
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


def grow(n: int, m: int, seed: int, beside: int | None = None) -> str:
    """One room grown from a quarter of its votes; its result line. ``beside``: regroups run
    beside the updates, taken up that many votes after they start."""
    params = SimulationParams(n_participants=n, n_statements=m, mean_votes=min(40, m))
    start, rest = grown_room(simulate_dialogue(params, seed=seed).matrix, 0.25, seed)
    live = live_analysis(start, conversation="room")
    times, chosen = [], {getattr(live, "grouped_at_votes", 0)}
    regroup_ms: list[float] = []
    running: tuple[int, object] | None = None  # (vote at which it is taken up, its result)
    for step, (vote, joining, opened) in enumerate(rest):
        t = time.perf_counter()
        base = live
        if running is not None and step >= running[0]:
            base = catch_up(running[1], live)  # type: ignore[arg-type]
            running = None
        live = update(
            base,
            [vote],
            conversation="room",
            new_participants=joining,
            new_statements=opened,
            **({} if beside is None else {"regroup_when_due": False}),
        )
        times.append(time.perf_counter() - t)
        if beside is not None and running is None and live.regroup_due:
            t = time.perf_counter()
            running = (step + 1 + beside, regroup(live))
            regroup_ms.append((time.perf_counter() - t) * 1e3)
        chosen.add(getattr(live, "grouped_at_votes", 0))
    same_k = live_analysis(live.matrix, conversation="room", n_groups=live.k)
    free = live_analysis(live.matrix, conversation="room")
    gap = (live.groups.log_likelihood - same_k.groups.log_likelihood) / abs(
        same_k.groups.log_likelihood
    )
    ms = np.asarray(times) * 1e3
    how = "inline" if beside is None else f"beside (taken up {beside} votes later)"
    regroups = ""
    if regroup_ms:
        regroups = f"; regroups beside {len(regroup_ms)}, largest {max(regroup_ms):.0f} ms"
    return (
        f"{n} × {m} seed {seed}, {how}: {len(times)} updates, median {np.median(ms):.2f} ms, "
        f"p90 {np.percentile(ms, 90):.2f}, max {ms.max():.1f}; groups chosen again "
        f"{len(chosen) - 1} times; log-likelihood vs cold of the same k {gap:+.2%}, "
        f"ARI {adjusted_rand_index(live.group_labels, same_k.group_labels):.3f}; "
        f"k live {live.k}, cold {free.k}; groups with members {len(live.group_ids)}{regroups}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=5, help="rooms of each size (seeds 1..N)")
    parser.add_argument(
        "--beside",
        type=int,
        metavar="LAG",
        help="also grow each room with its regroups beside the updates, taken up LAG votes later",
    )
    args = parser.parse_args()
    for n, m in SIZES:
        for seed in range(1, args.seeds + 1):
            print(grow(n, m, seed), flush=True)
            if args.beside is not None:
                print(grow(n, m, seed, args.beside), flush=True)


if __name__ == "__main__":
    main()
