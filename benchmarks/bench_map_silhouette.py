"""Issue 15, item 3: how well each map separates the groups it names, on the real conversations.

For every conversation in tests/data/polis: the 2-D silhouette (mean over participants of
(b − a) / max(a, b), Euclidean) of Pol.is mode's groups on Pol.is's map (its in-conv
participants), and of Track 2 mode's groups on Pol.is's map (what the HTML report drew before
issue 15) and on the Track 2 map (group_map). Prints Markdown.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_map_silhouette.py
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from track2.commonground import analyze_track2, load_conversation, silhouette

DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"
REAL_HELP = "folder of Pol.is conversations, one per subfolder (default tests/data/polis)"


def point_silhouette(points: np.ndarray, labels: np.ndarray) -> float:
    keep = labels >= 0
    points, labels = points[keep], labels[keep]
    diff = points[:, None, :] - points[None, :, :]
    return silhouette(points, labels, dist=np.sqrt((diff**2).sum(axis=2)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--real", type=Path, default=DATA, help=REAL_HELP)
    data = parser.parse_args().real
    print(
        "| conversation | participants | Pol.is groups on Pol.is map | Track 2 groups on "
        "Pol.is map | Track 2 groups on Track 2 map | Track 2 k |"
    )
    print("|---|---|---|---|---|---|")
    for folder in sorted(p for p in data.iterdir() if p.is_dir()):
        matrix = load_conversation(folder).matrix
        t = analyze_track2(matrix, random_state=0)
        polis = t.polis
        in_conv = polis.in_conv
        polis_labels = np.full(len(polis.participant_ids), -1)
        for gid, members in polis.group_members().items():
            polis_labels[np.isin(polis.participant_ids, members)] = gid
        s_polis = point_silhouette(polis.projections[in_conv], polis_labels[in_conv])
        s_before = point_silhouette(polis.projections[in_conv], t.group_labels[in_conv])
        s_after = point_silhouette(t.map.coordinates, t.group_labels)
        print(
            f"| {folder.name} | {len(polis.participant_ids):,} | {s_polis:.3f} | "
            f"{s_before:.3f} | {s_after:.3f} | {t.groups.n_groups} |"
        )


if __name__ == "__main__":
    main()
