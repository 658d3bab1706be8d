"""What the small-cell rule lets a report or the room show of opinion groups' answers, and what
the rule costs: whole rows (a group shown whole or not at all on a statement, before stop 45)
against cell by cell (`track2.disclosure.answers`), side by side on the same tables.

Per conversation (simulated rooms, and every real conversation in tests/data/polis, Track 2
mode, seed 0): the group × statement agree shares shown each way, the listed representative
statements whose share is shown each way, the group-informed consensus values shown cell by cell
(whole rows printed them all, though one hidden group's factor is the quotient of the others'),
and the audit's time for all the statements' tables, median of ``--repeat``.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1 \\
        .venv/bin/python benchmarks/bench_group_cells.py [--k 3] [--repeat 5]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from statistics import median

import numpy as np

from track2.commonground import analyze_track2, load_conversation
from track2.disclosure.answers import answer_figures
from track2.disclosure.cells import suppress
from track2.simulate.dialogue import SimulationParams, simulate_dialogue

POLIS = Path(__file__).resolve().parents[1] / "tests" / "data" / "polis"
ROOMS = {  # participants, statements, planted groups, mean votes
    "room 40 × 60, 3 planted groups": (40, 60, 3, 30),
    "room 300 × 80, 4 planted": (300, 80, 4, 30),
    "Track 3 2,000 × 300, 4 planted": (2_000, 300, 4, 15),
    "Track 3 2,000 × 300, 7 planted": (2_000, 300, 7, 40),
}


def tables_of(analysis) -> list[list[list[int]]]:  # type: ignore[no-untyped-def]
    a, d, s = (
        np.asarray(x, dtype=np.int64)
        for x in (analysis.group_agree, analysis.group_disagree, analysis.group_seen)
    )
    return [
        [[int(a[g, j]), int(d[g, j]), int(s[g, j] - a[g, j] - d[g, j])] for g in range(a.shape[0])]
        for j in range(a.shape[1])
    ]


def timed(function, repeat: int) -> tuple[list, float]:  # type: ignore[no-untyped-def]
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - started)
    return result, median(times)  # type: ignore[return-value]


def row(name: str, analysis, k: int, repeat: int) -> str:  # type: ignore[no-untyped-def]
    tables = tables_of(analysis)
    included = ~np.asarray(analysis.excluded, dtype=bool)
    whole, t_whole = timed(
        lambda: [suppress(t, k, whole_rows=True).shown_rows for t in tables], repeat
    )
    cells, t_cells = timed(lambda: [answer_figures(t, k) for t in tables], repeat)
    columns = np.flatnonzero(included)
    n_groups = len(tables[0])
    shown_whole = sum(bool(whole[j][g]) for j in columns for g in range(n_groups))
    shown_cells = sum(cells[j][g].answer("agree") for j in columns for g in range(n_groups))
    column = {sid: j for j, sid in enumerate(analysis.statement_ids.tolist())}
    listed = [
        (g, column[r.statement], r.repful_for)
        for g, gid in enumerate(analysis.group_ids.tolist())
        for r in analysis.repness.get(gid, ())
    ]
    reps_whole = sum(bool(whole[j][g]) for g, j, _ in listed)
    reps_cells = sum(cells[j][g].answer(answer) for g, j, answer in listed)
    informed = sum(all(f.answer("agree") for f in cells[j]) for j in columns)
    return (
        f"| {name} | {n_groups} | {len(columns)} | {shown_whole} → **{shown_cells}** "
        f"of {n_groups * len(columns)} | {reps_whole} → **{reps_cells}** of {len(listed)} "
        f"| {len(columns)} → {informed} | {t_whole * 1e3:.1f} → {t_cells * 1e3:.1f} ms |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--k", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(
        "| conversation | groups | statements | agree shares shown: whole rows → cell by cell "
        "| representative statements shown | group-informed consensus shown "
        "| audit, all statements (median) |"
    )
    print("|---|---|---|---|---|---|---|")
    for name, (n, m, g, votes) in ROOMS.items():
        params = SimulationParams(n_participants=n, n_statements=m, n_groups=g, mean_votes=votes)
        analysis = analyze_track2(simulate_dialogue(params, seed=1).matrix, random_state=0)
        print(row(name, analysis, args.k, args.repeat), flush=True)
    for folder in sorted(p for p in POLIS.iterdir() if p.is_dir()):
        analysis = analyze_track2(load_conversation(folder).matrix, random_state=0)
        print(row(folder.name, analysis, args.k, args.repeat), flush=True)


if __name__ == "__main__":
    main()
