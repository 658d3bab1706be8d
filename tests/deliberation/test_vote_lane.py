"""The vote lane (track2/api/lane.py) answers exactly as Django's route does, or lets Django answer.

Each request goes through the real ASGI applications: the lane (what `track2 serve` runs) and
Django's own, side by side on the same room, and their answers are compared byte for byte
(status, body, every header). The lane's worker has its own thread and database connection, so
these tests commit (transaction=True) like a served site.
"""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.asgi import get_asgi_application
from django.db import connection, connections

from tests.deliberation.conftest import build_room, token_for
from tests.deliberation.test_map import accepted_statement
from track2.api import lane
from track2.asgi import django_application
from track2.deliberation.models import Room, Statement, Vote

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _request_connections_closed():
    """Django's ASGI handler runs each request in a thread of its own; with CONN_MAX_AGE (on
    PostgreSQL) that thread's connection would outlive it and keep the test database from being
    dropped at the end of the run. Closed at each request's end, as a served site would."""
    kept = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections}
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    yield
    for alias, age in kept.items():
        connections.settings[alias]["CONN_MAX_AGE"] = age


@pytest.fixture
def vote_lane():
    served = lane.VoteLane(django_application)
    yield served
    served.close()


@pytest.fixture
def world(make_user, institution):
    return build_room(make_user, institution)


def call(app, method, path, *, token=None, body=None, headers=(), host="testserver"):
    raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
    sent_headers = [(b"host", host.encode())]
    if token:
        sent_headers.append((b"authorization", f"Bearer {token}".encode()))
    if body is not None:
        sent_headers.append((b"content-type", b"application/json"))
    sent_headers += [(k.encode(), v.encode()) for k, v in headers]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": sent_headers,
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def run():
        talk = ApplicationCommunicator(app, scope)
        await talk.send_input({"type": "http.request", "body": raw, "more_body": False})
        start = await talk.receive_output(timeout=20)
        chunks = []
        while True:
            message = await talk.receive_output(timeout=20)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        await talk.wait(timeout=20)
        return start["status"], dict(start["headers"]), b"".join(chunks)

    return asyncio.run(run())


def comparable(answer) -> dict:
    """The headers, with Content-Length checked against the body (the statements' random ids
    differ in length) and without uvicorn's own Date and Server."""
    _status, headers, body = answer
    if b"content-length" in headers:
        assert int(headers[b"content-length"]) == len(body)
    skip = (b"date", b"server", b"content-length")
    return {k.lower(): v for k, v in headers.items() if k.lower() not in skip}


def vote_path(world, statement) -> str:
    return world.url(f"/statements/{statement.pk}/vote")


def test_a_vote_through_the_lane_is_the_route_s_answer_byte_for_byte(world, vote_lane):
    one, two = (accepted_statement(world, f"Statement {i}.") for i in range(2))
    voter = world.participants[0]
    token = token_for(voter)
    through_lane = call(
        vote_lane, "PUT", vote_path(world, one), token=token, body={"vote": "agree"}
    )
    through_django = call(
        django_application, "PUT", vote_path(world, two), token=token, body={"vote": "agree"}
    )
    assert through_lane[0] == through_django[0] == 200
    assert comparable(through_lane) == comparable(through_django)
    assert json.loads(through_lane[2]) == {"statement_id": one.pk, "vote": "agree"}
    assert through_lane[2].replace(str(one.pk).encode(), b"N") == through_django[2].replace(
        str(two.pk).encode(), b"N"
    )
    # Changing and withdrawing: one row, then none; a withdrawal answers 204 like the route.
    assert (
        call(vote_lane, "PUT", vote_path(world, one), token=token, body={"vote": "pass"})[0] == 200
    )
    assert list(Vote.objects.filter(statement=one).values_list("value", flat=True)) == [0]
    lane_delete = call(vote_lane, "DELETE", vote_path(world, one), token=token)
    django_delete = call(django_application, "DELETE", vote_path(world, two), token=token)
    assert lane_delete[0] == django_delete[0] == 204
    assert comparable(lane_delete) == comparable(django_delete)
    assert lane_delete[2] == django_delete[2] == b""
    assert not Vote.objects.filter(statement__in=[one, two]).exists()
    assert vote_lane.votes == 3  # all three went through the lane, none fell back


def test_the_lane_answers_as_an_https_site_does(world, settings):
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_HSTS_SECONDS = 31536000
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Django's middleware reads these settings once, when its handler is made.
    https_django = get_asgi_application()
    vote_lane = lane.VoteLane(https_django)
    statement = accepted_statement(world, "Statement.")
    token = token_for(world.participants[0])
    proxied = [("x-forwarded-proto", "https")]
    args = dict(token=token, body={"vote": "agree"}, headers=proxied)
    through_lane = call(vote_lane, "PUT", vote_path(world, statement), **args)
    through_django = call(https_django, "PUT", vote_path(world, statement), **args)
    assert through_lane[0] == through_django[0] == 200
    assert comparable(through_lane) == comparable(through_django)
    assert b"strict-transport-security" in through_lane[1]
    assert vote_lane.votes == 1
    # Plain HTTP on an HTTPS site: Django's redirect, not the lane's vote.
    plain = call(vote_lane, "PUT", vote_path(world, statement), token=token, body={"vote": "pass"})
    assert plain[0] == 301
    assert vote_lane.votes == 1
    assert Vote.objects.get(statement=statement).value == 1
    vote_lane.close()


def test_every_refusal_is_django_s_own_answer(world, vote_lane, make_user):
    """What the lane does not take, Django answers (same status and body); nothing is written."""
    statement = accepted_statement(world, "Statement.")
    pending = accepted_statement(world, "Waiting.")
    Statement.objects.filter(pk=pending.pk).update(status=Statement.Status.PENDING)
    participant = token_for(world.participants[0])
    observer = token_for(world.users["observer"])
    elsewhere = token_for(world.users["member_elsewhere"])
    path = vote_path(world, statement)
    cases = [
        ("no token", "PUT", path, None, {"vote": "agree"}, ()),
        ("unknown token", "PUT", path, "t2_" + "x" * 40, {"vote": "agree"}, ()),
        ("malformed token", "PUT", path, "nonsense", {"vote": "agree"}, ()),
        ("observer", "PUT", path, observer, {"vote": "agree"}, ()),
        ("another dialogue", "PUT", path, elsewhere, {"vote": "agree"}, ()),
        ("pending statement", "PUT", vote_path(world, pending), participant, {"vote": "agree"}, ()),
        (
            "unknown statement",
            "PUT",
            world.url("/statements/999999/vote"),
            participant,
            {"vote": "agree"},
            (),
        ),
        (
            "huge id",
            "PUT",
            world.url("/statements/" + "9" * 30 + "/vote"),
            participant,
            {"vote": "agree"},
            (),
        ),
        ("no answer", "PUT", path, participant, {}, ()),
        ("another answer", "PUT", path, participant, {"vote": "maybe"}, ()),
        ("not a string", "PUT", path, participant, {"vote": 1}, ()),
        ("a list", "PUT", path, participant, {"vote": ["agree"]}, ()),
        ("an object", "PUT", path, participant, {"vote": {"a": 1}}, ()),
        ("control characters", "PUT", path, participant, {"vote": "agree\x00\x1b"}, ()),
        ("invalid UTF-8", "PUT", path, participant, b'{"vote": "\xff\xfe"}', ()),
        ("not JSON", "PUT", path, participant, b"vote=agree", ()),
        (
            "oversized",
            "PUT",
            path,
            participant,
            b'{"vote": "agree", "x": "' + b"a" * 3_000_000 + b'"}',
            (),
        ),
        ("a host Django refuses", "PUT", path, participant, {"vote": "agree"}, ()),
    ]
    for name, method, url, token, body, headers in cases:
        host = "evil.example" if name == "a host Django refuses" else "testserver"
        through_lane = call(
            vote_lane, method, url, token=token, body=body, headers=headers, host=host
        )
        through_django = call(
            django_application, method, url, token=token, body=body, headers=headers, host=host
        )
        assert through_lane[0] == through_django[0], name
        assert through_lane[0] >= 400, name
        assert through_lane[2] == through_django[2], name
    assert vote_lane.votes == 0
    assert not Vote.objects.exists()
    # A field the route ignores: the lane leaves it to Django, which takes the vote.
    extra = {"vote": "agree", "note": "x"}
    assert call(vote_lane, "PUT", path, token=participant, body=extra)[0] == 200
    assert vote_lane.votes == 0
    assert Vote.objects.get().value == 1


def test_a_closed_room_refuses_through_the_lane_as_through_django(world, vote_lane):
    statement = accepted_statement(world, "Statement.")
    token = token_for(world.participants[0])
    Room.objects.filter(meeting=world.meeting).update(status=Room.Status.CLOSED)
    through_lane = call(
        vote_lane, "PUT", vote_path(world, statement), token=token, body={"vote": "agree"}
    )
    assert through_lane[0] == 400
    assert "closed" in json.loads(through_lane[2])["detail"]
    assert vote_lane.votes == 0
    assert not Vote.objects.exists()


def test_the_lane_s_connection_is_its_worker_s_own(world, vote_lane):
    """The worker's connection survives from vote to vote (no connect per vote)."""
    statements = [accepted_statement(world, f"Statement {i}.") for i in range(3)]
    token = token_for(world.participants[0])
    for statement in statements:
        assert (
            call(
                vote_lane, "PUT", vote_path(world, statement), token=token, body={"vote": "agree"}
            )[0]
            == 200
        )
    assert vote_lane.votes == 3
    assert vote_lane.connections_opened == 1
    assert connection.vendor in ("sqlite", "postgresql")


def test_the_lane_connects_when_the_server_starts_and_closes_when_it_stops(world, vote_lane):
    """The first votes of a room that starts together must not queue behind the connection's
    set-up: the lane opens it at the server's start (ASGI lifespan), and closes it at the stop.
    Requests stop keeping theirs (a thread per request under ASGI: kept, they ran a PostgreSQL
    server out of connections)."""
    for alias in connections:
        connections.settings[alias]["CONN_MAX_AGE"] = 60  # as config.py sets (restored after)
    statement = accepted_statement(world, "Statement.")
    token = token_for(world.participants[0])

    async def run():
        talk = ApplicationCommunicator(vote_lane, {"type": "lifespan", "asgi": {"version": "3.0"}})
        await talk.send_input({"type": "lifespan.startup"})
        assert (await talk.receive_output(timeout=20))["type"] == "lifespan.startup.complete"
        assert vote_lane.connections_opened == 1  # before any vote
        assert {connections.settings[a]["CONN_MAX_AGE"] for a in connections} == {0}
        await asyncio.to_thread(
            call, vote_lane, "PUT", vote_path(world, statement), token=token, body={"vote": "agree"}
        )
        assert (vote_lane.votes, vote_lane.connections_opened) == (1, 1)
        await talk.send_input({"type": "lifespan.shutdown"})
        assert (await talk.receive_output(timeout=20))["type"] == "lifespan.shutdown.complete"

    asyncio.run(run())
    # Django never closes an in-memory SQLite database (the tests' own): it would lose the data.
    is_open = vote_lane._worker.submit(
        lambda: connection.connection is not None and not connection.is_in_memory_db()
    ).result()
    assert not is_open
