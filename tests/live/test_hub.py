"""The in-process hub: ids, catch-up after a reconnection, bounded queues, delivery from threads."""

from __future__ import annotations

import asyncio
import threading
import time

import pytest

from track2.live.hub import QUEUE_LIMIT, Hub, SubscriberTooSlow
from track2.live.inprocess import next_id


def test_ids_grow_even_when_asked_for_from_many_threads():
    seen: list[int] = []

    def take():
        seen.extend(next_id() for _ in range(1000))

    threads = [threading.Thread(target=take) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(seen)) == 4000


def test_catch_up_owes_one_event_to_a_reader_behind_and_none_to_one_up_to_date():
    hub = Hub()
    hub.floor = 100
    assert hub.catch_up("meeting:1", None) == 100  # a fresh page re-reads once
    assert hub.catch_up("meeting:1", 40) == 100  # connected before this process listened
    assert hub.catch_up("meeting:1", 100) is None
    hub.record("meeting:1", 120)
    assert hub.catch_up("meeting:1", 100) == 120
    assert hub.catch_up("meeting:1", 120) is None
    assert hub.catch_up("meeting:2", 100) is None  # another topic did not change
    assert hub.record("meeting:1", 110) is False  # an older id says nothing new


def test_events_reach_every_subscriber_of_the_topic_only():
    async def run():
        hub = Hub()
        a, b, other = hub.subscribe("meeting:1"), hub.subscribe("meeting:1"), hub.subscribe("x:2")
        hub.record("meeting:1", 5)
        got = [await asyncio.wait_for(anext(s), 1) for s in (a, b)]
        assert [(e.topic, e.id) for e in got] == [("meeting:1", 5)] * 2
        assert other.pending() == []
        for s in (a, b, other):
            s.close()
        assert hub.subscriber_count() == 0

    asyncio.run(run())


def test_events_published_from_a_thread_cross_into_the_loop():
    async def run():
        hub = Hub()
        async with hub.subscribe("meeting:7") as events:
            thread = threading.Thread(target=hub.record, args=("meeting:7", 42))
            thread.start()
            event = await asyncio.wait_for(anext(events), 2)
            thread.join()
            assert event.id == 42

    asyncio.run(run())


def test_a_reader_that_falls_behind_is_dropped_not_buffered():
    async def run():
        hub = Hub()
        slow = hub.subscribe("meeting:1")
        keeping_up = hub.subscribe("meeting:1")
        for n in range(1, QUEUE_LIMIT + 10):
            hub.record("meeting:1", n)
            keeping_up.pending()
        assert slow.is_dropped
        assert hub.subscriber_count("meeting:1") == 1
        assert slow.queue.qsize() <= 1  # the backlog was let go
        with pytest.raises(SubscriberTooSlow):
            await anext(slow)
        assert not keeping_up.is_dropped

    asyncio.run(run())


def test_an_id_counts_changes_and_is_not_the_time_of_one():
    """Under the Chatham House Rule no output gives the time of a statement or a vote: ids
    issued a while apart are still consecutive."""
    first = next_id()
    time.sleep(0.02)
    assert next_id() == first + 1


def test_listeners_of_a_kind_hear_each_new_event_of_it_once_and_a_failure_is_logged(caplog):
    hub = Hub()
    heard: list[str] = []

    def failing(rest: str) -> None:
        raise ValueError(rest)

    hub.on("votes_gone", failing)
    hub.on("votes_gone", heard.append)
    hub.on("votes_gone", heard.append)  # once per function
    assert hub.record("votes_gone:12", 5)
    assert not hub.record("votes_gone:12", 4)  # an older id says nothing new
    hub.record("meeting:12", 6)  # another kind
    hub.tell("votes_gone:13")  # the announcing process tells its own at once
    assert heard == ["12", "13"]
    assert caplog.text.count("a listener of votes_gone:12 failed") == 1
    assert "ValueError: 12" in caplog.text


def test_a_failing_listener_does_not_stop_the_topics_readers():
    async def run():
        hub = Hub()
        hub.on("votes_gone", lambda rest: 1 / 0)
        async with hub.subscribe("votes_gone:3") as events:
            hub.record("votes_gone:3", 9)
            assert (await asyncio.wait_for(anext(events), 1)).id == 9

    asyncio.run(run())
