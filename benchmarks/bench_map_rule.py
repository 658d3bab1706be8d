"""What the room's stricter rule for opinion groups costs (stop 53): besides the cell-by-cell
rule (`disclosure.answers`), the room now audits each statement's groups × (answer, not answer)
table as it audits the delegations' (`deliberation.map_data._answer_rows`), and how much more it
hides.

Per simulated room (Track 2 mode, seed 1): the time of each audit over every statement's table
of one fit, cold (the map remembers both per table afterwards), median of ``--repeat``; and the
group × statement agree shares each rule lets the room show.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_map_rule.py [--k 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import time
from statistics import median

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "track2.settings")
os.environ.setdefault("TRACK2_HOME", "/tmp/track2-bench-map-rule")

import django  # noqa: E402

django.setup()

from track2.commonground import analyze_track2  # noqa: E402
from track2.deliberation import map_data  # noqa: E402
from track2.simulate.dialogue import SimulationParams, simulate_dialogue  # noqa: E402

ROOMS = [(40, 60), (200, 80), (2000, 300)]


def _cold(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        map_data._shown_rows.cache_clear()
        map_data._answer_figures.cache_clear()
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    k = args.k
    print(
        "| room | groups | cell rule (ms) | + answer / not answer (ms) | shares shown: cell rule → both |"
    )
    print("|---|---|---|---|---|")
    for n, m in ROOMS:
        fit = analyze_track2(
            simulate_dialogue(SimulationParams(n_participants=n, n_statements=m), seed=1).matrix
        )
        tables = map_data._answers_tables(fit)
        cells = _cold(lambda t=tables: [map_data._answer_figures(x, k) for x in t], args.repeat)
        rows = _cold(lambda t=tables: [map_data._answer_rows(x, 0, k) for x in t], args.repeat)
        by_cell = [map_data._answer_figures(t, k) for t in tables]
        by_row = [map_data._answer_rows(t, 0, k) for t in tables]
        shown = sum(f.answer("agree") for figures in by_cell for f in figures)
        both = sum(
            f.answer("agree") and r
            for figures, flags in zip(by_cell, by_row, strict=True)
            for f, r in zip(figures, flags, strict=True)
        )
        total = len(tables) * len(fit.group_ids)
        print(
            f"| {n:,} × {m} | {len(fit.group_ids)} | {1000 * cells:.1f} | {1000 * rows:.1f} | "
            f"{shown} → {both} of {total} |"
        )


if __name__ == "__main__":
    main()
