"""The room at work's voters for benchmarks/bench_room.py: paced voters on asyncio streams.

Each voter is one keep-alive HTTP/1.1 connection with its own API token, voting every `pacing`
seconds from a random moment of the first interval, through the room's statements in its own
random order (as benchmarks/room_locust.py's voters do). A vote's latency is from writing the
request to reading the whole answer.

Why not locust for this phase: with 200 users in one locust process the latencies locust
reports are mostly its own. Against the same server and seed (docs/benchmarks.md, stop 22),
locust's 200 voters at 100 votes/s saw p50 200 ms, while a plain `http.client` probe voting
beside them saw p50 4–7 ms, and these voters, at the same rate, p50 3–5 ms; locust's 200 users
against a trivial asyncio server that answers the same bytes after 3 ms saw p50 45 ms. Locust
stays for saturation (closed loop), where the server's capacity, not the client, sets the figure.
"""

from __future__ import annotations

import asyncio
import json
import random
import time

ANSWERS = ("agree", "disagree", "pass")


async def _voter(
    index: int,
    host: str,
    port: int,
    seed: dict,
    pacing: float,
    skip: int,
    ends_at: float,
    latencies: list[float],
    acknowledged: list[tuple[int, int, str]],
    failures: list[str],
) -> None:
    rng = random.Random(index)
    order = list(seed["statements"])
    rng.shuffle(order)
    skip %= len(order)
    order = order[skip:] + order[:skip]
    token = seed["voters"][index]
    meeting = f"/api/v1/dialogues/{seed['dialogue']}/meetings/{seed['meeting']}"
    reader, writer = await asyncio.open_connection(host, port)
    try:
        await asyncio.sleep(rng.uniform(0, pacing))
        k = 0
        while time.monotonic() < ends_at:
            statement = order[k % len(order)]
            k += 1
            answer = rng.choice(ANSWERS)
            body = json.dumps({"vote": answer}).encode()
            request = (
                f"PUT {meeting}/statements/{statement}/vote HTTP/1.1\r\n"
                f"Host: {host}:{port}\r\nAuthorization: Bearer {token}\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
            ).encode() + body
            started = time.perf_counter()
            try:
                writer.write(request)
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.split(b"\r\n")[1:]:
                    name, _, value = line.partition(b":")
                    if name.strip().lower() == b"content-length":
                        length = int(value)
                await reader.readexactly(length)
            except (ConnectionError, asyncio.IncompleteReadError) as err:
                # The server closed the connection: a failure (its vote may or may not be
                # stored: counted apart by the benchmark), then a new connection.
                failures.append(type(err).__name__)
                writer.close()
                reader, writer = await asyncio.open_connection(host, port)
                continue
            latencies.append(time.perf_counter() - started)
            status = head.split(b" ", 2)[1].decode()
            if status == "200":
                acknowledged.append((index, statement, answer))
            else:
                failures.append(status)
            wait = started + pacing - time.perf_counter()
            if wait > 0:
                await asyncio.sleep(wait)
    finally:
        writer.close()


def run(base: str, seed: dict, users: int, seconds: float, pacing: float, skip: int = 0) -> dict:
    """`users` voters for `seconds`; the figures locust's stats row gives, and the acks."""
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    acknowledged: list[tuple[int, int, str]] = []
    failures: list[str] = []

    async def all_voters() -> None:
        ends_at = time.monotonic() + seconds
        await asyncio.gather(
            *(
                _voter(
                    i,
                    host,
                    int(port),
                    seed,
                    pacing,
                    skip,
                    ends_at,
                    latencies,
                    acknowledged,
                    failures,
                )
                for i in range(users)
            )
        )

    started = time.monotonic()
    asyncio.run(all_voters())
    elapsed = time.monotonic() - started
    ordered = sorted(latencies)

    def ms(q: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))], 1)

    return {
        "votes_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": ms(0.50) if ordered else None,
        "p99_ms": ms(0.99) if ordered else None,
        "failures": len(failures),
        "acknowledged": acknowledged,
    }
