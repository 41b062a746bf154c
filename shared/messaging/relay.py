"""The outbox relay: publishes a service's stored events to Kafka, in order, at least once.

The event store is the outbox (see :mod:`shared.storage.eventstore`): a row with no
``published_at`` has not been published yet. Each round reads the oldest unpublished rows by
position, sends them, waits for the broker's acknowledgement, then marks the delivered rows.

Order: rows are grouped by (topic, partition) with the producer's own key partitioner; each
group goes out as a chain of record batches, one at a time, and a failed batch stops its chain.
A partition therefore never receives an event after a later one of the same store, even when the
broker is lost mid-round; the undelivered rows are sent again in the next round (at least once:
a batch that the broker stored but did not acknowledge is sent twice; consumers deduplicate on
the event id).

Run one relay per store. On PostgreSQL a round holds a transaction-scoped advisory lock, so a
second relay on the same database skips its round instead of interleaving. On SQLite a store
belongs to one service process, and one relay per process is the rule.

Create the topics (:func:`shared.messaging.admin.ensure_topics`) before the relay runs: Kafka
clients ask for automatic creation, and a broker that allows it (Tansu does) would create a
missing topic with its own default partition count.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NamedTuple

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import MetaData, func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.codec import Headers, headers_for
from shared.contracts.envelope import Metadata
from shared.storage.engine import write_transaction

log = logging.getLogger(__name__)

ProducerFactory = Callable[[], AIOKafkaProducer]
ADVISORY_LOCK_KEY = 0x52454C4149530001
"""PostgreSQL advisory lock held by the relay publishing a store (per database)."""


class PublishedEvent(NamedTuple):
    """An event the relay has just delivered: its envelope's metadata and payload (as stored)."""

    meta: Metadata
    payload: dict[str, Any]


OnPublished = Callable[[Sequence[PublishedEvent]], None]


@dataclass(frozen=True, slots=True)
class _Row:
    position: int
    topic: str
    key: bytes
    value: bytes
    headers: Headers
    meta: Metadata


@dataclass(slots=True)
class _Outcome:
    delivered: list[int] = field(default_factory=list)
    error: Exception | None = None
    rows: Sequence[_Row] = ()


class OutboxRelay:
    """Publishes the unpublished rows of the ``events`` table of ``metadata`` on ``engine``.

    ``producer_factory`` returns a new, not started producer (see
    :func:`shared.messaging.producer.create_producer`); the relay starts it, and replaces it after
    a failure so that a restarted broker is met with fresh connections and metadata.

    ``on_published(events)`` runs after each round whose delivered events are marked published
    (metrics, see :mod:`shared.observability`); an error it raises fails the round like a broker
    error would, but the events stay marked.
    """

    def __init__(self, engine: AsyncEngine, metadata: MetaData, producer_factory: ProducerFactory, *,
                 batch_size: int = 500, poll_interval: float = 0.2, max_backoff: float = 5.0,
                 on_published: OnPublished | None = None) -> None:
        self._engine = engine
        self._events = metadata.tables["events"]
        self._producer_factory = producer_factory
        self._batch_size = batch_size
        self._poll_interval = poll_interval
        self._max_backoff = max_backoff
        self._producer: AIOKafkaProducer | None = None
        self._partitioner = DefaultPartitioner()
        self._round_lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._on_published = on_published

    def notify(self) -> None:
        """New events were committed: start the next round now instead of after the poll interval."""
        self._wake.set()

    async def backlog(self) -> int:
        """How many stored events are not published yet."""
        async with self._engine.connect() as connection:
            count = await connection.scalar(
                select(func.count()).select_from(self._events).where(self._events.c.published_at.is_(None))
            )
        return int(count or 0)

    async def publish_pending(self) -> int:
        """One round: publish up to ``batch_size`` events; return how many were marked published.

        Raises the broker's error when some of them could not be delivered (the delivered ones
        are marked first). Returns 0 when another relay holds the store's lock (PostgreSQL).
        """
        async with self._round_lock, self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                outcome = await self._locked_round(connection)
            else:
                outcome = await self._single_writer_round(connection)
        if self._on_published is not None and outcome.delivered:
            delivered = set(outcome.delivered)
            self._on_published([_published(row) for row in outcome.rows if row.position in delivered])
        if outcome.error is not None:
            raise outcome.error
        return len(outcome.delivered)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set; broker or database failures are retried with backoff."""
        backoff = 0.0
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                except Exception as exc:
                    if backoff == 0.0:
                        log.warning("outbox relay: publishing failed, retrying until it works: %r", exc)
                    else:
                        log.debug("outbox relay: still failing: %r", exc)
                    backoff = min(max(backoff * 2, 0.1), self._max_backoff)
                    await _wait_any([stop.wait()], backoff)
                    continue
                if backoff:
                    log.warning("outbox relay: publishing again")
                    backoff = 0.0
                if published < self._batch_size:
                    await _wait_any([stop.wait(), self._wake.wait()], self._poll_interval)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop the producer (the relay starts a new one if used again)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def _locked_round(self, connection: AsyncConnection) -> _Outcome:
        async with connection.begin():
            if not await connection.scalar(select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))):
                return _Outcome()
            outcome = await self._publish(await self._read(connection))
            await self._mark(connection, outcome.delivered)
        return outcome

    async def _single_writer_round(self, connection: AsyncConnection) -> _Outcome:
        async with connection.begin():
            rows = await self._read(connection)
        outcome = await self._publish(rows)
        if outcome.delivered:
            async with write_transaction(connection):
                await self._mark(connection, outcome.delivered)
        return outcome

    async def _read(self, connection: AsyncConnection) -> list[_Row]:
        table = self._events
        result = await connection.execute(
            select(table.c.position, table.c.topic, table.c.aggregate_id, table.c.document)
            .where(table.c.published_at.is_(None))
            .order_by(table.c.position)
            .limit(self._batch_size)
        )
        return [_row(position, topic, aggregate_id, document) for position, topic, aggregate_id, document in result]

    async def _mark(self, connection: AsyncConnection, positions: Sequence[int]) -> None:
        if positions:
            table = self._events
            await connection.execute(
                update(table).where(table.c.position.in_(positions)).values(published_at=datetime.now(UTC))
            )

    async def _publish(self, rows: Sequence[_Row]) -> _Outcome:
        if not rows:
            return _Outcome()
        try:
            producer = await self._started_producer()
            partitions = {topic: sorted(await producer.partitions_for(topic)) for topic in {row.topic for row in rows}}
            chains: dict[tuple[str, int], list[_Row]] = {}
            for row in rows:
                partition = self._partitioner(row.key, partitions[row.topic], partitions[row.topic])
                chains.setdefault((row.topic, partition), []).append(row)
        except Exception as exc:
            await self._discard_producer()
            return _Outcome(error=exc)
        outcomes = await asyncio.gather(
            *(self._send_chain(producer, topic, partition, chain) for (topic, partition), chain in chains.items())
        )
        total = _Outcome(delivered=[position for outcome in outcomes for position in outcome.delivered], rows=rows)
        total.error = next((outcome.error for outcome in outcomes if outcome.error is not None), None)
        if total.error is not None:
            await self._discard_producer()
        return total

    async def _send_chain(self, producer: AIOKafkaProducer, topic: str, partition: int, rows: list[_Row]) -> _Outcome:
        outcome = _Outcome()
        try:
            batch, in_batch = producer.create_batch(), []
            for row in rows:
                if batch.append(key=row.key, value=row.value, timestamp=None, headers=row.headers) is None:
                    await (await producer.send_batch(batch, topic, partition=partition))
                    outcome.delivered.extend(in_batch)
                    batch, in_batch = producer.create_batch(), []
                    batch.append(key=row.key, value=row.value, timestamp=None, headers=row.headers)
                in_batch.append(row.position)
            await (await producer.send_batch(batch, topic, partition=partition))
            outcome.delivered.extend(in_batch)
        except Exception as exc:
            outcome.error = exc
        return outcome

    async def _started_producer(self) -> AIOKafkaProducer:
        if self._producer is None:
            producer = self._producer_factory()
            try:
                await producer.start()
            except BaseException:
                await producer.stop()
                raise
            self._producer = producer
        return self._producer

    async def _discard_producer(self) -> None:
        try:
            await self.close()
        except Exception as exc:
            log.warning("outbox relay: closing the failed producer also failed: %r", exc)


def _row(position: int, topic: str, aggregate_id: str, document: str) -> _Row:
    meta = Metadata.model_validate(orjson.loads(document)["meta"])
    return _Row(position, topic, aggregate_id.encode(), document.encode(), headers_for(meta), meta)


def _published(row: _Row) -> PublishedEvent:
    return PublishedEvent(row.meta, orjson.loads(row.value)["payload"])


async def _wait_any(waits: list, timeout: float) -> None:
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
