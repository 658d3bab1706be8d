"""Whether Track 2 mode says its groups are ones the votes show (``beats_one_group``).

Two tables, Markdown: rooms and conversations whose votes are drawn at random (no opinion
groups at all: each answer 40 / 20 / 40 %, half the cells unseen), where every claim of groups
is a false one; and the simulator's planted groups, with how often groups are claimed, Track 2
mode's mean ARI and the oracle's.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_verdict.py
"""

from __future__ import annotations

import numpy as np

from track2.commonground import VoteMatrix, adjusted_rand_index, track2_groups
from track2.simulate.dialogue import SimulationParams, simulate_dialogue
from track2.simulate.oracle import oracle_from_truth

RANDOM = ((20, 40, 30), (40, 60, 30), (150, 60, 20), (300, 60, 10))  # (people, statements, seeds)
PLANTED = ((20, 40, 2), (40, 60, 3), (40, 60, 2), (150, 60, 3), (300, 80, 4))  # seeds 1-10


def random_votes(n: int, m: int, seed: int) -> VoteMatrix:
    rng = np.random.default_rng(seed)
    dense = rng.choice([-1.0, 0.0, 1.0], size=(n, m), p=[0.4, 0.2, 0.4])
    dense[rng.random((n, m)) < 0.5] = np.nan
    return VoteMatrix.from_dense(dense)


def random_table() -> list[str]:
    rows = ["| votes drawn at random | seeds | groups claimed | k |", "|---|---|---|---|"]
    for n, m, seeds in RANDOM:
        found = [track2_groups(random_votes(n, m, s), random_state=s) for s in range(1, seeds + 1)]
        claims = sum(bool(g.beats_one_group) for g in found)
        ks = ", ".join(str(k) for k in sorted({g.n_groups for g in found}))
        rows.append(f"| {n} × {m} | {seeds} | {claims} | {ks} |")
    return rows


def planted_table() -> list[str]:
    rows = [
        "| planted groups | seeds | groups claimed | Track 2 mean ARI | oracle mean ARI |",
        "|---|---|---|---|---|",
    ]
    for n, m, k in PLANTED:
        claims, found, oracle = 0, [], []
        for seed in range(1, 11):
            params = SimulationParams(
                n_participants=n, n_statements=m, n_groups=k, mean_votes=min(30, m // 2)
            )
            dialogue = simulate_dialogue(params, seed=seed)
            groups = track2_groups(dialogue.matrix, random_state=seed)
            planted = dialogue.truth.group[dialogue.matrix.participant_ids.astype(np.int64)]
            claims += bool(groups.beats_one_group)
            found.append(adjusted_rand_index(planted, groups.labels))
            oracle.append(oracle_from_truth(dialogue.matrix, dialogue.truth).ari or 0.0)
        rows.append(
            f"| {n} × {m}, {k} groups | 10 | {claims} | {np.mean(found):.3f} "
            f"| {np.mean(oracle):.3f} |"
        )
    return rows


if __name__ == "__main__":
    print("\n".join(random_table()))
    print()
    print("\n".join(planted_table()))
