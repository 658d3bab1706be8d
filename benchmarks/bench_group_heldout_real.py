"""Issue 15, item 2, on real conversations: how well does Track 2 mode's model predict people it
has not seen?

For every conversation in tests/data/polis and k = 2..5 (fixed), 5-fold: the voters are dealt
into five folds (seeded), the model is fitted by ``track2_groups(n_groups=k)`` on four and each
voter of the fifth is scored by the log-likelihood of their votes under the fitted mixture,
``log sum_g pi_g prod_s theta[g, s, vote]``. Prints the sum over every voter per k (higher is
better), so two versions of the model can be compared on data without a planted truth: run it
with each checkout's ``src`` on ``PYTHONPATH``.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_heldout_real.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from track2.commonground import load_conversation, track2_groups
from track2.commonground.track2mode import vote_onehot

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"
FOLDS = 5
KS = (2, 3, 4, 5)


def held_out(folder: Path) -> list[float]:
    votes = load_conversation(folder).matrix
    voters = np.flatnonzero(np.diff(votes.indptr) > 0)
    fold = np.random.default_rng(0).permutation(len(voters)) % FOLDS
    onehot = vote_onehot(votes, votes.is_moderated_out | votes.is_meta)
    scores = []
    for k in KS:
        total = 0.0
        for f in range(FOLDS):
            fitted = track2_groups(votes.select(voters[fold != f]), n_groups=k, random_state=f)
            log_theta = np.log(fitted.vote_probabilities).reshape(k, -1)  # column 3 s + answer
            joint = np.asarray(onehot[voters[fold == f]] @ log_theta.T) + np.log(fitted.priors)
            top = joint.max(axis=1, keepdims=True)
            total += float((top[:, 0] + np.log(np.exp(joint - top).sum(axis=1))).sum())
        scores.append(total)
    return scores


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--real", type=Path, default=DATA, help="folder of Pol.is conversations, one per subfolder"
    )
    data = parser.parse_args().real
    print("| conversation | " + " | ".join(f"k = {k}" for k in KS) + " |")
    print("|---|" + "---|" * len(KS))
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        scores = held_out(folder)
        print(f"| {folder.name} | " + " | ".join(f"{s:,.1f}" for s in scores) + " |", flush=True)


if __name__ == "__main__":
    main()
