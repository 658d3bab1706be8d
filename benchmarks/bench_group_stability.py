"""Issue 15, item 2: does the grouping depend on the analysis's own seed?

``bench_group_seeds.py`` runs each planted 5,000 × 300 dialogue once, with ``random_state`` equal
to the dialogue's seed. A facilitator runs the analysis once with whatever seed it has, so here
every hard dialogue of that benchmark (mean 15 votes and 40 % noise statements, the simulator's
group shares and a 5 % group) is analysed with ``random_state`` 0–4: the k of each run, the lowest
and mean ARI as a share of the Bayes oracle's, and overall how many runs fall under 90 %.
The seed changes which participants are held out to choose k and the k-means starts.
Prints Markdown.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_stability.py [--seeds 1 2 3 4 5] [--states 5]
"""

from __future__ import annotations

import argparse
import statistics

import numpy as np
from bench_group_seeds import SETTINGS, seed_dialogue

from track2.commonground import adjusted_rand_index, track2_groups
from track2.simulate.oracle import oracle_from_truth

HARD = ("mean 15 votes", "40% noise statements")


def stability_table(seeds: list[int], states: int) -> list[str]:
    rows = [
        "| table | setting | seed | k for random_state 0.."
        f"{states - 1} | lowest / oracle | mean / oracle |",
        "|---|---|---|---|---|---|",
    ]
    ratios: list[float] = []
    right_k = 0
    for minority in (False, True):
        for name in HARD:
            for seed in seeds:
                dialogue = seed_dialogue(SETTINGS[name], seed, minority)
                matrix, truth = dialogue.matrix, dialogue.truth
                voters = np.diff(matrix.indptr) > 0
                planted = truth.group[matrix.participant_ids.astype(np.int64)][voters]
                oracle = adjusted_rand_index(
                    planted, oracle_from_truth(matrix, truth).labels[voters]
                )
                ks, runs = [], []
                for state in range(states):
                    groups = track2_groups(matrix, random_state=state)
                    ks.append(groups.n_groups)
                    runs.append(adjusted_rand_index(planted, groups.labels[voters]) / oracle)
                ratios += runs
                right_k += ks.count(4)
                rows.append(
                    f"| {'5 % group' if minority else 'simulator'} | {name} | {seed} "
                    f"| {' '.join(map(str, ks))} | {min(runs):.1%} "
                    f"| {statistics.mean(runs):.1%} |"
                )
    under = sum(r < 0.9 for r in ratios)
    rows += [
        "",
        f"Runs under 90 % of the oracle's ARI: {under} of {len(ratios)}; k = 4 (planted) in "
        f"{right_k}; mean {statistics.mean(ratios):.1%}.",
    ]
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    parser.add_argument("--states", type=int, default=5)
    args = parser.parse_args()
    print("\n".join(stability_table(args.seeds, args.states)))
