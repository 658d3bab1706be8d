"""Announcements the caller does not wait for (`announce(…, soon=True)`, the room's votes): on
PostgreSQL a thread of the process sends them, folding a burst into a few NOTIFYs whose ids are
still taken after every commit that asked (so an id covers them all); a failed one is logged,
and the next opens a new connection."""

from __future__ import annotations

import logging
import time

import psycopg
import pytest
from django.db import DatabaseError, connection

from track2.live.hub import Hub
from track2.live.inprocess import InProcess
from track2.live.postgres import CHANNEL, SEQUENCE, Postgres, connection_params, parse_notification

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def postgres():
    if connection.vendor != "postgresql":
        pytest.skip("LISTEN/NOTIFY: PostgreSQL only")
    with psycopg.connect(autocommit=True, **connection_params()) as listener:
        listener.execute(f"LISTEN {CHANNEL}")
        yield Postgres(Hub()), listener


def heard(listener, until: float) -> list[tuple[str, int]]:
    got = []
    for note in listener.notifies(timeout=max(0.0, until - time.monotonic())):
        got.append(parse_notification(note.payload))
        if time.monotonic() >= until:
            break
    return got


def sequence_now() -> int:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT last_value FROM {SEQUENCE}")  # noqa: S608  (a constant)
        return int(cursor.fetchone()[0])


def test_a_burst_folds_into_few_notifications_the_last_after_every_request(postgres):
    sender, listener = postgres
    sender.send("meeting:1")  # the sequence has a value to compare with
    heard(listener, time.monotonic() + 1)
    for _ in range(50):
        sender.send_soon("meeting:1")
    before_last = sequence_now()
    sender.send_soon("meeting:1")
    got = heard(listener, time.monotonic() + 2)
    assert got, "no announcement reached the listener"
    assert {topic for topic, _id in got} == {"meeting:1"}
    assert len(got) < 51  # folded
    assert max(i for _t, i in got) > before_last  # issued after the last request


def test_topics_asked_together_are_each_announced(postgres):
    sender, listener = postgres
    for meeting in range(1, 6):
        sender.send_soon(f"meeting:{meeting}")
    got = heard(listener, time.monotonic() + 2)
    assert {topic for topic, _id in got} == {f"meeting:{m}" for m in range(1, 6)}


def test_a_failed_announcement_is_logged_and_the_next_goes_out(postgres, monkeypatch, caplog):
    sender, listener = postgres
    real_send = sender.send
    calls = []

    def failing_once(topic):
        calls.append(topic)
        if len(calls) == 1:
            raise DatabaseError("the connection broke")
        real_send(topic)

    monkeypatch.setattr(sender, "send", failing_once)
    with caplog.at_level(logging.ERROR, logger="track2.live.postgres"):
        sender.send_soon("meeting:7")
        deadline = time.monotonic() + 5
        while not calls and time.monotonic() < deadline:
            time.sleep(0.01)
        sender.send_soon("meeting:8")
        got = heard(listener, time.monotonic() + 2)
    assert [topic for topic, _id in got] == ["meeting:8"]
    assert "announcing meeting:7 failed" in caplog.text


def test_in_process_announces_at_once(db):
    hub = Hub()
    sender = InProcess(hub)
    sender.send_soon("meeting:3")
    assert hub.latest("meeting:3") is not None


def announcer_sessions() -> int:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND query LIKE %s",
            [f"%pg_notify('{CHANNEL}'%"],
        )
        return int(cursor.fetchone()[0])


def test_a_quiet_announcer_holds_no_database_session(postgres, monkeypatch):
    # An idle thread's connection stayed open for the process's life: a session per process the
    # server's connection count carried, and one the test database's drop waited 15 s for.
    monkeypatch.setattr("track2.live.postgres.ANNOUNCER_IDLE_SECONDS", 0.3)
    sender, listener = postgres
    sender.send_soon("meeting:1")
    assert heard(listener, time.monotonic() + 1), "no announcement reached the listener"
    deadline = time.monotonic() + 5
    while announcer_sessions() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert announcer_sessions() == 0
    sender.send_soon("meeting:2")  # and the next announcement opens one again
    assert {t for t, _i in heard(listener, time.monotonic() + 1)} == {"meeting:2"}


def test_an_announcement_tells_this_processes_listeners_at_once_then_every_process(postgres):
    # A process that announces may not listen (a command): its own listeners (what it keeps of a
    # room whose votes went) are told before the NOTIFY, which tells every other process.
    sender, listener = postgres
    told: list[str] = []
    sender.hub.on("votes_gone", told.append)
    sender.send("votes_gone:4")
    assert told == ["4"]
    assert [topic for topic, _id in heard(listener, time.monotonic() + 1)] == ["votes_gone:4"]
