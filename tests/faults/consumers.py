"""Intake's projections subscribed on a FastStream broker, in this process."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Sequence
from contextlib import asynccontextmanager

from faststream.kafka import KafkaBroker
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.batches import BatchResult
from shared.messaging.deadletter import KafkaDeadLetterPublisher
from shared.messaging.producer import create_producer
from shared.messaging.projection import Projection
from shared.messaging.runner import ConsumerRegistry, subscribe_projection

FAST_GROUP_JOIN = {"session_timeout_ms": 1500, "heartbeat_interval_ms": 300}
"""Tansu ignores LeaveGroup: a restarted member waits for the old one's session to expire."""


@asynccontextmanager
async def running(bootstrap: str, topic_prefix: str, engine: AsyncEngine, metadata: MetaData,
                  projections: Sequence[Projection], *, batch_size: int = 50,
                  platforms: Collection[str] | None = None,
                  on_batch: Callable[[str, BatchResult], object] | None = None) -> AsyncIterator[list[BatchResult]]:
    """Run ``projections`` until the block ends; yields the list of batch results as they come."""
    results: list[BatchResult] = []

    def recorder(name: str) -> Callable[[BatchResult], Awaitable[None]]:
        async def record(result: BatchResult) -> None:
            results.append(result)
            if on_batch is not None:
                on_batch(name, result)

        return record

    producer = create_producer(bootstrap)
    await producer.start()
    broker = KafkaBroker(bootstrap.split(","))
    for projection in projections:
        subscribe_projection(broker, projection, engine, metadata, topic_prefix=topic_prefix, batch_size=batch_size,
                             dead_letters=KafkaDeadLetterPublisher(producer, topic_prefix), platforms=platforms,
                             retry_delay=0.05, after_batch=recorder(projection.name), registry=ConsumerRegistry(),
                             consumer_options=FAST_GROUP_JOIN)
    try:
        await broker.start()
        yield results
    finally:
        await broker.stop()
        await producer.stop()
