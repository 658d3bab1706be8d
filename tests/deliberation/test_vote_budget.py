"""The vote path stays lean (the room's benchmark wants hundreds of votes a second): a fixed,
small number of queries per vote, whatever the room's size."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.deliberation.test_map import accepted_statement


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
