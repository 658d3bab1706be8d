"""GET …/meetings/{id}/events: who may open a meeting's stream (every role, outsiders, another
dialogue's member, another institution's convener, the site administrator; token and session),
and what the stream carries (a topic and an id, nothing confidential)."""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import AsyncClient

from tests.dialogues.conftest import ROLES
from tests.dialogues.test_api import bearer
from tests.helpers import PASSWORD
from track2 import live

MEMBERS = {"convener", "facilitator", "rapporteur", "participant", "observer", "liaison"}
pytestmark = pytest.mark.django_db(transaction=True)


def events_url(world, meeting=None) -> str:
    meeting = meeting or world.meeting
    return f"/api/v1/dialogues/{world.dialogue.pk}/meetings/{meeting.pk}/events"


def token_of(user) -> dict:
    return {"Authorization": bearer(user)["HTTP_AUTHORIZATION"]}


async def tidied(coroutine):
    """Run a test's async part, then close what it opened: the live listener's connection and
    the database connection of the thread that ran the access checks (PostgreSQL cannot drop
    the test database while either is open)."""
    try:
        return await coroutine
    finally:
        await live.stop()
        await sync_to_async(connections.close_all)()


def in_loop(coroutine):
    return asyncio.run(tidied(coroutine))


async def opened(client: AsyncClient, url: str, **headers) -> tuple[int, dict, str]:
    """Status, headers and the first frames (retry + the catch-up event) of a stream, then close."""
    response = await client.get(url, headers=headers)
    if not response.streaming:
        return response.status_code, dict(response.headers), response.content.decode()
    chunks = response.streaming_content
    body = ""
    try:
        while body.count("\n\n") < 2:
            body += (await asyncio.wait_for(anext(chunks), 5)).decode()
    finally:
        await chunks.aclose()
    return response.status_code, dict(response.headers), body


@pytest.mark.parametrize("role", sorted(set(ROLES) | {"outsider"}))
def test_members_open_the_stream_everyone_else_gets_the_same_404(world, role):
    headers = token_of(world.users[role])
    status, answer_headers, body = in_loop(opened(AsyncClient(), events_url(world), **headers))
    if role in MEMBERS:
        assert status == 200, body
        assert answer_headers["Content-Type"] == "text/event-stream"
        assert answer_headers["Cache-Control"] == "no-store"
        assert "event: changed" in body and f'"topic": "meeting:{world.meeting.pk}"' in body
    else:
        assert (status, body) == (404, '{"detail": "Not found."}')


def test_a_meeting_of_another_dialogue_and_an_unknown_id_answer_the_same_404(world):
    headers = token_of(world.users["convener"])
    client = AsyncClient()
    other = f"/api/v1/dialogues/{world.dialogue.pk}/meetings/999999/events"
    for url in (other, f"/api/v1/dialogues/999999/meetings/{world.meeting.pk}/events"):
        assert in_loop(opened(client, url, **headers))[:3:2] == (
            404,
            '{"detail": "Not found."}',
        )
    status, _headers, body = in_loop(
        opened(client, f"/api/v1/dialogues/{world.dialogue.pk}/meetings/{2**63}/events", **headers)
    )
    assert status in (404, 422), body


def test_no_credentials_or_a_bad_token_answer_401_with_what_to_send(world):
    client = AsyncClient()
    status, _h, body = in_loop(opened(client, events_url(world)))
    assert status == 401 and "Bearer" in body
    status, _h, body = in_loop(
        opened(client, events_url(world), Authorization="Bearer t2_not-a-token")
    )
    assert status == 401


def test_a_signed_in_browser_session_opens_the_stream(world):
    async def run():
        client = AsyncClient()
        assert await client.alogin(email=world.users["participant"].email, password=PASSWORD)
        return await opened(client, events_url(world))

    status, _h, body = in_loop(run())
    assert status == 200 and "event: changed" in body


def test_the_stream_carries_no_confidential_data(world):
    """Canary scan: the stream names the topic and an id, never a title, a name or an e-mail."""
    from track2.meetings import actions as meeting_actions

    canary = "Canary-Qx7 Hidden Agenda"
    convener = world.users["convener"]
    observer = token_of(world.users["observer"])

    async def run():
        client = AsyncClient()
        response = await client.get(events_url(world), headers=observer)
        chunks = response.streaming_content
        body = ""
        while body.count("\n\n") < 2:
            body += (await asyncio.wait_for(anext(chunks), 5)).decode()
        await sync_to_async(meeting_actions.do_add_agenda_item)(
            convener, world.meeting, title=canary, duration_minutes=30
        )
        while body.count("\n\n") < 3:
            body += (await asyncio.wait_for(anext(chunks), 5)).decode()
        await chunks.aclose()
        return body

    body = in_loop(run())
    assert body.count("event: changed") == 2
    for secret in (canary, "Canary", convener.email, world.meeting.title, world.dialogue.title):
        assert secret not in body


def test_a_wsgi_server_answers_204_and_opens_no_listener(world):
    """Under WSGI (the test and development servers) Django would gather the whole 15-minute
    stream before sending any of it, holding a thread and, on PostgreSQL, a listening connection
    (left open: the suite's teardown once found 88). It answers 204 instead, which closes a
    browser's EventSource, and the access check still comes first."""
    from django.test import Client

    member = Client().get(events_url(world), **bearer(world.users["participant"]))
    assert (member.status_code, member.content) == (204, b"")
    assert member["Cache-Control"] == "no-store"
    assert live._backend is None or getattr(live._backend, "_task", None) is None
    outsider = Client().get(events_url(world), **bearer(world.users["outsider"]))
    assert outsider.status_code == 404


@pytest.mark.parametrize("mode", ["closed", "off_record"])
def test_an_observer_of_a_meeting_whose_content_they_may_not_read_gets_no_stream(world, mode):
    """Not even the ticks: when a closed meeting's room is busy is not theirs to learn. Everyone
    who reads its room, floor or record still follows it."""
    world.meeting.attribution_mode = mode
    world.meeting.save(update_fields=["attribution_mode"])
    for role in sorted(MEMBERS):
        status, _headers, body = in_loop(
            opened(AsyncClient(), events_url(world), **token_of(world.users[role]))
        )
        if role == "observer":
            assert (status, body) == (404, '{"detail": "Not found."}')
        else:
            assert status == 200, (role, body)


def test_a_served_request_starts_the_processes_listener(world):
    """A served process may keep a room's map without anyone watching a room through it, and
    must still hear when the room's votes go (map_data): its first request through Django's ASGI
    handler starts the listener and waits for it. PostgreSQL only: on SQLite every announcement
    of the process reaches its hub without one."""
    from asgiref.testing import ApplicationCommunicator
    from django.core.asgi import get_asgi_application
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only")
    kept = {alias: connections.settings[alias].get("CONN_MAX_AGE", 0) for alias in connections}
    for alias in connections:  # as a served site does: the request's thread closes its own
        connections.settings[alias]["CONN_MAX_AGE"] = 0
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/healthz",
        "raw_path": b"/healthz",
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }

    async def run():
        talk = ApplicationCommunicator(get_asgi_application(), scope)
        await talk.send_input({"type": "http.request", "body": b"", "more_body": False})
        assert (await talk.receive_output(timeout=20))["status"] == 200
        await talk.wait(timeout=20)
        backend = live.backend()  # nobody streams here: only the request can have started it
        return (
            backend._loop is asyncio.get_running_loop()
            and backend._ready.is_set()
            and not backend._task.done()
        )

    try:
        assert in_loop(run())
    finally:
        for alias, age in kept.items():
            connections.settings[alias]["CONN_MAX_AGE"] = age
