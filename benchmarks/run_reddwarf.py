"""One benchmark run of red-dwarf in a fresh process, in benchmarks/.venv (bench_engine.py).

Reads the same votes.csv / comments.csv as Track2, keeps the latest vote per pair (red-dwarf's
own loader does the same; its pivot refuses duplicates), then times ``run_pipeline`` alone.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
from reddwarf.implementations.polis import run_pipeline


def main(folder: str, labels_path: str) -> None:
    t0 = time.perf_counter()
    votes = pd.read_csv(
        Path(folder) / "votes.csv", usecols=["timestamp", "comment-id", "voter-id", "vote"]
    )
    votes = votes.sort_values("timestamp", kind="stable").drop_duplicates(
        ["voter-id", "comment-id"], keep="last"
    )
    records = [
        {"participant_id": int(p), "statement_id": int(s), "vote": int(v), "modified": int(t)}
        for t, s, p, v in votes[["timestamp", "comment-id", "voter-id", "vote"]].itertuples(
            index=False
        )
    ]
    del votes
    comments = pd.read_csv(Path(folder) / "comments.csv")
    mod_out = comments.loc[comments["moderated"] == -1, "comment-id"].astype(int).tolist()
    load_s = time.perf_counter() - t0
    t1 = time.perf_counter()
    result = run_pipeline(votes=records, mod_out_statement_ids=mod_out, random_state=0)
    analyze_s = time.perf_counter() - t1
    df = result.participants_df
    clustered = df[df["to_cluster"]]
    labels = clustered["cluster_id"].astype(int).to_numpy()
    np.savez(labels_path, ids=clustered.index.to_numpy(), labels=labels)
    print(
        json.dumps(
            {
                "load_s": load_s,
                "analyze_s": analyze_s,
                "k": int(len(np.unique(labels))),
                "in_conv": int(len(labels)),
            }
        )
    )


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
