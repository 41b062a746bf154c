"""The outbox relay: publishes a service's stored events to Kafka, in order, at least once.

The event store is the outbox (see :mod:`shared.storage.eventstore`): a row with no
``published_at`` has not been published yet. Each round reads the oldest unpublished rows by
position, sends them, waits for the broker's acknowledgement, then marks the delivered rows.

Order: each (topic, partition) gets its rows as a chain of record batches, and a failed batch
stops its chain (:mod:`shared.messaging.publishing`). A partition therefore never receives an
event after a later one of the same store, even when the broker is lost mid-round; the undelivered
rows are sent again in the next round (at least once: a batch that the broker stored but did not
acknowledge is sent twice; consumers deduplicate on the event id). An event the broker refuses for
good (too large for the topic, say) holds its partition back until it is published: the relay
logs it as an error, naming the event, every ``reminder_interval`` seconds, and the relay backlog
alert fires.

Run one relay per store. On PostgreSQL a round reads, sends and marks its rows in one transaction
holding the advisory lock ``ADVISORY_LOCK_KEY``, so a second relay on the same database skips its
round instead of interleaving (:func:`locked_round`). On SQLite a store belongs to one service
process, and one relay per process is the rule: a round reads the rows, sends them outside any
transaction, then marks the delivered ones in a write transaction (:func:`single_writer_round`).
After each round, the ``on_published`` hook receives the events delivered (:class:`PublishedEvent`;
:mod:`shared.observability.metrics` counts them).

Create the topics (:func:`shared.messaging.admin.ensure_topics`) before the relay runs: Kafka
clients ask for automatic creation, and a broker that allows it (Tansu does) would create a
missing topic with its own default partition count.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any, NamedTuple

import orjson
from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import DefaultPartitioner
from sqlalchemy import MetaData, Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.envelope import Metadata
from shared.messaging.publishing import (
    OutboxRow,
    Outcome,
    describe,
    mark_published,
    refused_for_good,
    send_rows,
    unpublished_rows,
)
from shared.storage.engine import write_transaction

log = logging.getLogger(__name__)

ProducerFactory = Callable[[], AIOKafkaProducer]

ADVISORY_LOCK_KEY = 0x52454C4149530001
"""PostgreSQL advisory lock held by the relay publishing a store (per database)."""

Publish = Callable[[Sequence[OutboxRow]], Awaitable[Outcome]]
"""Sends rows to the broker with the relay's producer and says which were delivered."""


class PublishedEvent(NamedTuple):
    """An event the relay has just delivered: its envelope's metadata and payload (as stored)."""

    meta: Metadata
    payload: dict[str, Any]

    @classmethod
    def of_row(cls, row: OutboxRow) -> PublishedEvent:
        """The event stored in the outbox ``row``."""
        return cls(row.meta, orjson.loads(row.value)["payload"])


OnPublished = Callable[[Sequence[PublishedEvent]], None]
"""The ``on_published`` hook: called with the events of a round once they are marked published."""


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
                 on_published: OnPublished | None = None, reminder_interval: float = 300.0) -> None:
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
        self._reminder_interval = reminder_interval
        self.stuck_at: OutboxRow | None = None
        """The first row the last round could not deliver (None after a round without failure)."""

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
        self.stuck_at = None
        async with self._round_lock, self._engine.connect() as connection:
            if connection.dialect.name == "postgresql":
                outcome = await locked_round(connection, self._events, self._batch_size, self._publish)
            else:
                outcome = await single_writer_round(connection, self._events, self._batch_size, self._publish)
        self.stuck_at = outcome.failed
        if self._on_published is not None and outcome.delivered:
            delivered = set(outcome.delivered)
            self._on_published([PublishedEvent.of_row(row) for row in outcome.rows if row.position in delivered])
        if outcome.error is not None:
            raise outcome.error
        return len(outcome.delivered)

    async def run(self, stop: asyncio.Event) -> None:
        """Publish until ``stop`` is set; broker or database failures are retried with backoff."""
        backoff, next_reminder = 0.0, 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                self._wake.clear()
                try:
                    published = await self.publish_pending()
                except Exception as exc:
                    stuck = self.stuck_at
                    if stuck is not None and refused_for_good(exc):
                        if loop.time() >= next_reminder:
                            log.error("outbox relay: the broker refuses %s: %r; the events after it on that partition "
                                      "wait until it is published (one too large for the topic needs the topic's "
                                      "max.message.bytes raised)", describe(stuck), exc)
                            next_reminder = loop.time() + self._reminder_interval
                    elif backoff == 0.0:
                        log.warning("outbox relay: publishing failed%s, retrying until it works: %r",
                                    f" at {describe(stuck)}" if stuck else "", exc)
                    else:
                        log.debug("outbox relay: still failing: %r", exc)
                    backoff = min(max(backoff * 2, 0.1), self._max_backoff)
                    await _wait_any([stop.wait()], backoff)
                    continue
                if backoff:
                    log.warning("outbox relay: publishing again")
                    backoff, next_reminder = 0.0, 0.0
                if published < self._batch_size:
                    await _wait_any([stop.wait(), self._wake.wait()], self._poll_interval)
        finally:
            await self.close()

    async def close(self) -> None:
        """Stop the producer (the relay starts a new one if used again)."""
        producer, self._producer = self._producer, None
        if producer is not None:
            await producer.stop()

    async def _publish(self, rows: Sequence[OutboxRow]) -> Outcome:
        if not rows:
            return Outcome()
        try:
            outcome = await send_rows(await self._started_producer(), self._partitioner, rows)
        except Exception as exc:
            outcome = Outcome(error=exc, rows=rows)
        if outcome.error is not None:
            await self._discard_producer()
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


async def locked_round(connection: AsyncConnection, events: Table, batch_size: int, publish: Publish) -> Outcome:
    """Publish and mark up to ``batch_size`` rows under the advisory lock; nothing if another relay holds it."""
    async with connection.begin():
        if not await connection.scalar(select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))):
            return Outcome()
        outcome = await publish(await unpublished_rows(connection, events, batch_size))
        await mark_published(connection, events, outcome.delivered)
    return outcome


async def single_writer_round(connection: AsyncConnection, events: Table, batch_size: int,
                              publish: Publish) -> Outcome:
    """Publish up to ``batch_size`` rows, then mark the delivered ones (the store has one relay)."""
    async with connection.begin():
        rows = await unpublished_rows(connection, events, batch_size)
    outcome = await publish(rows)
    if outcome.delivered:
        async with write_transaction(connection):
            await mark_published(connection, events, outcome.delivered)
    return outcome


async def _wait_any(waits: list, timeout: float) -> None:
    tasks = [asyncio.ensure_future(wait) for wait in waits]
    try:
        await asyncio.wait(tasks, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
