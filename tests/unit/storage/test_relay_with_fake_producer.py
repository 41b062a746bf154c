"""Outbox relay rounds against a fake producer: order per partition, partial failures, wake-ups."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field

import orjson
import pytest
from aiokafka.errors import MessageSizeTooLargeError
from aiokafka.partitioner import DefaultPartitioner

from shared.contracts.codec import headers_for
from shared.messaging.relay import OutboxRelay
from shared.storage.unit_of_work import SqlUnitOfWork
from tests.polling import eventually


class BrokerDown(ConnectionError):
    pass


@dataclass
class FakeBatch:
    capacity: int
    records: list[tuple[bytes, bytes, list]] = field(default_factory=list)

    def append(self, *, key, value, timestamp, headers):  # type: ignore[no-untyped-def]
        if len(self.records) >= self.capacity:
            return None
        self.records.append((key, value, headers))
        return object()


@dataclass
class FakeProducer:
    """Records every batch sent; ``fail`` decides which batches the broker rejects."""

    fail: Callable[[int], bool] = lambda batch_number: False
    capacity: int = 2
    sent: list[tuple[str, int, FakeBatch]] = field(default_factory=list)
    delivered: list[tuple[str, int, FakeBatch]] = field(default_factory=list)
    started: bool = False
    stopped: bool = False

    async def start(self) -> None:
        self.started = True

    async def stop(self) -> None:
        self.stopped = True

    async def partitions_for(self, topic: str) -> set[int]:
        return {0, 1, 2}

    def create_batch(self) -> FakeBatch:
        return FakeBatch(self.capacity)

    async def send_batch(self, batch: FakeBatch, topic: str, *, partition: int) -> asyncio.Future:
        self.sent.append((topic, partition, batch))
        future = asyncio.get_running_loop().create_future()
        if self.fail(len(self.sent)):
            future.set_exception(BrokerDown("broker lost"))
        else:
            self.delivered.append((topic, partition, batch))
            future.set_result(None)
        return future


async def append(engine, metadata, events, relay=None) -> None:  # type: ignore[no-untyped-def]
    async with SqlUnitOfWork(engine, metadata, on_commit=relay.notify if relay else None) as uow:
        await uow.events.append(events)
        await uow.commit()


async def test_a_round_publishes_in_order_with_key_and_headers(sqlite_engine, metadata, make_event) -> None:
    events = [make_event("req-1", version) for version in range(1, 6)]
    await append(sqlite_engine, metadata, events)
    producer = FakeProducer()
    relay = OutboxRelay(sqlite_engine, metadata, lambda: producer)

    assert await relay.backlog() == 5
    assert await relay.publish_pending() == 5
    assert await relay.backlog() == 0
    assert await relay.publish_pending() == 0

    records = [record for _, _, batch in producer.delivered for record in batch.records]
    assert [key for key, _, _ in records] == [b"req-1"] * 5
    assert [headers for _, _, headers in records] == [headers_for(event.meta) for event in events]
    assert [f'"aggregate_version":{version},'.encode() in value for version, (_, value, _) in
            enumerate(records, start=1)] == [True] * 5
    assert {partition for _, partition, _ in producer.delivered} == {producer.delivered[0][1]}
    await relay.close()


async def test_a_failed_batch_stops_its_partition_and_only_delivered_rows_are_marked(
    sqlite_engine, metadata, make_event
) -> None:
    events = [make_event("req-1", version) for version in range(1, 6)]
    await append(sqlite_engine, metadata, events)
    failing = FakeProducer(fail=lambda batch_number: batch_number == 2)
    relay = OutboxRelay(sqlite_engine, metadata, lambda: failing)

    with pytest.raises(BrokerDown):
        await relay.publish_pending()

    assert len(failing.sent) == 2, "no batch may follow a failed one on the same partition"
    assert failing.stopped, "a producer that failed is replaced"
    assert await relay.backlog() == 3

    healthy = FakeProducer()
    relay = OutboxRelay(sqlite_engine, metadata, lambda: healthy)
    assert await relay.publish_pending() == 3
    ids = [str(event.meta.event_id) for event in events]
    assert event_ids(failing) == ids[:2]
    assert event_ids(healthy) == ids[2:]
    await relay.close()


async def test_run_survives_failures_and_wakes_up_on_notify(sqlite_engine, metadata, make_event) -> None:
    producers: list[FakeProducer] = []
    outage = asyncio.Event()
    outage.set()

    def factory() -> FakeProducer:
        producers.append(FakeProducer(fail=lambda _: outage.is_set()))
        return producers[-1]

    relay = OutboxRelay(sqlite_engine, metadata, factory, poll_interval=60, max_backoff=0.2)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    await append(sqlite_engine, metadata, [make_event("req-1", 1)], relay)
    await eventually(lambda: len(producers) >= 2, what="the relay to retry with a new producer", timeout=10.0, interval=0.02)
    assert not running.done()

    outage.clear()
    await eventually(relay.backlog, lambda backlog: backlog == 0, "the relay to publish once the broker was back",
                     timeout=10.0, interval=0.02)
    await append(sqlite_engine, metadata, [make_event("req-1", 2)], relay)
    await eventually(relay.backlog, lambda backlog: backlog == 0, "notify() to wake the relay up", timeout=10.0,
                     interval=0.02)

    stop.set()
    await asyncio.wait_for(running, timeout=10)
    assert producers[-1].stopped
    assert len(event_ids(producers[-1])) == 2


@dataclass
class RefusingProducer(FakeProducer):
    """A broker that refuses every batch holding ``refused`` (an event id) for good."""

    refused: str = ""

    async def send_batch(self, batch: FakeBatch, topic: str, *, partition: int) -> asyncio.Future:
        if any(self.refused.encode() in value for _, value, _ in batch.records):
            self.sent.append((topic, partition, batch))
            future = asyncio.get_running_loop().create_future()
            future.set_exception(MessageSizeTooLargeError())
            return future
        return await super().send_batch(batch, topic, partition=partition)


async def test_an_event_refused_for_good_is_named_in_an_error_and_holds_back_only_its_partition(
    sqlite_engine, metadata, make_event, caplog
) -> None:
    held = [make_event("req-1", version) for version in (1, 2)]
    other = make_event(next(f"req-{n}" for n in range(2, 50) if partition_of(f"req-{n}") != partition_of("req-1")), 1)
    await append(sqlite_engine, metadata, [*held, other])
    refused = str(held[0].meta.event_id)
    producers: list[RefusingProducer] = []

    def factory() -> RefusingProducer:
        producers.append(RefusingProducer(refused=refused, capacity=1))
        return producers[-1]

    relay = OutboxRelay(sqlite_engine, metadata, factory, max_backoff=0.05, reminder_interval=3600)
    stop = asyncio.Event()
    running = asyncio.create_task(relay.run(stop))
    await eventually(lambda: len(producers) >= 3, what="the relay to keep trying", timeout=10.0, interval=0.02)
    stop.set()
    await asyncio.wait_for(running, timeout=10)

    assert relay.stuck_at is not None and str(relay.stuck_at.meta.event_id) == refused
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert len(errors) == 1, "one error per reminder interval"
    assert refused in errors[0].getMessage() and "max.message.bytes" in errors[0].getMessage()
    assert await relay.backlog() == 2, "the refused event and the one after it on its partition wait"
    assert str(other.meta.event_id) in {event_id for producer in producers for event_id in event_ids(producer)}


def partition_of(key: str) -> int:
    return DefaultPartitioner()(key.encode(), [0, 1, 2], [0, 1, 2])


def event_ids(producer: FakeProducer) -> list[str]:
    return [orjson.loads(value)["meta"]["event_id"] for _, _, batch in producer.delivered for _, value, _ in batch.records]
