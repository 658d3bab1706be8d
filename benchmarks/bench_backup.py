"""Backup and restore times (issue 16): `track2 backup`, `track2 restore` and the read-back
verification, on a SQLite site with N synthetic audit rows (the widest table a real site grows).

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_backup.py --rows 0,100000,1000000 --repeats 3

Each command is a fresh `track2` process with the production Argon2id cost (3 passes, 256 MiB);
the table reports medians of wall time, the archive's size, and the ratio to the database size.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PASSPHRASE = "benchmark passphrase, not a secret"  # noqa: S105  (a throwaway benchmark site)


def env_for(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRACK2_")}
    env.update(
        TRACK2_HOME=str(home),
        TRACK2_EMAIL_URL="locmem://",
        DJANGO_SETTINGS_MODULE="track2.settings",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
    )
    return env


def track2(home: Path, *args: str) -> float:
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "track2", *args], env=env_for(home), check=True, capture_output=True
    )
    return time.perf_counter() - started


def make_site(base: Path, rows: int) -> Path:
    home = base / f"site-{rows}"
    home.mkdir()
    track2(home, "migrate", "-v0")
    connection = sqlite3.connect(home / "track2.sqlite3")
    connection.executemany(
        "insert into audit_auditentry (actor_name, action, object_type, object_id, parent_type,"
        " fields, at) values ('bench', 'update', 'meeting', ?, '', '[\"title\"]', '2026-01-01')",
        ((i,) for i in range(rows)),
    )
    connection.commit()
    connection.close()
    return home


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", default="0,100000,1000000")
    parser.add_argument("--repeats", type=int, default=3)
    options = parser.parse_args()
    print(
        "| audit rows | database | archive | backup (incl. read-back) | restore (incl. verify) | backup s per 100 MB |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as scratch:
        base = Path(scratch)
        phrase = base / "passphrase"
        phrase.write_text(PASSPHRASE)
        for rows in [int(r) for r in options.rows.split(",")]:
            home = make_site(base, rows)
            database = (home / "track2.sqlite3").stat().st_size
            backups, restores = [], []
            for attempt in range(options.repeats):
                archive = base / f"{rows}-{attempt}.backup"
                backups.append(
                    track2(home, "backup", str(archive), "--passphrase-file", str(phrase))
                )
                target = base / f"target-{rows}-{attempt}"
                target.mkdir()
                restores.append(
                    track2(target, "restore", str(archive), "--passphrase-file", str(phrase))
                )
            size = archive.stat().st_size
            backup_s = statistics.median(backups)
            print(
                f"| {rows:,} | {database / 1e6:.1f} MB | {size / 1e6:.1f} MB | {backup_s:.2f} s "
                f"| {statistics.median(restores):.2f} s | {backup_s / max(database / 1e8, 1e-9):.2f} |"
            )


if __name__ == "__main__":
    main()
