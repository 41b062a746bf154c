"""The relay keeps going while the broker is down and publishes what was stored meanwhile, once, in order."""

from __future__ import annotations

import asyncio
import logging

import orjson
import pytest

from shared.contracts.topics import REQUESTS, physical
from shared.messaging.admin import ensure_topics
from shared.messaging.producer import create_producer
from shared.messaging.relay import OutboxRelay
from shared.storage.unit_of_work import SqlUnitOfWork

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]

RELAY_LOGGER = "shared.messaging.relay"


async def test_events_stored_while_the_broker_is_down_are_published_once_in_order_after_restart(
    store, metadata, make_event, broker_factory, topic_prefix, read_topic, caplog
) -> None:
    caplog.set_level(logging.WARNING, logger=RELAY_LOGGER)
    broker = broker_factory(topic_prefix=topic_prefix, create_topics=False)
    await ensure_topics(broker.bootstrap, topic_prefix)
    producers_created = 0

    def new_producer():  # type: ignore[no-untyped-def]
        nonlocal producers_created
        producers_created += 1
        return create_producer(broker.bootstrap)

    relay = OutboxRelay(store, metadata, new_producer, poll_interval=0.05, max_backoff=0.5)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))

    async def store_events(events) -> None:  # type: ignore[no-untyped-def]
        async with SqlUnitOfWork(store, metadata, topic_prefix=topic_prefix, on_commit=relay.notify) as uow:
            await uow.events.append(events)
            await uow.commit()

    try:
        before_outage = [make_event("req-a", 1), make_event("req-b", 1)]
        await store_events(before_outage)
        await _eventually(relay.backlog, 0, "the relay did not publish with the broker up")

        broker.kill()
        during_outage = [make_event(aggregate, version) for version in (2, 3, 4) for aggregate in ("req-a", "req-b")]
        during_outage += [make_event("req-c", 1)]
        for event in during_outage:
            await store_events([event])
        await _eventually(lambda: _failures_logged(caplog), 1, "the relay did not notice the broker was down")
        retries_seen_from = producers_created + 3
        await _eventually(lambda: producers_created >= retries_seen_from, True, "the relay stopped retrying")
        assert not running.done(), "the relay stopped while the broker was down"
        assert await relay.backlog() == len(during_outage)

        broker.start()
        await ensure_topics(broker.bootstrap, topic_prefix)
        await _eventually(relay.backlog, 0, "the relay did not publish after the broker came back", timeout=60)
        assert not running.done()
    finally:
        stop.set()
        await asyncio.wait_for(running, timeout=30)

    by_partition = await read_topic(broker.bootstrap, physical(REQUESTS, topic_prefix))
    published = [record for records in by_partition.values() for record in records]
    kept = before_outage if broker.durable else []  # Apache Kafka keeps what it had; Tansu comes back empty
    expected = [str(event.meta.event_id) for event in kept + during_outage]
    assert sorted(_event_id(record) for record in published) == sorted(expected), "lost or duplicated events"
    for records in by_partition.values():
        positions = [expected.index(_event_id(record)) for record in records]
        assert positions == sorted(positions), "a partition received events out of order"
    assert _failures_logged(caplog) == 1, "an outage is logged once, not on every retry"


def _failures_logged(caplog: pytest.LogCaptureFixture) -> int:
    return sum(1 for record in caplog.records if record.name == RELAY_LOGGER and "publishing failed" in record.message)


def _event_id(record) -> str:  # type: ignore[no-untyped-def]
    return orjson.loads(record.value)["meta"]["event_id"]


async def _eventually(probe, expected, message: str, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    async def value():  # type: ignore[no-untyped-def]
        result = probe()
        return await result if asyncio.iscoroutine(result) else result

    try:
        async with asyncio.timeout(timeout):
            while await value() != expected:
                await asyncio.sleep(0.05)
    except TimeoutError:
        pytest.fail(message)
