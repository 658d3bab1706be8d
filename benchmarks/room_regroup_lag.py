"""How long a vote waits for the room's opinion groups while they are chosen again, in-process, in
the seeded Track 3 room (2,000 seated, 300 statements, ~135,000 votes): votes through the whole
Django stack at a steady pace, each followed by a map read (as a facilitator's screen does on
every event), while a thread notes when the groups' fit first holds each vote.

    PYTHONPATH=$PWD/src OMP_NUM_THREADS=1 .venv/bin/python benchmarks/room_regroup_lag.py \\
        [--before /tmp/before/src] [--seconds 40] [--every 100]

The room chooses its groups again once its votes have grown by half; to see that here within a
run, the measuring process sets ``live.REGROUP_GROWTH`` so that a regroup falls due every
``--every`` votes (the cold analysis is what is measured, not how often a real room needs one).
``--before SRC``: also run another checkout's ``src`` on a copy of the same seeded room, the
two alternating. Prints one JSON line per run: votes cast, the times the groups were chosen
again, and the lag from a vote's acknowledgement to the first fit that holds it (median, 95th
percentile, largest).

Seeds benchmarks/seed_room.py into a temporary TRACK2_HOME first (about a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from seed_room import seeded_site

ROOT = Path(__file__).resolve().parents[1]
PACE_S = 0.05  # one vote every 50 ms: a busy room of a few hundred people


def measure(seconds: float, every: int) -> dict:
    import django

    django.setup()
    import numpy as np
    from django.test import Client

    from track2.commonground import live
    from track2.deliberation import map_data
    from track2.meetings.models import Meeting

    seed = json.loads(os.environ["ROOM_SEED"])
    client = Client(HTTP_HOST="127.0.0.1")
    base = f"/api/v1/dialogues/{seed['dialogue']}/meetings/{seed['meeting']}/statements/"
    statements, voters = seed["statements"], seed["voters"]
    meeting = Meeting.objects.select_related("dialogue__institution").get(pk=seed["meeting"])
    map_data.room_map(meeting)  # the first fit, on this thread
    state = map_data._rooms[meeting.pk]
    start_votes = state.fit.analysis.matrix.n_votes
    live.REGROUP_GROWTH = 1 + every / start_votes

    seen: list[tuple[float, int, int]] = []  # (time, votes in the fit, votes at last choice)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            fit = map_data._rooms[meeting.pk].fit
            if fit is not None and fit.analysis is not None:
                a = fit.analysis
                seen.append((time.perf_counter(), a.matrix.n_votes, a.grouped_at_votes))
            time.sleep(0.005)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    cast: list[tuple[float, int]] = []  # (acknowledged at, votes in the room's copy after it)
    began = time.perf_counter()
    i = 0
    while time.perf_counter() - began < seconds:
        due = began + i * PACE_S
        time.sleep(max(0.0, due - time.perf_counter()))
        # each load voter answers each statement once: every vote is a new one
        voter, statement = divmod(i, len(statements))
        r = client.put(
            base + f"{statements[statement]}/vote",
            data=json.dumps({"vote": "agree" if i % 3 else "disagree"}),
            content_type="application/json",
            HTTP_AUTHORIZATION="Bearer " + voters[voter % len(voters)],
        )
        assert r.status_code == 200, r.content[:300]
        acknowledged = time.perf_counter()
        map_data.room_map(meeting)
        cast.append((acknowledged, map_data._rooms[meeting.pk].matrix.n_votes))
        i += 1
    deadline = time.perf_counter() + 60
    while seen[-1][1] < cast[-1][1] and time.perf_counter() < deadline:
        map_data.room_map(meeting)
        time.sleep(0.05)
    done.set()
    watcher.join()
    times = np.array([t for t, _n, _g in seen])
    held = np.maximum.accumulate(np.array([n for _t, n, _g in seen]))
    lags = []
    for at, votes in cast:
        first = int(np.searchsorted(held, votes))  # the first note of a fit holding this vote
        if first < len(held):
            later = max(first, int(np.searchsorted(times, at)))
            lags.append(times[later] - at)
    ms = np.array(lags) * 1000
    return {
        "votes": len(cast),
        "fits_held_every_vote": len(lags) == len(cast),
        "groups_chosen_again": len({g for _t, _n, g in seen}) - 1,
        "lag_ms_median": round(float(np.median(ms)), 1),
        "lag_ms_p95": round(float(np.percentile(ms, 95)), 1),
        "lag_ms_max": round(float(ms.max()), 1),
        "votes_waiting_over_1s": int((ms > 1000).sum()),
        "load_average_1m": round(os.getloadavg()[0], 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="another checkout's src, run beside")
    parser.add_argument("--seconds", type=float, default=40.0)
    parser.add_argument("--every", type=int, default=100, help="votes between regroups")
    parser.add_argument("--runs", type=int, default=1, help="runs of each tree, alternating")
    args = parser.parse_args()
    if "ROOM_SEED" in os.environ:
        print(json.dumps(measure(args.seconds, args.every)), flush=True)
        return
    trees = [("after", ROOT / "src")] + ([("before", args.before)] if args.before else [])
    with tempfile.TemporaryDirectory(prefix="track2-regroup-lag-") as work:
        seeded_home = Path(work) / "seeded"
        seeded_home.mkdir()
        env = seeded_site(seeded_home)
        for run in range(args.runs):
            for name, src in trees:
                home = Path(work) / f"{name}-{run}"
                shutil.copytree(seeded_home, home)  # every run starts from the same room
                print(f"{name} (run {run + 1}): ", end="", flush=True)
                subprocess.run(
                    [sys.executable, __file__, "--seconds", str(args.seconds)]
                    + ["--every", str(args.every)],
                    env={
                        **env,
                        "TRACK2_HOME": str(home),
                        "PYTHONPATH": os.pathsep.join([str(src), str(ROOT)]),
                    },
                    cwd=ROOT,
                    check=True,
                )
                shutil.rmtree(home)


if __name__ == "__main__":
    main()
