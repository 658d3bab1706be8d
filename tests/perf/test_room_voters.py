"""The room benchmark's voters (benchmarks/room_voters.py) against a small HTTP server of the
test's own: each voter paces its votes, every answer is timed, a 200 is an acknowledged vote with
the statement and answer sent, anything else a failure."""

from __future__ import annotations

import asyncio
import json
import re
import threading

from benchmarks import room_voters

SEED = {
    "dialogue": 3,
    "meeting": 5,
    "statements": [11, 12, 13, 14],
    "voters": ["t2_first", "t2_second", "t2_refused"],
}


class Server:
    """Answers 200 with the vote echoed, or 403 for the token t2_refused; records requests."""

    def __init__(self) -> None:
        self.requests: list[tuple[str, str, dict]] = []
        self.port = 0
        self.ready = threading.Event()
        self.loop: asyncio.AbstractEventLoop | None = None

    async def handle(self, reader, writer) -> None:
        try:
            while True:
                head = (await reader.readuntil(b"\r\n\r\n")).decode()
                length = int(re.search(r"Content-Length: (\d+)", head).group(1))
                body = json.loads(await reader.readexactly(length))
                path = head.split(" ")[1]
                token = re.search(r"Authorization: Bearer (\S+)", head).group(1)
                self.requests.append((token, path, body))
                status, answer = (
                    ("403 Forbidden", b'{"detail": "no"}')
                    if token == "t2_refused"
                    else ("200 OK", json.dumps(body).encode())
                )
                writer.write(
                    f"HTTP/1.1 {status}\r\nContent-Length: {len(answer)}\r\n\r\n".encode() + answer
                )
        except asyncio.IncompleteReadError:
            writer.close()

    def run(self) -> None:
        async def main():
            server = await asyncio.start_server(self.handle, "127.0.0.1", 0)
            self.port = server.sockets[0].getsockname()[1]
            self.loop = asyncio.get_running_loop()
            self.done = asyncio.Event()
            self.ready.set()
            await self.done.wait()
            server.close()
            await server.wait_closed()

        asyncio.run(main())

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.done.set)


def test_voters_pace_time_and_count_each_answer():
    server = Server()
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert server.ready.wait(5)
    try:
        result = room_voters.run(
            f"http://127.0.0.1:{server.port}", SEED, users=3, seconds=1.0, pacing=0.25
        )
    finally:
        server.stop()
        thread.join(5)
    # Each voter votes about every 0.25 s for 1 s, from its own start in the first interval.
    per_voter = {token: 0 for token in SEED["voters"]}
    for token, _path, _body in server.requests:
        per_voter[token] += 1
    assert all(3 <= n <= 5 for n in per_voter.values()), per_voter
    assert result["failures"] == per_voter["t2_refused"]
    acknowledged = result["acknowledged"]
    assert len(acknowledged) == per_voter["t2_first"] + per_voter["t2_second"]
    sent = {
        (token, int(path.split("/")[-2]), body["vote"])
        for token, path, body in server.requests
        if token != "t2_refused"
    }
    assert {(SEED["voters"][v], s, a) for v, s, a in acknowledged} == sent
    for _token, path, body in server.requests:
        assert path.startswith("/api/v1/dialogues/3/meetings/5/statements/")
        assert body["vote"] in ("agree", "disagree", "pass")
    assert 0 < result["p50_ms"] <= result["p99_ms"] < 1000
    assert result["votes_per_s"] > 0
