"""One benchmark run of Track2's engine in a fresh process (called by bench_engine.py).

Prints one JSON line: load and analysis seconds, k, counts. Saves participant ids and group
labels (in-conv participants only) to LABELS for the parent to score.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from track2.commonground import analyze_polis, load_conversation


def main(folder: str, labels_path: str) -> None:
    t0 = time.perf_counter()
    conv = load_conversation(folder)
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    stages: dict[str, float] = {}
    a = analyze_polis(conv.matrix, random_state=0, timings=stages)
    analyze_s = time.perf_counter() - t1
    ic = a.in_conv
    np.savez(labels_path, ids=a.participant_ids[ic], labels=a.group_labels[ic])
    print(
        json.dumps(
            {
                "load_s": load_s,
                "analyze_s": analyze_s,
                "k": int(a.group_clusters.k),
                "participants": int(conv.matrix.n_participants),
                "statements": int(conv.matrix.n_statements),
                "votes": int(conv.matrix.n_votes),
                "in_conv": int(ic.sum()),
                "stages": stages,
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
