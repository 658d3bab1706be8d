"""The vote path stays lean (the room's benchmark wants hundreds of votes a second): a fixed,
small number of queries per vote, whatever the room's size."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.deliberation.test_map import accepted_statement
from track2 import live


def test_a_vote_costs_few_queries(room, api):
    statements = [accepted_statement(room, f"Statement {i}.") for i in range(5)]
    call = api(room.participants[0])
    call("put", room.url(f"/statements/{statements[0].pk}/vote"), {"vote": "agree"})  # warm
    with CaptureQueriesContext(connection) as queries:
        r = call("put", room.url(f"/statements/{statements[1].pk}/vote"), {"vote": "pass"})
    assert r.status_code == 200
    sql = [q["sql"] for q in queries.captured_queries]
    print("\n".join(sql))
    work = [q for q in sql if not q.upper().startswith(("SAVEPOINT", "RELEASE", "BEGIN", "COMMIT"))]
    # the token with its user; the caller's roles, meeting, room, seat and the statement in one
    # query; the statement's change count; the upsert (plus savepoints around them)
    assert len(work) <= 4, work
    if connection.vendor == "postgresql":
        # the change count and the vote in one statement (one round trip, no BEGIN … COMMIT of
        # its own on the lane): the token, the access query, the vote
        assert len(work) == 3, work


def test_a_vote_does_not_wait_for_its_announcement(
    room, api, monkeypatch, django_capture_on_commit_callbacks
):
    """The room is told of a vote by the process's announcer (live.announce(…, soon=True)): on
    PostgreSQL the vote's answer does not wait for the NOTIFY's round trip."""
    statement = accepted_statement(room, "Statement.")
    backend = live.backend()
    asked: list[str] = []
    monkeypatch.setattr(backend, "send_soon", asked.append)
    monkeypatch.setattr(backend, "send", lambda topic: pytest.fail(f"waited to announce {topic}"))
    with django_capture_on_commit_callbacks(execute=True):
        r = api(room.participants[0])(
            "put", room.url(f"/statements/{statement.pk}/vote"), {"vote": "agree"}
        )
    assert r.status_code == 200
    assert asked == [live.meeting_topic(room.meeting.pk)]
