"""Kafka side of projections: a FastStream batch subscriber that feeds :func:`apply_batch`.

Order of effects for each batch, which makes the effects exactly-once:

1. the database transaction commits projection rows, processed event ids and checkpoints;
2. the batch's dead letters are produced and every one acknowledged;
3. only then are the Kafka offsets committed.

A crash between 1 and 3 redelivers the batch; its events are skipped by event id (dead letters may
be produced twice). Processed ids are kept for :data:`~shared.messaging.tracking.RETENTION` of records,
then pruned behind the consumer's horizon (:mod:`shared.messaging.tracking` says why that stays exact). A crash before 1 leaves nothing behind. Kafka offsets can never run ahead of
the database, because the commit of offsets happens last.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Collection, Mapping
from typing import Any

from aiokafka import AIOKafkaConsumer, ConsumerRecord
from faststream.kafka import KafkaBroker, Topic
from faststream.kafka.annotations import KafkaMessage
from faststream.kafka.message import FAKE_CONSUMER, KafkaAckableMessage
from faststream.middlewares import AckPolicy
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.topics import physical
from shared.messaging.batches import BatchResult, apply_batch
from shared.messaging.deadletter import DeadLetterPublisher
from shared.messaging.projection import InboundRecord, Projection
from shared.messaging.tracking import RETENTION, wait_for

__all__ = ["ConsumerRegistry", "consumer_lag", "subscribe_projection", "wait_for"]

AfterBatch = Callable[[BatchResult], Awaitable[None]]


class ConsumerRegistry:
    """The running projection subscribers by projection name, for lag metrics."""

    def __init__(self) -> None:
        self._subscribers: dict[str, Any] = {}

    def add(self, name: str, subscriber: Any) -> None:
        self._subscribers[name] = subscriber

    def names(self) -> list[str]:
        return sorted(self._subscribers)

    async def lag(self, name: str) -> dict[tuple[str, int], int]:
        """Lag per (topic, partition) of projection ``name``; empty while its consumer is not running."""
        consumer = self._subscribers[name].consumer
        return await consumer_lag(consumer) if consumer is not None else {}


async def consumer_lag(consumer: AIOKafkaConsumer) -> dict[tuple[str, int], int]:
    """Records not applied yet per assigned (topic, partition): high watermark minus committed offset.

    The high watermark comes from fetch responses (``end_offsets`` is wrong on Tansu), so a
    partition not fetched yet is left out. The group's committed offset moves only after a batch
    is applied and its dead letters sent, so a batch failing again and again shows as lag (the
    fetch position would not: it runs ahead while the batch is retried). Before the group's first
    commit the fetch position stands in.
    """
    lag: dict[tuple[str, int], int] = {}
    for partition in consumer.assignment():
        highwater = consumer.highwater(partition)
        if highwater is None:
            continue
        done = await consumer.committed(partition)
        if done is None:
            done = await consumer.position(partition)
        lag[(partition.topic, partition.partition)] = max(highwater - done, 0)
    return lag


def subscribe_projection(
    broker: KafkaBroker,
    projection: Projection,
    engine: AsyncEngine,
    metadata: MetaData,
    *,
    topic_prefix: str,
    dead_letters: DeadLetterPublisher,
    group_id: str | None = None,
    batch_size: int = 500,
    batch_timeout_ms: int = 200,
    platforms: Collection[str] | None = None,
    retry_delay: float = 1.0,
    after_batch: AfterBatch | None = None,
    registry: ConsumerRegistry | None = None,
    consumer_options: Mapping[str, Any] | None = None,
) -> Any:
    """Register a batch subscriber on ``broker`` that keeps ``projection`` up to date.

    The group id defaults to ``topic_prefix + projection.name``; new groups start at the earliest
    offset. Topics are not created here (``shared.messaging.admin.ensure_topics`` does that).

    Acknowledgement uses ``AckPolicy.NACK_ON_ERROR``: FastStream commits the consumer's offsets
    only after the handler returned, that is after the DB commit and the dead letters; if anything
    raises, it seeks every partition of the batch back to the batch's first record, so the batch
    is delivered again (after ``retry_delay`` seconds). A failed offset commit is logged by
    FastStream and harmless: the next commit covers it, and redelivered events are deduplicated.
    MANUAL acks would give the same order with more code in the handler.

    ``after_batch(result)`` runs after the dead letters and before the offset commit.
    ``consumer_options`` go to ``broker.subscriber`` as they are (e.g. ``session_timeout_ms``); ``registry``, when
    given, keeps the subscriber under the projection's name (its lag is read from there).
    Returns the FastStream subscriber.
    """
    topics = [Topic(physical(name, topic_prefix), declare=False) for name in projection.topics]
    subscriber = broker.subscriber(
        *topics,
        batch=True,
        group_id=group_id or topic_prefix + projection.name,
        auto_offset_reset="earliest",
        ack_policy=AckPolicy.NACK_ON_ERROR,
        max_records=batch_size,
        batch_timeout_ms=batch_timeout_ms,
        **dict(consumer_options or {}),
    )

    async def parse_raw_batch(raw: tuple[ConsumerRecord, ...]) -> KafkaAckableMessage:
        """Keep values as bytes and never fail on odd headers: decoding is apply_batch's job."""
        return KafkaAckableMessage(
            raw_message=raw,
            body=[record.value for record in raw],
            batch_headers=[_text_headers(record.headers) for record in raw],
            message_id=f"{raw[0].topic}-{raw[0].partition}-{raw[0].offset}" if raw else None,
            consumer=subscriber.consumer or FAKE_CONSUMER,
        )

    async def keep_bytes(message: KafkaAckableMessage) -> list[bytes | None]:
        return list(message.body)

    async def apply_records(msg: KafkaMessage) -> None:
        records = [InboundRecord.of(record) for record in msg.raw_message]
        try:
            result = await apply_batch(engine, metadata, projection, records, platforms=platforms, retention=RETENTION)
            await dead_letters.publish(projection.name, result.dead_letters)
            if after_batch is not None:
                await after_batch(result)
        except Exception:
            await asyncio.sleep(retry_delay)
            raise

    apply_records.__name__ = f"project_{projection.name}"
    subscriber(apply_records, parser=parse_raw_batch, decoder=keep_bytes)
    if registry is not None:
        registry.add(projection.name, subscriber)
    return subscriber


def _text_headers(headers: Any) -> dict[str, str]:
    return {name: value.decode("utf-8", "replace") for name, value in headers or ()}
