"""Benchmarks of the common-ground engine, part 2 (issue 5).

For each synthetic size (4 planted groups, the part-1 simulator, seed 1) in a fresh process with
BLAS threads pinned to 1: planted-group ARI of Pol.is mode, Track 2 mode and the Bayes oracle,
and the time of Track 2 mode, bridging scores and Pol.is mode. Then Schulze with 100 candidates
and 1,000 ballots (median of 50 runs). Prints a Markdown section; ``--write`` puts it into
docs/benchmarks.md under "## Engine part 2" (replacing that section only).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \
        .venv/bin/python benchmarks/bench_part2.py --write

``--sizes 5k,100k`` runs a subset.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs" / "benchmarks.md"
PINNED = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}
# name: (participants, statements, mean draws per participant) — the part-1 benchmark sizes,
# with 4 planted groups.
SIZES: dict[str, tuple[int, int, float, dict[str, float]]] = {
    "5k": (5_000, 300, 40, {}),
    "100k": (100_000, 2_000, 50, {}),
    "1m": (1_000_000, 5_000, 62, {}),
    # Harder settings, to show where Track 2 mode stops reaching 90% of the oracle.
    "5k-sparse": (5_000, 300, 15, {}),
    "5k-noisy": (5_000, 300, 25, {"noise_share": 0.4, "divisive_share": 0.2}),
}
HARD = ("5k-sparse", "5k-noisy")
SECTION = "## Engine part 2"
NOTE = (
    "Times are wall seconds with the process's CPU seconds in brackets: the machine was shared "
    "with other jobs while measuring, so wall time can exceed CPU time. The simulator's settings "
    "(part-1 defaults, 4 groups) give clearer groups than the dialogue behind the numbers quoted "
    "in issue 5 (oracle 0.67, Pol.is 0.39), so the ARIs here are not comparable with those."
)


def run_size(name: str) -> dict[str, Any]:
    """One size, in this process (the parent runs it in a child)."""
    import numpy as np

    from track2.commonground.bridging import bridging_scores
    from track2.commonground.polis import analyze_polis
    from track2.commonground.stats import adjusted_rand_index
    from track2.commonground.track2mode import track2_groups
    from track2.simulate.dialogue import SimulationParams, simulate_dialogue
    from track2.simulate.oracle import oracle_from_truth

    n, m, mean, extra = SIZES[name]
    t0 = time.perf_counter()
    dialogue = simulate_dialogue(
        SimulationParams(n_participants=n, n_statements=m, n_groups=4, mean_votes=mean, **extra),
        seed=1,
    )
    simulate_s = time.perf_counter() - t0
    matrix, truth = dialogue.matrix, dialogue.truth
    voters = np.diff(matrix.indptr) > 0
    planted = truth.group[matrix.participant_ids.astype(np.int64)]

    t0 = time.perf_counter()
    oracle = oracle_from_truth(matrix, truth)
    oracle_s = time.perf_counter() - t0

    t0, c0 = time.perf_counter(), time.process_time()
    groups_timings: dict[str, float] = {}
    groups = track2_groups(matrix, random_state=0, timings=groups_timings)
    track2_s, track2_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    bridging_timings: dict[str, float] = {}
    bridging = bridging_scores(matrix, timings=bridging_timings)
    bridging_s, bridging_cpu = time.perf_counter() - t0, time.process_time() - c0

    t0, c0 = time.perf_counter(), time.process_time()
    polis = analyze_polis(matrix, random_state=0)
    polis_s, polis_cpu = time.perf_counter() - t0, time.process_time() - c0
    polis_rows = polis.participant_ids.astype(np.int64)  # participants with a vote
    in_conv = polis.in_conv
    polis_planted = truth.group[polis_rows][in_conv]
    # The simulator's participant ids are 0..n-1 and every one has a row, so an id is its row.
    in_conv_rows = polis_rows[in_conv]

    def ari(labels: Any, rows: Any) -> float:
        return float(adjusted_rand_index(planted[rows], labels[rows]))

    voter_rows = np.flatnonzero(voters)
    kinds = truth.statement_kind
    consensus = (kinds == 0) & (truth.agree_probability.min(axis=0) > 0.5) & ~truth.moderated_out
    top = np.asarray(bridging.top(20), dtype=np.int64)
    return {
        "size": name,
        "participants": int(matrix.n_participants),
        "statements": int(matrix.n_statements),
        "votes": int(matrix.n_votes),
        "median_votes": float(np.median(np.diff(matrix.indptr)[voters])),
        "group_shares": [round(float(s), 3) for s in truth.group_shares],
        "simulate_s": simulate_s,
        "oracle": {
            "ari_voters": ari(oracle.labels, voter_rows),
            "ari_in_conv": ari(oracle.labels, in_conv_rows),
            "s": oracle_s,
        },
        "track2": {
            "ari_voters": ari(groups.labels, voter_rows),
            "ari_in_conv": ari(groups.labels, in_conv_rows),
            "k": groups.n_groups,
            "s": track2_s,
            "cpu_s": track2_cpu,
            "stages": groups_timings,
            "held_out": {str(k): v for k, v in groups.held_out_log_likelihood.items()},
        },
        "polis": {
            "ari_in_conv": float(adjusted_rand_index(polis_planted, polis.group_labels[in_conv])),
            "k": int(polis.group_clusters.k),
            "in_conv": int(in_conv.sum()),
            "s": polis_s,
            "cpu_s": polis_cpu,
        },
        "bridging": {
            "s": bridging_s,
            "cpu_s": bridging_cpu,
            "stages": bridging_timings,
            "iterations": bridging.iterations,
            "converged": bridging.converged,
            "precision_at_20": float(consensus[top].mean()),
            "planted_consensus": int(consensus.sum()),
        },
        "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0,
    }


def run_schulze(repeats: int = 50) -> dict[str, Any]:
    import numpy as np

    from track2.commonground.schulze import schulze

    rng = np.random.default_rng(0)
    ranks = np.argsort(rng.random((1_000, 100)), axis=1).astype(float)
    schulze(ranks)
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        schulze(ranks)
        times.append(time.perf_counter() - t0)
    return {
        "median_ms": 1e3 * statistics.median(times),
        "min_ms": 1e3 * min(times),
        "repeats": repeats,
    }


def child(args: list[str]) -> dict[str, Any]:
    env = {**os.environ, **PINNED, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run(
        [sys.executable, __file__, "--child", *args],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"benchmark child {args} failed:\n{done.stderr}")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def markdown(rows: list[dict[str, Any]], schulze: dict[str, Any]) -> str:
    cpu = platform.processor() or platform.machine()
    lines = [
        SECTION,
        "",
        "Planted opinion groups (4 groups, `track2.simulate`, seed 1), Bayes oracle "
        "(`track2.simulate.oracle`), Track 2 mode (`track2_groups`), Pol.is mode "
        "(`analyze_polis`, its own k), bridging (`bridging_scores`). One fresh process per size, "
        f"BLAS threads pinned to 1; {os.cpu_count()} cores ({cpu}), Python "
        f"{platform.python_version()}. ARI is against the planted groups; Pol.is mode groups only "
        "its in-conv participants, so all three are compared on that set, and Track 2 mode and "
        "the oracle also on every participant with a vote.",
        "",
        "Command: `OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 "
        ".venv/bin/python benchmarks/bench_part2.py --write`",
        "",
        NOTE,
        "",
        "| size | votes | oracle ARI | Track 2 ARI (k) | Track 2 / oracle | Pol.is ARI (k) "
        "| Track 2 mode s (CPU s) | bridging s (CPU s) | Pol.is mode s (CPU s) | bridging P@20 "
        "| peak MB |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        o, t, p, b = r["oracle"], r["track2"], r["polis"], r["bridging"]
        setting = ""
        if r["size"] in HARD:
            n, m, mean, extra = SIZES[r["size"]]
            setting = (
                f" (harder: mean_votes {mean}"
                + "".join(f", {k} {v}" for k, v in extra.items())
                + ")"
            )
        lines.append(
            f"| {r['participants']:,} × {r['statements']:,}{setting} | {r['votes']:,} "
            f"| {o['ari_in_conv']:.3f} (all voters {o['ari_voters']:.3f}) "
            f"| {t['ari_in_conv']:.3f} (all voters {t['ari_voters']:.3f}) ({t['k']}) "
            f"| {t['ari_in_conv'] / o['ari_in_conv']:.1%} "
            f"| {p['ari_in_conv']:.3f} ({p['k']}) | {t['s']:.2f} ({t['cpu_s']:.2f}) "
            f"| {b['s']:.2f} ({b['cpu_s']:.2f}) | {p['s']:.2f} ({p['cpu_s']:.2f}) "
            f"| {b['precision_at_20']:.2f} | {r['peak_mb']:.0f} |"
        )
    lines += [
        "",
        "Targets: Track 2 mode ≥ 90% of the oracle's ARI and above Pol.is mode at every size "
        "(the first three rows; the harder rows show the limits: where every group's answers "
        "must be learnt from few or noisy votes, EM started from the true groups reaches the same "
        "likelihood, so the gap to the oracle, which is given the true probabilities, is mostly "
        "the cost of estimating them); "
        "bridging at 1M × 5k inside the 20 s analysis budget. Bridging P@20 is the share of "
        "planted consensus statements (every group agrees) among the 20 highest intercepts.",
        "",
        f"Schulze, 100 candidates × 1,000 ballots: median {schulze['median_ms']:.2f} ms "
        f"(min {schulze['min_ms']:.2f} ms, {schulze['repeats']} runs; target ≤ 10 ms).",
        "",
        "Stage timings (s):",
        "",
    ]
    for r in rows:
        stages = ", ".join(f"{k} {v:.2f}" for k, v in r["track2"]["stages"].items())
        bstages = ", ".join(f"{k} {v:.2f}" for k, v in r["bridging"]["stages"].items())
        lines.append(
            f"- {r['size']}: Track 2 mode: {stages}; bridging: {bstages} "
            f"({r['bridging']['iterations']} sweeps)"
        )
    return "\n".join(lines) + "\n"


def write_section(text: str) -> None:
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    if SECTION in current:
        start = current.index(SECTION)
        rest = current[start + len(SECTION) :]
        following = rest.find("\n## ")
        end = len(current) if following < 0 else start + len(SECTION) + following + 1
        current = current[:start] + text + current[end:]
    else:
        current = (current.rstrip("\n") + "\n\n" if current else "# Benchmarks\n\n") + text
    DOCS.write_text(current, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default=",".join(SIZES))
    parser.add_argument("--write", action="store_true")
    parser.add_argument("--child", nargs="+")
    args = parser.parse_args()
    if args.child:
        result = run_schulze() if args.child[0] == "schulze" else run_size(args.child[0])
        print(json.dumps(result))
        return
    rows = []
    for name in args.sizes.split(","):
        rows.append(child([name]))
        print(json.dumps(rows[-1]), file=sys.stderr)
    schulze = child(["schulze"])
    text = markdown(rows, schulze)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
