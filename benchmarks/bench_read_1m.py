"""Reading a 1M × 5k ``votes.csv``, and the whole ``track2 analyze`` command on it, with the
rows in participant order and in time order (as Pol.is exports them), each run in a fresh
process; optionally side by side with another checkout's ``src`` (``--before``).

    .venv/bin/python benchmarks/bench_read_1m.py --cache /tmp/track2-1m --work /tmp/track2-1m-csv \
        [--before /tmp/before/src] [--repeat 2] [--command]

The matrix is bench_track2_1m.py's default shape (simulated once into ``--cache``); the two
files (1.3 GB each: timestamp, comment-id, voter-id, vote, quoted header as pyarrow writes
it) are written once into ``--work``. BLAS and pyarrow threads are pinned to one
(``OMP_NUM_THREADS=1`` also sizes pyarrow's pool); the analysis uses its default two threads.
Prints wall time and peak resident memory of each run, then medians.
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

_READ = """
import resource, sys, time
from track2.commonground.formats import read_votes_csv
t = time.perf_counter()
m = read_votes_csv(sys.argv[1])
print(time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, m.n_votes)
"""


def write_files(cache: str, work: Path) -> dict[str, Path]:
    """The default 1M shape as ``votes.csv`` in participant order and in time order."""
    folders = {
        "participant order": work / "by-participant",
        "time order": work / "by-time",
        "time order, 4 % revised": work / "by-time-revised",
    }
    if all((f / "votes.csv").exists() for f in folders.values()):
        return folders
    import pyarrow as pa
    import pyarrow.csv as pacsv

    sys.path.insert(0, str(Path(__file__).parent))
    from bench_track2_1m import simulated_matrix

    from track2.simulate.dialogue import SimulationParams

    params = SimulationParams(
        n_participants=1_000_000,
        n_statements=5_000,
        n_groups=4,
        mean_votes=62,
        popularity_skew=1.0,
        exposure_tail=2.5,
    )
    matrix, _ = simulated_matrix(params, cache)
    participants = np.repeat(matrix.participant_ids, np.diff(matrix.indptr))
    statements = matrix.statement_ids[matrix.indices]
    votes = matrix.values
    timestamps = 1_600_000_000_000 + np.arange(len(votes), dtype=np.int64)
    for name, folder in folders.items():
        if name == "time order":  # votes arrive interleaved across participants
            shuffle = np.random.default_rng(0).permutation(len(votes))
            participants, statements, votes = (
                participants[shuffle],
                statements[shuffle],
                votes[shuffle],
            )
        if name == "time order, 4 % revised":
            participants, statements, votes, timestamps = _revised(
                participants, statements, votes, timestamps
            )
        if (folder / "votes.csv").exists():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        table = pa.table(
            {
                "timestamp": timestamps,
                "comment-id": statements,
                "voter-id": participants,
                "vote": votes,
            }
        )
        pacsv.write_csv(table, folder / "votes.csv")
    return folders


def _revised(
    participants: np.ndarray, statements: np.ndarray, votes: np.ndarray, timestamps: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """4 % of the votes given once before, with a random vote (a revision, as every real
    Pol.is export has), in time order; the latest vote of each pair is the original one."""
    rng = np.random.default_rng(1)
    first = rng.choice(len(votes), size=len(votes) * 4 // 100, replace=False)
    participants = np.concatenate([participants, participants[first]])
    statements = np.concatenate([statements, statements[first]])
    votes = np.concatenate([votes, rng.integers(-1, 2, len(first)).astype(np.int8)])
    when = rng.permutation(len(votes)).astype(np.int64)
    earlier = np.arange(len(votes) - len(first), len(votes))
    swap = when[earlier] > when[first]  # the revision must come first
    when[earlier[swap]], when[first[swap]] = when[first[swap]], when[earlier[swap]]
    order = np.argsort(when)
    start = int(timestamps[0])
    return participants[order], statements[order], votes[order], start + when[order]


def timed(argv: list[str], src: str | None) -> tuple[float, float, str]:
    """(wall s, peak MB, stdout) of one fresh process; the peak is that child's own
    (``os.wait4``), not the largest of all children so far."""
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    env["MKL_NUM_THREADS"] = "1"
    if src:
        env["PYTHONPATH"] = src
    t = time.perf_counter()
    child = subprocess.Popen(argv, env=env, stdout=subprocess.PIPE, text=True)
    assert child.stdout is not None
    out = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    wall = time.perf_counter() - t
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{' '.join(argv)} failed with exit code {child.returncode}")
    return wall, usage.ru_maxrss / 1024, out


def interrupted(folder: Path, delay: float, src: str | None) -> tuple[int, float]:
    """(exit code, seconds from SIGINT to exit) of ``track2 analyze`` interrupted ``delay``
    seconds in, as Ctrl-C on a terminal would."""
    env = {**os.environ, "OMP_NUM_THREADS": "1"} | ({"PYTHONPATH": src} if src else {})
    argv = [sys.executable, "-m", "track2", "analyze", str(folder), "--output", os.devnull]
    # SIGINT as a terminal gives it (a background job of a script would have it ignored).
    child = subprocess.Popen(
        argv,
        env=env,
        stdout=subprocess.DEVNULL,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    time.sleep(delay)
    sent = time.perf_counter()
    child.send_signal(signal.SIGINT)
    code = child.wait()
    return code, time.perf_counter() - sent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cache", required=True, metavar="DIR", help="bench_track2_1m's cache")
    parser.add_argument("--work", required=True, type=Path, help="where the CSV files go")
    parser.add_argument("--before", help="another checkout's src directory, run side by side")
    parser.add_argument("--repeat", type=int, default=2)
    parser.add_argument("--command", action="store_true", help="also the whole track2 analyze")
    parser.add_argument(
        "--interrupt-after",
        type=float,
        nargs="*",
        metavar="S",
        help="instead: Ctrl-C (SIGINT) the command S seconds in, and time its exit",
    )
    parser.add_argument("--write-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.write_only:
        write_files(args.cache, args.work)
        return
    # Written by a child: a child's peak resident memory starts from its parent's at fork,
    # so this process must stay small for the peaks below to be each run's own.
    subprocess.run(
        [sys.executable, __file__, "--write-only", "--cache", args.cache, "--work", str(args.work)],
        check=True,
    )
    folders = write_files(args.cache, args.work)
    versions = {"this checkout": None} | ({"before": args.before} if args.before else {})
    if args.interrupt_after:
        for delay in args.interrupt_after:
            for version, src in versions.items():
                code, later = interrupted(folders["participant order"], delay, src)
                print(f"Ctrl-C {delay:g} s in, {version}: exit {code} {later:.2f} s later")
        return
    results: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.repeat):
        for order, folder in folders.items():
            for version, src in versions.items():
                wall, _, out = timed([sys.executable, "-c", _READ, str(folder / "votes.csv")], src)
                seconds, peak, votes = out.split()
                key = f"read, {order}, {version}"
                results.setdefault(key, []).append((float(seconds), float(peak)))
                print(f"{key}: {float(seconds):.2f} s, peak {float(peak):.0f} MB ({votes} votes)")
                if args.command:
                    report = args.work / "report.txt"
                    argv = [sys.executable, "-m", "track2", "analyze", str(folder)]
                    wall, peak_mb, _ = timed([*argv, "--output", str(report)], src)
                    key = f"track2 analyze, {order}, {version}"
                    results.setdefault(key, []).append((wall, peak_mb))
                    print(f"{key}: {wall:.2f} s, peak {peak_mb:.0f} MB", flush=True)
    print("== medians")
    for key, runs in results.items():
        walls = [w for w, _ in runs]
        peaks = [p for _, p in runs]
        print(
            f"{key}: {np.median(walls):.2f} s ({min(walls):.2f}-{max(walls):.2f}), "
            f"peak {np.median(peaks):.0f} MB (highest {max(peaks):.0f})"
        )


if __name__ == "__main__":
    main()
