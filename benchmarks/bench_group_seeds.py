"""Issue 15, item 2: Track 2 mode groups on planted dialogues, seed by seed.

For the three 5,000 × 300 settings of bench_part2.py (default, mean 15 votes, 40% noise
statements; 4 planted groups) and dialogue seeds 1–5 (the analysis uses the same seed as
``random_state``): the number of groups found, the ARI of Track 2 mode and of the Bayes oracle
against the planted groups (every participant with a vote), their ratio, and the F1 of the
smallest planted group (best-matching found group) for both. Beside them the supervised bound
(``supervised_groups``: Track 2 mode's model estimated from the planted groups, then each
participant assigned by it), in-sample and, in brackets, 5-fold (each fifth assigned by the
estimate from the other four: the honest bound). Then the cold ``analyze_track2``
time with sides at 40 × 60 and 2,000 × 300 (median of 5). The seed table is printed twice: with
the simulator's group shares, and with its smallest group set to exactly 5% of the participants.
Prints Markdown.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_seeds.py [--seeds 6 7 8 9 10]

``--seeds``: other dialogue seeds than 1-5, to check a change on dialogues it was not tuned on.
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import time

import numpy as np

from track2.commonground import VoteMatrix, adjusted_rand_index, analyze_track2, track2_groups
from track2.simulate.dialogue import (
    SimulationParams,
    SyntheticDialogue,
    plant,
    simulate_dialogue,
    vote_chunks,
)
from track2.simulate.oracle import oracle_from_truth, supervised_groups

SETTINGS: dict[str, dict[str, float]] = {
    "default (mean 40 votes)": {"mean_votes": 40},
    "mean 15 votes": {"mean_votes": 15},
    "40% noise statements": {"mean_votes": 25, "noise_share": 0.4, "divisive_share": 0.2},
}
SEEDS = (1, 2, 3, 4, 5)
FOLDS = 5  # the supervised bound's out-of-fold variant


def minority_f1(labels: np.ndarray, planted: np.ndarray, group: int) -> float:
    """F1 of the best-matching found group against planted ``group``."""
    truth = planted == group
    best = 0.0
    for g in np.unique(labels[labels >= 0]):
        found = labels == g
        hits = int((found & truth).sum())
        if hits:
            precision, recall = hits / found.sum(), hits / truth.sum()
            best = max(best, 2 * precision * recall / (precision + recall))
    return best


MINORITY_SHARE = 0.05


def minority_dialogue(params: SimulationParams, seed: int) -> SyntheticDialogue:
    """The simulator's dialogue with one planted group of exactly 5% of the participants (the
    other groups keep their planted proportions among the remaining 95%); everything else —
    statements, exposure, votes — is the simulator's own."""
    truth = plant(params, seed)
    shares = np.asarray(truth.group_shares, dtype=np.float64).copy()
    smallest = int(np.argmin(shares))
    rest = np.delete(np.arange(len(shares)), smallest)
    shares[rest] *= (1.0 - MINORITY_SHARE) / shares[rest].sum()
    shares[smallest] = MINORITY_SHARE
    rng = np.random.default_rng([seed, 9])
    group = rng.choice(len(shares), size=params.n_participants, p=shares).astype(np.int16)
    truth = dataclasses.replace(truth, group_shares=shares, group=group)
    ts, sids, pids, votes = (
        np.concatenate(parts) for parts in zip(*vote_chunks(truth), strict=True)
    )
    block = VoteMatrix.from_triples(
        pids,
        sids,
        votes,
        timestamps=ts,
        participant_ids=np.arange(params.n_participants),
        statement_ids=np.arange(params.n_statements),
    )
    matrix = VoteMatrix(
        block.participant_ids,
        block.statement_ids,
        block.indptr,
        block.indices,
        block.values,
        truth.moderated_out.copy(),
        np.zeros(params.n_statements, dtype=bool),
    )
    return SyntheticDialogue(truth, matrix)


def seed_dialogue(extra: dict[str, float], seed: int, minority: bool) -> SyntheticDialogue:
    """A 5,000 × 300 dialogue of four planted groups with a setting's ``extra`` parameters,
    the simulator's group shares or (``minority``) a 5 % group."""
    params = SimulationParams(n_participants=5_000, n_statements=300, n_groups=4, **extra)
    return minority_dialogue(params, seed) if minority else simulate_dialogue(params, seed=seed)


def groups_table(minority: bool = False, seeds: tuple[int, ...] = SEEDS) -> list[str]:
    rows = [
        "| setting | seed | group shares | k | oracle ARI | Track 2 ARI | Track 2 / oracle "
        f"| supervised ARI ({FOLDS}-fold) | supervised / oracle ({FOLDS}-fold) "
        "| smallest group F1: oracle | Track 2 | ratio "
        f"| supervised ({FOLDS}-fold) | supervised / oracle ({FOLDS}-fold) | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, extra in SETTINGS.items():
        for seed in seeds:
            dialogue = seed_dialogue(extra, seed, minority)
            matrix, truth = dialogue.matrix, dialogue.truth
            voters = np.diff(matrix.indptr) > 0
            planted_all = truth.group[matrix.participant_ids.astype(np.int64)]
            planted = planted_all[voters]
            oracle = oracle_from_truth(matrix, truth).labels[voters]
            supervised = [
                supervised_groups(matrix, planted_all, folds=folds).labels[voters]
                for folds in (1, FOLDS)
            ]
            t0 = time.perf_counter()
            groups = track2_groups(matrix, random_state=seed)
            seconds = time.perf_counter() - t0
            found = groups.labels[voters]
            ari_o = adjusted_rand_index(planted, oracle)
            ari_t = adjusted_rand_index(planted, found)
            small = int(np.argmin(truth.group_shares))
            f1_o, f1_t = minority_f1(oracle, planted, small), minority_f1(found, planted, small)
            ari_s = [adjusted_rand_index(planted, labels) for labels in supervised]
            f1_s = [minority_f1(labels, planted, small) for labels in supervised]
            shares = " ".join(f"{s:.2f}" for s in truth.group_shares)
            rows.append(
                f"| {name} | {seed} | {shares} | {groups.n_groups} | {ari_o:.3f} | {ari_t:.3f} "
                f"| {ari_t / ari_o:.1%} | {ari_s[0]:.3f} ({ari_s[1]:.3f}) "
                f"| {ari_s[0] / ari_o:.1%} ({ari_s[1] / ari_o:.1%}) "
                f"| {f1_o:.3f} | {f1_t:.3f} | {f1_t / f1_o:.1%} | {f1_s[0]:.3f} ({f1_s[1]:.3f}) "
                f"| {f1_s[0] / f1_o:.1%} ({f1_s[1] / f1_o:.1%}) | {seconds:.2f} |"
            )
    return rows


def cold_times() -> list[str]:
    rows = []
    for n, m in ((40, 60), (2_000, 300)):
        params = SimulationParams(n_participants=n, n_statements=m, n_groups=3, mean_votes=40)
        dialogue = simulate_dialogue(params, seed=1)
        side = [str(s) for s in dialogue.truth.side[dialogue.matrix.participant_ids.astype(int)]]
        times = []
        for _ in range(5):
            t0 = time.perf_counter()
            analysis = analyze_track2(dialogue.matrix, side_of=side)
            times.append(time.perf_counter() - t0)
        rows.append(
            f"- {n:,} × {m}: median {statistics.median(times) * 1000:.0f} ms "
            f"(k = {analysis.groups.n_groups})"
        )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    seeds = tuple(parser.parse_args().seeds)
    print("\n".join(groups_table(seeds=seeds)))
    print()
    print(f"With one group of exactly {MINORITY_SHARE:.0%} of the participants:")
    print()
    print("\n".join(groups_table(minority=True, seeds=seeds)))
    print()
    print("\n".join(cold_times()))
