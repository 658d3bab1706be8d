"""What one vote and one map read cost, in-process, in the seeded Track 3 room (no HTTP server,
no load generator): the CPU of a `PUT …/vote` through the whole Django stack, and the map's
first read, an unchanged read, a read after one vote and after 50, and the background catch-up.

    PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 .venv/bin/python benchmarks/room_costs.py

Seeds benchmarks/seed_room.py into a temporary TRACK2_HOME first (about a minute).
Prints one JSON line.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from seed_room import seeded_site

ROOT = Path(__file__).resolve().parents[1]


def measure() -> dict:
    import django

    django.setup()
    from django.test import Client

    from track2.deliberation import map_data
    from track2.meetings.models import Meeting

    seed = json.loads(os.environ["ROOM_SEED"])
    client = Client(HTTP_HOST="127.0.0.1")
    base = f"/api/v1/dialogues/{seed['dialogue']}/meetings/{seed['meeting']}/statements/"
    statements = seed["statements"]

    def put(i: int) -> None:
        r = client.put(
            base + f"{statements[i % len(statements)]}/vote",
            data=json.dumps({"vote": "agree" if i % 3 else "disagree"}),
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer " + seed["voters"][i % len(seed["voters"])],
        )
        assert r.status_code == 200, r.content[:300]

    meeting = Meeting.objects.select_related("dialogue__institution").get(pk=seed["meeting"])
    out: dict = {}
    started = time.perf_counter()
    map_data.room_map(meeting)
    out["first_map_ms"] = round(1000 * (time.perf_counter() - started), 1)
    started = time.perf_counter()
    map_data.room_map(meeting)
    out["unchanged_read_ms"] = round(1000 * (time.perf_counter() - started), 1)
    put(0)  # warm
    cpu, wall = time.process_time(), time.perf_counter()
    for i in range(1, 201):
        put(i)
    out["vote_cpu_ms"] = round((time.process_time() - cpu) / 200 * 1000, 2)
    out["vote_wall_ms"] = round((time.perf_counter() - wall) / 200 * 1000, 2)
    map_data.room_map(meeting)
    for n in (1, 50):
        for i in range(n):
            put(500 + i)
        started = time.perf_counter()
        shown = map_data.room_map(meeting)
        out[f"read_after_{n}_votes_ms"] = round(1000 * (time.perf_counter() - started), 1)
    started = time.perf_counter()
    while not shown["groups_current"] and time.perf_counter() - started < 120:
        time.sleep(0.02)
        shown = map_data.room_map(meeting)
    out["groups_caught_up_s"] = round(time.perf_counter() - started, 2)
    fit = map_data._rooms[meeting.pk].fit
    out["last_fit_timings_s"] = {k: round(v, 3) for k, v in fit.timings.items()}
    out["load_average_1m"] = round(os.getloadavg()[0], 1)
    return out


def main() -> None:
    if "ROOM_SEED" in os.environ:
        print(json.dumps(measure()))
        return
    with tempfile.TemporaryDirectory(prefix="track2-room-costs-") as home:
        env = seeded_site(home)
        subprocess.run([sys.executable, __file__], env=env, cwd=ROOT, check=True)


if __name__ == "__main__":
    main()
