"""The HTTP protocol `track2 serve` gives uvicorn: httptools with TCP_NODELAY on every connection.

With `--workers` above 1, uvicorn binds the listening socket itself with protocol number 0, and
asyncio only turns Nagle's algorithm off for sockets whose protocol is IPPROTO_TCP. Answers are
written in more than one send (head, then body), so on a kept-alive connection each answer then
waited for the client's delayed ACK: about 40 ms added to every request, whatever its work
(measured with hey: a static file 1.2 ms with one worker, 47 ms with two).

httptools (llhttp, uvicorn's own choice when installed) rather than the pure-Python h11: a
room's votes are small requests by the hundred a second, and parsing them in C leaves the
core to the votes.
"""

from __future__ import annotations

import asyncio
import socket

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol


class NoDelayHttpProtocol(HttpToolsProtocol):
    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]  # asyncio.Protocol says BaseTransport; uvicorn, like this, takes the Transport it gets
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)
