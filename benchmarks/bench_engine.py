"""Engine part 1 benchmark: Track2's Pol.is mode side by side with red-dwarf.

Every run is a fresh child process with BLAS/OpenMP threads pinned to 1; the parent reads the
child's peak memory (ru_maxrss from wait4) and the child reports its own load and analysis
times. Each (dataset, engine) pair runs ``--repeats`` times and the median is reported.
red-dwarf runs in its own virtualenv (benchmarks/.venv, never a Track2 dependency).

    .venv/bin/python benchmarks/bench_engine.py --sizes real,5k,100k,1m --repeats 3
    .venv/bin/python benchmarks/bench_engine.py --sizes real,2k900 --repeats 5 \
        --real /work/shared/data/polis --results benchmarks/work/results-issue15.json

Results: a JSON file and a Markdown table under benchmarks/work/ (git-ignored); the numbers
quoted in docs/benchmarks.md come from there.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
WORK = ROOT / "benchmarks" / "work"
REAL = ROOT / "tests" / "data" / "polis"
TRACK2_PY = ROOT / ".venv" / "bin" / "python"
REDDWARF_PY = ROOT / "benchmarks" / ".venv" / "bin" / "python"
PINNED = {
    "OMP_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "PYTHONWARNINGS": "ignore",
}
# name: (participants, statements, mean draws per participant)
# "2k900": the shape of the largest real conversations the issue names (≈2,000 × 900, ≈225k votes)
SYNTHETIC = {
    "5k": (5_000, 300, 40),
    "2k900": (2_000, 900, 112),
    "100k": (100_000, 2_000, 50),
    "1m": (1_000_000, 5_000, 62),
}
RED_DWARF_MEMORY_LIMIT = 16 * 2**30  # address-space cap so a failing run cannot swamp the box
RED_DWARF_CPU_LIMIT = 1_800  # seconds


def run_child(
    cmd: list[str], *, limit_as: int | None = None, cpu_seconds: int | None = None
) -> dict[str, Any]:
    """Run ``cmd`` in a fresh process; return its JSON line, wall time, peak RSS, errors."""
    env = {**os.environ, **PINNED, "PYTHONPATH": str(ROOT / "src")}

    def limits() -> None:
        if limit_as:
            resource.setrlimit(resource.RLIMIT_AS, (limit_as, limit_as))
        if cpu_seconds:
            resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, env=env, preexec_fn=limits)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - t0
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    result: dict[str, Any] = {
        "wall_s": wall,
        "peak_mb": usage.ru_maxrss / 1024.0,
        "returncode": proc.returncode,
    }
    lines = [ln for ln in stdout.splitlines() if ln.startswith("{")]
    if proc.returncode == 0 and lines:
        result.update(json.loads(lines[-1]))
    else:
        tail = [ln for ln in stderr.strip().splitlines() if ln.strip()]
        result["error"] = tail[-1] if tail else f"exit status {proc.returncode}"
    return result


def ensure_synthetic(name: str) -> tuple[Path, dict[str, Any] | None]:
    """Generate the synthetic dialogue once (in a child, to measure it too)."""
    n, m, mean = SYNTHETIC[name]
    folder = WORK / f"synth-{name}"
    if (folder / "truth.npz").exists():
        return folder, None
    code = (
        "import json, sys, time; from track2.simulate import SimulationParams, "
        "write_polis_folder; t=time.perf_counter(); "
        f"write_polis_folder({str(folder)!r}, SimulationParams(n_participants={n}, "
        f"n_statements={m}, mean_votes={mean}), seed=1); "
        "print(json.dumps({'generate_s': time.perf_counter()-t}))"
    )
    info = run_child([str(TRACK2_PY), "-c", code])
    return folder, info


def ari(labels_file: Path, reference: dict[int, int]) -> float | None:
    sys.path.insert(0, str(ROOT / "src"))
    from track2.commonground.stats import adjusted_rand_index

    data = np.load(labels_file)
    ids, labels = data["ids"], data["labels"]
    keep = [i for i, p in enumerate(ids.tolist()) if int(p) in reference]
    if len(keep) < 2:
        return None
    ref = np.asarray([reference[int(ids[i])] for i in keep])
    return float(adjusted_rand_index(labels[keep], ref))


def reference_groups(folder: Path) -> tuple[str, dict[int, int]]:
    truth = folder / "truth.npz"
    if truth.exists():
        with np.load(truth) as t:
            return "planted", {i: int(g) for i, g in enumerate(t["group"].tolist())}
    groups: dict[int, int] = {}
    with (folder / "participants-votes.csv").open(encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        p, g = header.index("participant"), header.index("group-id")
        for line in f:
            cells = line.rstrip("\n").split(",")
            if len(cells) > g and cells[g].strip():
                groups[int(cells[p])] = int(cells[g])
    return "polis-export", groups


def one_run(folder: Path, engine: str, r: int, reference: dict[int, int]) -> dict[str, Any]:
    labels = WORK / f"labels-{folder.name}-{engine}-{r}.npz"
    if engine == "track2":
        res = run_child(
            [str(TRACK2_PY), str(ROOT / "benchmarks" / "run_track2.py"), str(folder), str(labels)]
        )
    else:
        res = run_child(
            [
                str(REDDWARF_PY),
                str(ROOT / "benchmarks" / "run_reddwarf.py"),
                str(folder),
                str(labels),
            ],
            limit_as=RED_DWARF_MEMORY_LIMIT,
            cpu_seconds=RED_DWARF_CPU_LIMIT,
        )
    if "error" not in res:
        res["ari"] = ari(labels, reference)
    labels.unlink(missing_ok=True)
    print(
        f"  {folder.name:28s} {engine:8s} run {r + 1}: "
        + (
            res["error"]
            if "error" in res
            else f"analyze {res['analyze_s']:.3f}s load {res['load_s']:.3f}s "
            f"peak {res['peak_mb']:.0f} MB k {res['k']} ARI {res['ari']}"
        ),
        flush=True,
    )
    return res


def summarise(runs: list[dict[str, Any]]) -> dict[str, Any]:
    ok = [x for x in runs if "error" not in x]
    if not ok:
        return {"error": runs[0]["error"], "runs": runs}
    med = {
        key: statistics.median(x[key] for x in ok)
        for key in ("analyze_s", "load_s", "wall_s", "peak_mb")
    }
    return {**med, "k": [x["k"] for x in ok], "ari": ok[0]["ari"], "runs": runs, "n_runs": len(ok)}


def bench(
    folder: Path, engines: list[str], repeats: dict[str, int], reference: dict[int, int]
) -> dict[str, dict[str, Any]]:
    """Runs alternate between engines (t2, rd, t2, rd, ...) so both see the same machine
    load; an engine that fails is not retried (it fails the same way again)."""
    runs: dict[str, list[dict[str, Any]]] = {e: [] for e in engines}
    for r in range(max(repeats.values())):
        for engine in engines:
            if r >= repeats[engine] or any("error" in x for x in runs[engine]):
                continue
            runs[engine].append(one_run(folder, engine, r, reference))
    return {e: summarise(runs[e]) for e in engines}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="real,5k,100k,1m")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--engines", default="track2,reddwarf")
    ap.add_argument(
        "--reddwarf-repeats",
        type=int,
        default=None,
        help="repeats for red-dwarf (default: --repeats)",
    )
    ap.add_argument("--results", default=str(WORK / "results.json"))
    ap.add_argument(
        "--real",
        default=str(REAL),
        help="folder of real Pol.is conversations, one per subfolder (default tests/data/polis)",
    )
    args = ap.parse_args()
    WORK.mkdir(parents=True, exist_ok=True)
    results_path = Path(args.results)
    results: dict[str, Any] = json.loads(results_path.read_text()) if results_path.exists() else {}
    datasets: list[Path] = []
    for size in args.sizes.split(","):
        if size == "real":
            datasets += sorted(p for p in Path(args.real).iterdir() if p.is_dir())
        else:
            folder, info = ensure_synthetic(size)
            if info is not None:
                print(f"generated {folder.name}: {info}", flush=True)
                results.setdefault("_generation", {})[folder.name] = info
            datasets.append(folder)
    for folder in datasets:
        kind, reference = reference_groups(folder)
        entry = results.setdefault(folder.name, {"reference": kind})
        engines = args.engines.split(",")
        repeats = {
            e: (args.reddwarf_repeats or args.repeats) if e == "reddwarf" else args.repeats
            for e in engines
        }
        entry.update(bench(folder, engines, repeats, reference))
        results_path.write_text(json.dumps(results, indent=1))
    write_table(results)


def write_table(results: dict[str, Any]) -> None:
    rows = [
        "| conversation | size (participants × statements, votes) | Track2 analyse s | "
        "red-dwarf analyse s | speed-up | Track2 peak MB | red-dwarf peak MB | k (T2 / rd) | "
        "ARI T2 | ARI rd | ARI vs |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for name, e in results.items():
        if name.startswith("_"):
            continue
        t, r = e.get("track2", {}), e.get("reddwarf", {})
        if "analyze_s" not in t:
            continue
        run = next(x for x in t["runs"] if "error" not in x)
        size = f"{run['participants']} × {run['statements']}, {run['votes']}"
        if "analyze_s" in r:
            rd_time, rd_mem = f"{r['analyze_s']:.3f}", f"{r['peak_mb']:.0f}"
            speed = f"{r['analyze_s'] / t['analyze_s']:.1f}×"
            rd_k, rd_ari = ",".join(map(str, r["k"])), _fmt(r["ari"])
        else:
            rd_time = f"failed: {r.get('error', 'not run')}"
            rd_mem = speed = rd_k = rd_ari = "-"
        rows.append(
            f"| {name} | {size} | {t['analyze_s']:.3f} | {rd_time} | {speed} | "
            f"{t['peak_mb']:.0f} | {rd_mem} | {','.join(map(str, t['k']))} / {rd_k} | "
            f"{_fmt(t['ari'])} | {rd_ari} | {e['reference']} |"
        )
    table = "\n".join(rows) + "\n"
    (WORK / "results.md").write_text(table)
    print(table)


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


if __name__ == "__main__":
    main()
