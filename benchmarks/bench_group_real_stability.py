"""Issue 15, item 2, on real conversations: do Track 2 mode's groups depend on the seed?

There is no planted truth in a real conversation, so this measures agreement between analyses of
the same votes: for every conversation in tests/data/polis, ``track2_groups`` with
``random_state`` 0..N-1 on the file's order, and with ``random_state`` 0 on N random orders of
its rows and columns (the same votes). Per conversation: the k of each run, how often two runs
agree on k, and the mean and lowest ARI between two runs' groups (over every pair of the 2N);
then how many runs' reports caution that another run may draw another number of groups
(``k_settled`` False or a close call, ``Track2Groups.close_calls``): of the runs whose k is not
the most common one (each should), and of the others. Prints Markdown.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_real_stability.py [--runs 8]

Runs against any checkout's ``src`` on ``PYTHONPATH``.
"""

from __future__ import annotations

import argparse
import itertools
import time
from collections import Counter
from pathlib import Path

import numpy as np

from track2.commonground import load_conversation, track2_groups
from track2.commonground.stats import adjusted_rand_index

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=8, help="seeds, and as many row orders")
    parser.add_argument(
        "--real", type=Path, default=DATA, help="folder of Pol.is conversations, one per subfolder"
    )
    args = parser.parse_args()
    runs = args.runs
    print(
        "| conversation | voters | k by seed | k by row order | two runs agree on k "
        "| ARI between two runs: mean | lowest | s per run | splits into fifths "
        "| cautioned: other k | cautioned: most common k |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for folder in sorted(p for p in args.real.iterdir() if p.is_dir()):
        votes = load_conversation(folder).matrix
        started = time.perf_counter()
        by_seed, by_order, labels, cautioned = [], [], [], []
        for seed in range(runs):
            groups = track2_groups(votes, random_state=seed)
            by_seed.append(groups.n_groups)
            labels.append(groups.labels)
            cautioned.append(groups.k_settled is False or bool(groups.close_calls()))
        rng = np.random.default_rng(7)
        for _ in range(runs):
            rows = rng.permutation(votes.n_participants)
            shuffled = votes.select(rows, rng.permutation(votes.n_statements))
            groups = track2_groups(shuffled, random_state=0)
            back = np.empty_like(groups.labels)
            back[rows] = groups.labels  # each participant's group, in the file's order
            by_order.append(groups.n_groups)
            labels.append(back)
            cautioned.append(groups.k_settled is False or bool(groups.close_calls()))
        ks = by_seed + by_order
        common = Counter(ks).most_common(1)[0][0]
        other = [c for k, c in zip(ks, cautioned, strict=True) if k != common]
        usual = [c for k, c in zip(ks, cautioned, strict=True) if k == common]
        agree = np.mean([a == b for a, b in itertools.combinations(ks, 2)])
        pairs = [adjusted_rand_index(a, b) for a, b in itertools.combinations(labels, 2)]
        voters = int(np.count_nonzero(np.diff(votes.indptr)))
        each = (time.perf_counter() - started) / (2 * runs)
        print(
            f"| {folder.name} | {voters:,} | {' '.join(map(str, by_seed))} "
            f"| {' '.join(map(str, by_order))} | {agree:.0%} | {np.mean(pairs):.3f} "
            f"| {np.min(pairs):.3f} | {each:.2f} | {groups.n_splits} "
            f"| {sum(other)} of {len(other)} | {sum(usual)} of {len(usual)} |",
            flush=True,
        )


if __name__ == "__main__":
    main()
