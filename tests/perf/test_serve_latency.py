"""`track2 serve --workers 2` answers on a kept-alive connection without Nagle's 40 ms stall."""

from __future__ import annotations

import asyncio
import http.client
import socket
import statistics
import threading
import time
from urllib.parse import urlsplit

import uvicorn
from uvicorn.server import ServerState

from tests.site.test_serve import served  # noqa: F401  (fixture: a real `track2 serve --workers 2`)
from track2.site.http import NoDelayHttpProtocol


def test_connections_get_tcp_nodelay_even_on_a_protocol_zero_socket():
    # uvicorn binds its shared socket like this when it runs several workers.
    listener = socket.socket(family=socket.AF_INET)
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    assert listener.proto == 0
    seen: list[int] = []
    config = uvicorn.Config(
        app=lambda scope, receive, send: None, lifespan="off", log_level="error"
    )
    config.load()

    class Probe(NoDelayHttpProtocol):
        def connection_made(self, transport):
            super().connection_made(transport)
            seen.append(
                transport.get_extra_info("socket").getsockopt(
                    socket.IPPROTO_TCP, socket.TCP_NODELAY
                )
            )

    async def connect_once():
        state = ServerState()
        server_ = await asyncio.get_running_loop().create_server(
            lambda: Probe(config, state, {}), sock=listener
        )
        _reader, writer = await asyncio.open_connection(*listener.getsockname())
        for _ in range(100):
            if seen:
                break
            await asyncio.sleep(0.01)
        writer.close()
        server_.close()

    # Its own thread and loop: browser tests earlier in the session may leave a loop running here.
    worker = threading.Thread(target=lambda: asyncio.run(connect_once()))
    worker.start()
    worker.join(timeout=30)
    assert seen and seen[0] != 0


def test_kept_alive_requests_do_not_wait_for_delayed_acks(served):  # noqa: F811
    server, _process = served
    parts = urlsplit(server)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    timings = []
    for _ in range(15):
        started = time.perf_counter()
        connection.request("GET", "/static/track2/favicon.svg")
        response = connection.getresponse()
        response.read()
        timings.append(time.perf_counter() - started)
        assert response.status == 200
    connection.close()
    # A delayed ACK costs at least 40 ms a request; a small file takes a few ms even on a busy machine.
    assert statistics.median(timings) < 0.035, timings
