"""The voters of benchmarks/bench_room.py, for locust (headless). Not run by hand.

Each simulated user is one load voter (its own API token) going through the room's statements
in its own random order, answering agree / disagree / pass; every acknowledged vote is written
to BENCH_ACK_FILE when the run ends, so the benchmark can compare what is stored with it.
They vote with no wait (closed loop): the saturation phase. The room at work's paced voters are
benchmarks/room_voters.py.
"""

from __future__ import annotations

import itertools
import json
import os
import random

from locust import FastHttpUser, constant, events, task

SEED = json.loads(open(os.environ["BENCH_SEED_FILE"]).read())  # noqa: SIM115, PTH123
VOTE_PATH = "/api/v1/dialogues/{d}/meetings/{m}/statements/{s}/vote"
ANSWERS = ("agree", "disagree", "pass")
_next_voter = itertools.count()
acknowledged: list[tuple[int, int, str]] = []


class Voter(FastHttpUser):
    wait_time = constant(0)

    def on_start(self) -> None:
        self.voter = next(_next_voter) % len(SEED["voters"])
        self.rng = random.Random(self.voter)
        order = list(SEED["statements"])
        self.rng.shuffle(order)
        # A later phase goes on where the earlier one stopped, so a voter answers each statement
        # once (a second answer would replace the first: fewer rows than acknowledgements).
        skip = int(os.environ.get("BENCH_SKIP", "0")) % len(order)
        self.order = itertools.cycle(order[skip:] + order[:skip])
        self.headers = {
            "Authorization": f"Bearer {SEED['voters'][self.voter]}",
            "Content-Type": "application/json",
        }

    @task
    def vote(self) -> None:
        statement = next(self.order)
        answer = self.rng.choice(ANSWERS)
        path = VOTE_PATH.format(d=SEED["dialogue"], m=SEED["meeting"], s=statement)
        with self.client.put(
            path,
            data=json.dumps({"vote": answer}),
            headers=self.headers,
            name="PUT vote",
            catch_response=True,
        ) as response:
            if response.status_code == 200:
                acknowledged.append((self.voter, statement, answer))
                response.success()
            else:
                response.failure(f"HTTP {response.status_code}")


@events.quitting.add_listener
def _write_acknowledged(environment, **_kwargs) -> None:
    with open(os.environ["BENCH_ACK_FILE"], "w") as out:  # noqa: PTH123
        json.dump(acknowledged, out)
