"""Rebuild a projection from offset 0 into a fresh database.

Reads every partition of the projection's topics from the beginning with a group-less consumer
(manual assignment, no offsets committed) until each partition reaches its high watermark, and
applies the records with :func:`apply_batch`. The high watermark comes from fetch responses
(``consumer.highwater``): ``end_offsets`` is wrong on Tansu.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Collection
from datetime import datetime
from typing import Any

from aiokafka import AIOKafkaConsumer, TopicPartition
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.envelope import Envelope
from shared.contracts.topics import physical
from shared.messaging.admin import partitions_of
from shared.messaging.batches import apply_batch
from shared.messaging.deadletter import DeadLetterPublisher
from shared.messaging.projection import InboundRecord, Projection
from shared.messaging.tracking import processed_count

Progress = Callable[[int, int], Any]
FETCH_TIMEOUT_MS = 500


class NotFreshDatabase(RuntimeError):
    """The target database already holds events processed by this projection."""


async def rebuild(
    projection: Projection,
    engine: AsyncEngine,
    metadata: MetaData,
    bootstrap: str,
    topic_prefix: str,
    *,
    until: datetime | None = None,
    progress: Progress | None = None,
    batch_size: int = 500,
    platforms: Collection[str] | None = None,
    dead_letters: DeadLetterPublisher | None = None,
    stall_timeout: float = 60.0,
) -> int:
    """Replay the projection's topics into ``engine`` (tables already created, no events processed).

    ``until`` keeps only events that occurred at or before it (the event's own ``occurred_at``).
    ``progress(events_done, total_estimate)`` is called after each batch; the estimate is the sum
    of the high watermarks known so far. Records that do not decode were dead-lettered by the live
    consumer already: they are skipped, unless ``dead_letters`` is given. Returns the number of
    events processed (applied or of types the projection ignores). Raises :class:`TimeoutError`
    if no record arrives for ``stall_timeout`` seconds while some partition is still behind.
    """
    if await processed_count(engine, projection.name):
        raise NotFreshDatabase(f"{projection.name} has already processed events in this database")
    include = None if until is None else (lambda envelope: _occurred_by(envelope, until))
    consumer = AIOKafkaConsumer(
        bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False, auto_offset_reset="earliest"
    )
    try:
        await consumer.start()
        partitions = await partitions_of(bootstrap, [physical(name, topic_prefix) for name in projection.topics])
        if not partitions:
            return 0
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        done = 0
        loop = asyncio.get_running_loop()
        last_record_at = loop.time()
        while not await _caught_up(consumer, partitions):
            fetched = await consumer.getmany(timeout_ms=FETCH_TIMEOUT_MS, max_records=batch_size)
            records = [InboundRecord.of(record) for batch in fetched.values() for record in batch]
            if not records:
                if loop.time() - last_record_at > stall_timeout:
                    raise TimeoutError(f"rebuild of {projection.name} stalled: nothing fetched for {stall_timeout}s")
                continue
            last_record_at = loop.time()
            result = await apply_batch(engine, metadata, projection, records, platforms=platforms, include=include)
            if dead_letters is not None:
                await dead_letters.publish(projection.name, result.dead_letters)
            done += result.processed
            if progress is not None:
                progress(done, _total_estimate(consumer, partitions))
        return done
    finally:
        await consumer.stop()


async def _caught_up(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> bool:
    """True once every partition has been fetched and its position reached its high watermark."""
    for partition in partitions:
        highwater = consumer.highwater(partition)
        if highwater is None or await consumer.position(partition) < highwater:
            return False
    return True


def _total_estimate(consumer: AIOKafkaConsumer, partitions: list[TopicPartition]) -> int:
    return sum(consumer.highwater(partition) or 0 for partition in partitions)


def _occurred_by(envelope: Envelope[Any], until: datetime) -> bool:
    return envelope.meta.occurred_at <= until
