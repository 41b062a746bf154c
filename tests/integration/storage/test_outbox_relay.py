"""The outbox relay against a real broker, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import orjson
import pytest

from shared.contracts.codec import headers_for
from shared.contracts.topics import REQUESTS, physical
from shared.messaging.producer import create_producer
from shared.messaging.relay import OutboxRelay
from shared.storage.engine import create_engine
from shared.storage.unit_of_work import SqlUnitOfWork
from tests.fixtures.database import POSTGRES_ONLY

pytestmark = pytest.mark.integration


async def test_the_relay_publishes_each_event_once_in_order_with_headers(
    store, metadata, make_event, kafka_bootstrap, topic_prefix, topics, read_topic
) -> None:
    events = [make_event(f"req-{aggregate}", version) for version in (1, 2, 3) for aggregate in "abcd"]
    async with SqlUnitOfWork(store, metadata, topic_prefix=topic_prefix) as uow:
        await uow.events.append(events)
        await uow.commit()
    relay = OutboxRelay(store, metadata, lambda: create_producer(kafka_bootstrap))

    try:
        assert await relay.backlog() == len(events)
        assert await relay.publish_pending() == len(events)
        assert await relay.backlog() == 0
        assert await relay.publish_pending() == 0
    finally:
        await relay.close()

    by_partition = await read_topic(kafka_bootstrap, physical(REQUESTS, topic_prefix))
    by_id = {str(event.meta.event_id): event for event in events}
    published = [record for records in by_partition.values() for record in records]
    assert sorted(_event_id(record) for record in published) == sorted(by_id)
    for record in published:
        event = by_id[_event_id(record)]
        assert record.key == event.meta.aggregate_id.encode()
        assert list(record.headers) == headers_for(event.meta)
    for records in by_partition.values():
        order = [events.index(by_id[_event_id(record)]) for record in records]
        assert order == sorted(order), "a partition received events out of their store order"


@POSTGRES_ONLY  # one relay per SQLite store (one service process owns it)
async def test_two_relays_on_one_postgresql_store_publish_each_event_once(
    store, metadata, make_event, kafka_bootstrap, topic_prefix, topics, read_topic, database_url
) -> None:
    events = [make_event("req-a", version) for version in range(1, 201)]
    async with SqlUnitOfWork(store, metadata, topic_prefix=topic_prefix) as uow:
        await uow.events.append(events)
        await uow.commit()
    other_engine = create_engine(database_url)
    relays = [OutboxRelay(engine, metadata, lambda: create_producer(kafka_bootstrap), batch_size=50)
              for engine in (store, other_engine)]

    try:
        while await relays[0].backlog():
            await asyncio.gather(*(relay.publish_pending() for relay in relays))
    finally:
        for relay in relays:
            await relay.close()
        await other_engine.dispose()

    by_partition = await read_topic(kafka_bootstrap, physical(REQUESTS, topic_prefix))
    published = [_event_id(record) for records in by_partition.values() for record in records]
    assert published == [str(event.meta.event_id) for event in events]


def _event_id(record) -> str:  # type: ignore[no-untyped-def]
    return orjson.loads(record.value)["meta"]["event_id"]
