"""Planted groups from a second generator: groups at ideal points, seed by seed.

``bench_group_seeds.py`` measures Track 2 mode on its own simulator, where each statement splits
the groups into independent camps. Here the groups come from ``track2.simulate.continuum``
with ``spread`` = 0: every member of a cluster stands at its centre in a plane, and answers a
statement by a logistic model of that point (agreement is low-rank across statements, as in an
ideal-point model of opinion). The Bayes oracle gets the true answer probabilities from
``continuum_vote_probabilities``; beside it the supervised bound (Track 2 mode's model
estimated from the planted groups, each fifth of the participants assigned by the estimate
from the other four: what any method that must learn the answers from these votes can expect),
Track 2 mode (with ``beats_one_group``: whether its groups predicted held-out participants
better than one group) and Pol.is mode (``analyze_polis``; ARI over its in-conv participants). Rooms of
40 and 200 people and larger conversations, five seeds each (the analysis uses the seed as
``random_state``). Prints Markdown.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_points.py [--seeds 1 2 3 4 5]
"""

from __future__ import annotations

import argparse
import time

from track2.commonground import adjusted_rand_index, analyze_polis, track2_groups
from track2.simulate.continuum import (
    ContinuumParams,
    continuum_vote_probabilities,
    simulate_continuum,
)
from track2.simulate.oracle import oracle_groups, supervised_groups

# (participants, statements, planted groups, median votes per person, scale of the centres)
SETTINGS = (
    (40, 60, 2, 30, 1.0),
    (40, 60, 3, 30, 1.5),
    (200, 80, 3, 25, 1.0),
    (1_000, 150, 4, 20, 1.0),
    (5_000, 300, 4, 20, 0.8),
    (5_000, 300, 4, 20, 1.5),
)
SEEDS = (1, 2, 3, 4, 5)
FOLDS = 5


def _ratio(value: float, oracle: float) -> str:
    return f"{value / oracle:.0%}" if oracle > 0 else "–"


def points_table(seeds: tuple[int, ...] = SEEDS) -> list[str]:
    rows = [
        "| size | planted k | centre scale | seed | oracle ARI "
        f"| supervised ({FOLDS}-fold) | / oracle | Track 2 k | beats one group | Track 2 ARI "
        "| / oracle | Pol.is k | Pol.is ARI | / oracle | Track 2 s |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for n, m, k, median_votes, centre_scale in SETTINGS:
        for seed in seeds:
            params = ContinuumParams(
                n_participants=n,
                n_statements=m,
                n_clusters=k,
                spread=0.0,
                median_votes=median_votes,
                centre_scale=centre_scale,
            )
            matrix, planted = simulate_continuum(params, seed)
            theta, shares = continuum_vote_probabilities(params, seed)
            oracle = oracle_groups(matrix, theta, shares, planted).ari or 0.0
            supervised = supervised_groups(matrix, planted, folds=FOLDS).ari or 0.0
            started = time.perf_counter()
            groups = track2_groups(matrix, random_state=seed)
            seconds = time.perf_counter() - started
            track2 = adjusted_rand_index(planted, groups.labels)
            polis = analyze_polis(matrix, random_state=seed)
            in_conv = polis.group_labels >= 0
            polis_ari = adjusted_rand_index(planted[in_conv], polis.group_labels[in_conv])
            rows.append(
                f"| {n:,} × {m} | {k} | {centre_scale:g} | {seed} | {oracle:.3f} "
                f"| {supervised:.3f} | {_ratio(supervised, oracle)} | {groups.n_groups} "
                f"| {'yes' if groups.beats_one_group else 'no'} | {track2:.3f} "
                f"| {_ratio(track2, oracle)} | {len(polis.group_ids)} "
                f"| {polis_ari:.3f} | {_ratio(polis_ari, oracle)} | {seconds:.2f} |"
            )
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=list(SEEDS))
    print("\n".join(points_table(tuple(parser.parse_args().seeds))))
