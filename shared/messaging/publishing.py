"""The outbox's rows: read the unpublished ones, send them to Kafka in order, mark the delivered ones.

Rows are grouped by (topic, partition) with the producer's own key partitioner; each group goes
out as a chain of record batches, one at a time, and a failed batch stops its chain, so a partition
never receives an event after a later one. :func:`send_rows` says which rows were delivered and,
when a chain failed, the first row it could not deliver and the broker's error.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.errors import BrokerResponseError
from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.contracts.codec import Headers, headers_for
from shared.contracts.envelope import Metadata


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """A stored event ready to send: its store position, topic, key, value, headers and metadata."""

    position: int
    topic: str
    key: bytes
    value: bytes
    headers: Headers
    meta: Metadata


@dataclass(slots=True)
class Outcome:
    """What a round sent: the delivered positions; else the broker's error and the first row it stopped at."""

    delivered: list[int] = field(default_factory=list)
    error: Exception | None = None
    failed: OutboxRow | None = None
    rows: Sequence[OutboxRow] = ()


async def unpublished_rows(connection: AsyncConnection, events: Table, limit: int) -> list[OutboxRow]:
    """The oldest ``limit`` rows of the ``events`` table not published yet, in store order."""
    result = await connection.execute(
        select(events.c.position, events.c.topic, events.c.aggregate_id, events.c.document)
        .where(events.c.published_at.is_(None))
        .order_by(events.c.position)
        .limit(limit)
    )
    return [_row(position, topic, aggregate_id, document) for position, topic, aggregate_id, document in result]


async def mark_published(connection: AsyncConnection, events: Table, positions: Sequence[int]) -> None:
    """Stamp the rows at ``positions`` as published now."""
    if positions:
        await connection.execute(
            update(events).where(events.c.position.in_(positions)).values(published_at=datetime.now(UTC))
        )


def _row(position: int, topic: str, aggregate_id: str, document: str) -> OutboxRow:
    meta = Metadata.model_validate(orjson.loads(document)["meta"])
    return OutboxRow(position, topic, aggregate_id.encode(), document.encode(), headers_for(meta), meta)


def refused_for_good(error: BaseException) -> bool:
    """The broker answered with an error that sending the same records again will not cure
    (record too large, invalid topic, not authorized...)."""
    return isinstance(error, BrokerResponseError) and not error.retriable


def describe(row: OutboxRow) -> str:
    """The row for an operator: store position, event type and id, size, topic."""
    return (f"event {row.meta.event_id} ({row.meta.event_type}, store position {row.position}, "
            f"{len(row.value):,} bytes) for {row.topic}")


async def send_rows(producer: AIOKafkaProducer, partitioner: Any, rows: Sequence[OutboxRow]) -> Outcome:
    """Send ``rows`` (in store order), one chain per (topic, partition), the chains concurrently."""
    partitions = {topic: sorted(await producer.partitions_for(topic)) for topic in {row.topic for row in rows}}
    chains: dict[tuple[str, int], list[OutboxRow]] = {}
    for row in rows:
        partition = partitioner(row.key, partitions[row.topic], partitions[row.topic])
        chains.setdefault((row.topic, partition), []).append(row)
    outcomes = await asyncio.gather(
        *(_send_chain(producer, topic, partition, chain) for (topic, partition), chain in chains.items())
    )
    total = Outcome(delivered=[position for outcome in outcomes for position in outcome.delivered], rows=rows)
    failed = next((outcome for outcome in outcomes if outcome.error is not None), None)
    if failed is not None:
        total.error, total.failed = failed.error, failed.failed
    return total


async def _send_chain(producer: AIOKafkaProducer, topic: str, partition: int, rows: list[OutboxRow]) -> Outcome:
    outcome = Outcome()
    in_batch: list[OutboxRow] = []
    try:
        batch = producer.create_batch()
        for row in rows:
            if batch.append(key=row.key, value=row.value, timestamp=None, headers=row.headers) is None:
                await (await producer.send_batch(batch, topic, partition=partition))
                outcome.delivered.extend(sent.position for sent in in_batch)
                batch, in_batch = producer.create_batch(), []
                batch.append(key=row.key, value=row.value, timestamp=None, headers=row.headers)
            in_batch.append(row)
        await (await producer.send_batch(batch, topic, partition=partition))
        outcome.delivered.extend(sent.position for sent in in_batch)
    except Exception as exc:
        outcome.error = exc
        outcome.failed = in_batch[0] if in_batch else rows[0]
    return outcome
