"""Load benchmark of the dialogue room: votes and the live map, `track2 serve` on loopback.

    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_room.py --quick
    OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_room.py

Needs the `bench` extra (`pip install -e '.[test,bench]'`: locust) and, for PostgreSQL, Debian's
postgresql (a throwaway cluster is started, as scripts/test.sh does). For each database:
1. seeds one meeting (benchmarks/seed_room.py): 2,000 seated participants in two delegations,
   300 accepted statements, 1,800 of them having voted on a quarter; 200 load voters with tokens;
2. serves it as `track2 serve` would be run for that database: SQLite with 1 worker (its live
   updates stay in the process), PostgreSQL with 2 (LISTEN/NOTIFY between them);
3. a room at work: 200 voters (benchmarks/room_voters.py: paced keep-alive connections), each
   voting every 2 s from its own moment, while a facilitator's SSE client re-reads the map
   (GET common-ground) on every event and a probe voter flips its vote on a statement nobody
   else touches: vote-to-map latency is from the probe's acknowledgement until a map read that
   counts it;
4. saturation: closed loop (no wait) with as many voters as --saturation-users (locust, headless);
5. stored == acknowledged: each (voter, statement) pair acknowledged is stored once, with the
   last acknowledged answer, and no load voter has any other vote.
The last line printed is one JSON object (the better set-up's `votes_per_s`, the room-at-work
`p99_ms` and `map_p95_ms`, `acknowledged`, `stored`, and every set-up's figures).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks import room_voters  # noqa: E402  (after the path)

from tests.live.servers import (  # noqa: E402  (after the path)
    EventReader,
    api,
    postgres_database,
    seed,
    serve,
    served_env,
)

VALUES = {"agree": 1, "disagree": -1, "pass": 0}


def locust(
    base: str,
    seed_file: Path,
    work: Path,
    name: str,
    users: int,
    seconds: int,
    skip: int = 0,
):
    """Run locust headless; return (stats row of the vote request, acknowledged votes)."""
    ack_file = work / f"{name}-ack.json"
    env = {
        **os.environ,
        "BENCH_SEED_FILE": str(seed_file),
        "BENCH_ACK_FILE": str(ack_file),
        "BENCH_SKIP": str(skip),
    }
    subprocess.run(
        [
            str(Path(sys.executable).parent / "locust"),
            "-f",
            str(ROOT / "benchmarks" / "room_locust.py"),
            "--headless",
            "--users",
            str(users),
            "--spawn-rate",
            str(users),
            "--run-time",
            f"{seconds}s",
            "--host",
            base,
            "--csv",
            str(work / name),
            "--only-summary",
            "--loglevel",
            "WARNING",
            "--stop-timeout",
            "5",
        ],
        env=env,
        check=False,  # locust exits 1 when any request failed; the failures are reported
        timeout=seconds + 120,
        stdout=subprocess.DEVNULL,
    )
    with open(work / f"{name}_stats.csv") as f:
        row = next(r for r in csv.DictReader(f) if r["Name"] == "PUT vote")
    return row, json.loads(ack_file.read_text())


class MapProbe:
    """A facilitator's SSE client that re-reads the map on every event, and a probe voter."""

    def __init__(self, base: str, seed_data: dict):
        self.base, self.seed = base, seed_data
        m = f"/api/v1/dialogues/{seed_data['dialogue']}/meetings/{seed_data['meeting']}"
        self.map_path, self.events_path = m + "/common-ground", m + "/events"
        self.vote_path = f"{m}/statements/{seed_data['probe_statement']}/vote"
        self.reads: list[tuple[float, int | None]] = []  # (read finished at, probe's agree count)
        self.map_seconds: list[float] = []
        self.failed_reads: list[str] = []  # what a map read that showed nothing got instead
        self.reopened = 0  # event streams reopened after a second without an event
        self.stop = threading.Event()

    def agree_count(self) -> int | None:
        started = time.monotonic()
        try:
            status, body = api(
                self.base, "GET", self.map_path, self.seed["facilitator"], timeout=120
            )
        except OSError as err:
            self.failed_reads.append(type(err).__name__)
            return None  # counted as a read that showed nothing
        finally:
            self.map_seconds.append(time.monotonic() - started)
        if status != 200:
            self.failed_reads.append(f"HTTP {status}")
            return None
        row = next(s for s in body["statements"] if s["id"] == self.seed["probe_statement"])
        return row.get("agree")

    def watch(self) -> None:
        try:
            self._watch()
        except OSError as err:  # the server went away or stopped answering: reported as unseen
            print(f"map watcher stopped: {err!r}", flush=True)

    def _watch(self) -> None:
        reader = EventReader(self.base, self.events_path, self.seed["facilitator"])
        try:
            while not self.stop.is_set():
                if reader.next_event(timeout=1.0) is None:
                    self.reopened += 1
                    reader.close()  # a timed-out reader may be mid-chunk: open a fresh one
                    reader = EventReader(self.base, self.events_path, self.seed["facilitator"])
                    continue
                self.reads.append((time.monotonic(), self.agree_count()))
        finally:
            reader.close()

    def run(self, seconds: float, every: float = 3.0) -> list[float]:
        """Flip the probe's vote every `every` s; return each flip's vote-to-map latency (s)."""
        base = self.agree_count()
        assert base is not None
        self.started = time.monotonic()
        watcher = threading.Thread(target=self.watch, daemon=True)
        watcher.start()
        flips: list[tuple[float, int]] = []
        answer = "disagree"
        ends = time.monotonic() + seconds
        while time.monotonic() < ends:
            answer = "agree" if answer == "disagree" else "disagree"
            try:
                status, _ = api(
                    self.base,
                    "PUT",
                    self.vote_path,
                    self.seed["probe"],
                    {"vote": answer},
                    timeout=60,
                )
            except OSError:
                status = None
            if status == 200:
                flips.append((time.monotonic(), base + (1 if answer == "agree" else 0)))
            time.sleep(every)
        time.sleep(min(every, 10))
        self.stop.set()
        watcher.join(timeout=130)
        latencies = []
        for acked_at, expected in flips:
            seen = [at for at, agree in self.reads if at >= acked_at and agree == expected]
            latencies.append(seen[0] - acked_at if seen else float("inf"))
            if not seen:
                # What the maps read after it showed instead, so a miss can be told apart from a
                # watcher that got no events (the phase's end) or reads that failed.
                after = [agree for at, agree in self.reads if at >= acked_at]
                print(
                    f"flip at {acked_at - self.started:.1f} s (agree count {expected}) never seen:"
                    f" {len(after)} reads after it showed {sorted(set(after), key=str)};"
                    f" failed reads in the run: {len(self.failed_reads)}"
                    f" {sorted(set(self.failed_reads))}; streams reopened: {self.reopened}",
                    flush=True,
                )
        return latencies


def stored_votes(database_url: str | None, home: Path, pseudonyms: list[str]) -> dict:
    marks = ",".join(["%s" if database_url else "?"] * len(pseudonyms))
    query = (
        f"SELECT pseudonym, statement_id, value FROM deliberation_vote WHERE pseudonym IN ({marks})"  # noqa: S608  (placeholders only)
    )
    if database_url:
        import psycopg

        with psycopg.connect(database_url) as conn:
            rows = conn.execute(query, pseudonyms).fetchall()
    else:
        with contextlib.closing(sqlite3.connect(home / "track2.sqlite3")) as conn:
            rows = conn.execute(query, pseudonyms).fetchall()
    return {(p, s): v for p, s, v in rows}


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else float("nan")


def run_setup(database: str, args, work: Path) -> dict:
    with postgres_database() if database == "postgresql" else contextlib.nullcontext(None) as url:
        home = work / f"home-{database}"
        env = served_env(home, url)
        env.pop("TRACK2_EMAIL_URL")  # as a person runs it
        started = time.monotonic()
        data = seed(env, "benchmarks.seed_room")
        print(f"[{database}] seeded in {time.monotonic() - started:.0f} s", flush=True)
        seed_file = work / f"seed-{database}.json"
        seed_file.write_text(json.dumps(data))
        workers = 2 if database == "postgresql" else 1
        with serve(env, workers=workers) as base:
            probe = MapProbe(base, data)
            first = time.monotonic()
            probe.agree_count()  # the first map: the engine's cold start, not a live update
            print(f"[{database}] first map in {time.monotonic() - first:.1f} s", flush=True)
            result: dict = {}
            map_latencies: list[float] = []
            thread = threading.Thread(
                target=lambda: map_latencies.extend(probe.run(args.work_seconds)), daemon=True
            )
            thread.start()
            # The room at work's voters are paced asyncio connections, not locust (whose own
            # latency at 200 users hid the server's: benchmarks/room_voters.py).
            at_work = room_voters.run(base, data, 200, args.work_seconds, pacing=2.0)
            work_acks = at_work.pop("acknowledged")
            thread.join(timeout=args.work_seconds + 300)
            per_voter: dict[int, int] = {}
            for voter, _s, _a in work_acks:
                per_voter[voter] = per_voter.get(voter, 0) + 1
            sat_row, sat_acks = locust(
                base,
                seed_file,
                work,
                f"{database}-saturation",
                args.saturation_users,
                args.saturation_seconds,
                skip=max(per_voter.values(), default=0),
            )
        acks = work_acks + sat_acks
        last: dict[tuple[int, int], str] = {}
        for voter, statement, answer in acks:
            last[(voter, statement)] = answer
        stored = stored_votes(url, home, data["voter_pseudonyms"])
        expected = {(data["voter_pseudonyms"][v], s): VALUES[a] for (v, s), a in last.items()}
        finite = [x for x in map_latencies if x != float("inf")]
        lost = [pair for pair, value in expected.items() if stored.get(pair) != value]
        unacknowledged = [pair for pair in stored if pair not in expected]
        result = {
            "database": database,
            "workers": workers,
            "work_votes_per_s": at_work["votes_per_s"],
            "work_p50_ms": at_work["p50_ms"],
            "work_p99_ms": at_work["p99_ms"],
            "work_failures": at_work["failures"],
            "votes_per_s": round(float(sat_row["Requests/s"]), 1),
            "saturation_p50_ms": float(sat_row["50%"]),
            "saturation_p99_ms": float(sat_row["99%"]),
            "saturation_failures": int(sat_row["Failure Count"]),
            "map_p50_ms": round(1000 * statistics.median(finite), 1) if finite else None,
            "map_p95_ms": round(1000 * percentile(map_latencies, 0.95), 1)
            if map_latencies
            else None,
            "map_flips": len(map_latencies),
            "map_flips_never_seen": len(map_latencies) - len(finite),
            "map_read_median_ms": round(1000 * statistics.median(probe.map_seconds), 1),
            "map_reads_failed": len(probe.failed_reads),
            "acknowledged": len(acks),
            "revotes": len(acks) - len(expected),
            "stored": len(stored),
            "stored_equals_acknowledged": stored == expected,
            # Acknowledged votes missing or with another answer (must be 0), and stored votes whose
            # answer never reached locust (requests cut when a phase stopped, or timed out).
            "lost": len(lost),
            "stored_unacknowledged": len(unacknowledged),
            "load_average_1m": round(os.getloadavg()[0], 1),
        }
        print(json.dumps(result), flush=True)
        return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="the 30-second version")
    parser.add_argument("--databases", default="sqlite,postgresql")
    parser.add_argument("--saturation-users", type=int, default=100)
    args = parser.parse_args()
    args.work_seconds = 15 if args.quick else 60
    args.saturation_seconds = 15 if args.quick else 30
    with tempfile.TemporaryDirectory(prefix="track2-bench-room-") as folder:
        results = [run_setup(db, args, Path(folder)) for db in args.databases.split(",")]
    best = max(results, key=lambda r: r["votes_per_s"])
    print(
        json.dumps(
            {
                "votes_per_s": best["votes_per_s"],
                "votes_per_s_setup": best["database"],
                "p99_ms": max(r["work_p99_ms"] for r in results),
                "map_p95_ms": max((r["map_p95_ms"] or float("inf")) for r in results),
                "acknowledged": sum(r["acknowledged"] for r in results),
                "stored": sum(r["stored"] for r in results),
                "stored_equals_acknowledged": all(r["stored_equals_acknowledged"] for r in results),
                "lost": sum(r["lost"] for r in results),
                "setups": results,
            }
        )
    )


if __name__ == "__main__":
    main()
