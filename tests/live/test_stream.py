"""The SSE frames of one topic: catch-up, coalescing of bursts, heartbeats, a bounded life,
and Last-Event-ID read defensively."""

from __future__ import annotations

import asyncio
import contextlib
import time

import pytest
from django.test import RequestFactory

from track2 import live
from track2.live import stream
from track2.live.hub import QUEUE_LIMIT
from track2.live.inprocess import next_id


def ids_in(frames: list[str]) -> list[int]:
    return [int(line[4:]) for f in frames for line in f.splitlines() if line.startswith("id: ")]


async def collect(iterator, seconds: float) -> list[str]:
    got: list[str] = []

    async def read():
        async for frame in iterator:
            got.append(frame)

    try:
        await asyncio.wait_for(read(), seconds)
    except TimeoutError:
        pass
    await iterator.aclose()
    return got


@pytest.fixture
def in_process(db):
    assert live.backend().name == "in-process" or pytest.skip("SQLite only (in-process hub)")


def test_a_burst_of_changes_becomes_a_few_events_the_last_one_counting_them_all(in_process):
    async def run():
        frames = stream.frames("meeting:900", None, min_gap=0.25, heartbeat=10)
        assert (await anext(frames)).startswith("retry: ")
        catch_up = await anext(frames)  # a fresh reader is owed one re-read
        got: list[str] = []

        async def read():
            async for frame in frames:
                got.append(frame)

        reading = asyncio.create_task(read())
        started = time.monotonic()
        for _ in range(200):  # 200 votes in about a second
            live.hub.record("meeting:900", next_id())
            await asyncio.sleep(0.005)
        published = time.monotonic() - started
        # The last vote is owed within one gap; wait for it (a busy machine gets a margin).
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and (
            not ids_in(got) or ids_in(got)[-1] != live.hub.latest("meeting:900")
        ):
            await asyncio.sleep(0.05)
        reading.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reading
        await frames.aclose()
        return catch_up, got, published

    catch_up, rest, published = asyncio.run(run())
    ids = ids_in(rest)
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    # At most one event per 0.25 s (plus the one after the burst), never one per vote ...
    assert 1 <= len(ids) <= published / 0.25 + 2, (len(ids), published)
    # ... and the last one counts the last vote.
    assert ids[-1] == live.hub.latest("meeting:900")
    assert ids_in([catch_up])


def test_a_reader_that_stops_reading_is_dropped_and_owed_one_event_on_return(in_process):
    async def run():
        frames = stream.frames("meeting:903", None, heartbeat=10)
        await anext(frames), await anext(frames)
        for _ in range(QUEUE_LIMIT + 5):  # nobody reads meanwhile
            live.hub.record("meeting:903", next_id())
        return await collect(frames, 1)

    assert ids_in(asyncio.run(run())) == []  # the stream ended instead of buffering
    assert live.hub.subscriber_count("meeting:903") == 0
    assert live.hub.catch_up("meeting:903", 0) == live.hub.latest("meeting:903")


def test_reconnecting_with_the_newest_id_owes_nothing_and_an_older_id_owes_one(in_process):
    async def run(since):
        return await collect(stream.frames("meeting:901", since, heartbeat=10), 0.3)

    live.hub.record("meeting:901", newest := next_id())
    assert ids_in(asyncio.run(run(newest))) == []
    assert ids_in(asyncio.run(run(newest - 1))) == [newest]


def test_a_quiet_stream_sends_heartbeats_and_ends_after_its_lifetime(in_process):
    async def run():
        return await collect(stream.frames("meeting:902", 2**62, heartbeat=0.1, lifetime=0.55), 5)

    started = time.monotonic()
    frames = asyncio.run(run())
    assert time.monotonic() - started < 2
    assert sum(f == ": heartbeat\n\n" for f in frames) >= 3
    assert live.hub.subscriber_count("meeting:902") == 0  # closed when it ended


@pytest.mark.parametrize(
    "sent, read",
    [
        ("42", 42),
        (" 42 ", 42),
        ("", None),
        ("-1", None),
        ("4.2", None),
        ("9" * 40, None),
        (str(2**63), None),
        ("٤٢", None),  # Arabic-Indic digits are digits to str.isdigit, not to us
        ("42\x00", None),
    ],
)
def test_last_event_id_is_read_defensively(sent, read):
    request = RequestFactory().get("/", headers={"Last-Event-ID": sent})
    assert stream.last_event_id(request) == read


def test_topics_are_checked():
    for bad in ("", "meeting", "meeting:", "Meeting:1", "meeting:1 2", "meeting:" + "9" * 80):
        with pytest.raises(ValueError):
            live.check_topic(bad)
    assert live.meeting_topic(12) == "meeting:12"
