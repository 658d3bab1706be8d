"""Planted groups from a third generator, written apart from ``track2.simulate``.

``bench_group_seeds.py`` measures Track 2 mode on its own simulator and
``bench_group_points.py`` on groups at ideal points. Tuned on those, does it hold on latent
classes drawn another way? Here, independently of both: group shares from a Dirichlet(3); per
statement either a consensus (every group the same agree share, drawn from Beta(2, 2)) or a
divisive one (each group its own agree share from Beta(c, c): c < 1 polarised, c > 1 mild); a
pass rate per group and statement around 15 %; votes per person log-normal (sigma 0.7) around a
median; statements picked by Zipf popularity in a random order. The oracle is handed the true
answer probabilities; beside it the supervised 5-fold bound (Track 2 mode's model estimated from
the planted groups, each fifth assigned by the estimate from the other four). Five seeds per
shape, the seed also the analysis's ``random_state``. Prints Markdown.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_latent.py [--seeds 1 2 3 4 5] [--shapes a e]
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from bench_group_seeds import minority_f1

from track2.commonground import VoteMatrix, adjusted_rand_index, track2_groups
from track2.simulate.oracle import oracle_groups, supervised_groups


@dataclass(frozen=True)
class Shape:
    participants: int
    statements: int
    groups: int
    median_votes: float
    consensus_share: float = 0.3  # statements every group answers alike
    contrast: float = 1.0  # c of the divisive statements' Beta(c, c)
    zipf: float = 1.0


SHAPES = {
    "a": Shape(5_000, 300, 4, 25),
    "b": Shape(5_000, 300, 4, 12, contrast=0.7),
    "c": Shape(5_000, 300, 5, 20, consensus_share=0.5),
    "d": Shape(5_000, 300, 3, 15, zipf=1.2),
    "e": Shape(2_000, 200, 4, 20, contrast=2.0),
    "f": Shape(5_000, 300, 6, 30, contrast=1.5),
}
SEEDS = (1, 2, 3, 4, 5)


def latent_dialogue(
    shape: Shape, seed: int
) -> tuple[VoteMatrix, npt.NDArray[np.int64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """The votes, each participant's planted group, the true (agree, disagree, pass)
    probabilities (groups x statements x 3) and the group shares."""
    rng = np.random.default_rng(seed)
    k, m, n = shape.groups, shape.statements, shape.participants
    shares = rng.dirichlet(np.full(k, 3.0))
    group = rng.choice(k, size=n, p=shares)
    consensus = rng.random(m) < shape.consensus_share
    agree = np.where(
        consensus, rng.beta(2, 2, size=m), rng.beta(shape.contrast, shape.contrast, size=(k, m))
    )
    passing = np.clip(rng.normal(0.15, 0.05, size=(k, m)), 0.02, 0.6)
    theta = np.stack([(1 - passing) * agree, (1 - passing) * (1 - agree), passing], axis=2)
    popularity = rng.permutation(1.0 / np.arange(1, m + 1) ** shape.zipf)
    popularity /= popularity.sum()
    counts = np.round(rng.lognormal(np.log(shape.median_votes), 0.7, size=n))
    counts = np.clip(counts, 1, m).astype(np.int64)
    rows, columns, values = [], [], []
    for person in range(n):
        seen = rng.choice(m, size=counts[person], replace=False, p=popularity)
        cumulative = np.cumsum(theta[group[person], seen], axis=1)
        answer = (rng.random(len(seen))[:, None] > cumulative).sum(axis=1)
        rows.append(np.full(len(seen), person))
        columns.append(seen)
        values.append(np.array([1, -1, 0])[np.minimum(answer, 2)])
    matrix = VoteMatrix.from_triples(
        np.concatenate(rows),
        np.concatenate(columns),
        np.concatenate(values),
        participant_ids=np.arange(n),
        statement_ids=np.arange(m),
    )
    return matrix, group, theta, shares


def latent_table(names: list[str], seeds: tuple[int, ...]) -> list[str]:
    rows = [
        "| shape | seed | group shares | planted k | Track 2 k | oracle ARI "
        "| supervised (5-fold) / oracle | Track 2 ARI | / oracle "
        "| smallest group F1 / oracle's | s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name in names:
        shape = SHAPES[name]
        for seed in seeds:
            matrix, group, theta, shares = latent_dialogue(shape, seed)
            voters = np.diff(matrix.indptr) > 0
            planted_all = group[np.asarray(matrix.participant_ids, dtype=np.int64)]
            planted = planted_all[voters]
            columns = np.asarray(matrix.statement_ids, dtype=np.int64)
            oracle = oracle_groups(matrix, theta[:, columns, :], shares, planted_all)
            ari_o = adjusted_rand_index(planted, oracle.labels[voters])
            bound = supervised_groups(matrix, planted_all, folds=5).labels[voters]
            started = time.perf_counter()
            found = track2_groups(matrix, random_state=seed)
            seconds = time.perf_counter() - started
            ari_t = adjusted_rand_index(planted, found.labels[voters])
            smallest = int(np.argmin(shares))
            f1_o = minority_f1(oracle.labels[voters], planted, smallest)
            f1_t = minority_f1(found.labels[voters], planted, smallest)
            rows.append(
                f"| {name}: {shape.participants:,} × {shape.statements}, "
                f"{shape.median_votes:g} votes, c {shape.contrast:g} | {seed} "
                f"| {' '.join(f'{s:.2f}' for s in sorted(shares))} | {shape.groups} "
                f"| {found.n_groups} | {ari_o:.3f} "
                f"| {adjusted_rand_index(planted, bound) / ari_o:.1%} | {ari_t:.3f} "
                f"| {ari_t / ari_o:.1%} | {f1_t / f1_o:.1%} | {seconds:.2f} |"
            )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    parser.add_argument("--shapes", nargs="+", choices=sorted(SHAPES), default=sorted(SHAPES))
    args = parser.parse_args()
    print("\n".join(latent_table(args.shapes, tuple(args.seeds))))
