"""Before and after, side by side: a cold ``track2_groups`` (choosing k and fitting) on the real
conversations of tests/data/polis, three simulated rooms and a 5,000 × 300 dialogue, this
checkout against another (``--before``, e.g. a git worktree of an older commit). The two
alternate in fresh processes, threads pinned; each run times ``--repeat`` analyses
(``random_state`` 0, 1, ...) after one warm-up and reports their median. Prints one Markdown row per dialogue: each tree's medians,
the ratio of their medians, and whether the k, the rounds' choices and the verdict are the same
on every seed.

    git worktree add /tmp/before d7777e0
    .venv/bin/python benchmarks/ab_groups_cold.py --before /tmp/before --runs 2 --repeat 3
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent.parent
PINNED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
ROOMS = {
    "room 20 × 40": (20, 40, 2, 20),
    "room 40 × 60": (40, 60, 2, 30),
    "150 × 60": (150, 60, 3, 40),
    "5,000 × 300": (5000, 300, 4, 25),
}

# Run in the tree under test (its own src on PYTHONPATH): prints {name: [seconds, results]}.
ONE_TREE = r"""
import json, statistics, sys, time
from pathlib import Path
from track2.commonground import load_conversation
from track2.commonground.track2mode import track2_groups
from track2.simulate import SimulationParams, simulate_dialogue

data, repeat, rooms = Path(sys.argv[1]), int(sys.argv[2]), json.loads(sys.argv[3])
cases = {f.name: load_conversation(f).matrix for f in sorted(data.iterdir()) if f.is_dir()}
for name, (n, m, g, mean) in rooms.items():
    params = SimulationParams(n_participants=n, n_statements=m, n_groups=g, mean_votes=mean)
    cases[name] = simulate_dialogue(params, seed=1).matrix
out = {}
for name, votes in cases.items():
    track2_groups(votes, random_state=0)
    seconds, results = [], []
    for seed in range(repeat):
        started = time.perf_counter()
        groups = track2_groups(votes, random_state=seed)
        seconds.append(time.perf_counter() - started)
        results.append([groups.n_groups, groups.beats_one_group, list(groups.k_by_round)])
    out[name] = [statistics.median(seconds), results]
print(json.dumps(out))
"""


def one_run(root: Path, repeat: int) -> dict[str, Any]:
    env = dict(os.environ, **PINNED, PYTHONPATH=str(root / "src"))
    data = str(HERE / "tests" / "data" / "polis")
    done = subprocess.run(
        [sys.executable, "-c", ONE_TREE, data, str(repeat), json.dumps(ROOMS)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, required=True, help="another checkout's root")
    parser.add_argument("--runs", type=int, default=2, help="alternating runs of each tree")
    parser.add_argument("--repeat", type=int, default=3, help="analyses timed per run")
    args = parser.parse_args()
    trees = {"before": args.before.resolve(), "after": HERE}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in trees}
    for turn in range(args.runs):
        order = list(trees) if turn % 2 == 0 else list(reversed(trees))
        for name in order:
            runs[name].append(one_run(trees[name], args.repeat))
    print("| dialogue | before (ms) | after (ms) | ratio | same results |")
    print("|---|---|---|---|---|")
    for dialogue in runs["after"][0]:
        before = [run[dialogue][0] for run in runs["before"]]
        after = [run[dialogue][0] for run in runs["after"]]
        same = all(run[dialogue][1] == runs["before"][0][dialogue][1] for run in runs["after"])
        cells = [", ".join(f"{s * 1000:.0f}" for s in times) for times in (before, after)]
        ratio = statistics.median(before) / statistics.median(after)
        print(
            f"| {dialogue} | {cells[0]} | {cells[1]} | {ratio:.2f}× | {'yes' if same else 'no'} |"
        )


if __name__ == "__main__":
    main()
