"""The vote lane: a room's votes with a personal token, answered without Django's request stack.

A vote is the room's hottest request (a Track 3 meeting sends hundreds a second). Through
Django under ASGI each one paid for a new thread and a new database connection (Django gives
every request its own), the middleware chain, the URL resolver and django-ninja's parsing:
about 5.5 ms of CPU for 0.3 ms of rules and SQL, and on SQLite the per-request threads queued
on the write lock with the driver's sleeping back-off.

The lane takes only `PUT|DELETE /api/v1/dialogues/{d}/meetings/{m}/statements/{s}/vote` with
`Authorization: Bearer`, and only its plain success: the same `user_for_token`, the same
`check_vote` and `do_vote` as the API route (so every rule is the route's), run in one worker
thread per process that keeps its database connection. Anything else — a refusal, a malformed
body or token, a host Django would refuse, a request an HTTPS site would redirect — goes to
Django whole (the body replayed), which answers with the project's usual bodies. A refusal
writes nothing, so the second look is safe. The answer carries the headers Django's middleware
gives the same answer (tests/api/test_lane.py compares them header by header).
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connection, connections
from django.http import Http404
from django.http.request import split_domain_port, validate_host

from track2.errors import ActionRefused

log = logging.getLogger(__name__)

Scope = dict[str, Any]
Receive = Callable[[], Awaitable[dict[str, Any]]]
Send = Callable[[dict[str, Any]], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

VOTE_PATH = re.compile(
    r"/api/v1/dialogues/([0-9]{1,18})/meetings/([0-9]{1,18})/statements/([0-9]{1,18})/vote"
)
# A vote's body is a few dozen bytes; anything longer is Django's to judge (and to refuse).
BODY_MAX = 1024
ANSWERS = frozenset({"agree", "disagree", "pass"})


class Declined(Exception):
    """Not the lane's plain case: Django answers it."""


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return value.decode("latin-1")
    return None


def _is_secure(scope: Scope) -> bool:
    """As Django's `request.is_secure()`: the proxy's header when one is configured."""
    proxy = settings.SECURE_PROXY_SSL_HEADER
    if proxy:
        header, secure_value = proxy
        name = header.removeprefix("HTTP_").lower().replace("_", "-").encode()
        value = _header(scope, name)
        if value is not None:
            return value.split(",", 1)[0].strip() == secure_value
    return scope.get("scheme") == "https"


def _host_allowed(scope: Scope) -> bool:
    host = _header(scope, b"host")
    if not host:
        return False
    domain, _port = split_domain_port(host)
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _answer_headers(secure: bool, body: bytes | None) -> list[tuple[bytes, bytes]]:
    """The headers the middleware in settings.MIDDLEWARE puts on this answer."""
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"x-frame-options", settings.X_FRAME_OPTIONS.encode()),
        (b"vary", b"Accept-Language, Cookie"),
        (b"content-language", settings.LANGUAGE_CODE.encode()),
        (b"cache-control", b"no-store"),
        (b"content-security-policy", settings.CONTENT_SECURITY_POLICY.encode()),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", settings.SECURE_REFERRER_POLICY.encode()),
        (b"cross-origin-opener-policy", settings.SECURE_CROSS_ORIGIN_OPENER_POLICY.encode()),
    ]
    if secure and settings.SECURE_HSTS_SECONDS:
        headers.append(
            (b"strict-transport-security", f"max-age={settings.SECURE_HSTS_SECONDS}".encode())
        )
    if body is None:  # 204: Django's HttpResponse keeps its default type
        headers[0] = (b"content-type", b"text/html; charset=utf-8")
    else:
        headers.append((b"content-length", str(len(body)).encode()))
    return headers


def vote(token: str, ids: tuple[str, str, str], method: str, body: bytes) -> bytes | None:
    """The vote, by the API route's own rules; its JSON answer (None for a withdrawal, 204).
    Raises Declined for anything that is not a plain success, having written nothing."""
    from track2.accounts.actions import TokenMalformed, user_for_token
    from track2.deliberation import actions

    answer = None
    if method == "PUT":
        try:
            payload = json.loads(body)
        except ValueError:
            raise Declined from None
        if not isinstance(payload, dict) or payload.keys() != {"vote"}:
            raise Declined
        answer = payload["vote"]
        if not isinstance(answer, str) or answer not in ANSWERS:  # a list is not hashable
            raise Declined
    elif body.strip():
        raise Declined
    try:
        user = user_for_token(token)
        if user is None:
            raise Declined
        ballot = actions.check_vote(user, *ids, answer)
        actions.do_vote(ballot)
    except (ActionRefused, Http404, TokenMalformed):
        raise Declined from None
    if answer is None:
        return None
    return json.dumps({"statement_id": ballot.statement_id, "vote": answer}).encode()


def _close_connection() -> None:
    connection.close()


class VoteLane:
    """ASGI middleware around Django's application; see the module's docstring."""

    def __init__(self, app: App) -> None:
        self.app = app
        # One thread: SQLite takes one writer at a time anyway, and a single worker never
        # waits on the lock behind another of its own process's votes.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="track2-votes")
        self.votes = 0  # answered by the lane (the rest went to Django)
        self.connections_opened = 0

    def _vote_in_worker(self, token: str, ids: tuple[str, str, str], method: str, body: bytes):
        # The worker keeps its connection from vote to vote (Django closes a request's
        # connection at its end; here there is no request). One that failed is dropped.
        if connection.connection is not None and connection.errors_occurred:
            if not connection.is_usable():
                connection.close()
            connection.errors_occurred = False
        if connection.connection is None:
            self.connections_opened += 1
        try:
            answer = vote(token, ids, method, body)
        except DatabaseError:
            connection.close()
            raise Declined from None
        self.votes += 1
        return answer

    def close(self) -> None:
        """Close the worker's connection and stop it (a test's end; a server's stop)."""
        self._worker.submit(_close_connection).result()
        self._worker.shutdown()

    def _warm(self) -> None:
        """Open the worker's connection before the first vote: the first votes of a room that
        starts together otherwise queue behind the connection's set-up (40–170 ms measured on
        PostgreSQL, docs/benchmarks.md). A database that does not answer yet is not an error
        here: the first vote opens the connection, or fails as it would have."""
        try:
            if connection.connection is None:
                self.connections_opened += 1
            connection.ensure_connection()
        except DatabaseError as err:
            log.warning("vote lane: no database connection at start (%s)", err)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        """The server's start and stop (ASGI lifespan; Django's handler takes none): requests
        stop keeping connections, and the lane's opens at the start and closes at the stop."""
        loop = asyncio.get_running_loop()
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                # Under ASGI Django runs each request's synchronous part in a thread of its own,
                # so a connection kept for CONN_MAX_AGE (60 s, config.py) stays with a thread
                # that has ended: a served PostgreSQL site under load ran out of connections
                # ("too many clients", HTTP 500 on map reads; Django's documentation says to
                # disable persistent connections under ASGI). Each request now closes its own;
                # the threads that live as long as the server (this lane, the live-update
                # announcer, the map's fit worker) keep or close theirs themselves.
                for alias in connections:
                    connections.settings[alias]["CONN_MAX_AGE"] = 0
                await loop.run_in_executor(self._worker, self._warm)
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await loop.run_in_executor(self._worker, _close_connection)
                await send({"type": "lifespan.shutdown.complete"})
                return

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            return await self._lifespan(receive, send)
        match = self._takes(scope)
        if match is None:
            return await self.app(scope, receive, send)
        body, more = await _read_body(receive)
        if more is False and len(body) <= BODY_MAX:
            token = (_header(scope, b"authorization") or "")[7:].strip()  # _takes checked it
            ids = (match[1], match[2], match[3])
            try:
                answer = await asyncio.get_running_loop().run_in_executor(
                    self._worker, self._vote_in_worker, token, ids, scope["method"], body
                )
            except Declined:
                pass
            else:
                status = 204 if answer is None else 200
                await send(
                    {
                        "type": "http.response.start",
                        "status": status,
                        "headers": _answer_headers(_is_secure(scope), answer),
                    }
                )
                await send({"type": "http.response.body", "body": answer or b""})
                return None
        return await self.app(scope, _replay(body, more, receive), send)

    def _takes(self, scope: Scope) -> re.Match[str] | None:
        if scope["type"] != "http" or scope["method"] not in ("PUT", "DELETE"):
            return None
        match = VOTE_PATH.fullmatch(scope["path"])
        if match is None:
            return None
        authorization = _header(scope, b"authorization") or ""
        if not authorization.startswith("Bearer "):
            return None
        content_type = _header(scope, b"content-type")
        if content_type is not None and content_type.split(";")[0].strip() != "application/json":
            return None
        if settings.SECURE_SSL_REDIRECT and not _is_secure(scope):
            return None
        if not _host_allowed(scope):
            return None
        return match


async def _read_body(receive: Receive) -> tuple[bytes, bool | None]:
    """What the lane reads of the body: all of it, or BODY_MAX bytes and a little more.
    The flag: whether more follows (None: the client went away before the end)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), None
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        more = bool(message.get("more_body", False))
        if not more or size > BODY_MAX:
            return b"".join(chunks), more


def _replay(body: bytes, more: bool | None, receive: Receive) -> Receive:
    """A receive that hands Django what the lane read, then the rest of the request."""
    sent = False

    async def replayed() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            # A client that went away: Django reads what came, then the disconnect.
            return {"type": "http.request", "body": body, "more_body": more is not False}
        return await receive()

    return replayed
