"""Track 2 groups with k fixed by the caller (``track2_groups(n_groups=4)``, what
``track2 analyze --groups 4`` runs) on the 5,000 × 300 seed dialogues of
``bench_group_seeds.py``: ARI as a share of the Bayes oracle's, for three ``random_state``
values per dialogue (the seed, seed + 1000, seed + 2000), both tables (the simulator's group
shares, and its smallest group set to 5%). Prints Markdown and a count of runs under 90 %.
Then smaller dialogues with k fixed at the planted number, from the simulator and from the
ideal-point generator (``track2.simulate.continuum``, spread 0), ten seeds each: mean and
lowest ARI against the planted groups, and the mean time of a fit.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_fixed.py [--seeds 1 2 3 4 5]

Run it with another checkout's ``src`` on ``PYTHONPATH`` to compare two versions.
``--chosen``: the same runs with k chosen by the scan (the k found is shown beside each ratio),
for the spread over random states of what a user who fixes nothing gets.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from bench_group_seeds import SEEDS, SETTINGS, minority_dialogue

from track2.commonground import adjusted_rand_index, track2_groups
from track2.simulate.continuum import ContinuumParams, simulate_continuum
from track2.simulate.dialogue import SimulationParams, simulate_dialogue
from track2.simulate.oracle import oracle_from_truth

RANDOM_STATE_OFFSETS = (0, 1000, 2000)
K = 4
# (participants, statements, planted groups, votes per person) of the smaller dialogues
SMALL = (
    (40, 60, 2, 30),
    (40, 60, 3, 30),
    (200, 80, 3, 25),
    (1_000, 150, 4, 20),
    (2_000, 300, 5, 20),
)


def fixed_table(
    seeds: tuple[int, ...], minority: bool, chosen: bool = False
) -> tuple[list[str], list[float]]:
    rows = [
        "| setting | seed | oracle ARI | "
        + " | ".join(f"random_state seed + {o}" for o in RANDOM_STATE_OFFSETS)
        + " | s per fit |",
        "|---|---|---|" + "---|" * len(RANDOM_STATE_OFFSETS) + "---|",
    ]
    ratios: list[float] = []
    for name, extra in SETTINGS.items():
        for seed in seeds:
            params = SimulationParams(n_participants=5_000, n_statements=300, n_groups=K, **extra)
            dialogue = (
                minority_dialogue(params, seed)
                if minority
                else simulate_dialogue(params, seed=seed)
            )
            matrix, truth = dialogue.matrix, dialogue.truth
            voters = np.diff(matrix.indptr) > 0
            planted = truth.group[matrix.participant_ids.astype(np.int64)][voters]
            oracle = adjusted_rand_index(planted, oracle_from_truth(matrix, truth).labels[voters])
            cells = []
            started = time.perf_counter()
            for offset in RANDOM_STATE_OFFSETS:
                groups = track2_groups(
                    matrix, n_groups=None if chosen else K, random_state=seed + offset
                )
                ratio = adjusted_rand_index(planted, groups.labels[voters]) / oracle
                ratios.append(ratio)
                cells.append(f"{ratio:.1%}" + (f" (k = {groups.n_groups})" if chosen else ""))
            seconds = (time.perf_counter() - started) / len(RANDOM_STATE_OFFSETS)
            rows.append(
                f"| {name} | {seed} | {oracle:.3f} | " + " | ".join(cells) + f" | {seconds:.2f} |"
            )
    return rows, ratios


def small_table() -> list[str]:
    rows = [
        "| size | k | simulator: mean ARI | lowest | ideal points: mean ARI | lowest | ms per fit |",
        "|---|---|---|---|---|---|---|",
    ]
    for n, m, k, votes in SMALL:
        simulated, points = [], []
        started = time.perf_counter()
        for seed in range(1, 11):
            params = SimulationParams(
                n_participants=n, n_statements=m, n_groups=k, mean_votes=votes
            )
            dialogue = simulate_dialogue(params, seed=seed)
            voters = np.diff(dialogue.matrix.indptr) > 0
            planted = dialogue.truth.group[dialogue.matrix.participant_ids.astype(np.int64)]
            found = track2_groups(dialogue.matrix, n_groups=k, random_state=seed).labels
            simulated.append(adjusted_rand_index(planted[voters], found[voters]))
            continuum = ContinuumParams(
                n_participants=n, n_statements=m, n_clusters=k, spread=0.0, median_votes=votes
            )
            matrix, clusters = simulate_continuum(continuum, seed)
            found = track2_groups(matrix, n_groups=k, random_state=seed).labels
            points.append(adjusted_rand_index(clusters, found))
        ms = (time.perf_counter() - started) / 20 * 1000  # includes simulating: an upper bound
        rows.append(
            f"| {n:,} × {m} | {k} | {np.mean(simulated):.3f} | {min(simulated):.3f} "
            f"| {np.mean(points):.3f} | {min(points):.3f} | {ms:.0f} |"
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--chosen", action="store_true", help="k chosen by the scan instead")
    args = parser.parse_args()
    seeds = tuple(args.seeds)
    for minority, title in ((False, "the simulator's group shares"), (True, "a 5% group")):
        rows, ratios = fixed_table(seeds, minority, args.chosen)
        print(f"\n{title}, " + ("k chosen" if args.chosen else f"k = {K} fixed") + ":\n")
        print("\n".join(rows))
        below = sum(r < 0.9 for r in ratios)
        print(
            f"\nruns under 90 % of the oracle's ARI: {below} of {len(ratios)}; "
            f"median {np.median(ratios):.1%}, lowest {min(ratios):.1%}"
        )
    if not args.chosen:
        print("\nsmaller dialogues, k fixed at the planted number (seeds 1-10):\n")
        print("\n".join(small_table()))


if __name__ == "__main__":
    main()
