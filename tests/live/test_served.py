"""Live updates between real `track2 serve` processes: on PostgreSQL a change made through one
server reaches SSE clients of another (LISTEN/NOTIFY), and a client that reconnects with
Last-Event-ID gets exactly the one catch-up event it is owed; a dialogue deleted through one
server leaves no map of its rooms in another; on SQLite, within one server."""

from __future__ import annotations

import time

import pytest

from tests.live.servers import (
    EventReader,
    api,
    postgres_database,
    seed,
    serve,
    served_env,
    server_output,
)
from tests.template_db import migrated_site


def events_path(world: dict) -> str:
    return f"/api/v1/dialogues/{world['dialogue']}/meetings/{world['meeting']}/events"


def add_agenda_item(base: str, world: dict, title: str) -> None:
    status, body = api(
        base,
        "POST",
        f"/api/v1/dialogues/{world['dialogue']}/meetings/{world['meeting']}/agenda",
        world["tokens"]["facilitator"],
        {"title": title, "duration_minutes": 20},
    )
    assert status == 201, body


def opened(base: str, world: dict, role: str = "participant", last: int | None = None):
    reader = EventReader(base, events_path(world), world["tokens"][role], last_event_id=last)
    assert reader.status == 200
    return reader


def assert_change_reaches(readers: list[EventReader], after: int, within: float = 3.0) -> int:
    ids = []
    for reader in readers:
        event = reader.next_event(timeout=within)
        assert event is not None, "a change did not reach a client of another process"
        assert event["id"] > after
        ids.append(event["id"])
    return max(ids)


@pytest.fixture(scope="module")
def postgres_site(tmp_path_factory):
    with postgres_database() as url:
        env = served_env(tmp_path_factory.mktemp("home"), url)
        world = seed(env)
        with serve(env, workers=2) as first, serve(env, workers=1) as second:
            yield first, second, world


def test_a_change_through_one_server_reaches_clients_of_every_process(postgres_site):
    first, second, world = postgres_site
    # Several clients of the two-worker server, so that both of its workers hold some.
    readers = [opened(first, world) for _ in range(4)] + [opened(second, world, "observer")]
    try:
        # Each fresh client is first owed one re-read (the page it came from may be stale).
        start = max(reader.next_event(timeout=5)["id"] for reader in readers)
        add_agenda_item(second, world, "Fisheries data exchange")
        acknowledged = time.monotonic()
        newest = assert_change_reaches(readers, after=start)
        assert time.monotonic() - acknowledged < 1.5
        add_agenda_item(first, world, "Hotline procedures")
        assert assert_change_reaches(readers, after=newest) > newest
    finally:
        for reader in readers:
            reader.close()


def test_reconnecting_with_last_event_id_catches_up_once_on_any_server(postgres_site):
    first, second, world = postgres_site
    reader = opened(first, world)
    seen = reader.next_event(timeout=5)["id"]
    reader.close()
    add_agenda_item(first, world, "Missed while away")  # nobody of this client listens now
    back = opened(second, world, last=seen)  # and it comes back to the other server
    try:
        owed = back.next_event(timeout=5)
        assert owed is not None and owed["id"] > seen
    finally:
        back.close()
    up_to_date = opened(first, world, last=owed["id"])
    try:
        assert up_to_date.next_event(timeout=1.0) is None  # nothing changed since
    finally:
        up_to_date.close()


def test_a_dialogue_deleted_through_one_server_leaves_no_map_in_another(postgres_site):
    first, second, world = postgres_site
    doomed, convener = world["doomed"], world["tokens"]["convener"]
    room = f"/api/v1/dialogues/{doomed['dialogue']}/meetings/{doomed['meeting']}/common-ground"
    # The second server (one process) reads the room's map, and so keeps it in memory; nobody
    # watches the room's events there.
    status, shown = api(second, "GET", room, convener)
    assert status == 200 and shown["votes"] == 2, shown
    dropped = f"dropped the kept map of meeting {doomed['meeting']}: its votes were deleted"
    assert dropped not in server_output(second)
    deletion = f"/api/v1/dialogues/{doomed['dialogue']}/deletion"
    typed = {"title": doomed["title"]}
    status, body = api(first, "POST", deletion, convener, typed)
    assert status == 201, body
    status, body = api(first, "POST", deletion + "/confirmation", doomed["second_convener"], typed)
    assert status == 200 and body["deleted"], body
    deadline = time.monotonic() + 5
    while dropped not in server_output(second) and time.monotonic() < deadline:
        time.sleep(0.05)
    said = server_output(second)
    assert dropped in said, "the other server kept the deleted dialogue's map:\n" + said
    assert doomed["title"] not in said
    assert api(second, "GET", room, convener)[0] == 404


def test_sqlite_site_delivers_within_its_process(tmp_path):
    # Migrated once per run (tests/template_db.py): this test is about live events.
    env = served_env(migrated_site(tmp_path / "home"), None)
    world = seed(env)
    with serve(env, workers=1) as base:
        reader = opened(base, world)
        try:
            start = reader.next_event(timeout=5)["id"]
            add_agenda_item(base, world, "Incident prevention")
            event = reader.next_event(timeout=3)
            assert event is not None and event["id"] > start
            assert event["data"] == {"topic": f"meeting:{world['meeting']}", "id": event["id"]}
        finally:
            reader.close()
        back = opened(base, world, last=start)
        assert back.next_event(timeout=3)["id"] == event["id"]
        stopping = time.monotonic()
    # The server stopped with the stream still open, within its graceful stop (5 s) and a margin;
    # the client sees the stream end (and would reconnect).
    assert time.monotonic() - stopping < 15
    assert back.next_event(timeout=2) is None
    back.close()


def test_votes_and_moderation_through_one_server_reach_a_facilitator_on_another(tmp_path):
    with postgres_database() as url:
        env = served_env(tmp_path / "home", url)
        room = seed(env, "tests.live.seed_room")
        with serve(env, workers=2) as first, serve(env, workers=1) as second:
            m = f"/api/v1/dialogues/{room['dialogue']}/meetings/{room['meeting']}"
            facilitator = room["tokens"]["facilitator"]
            north, south = room["participants"][0], room["participants"][-1]
            watcher = EventReader(second, m + "/events", facilitator)
            try:
                seen = watcher.next_event(timeout=5)["id"]
                status, body = api(
                    first, "POST", m + "/statements", north, {"text": "Joint patrols help."}
                )
                assert status == 201, body
                sid = body["id"]
                seen = assert_change_reaches([watcher], after=seen)  # a pending statement
                status, body = api(
                    first,
                    "POST",
                    f"{m}/statements/{sid}/moderate",
                    facilitator,
                    {"decision": "accept"},
                )
                assert status == 200, body
                seen = assert_change_reaches([watcher], after=seen)
                for voter, answer in ((north, "agree"), (south, "disagree"), (south, "agree")):
                    status, body = api(
                        first, "PUT", f"{m}/statements/{sid}/vote", voter, {"vote": answer}
                    )
                    assert status == 200, body
                    acknowledged = time.monotonic()
                    seen = assert_change_reaches([watcher], after=seen)
                    # Each vote reaches the watcher within a second of its acknowledgement (the
                    # request itself is not timed here: the machine is shared and noisy).
                    assert time.monotonic() - acknowledged < 1.0
                # What the event told the facilitator to re-read counts the votes.
                status, body = api(second, "GET", m + "/statements?view=room", south)
                assert status == 200 and body["items"][0]["your_vote"] == "agree"
            finally:
                watcher.close()
