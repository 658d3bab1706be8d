"""Track 2 groups on planted dialogues of other shapes than the seed tables' 5,000 × 300: 150,000
participants × 2,000 statements, so that k is chosen on a sample of participants (the path of the
large conversations), with many groups, a small group, skewed exposure, few votes and noise.

For each shape and dialogue seeds 1–2 (the analysis with ``random_state`` 0): the planted and the
chosen number of groups, the ARI of Track 2 mode and of the Bayes oracle against the planted
groups, their ratio, and the CPU seconds of ``track2_groups``. Prints Markdown.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_shapes.py [--participants N --statements M]
"""

from __future__ import annotations

import argparse
import time

from track2.commonground import adjusted_rand_index, track2_groups
from track2.simulate.dialogue import SimulationParams, simulate_dialogue
from track2.simulate.oracle import oracle_from_truth

SHAPES: dict[str, dict[str, float]] = {
    "8 groups, smallest ≥ 3%, 40 votes": {
        "n_groups": 8,
        "min_group_share": 0.03,
        "mean_votes": 40,
    },
    "6 groups, exposure skew 1.2, 30 votes": {
        "n_groups": 6,
        "popularity_skew": 1.2,
        "mean_votes": 30,
    },
    "5 groups, 40% noise statements, 25 votes": {
        "n_groups": 5,
        "noise_share": 0.4,
        "divisive_share": 0.4,
        "mean_votes": 25,
    },
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--participants", type=int, default=150_000)
    parser.add_argument("--statements", type=int, default=2_000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(
        "| shape | seed | planted k | chosen k | oracle ARI | Track 2 ARI | Track 2 / oracle | CPU s |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, shape in SHAPES.items():
        for seed in args.seeds:
            params = SimulationParams(
                n_participants=args.participants, n_statements=args.statements, **shape
            )
            dialogue = simulate_dialogue(params, seed=seed)
            oracle = oracle_from_truth(dialogue.matrix, dialogue.truth)
            started = time.process_time()
            groups = track2_groups(dialogue.matrix, random_state=0)
            cpu = time.process_time() - started
            ari = adjusted_rand_index(dialogue.truth.group, groups.labels)
            ratio = f"{100 * ari / oracle.ari:.1f}%" if oracle.ari else "—"
            print(
                f"| {name} | {seed} | {params.n_groups} | {groups.n_groups} | "
                f"{oracle.ari:.3f} | {ari:.3f} | {ratio} | {cpu:.2f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
