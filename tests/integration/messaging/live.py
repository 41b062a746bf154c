"""Run a projection subscriber in-process against the test broker, and read topics back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from faststream.kafka import KafkaBroker
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.admin import partitions_of
from shared.messaging.batches import BatchResult
from shared.messaging.deadletter import DeadLetterPublisher, KafkaDeadLetterPublisher
from shared.messaging.producer import create_producer
from shared.messaging.projection import Projection
from shared.messaging.runner import ConsumerRegistry, subscribe_projection

FAST_GROUP_JOIN = {"session_timeout_ms": 1500, "heartbeat_interval_ms": 300}
"""Tansu ignores LeaveGroup: a restarted member waits for the old one's session to expire."""


@dataclass
class Run:
    """What a running subscriber did, batch by batch."""

    results: list[BatchResult] = field(default_factory=list)
    subscriber: object = None
    consumers: ConsumerRegistry = field(default_factory=ConsumerRegistry)

    @property
    def duplicates(self) -> int:
        return sum(result.duplicates for result in self.results)

    @property
    def processed(self) -> int:
        return sum(result.processed for result in self.results)


@asynccontextmanager
async def running(bootstrap: str, topic_prefix: str, engine: AsyncEngine, metadata: MetaData,
                  projection: Projection, *, batch_size: int = 50, group_id: str | None = None,
                  dead_letters: DeadLetterPublisher | None = None) -> AsyncIterator[Run]:
    run = Run()

    async def record(result: BatchResult) -> None:
        run.results.append(result)

    producer = create_producer(bootstrap)
    await producer.start()
    broker = KafkaBroker(bootstrap.split(","))
    run.subscriber = subscribe_projection(
        broker, projection, engine, metadata, topic_prefix=topic_prefix, group_id=group_id,
        batch_size=batch_size, dead_letters=dead_letters or KafkaDeadLetterPublisher(producer, topic_prefix),
        retry_delay=0.1, after_batch=record, registry=run.consumers, consumer_options=FAST_GROUP_JOIN,
    )
    try:
        await broker.start()
        yield run
    finally:
        await broker.stop()
        await producer.stop()


async def read_topic(bootstrap: str, topic: str, count: int, timeout: float = 20.0) -> list[ConsumerRecord]:
    """The first ``count`` records of ``topic`` (all partitions); TimeoutError if fewer arrive."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        consumer.assign(await partitions_of(bootstrap, [topic]))
        found: list[ConsumerRecord] = []
        async with asyncio.timeout(timeout):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=200)
                found.extend(record for batch in batches.values() for record in batch)
        return found
    finally:
        await consumer.stop()


async def committed_offsets(bootstrap: str, group_id: str, topic: str) -> dict[int, int | None]:
    """The group's committed offset per partition of ``topic`` (partitions named, see broker notes)."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=group_id, enable_auto_commit=False)
    await consumer.start()
    try:
        return {tp.partition: await consumer.committed(tp) for tp in await partitions_of(bootstrap, [topic])}
    finally:
        await consumer.stop()
