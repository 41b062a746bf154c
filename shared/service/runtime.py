"""What every service process runs besides its HTTP routes: migrations, consumers, the outbox relay.

A :class:`ServiceRuntime` is built by a service's ``bootstrap.py`` and started by the FastAPI
lifespan (see :mod:`shared.service.app`). Nothing connects before :meth:`start`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.admin import ensure_topics
from shared.messaging.deadletter import DeadLetter, KafkaDeadLetterPublisher
from shared.messaging.producer import create_producer
from shared.messaging.projection import BatchResult, Projection
from shared.messaging.relay import OutboxRelay
from shared.messaging.runner import subscribe_projection
from shared.settings import Settings
from shared.storage.migrate import upgrade_async

log = logging.getLogger(__name__)


class _DeadLetters:
    """Dead-letter publisher whose producer only exists once the runtime has started."""

    def __init__(self) -> None:
        self.target: KafkaDeadLetterPublisher | None = None

    async def publish(self, consumer: str, dead_letters: Sequence[DeadLetter]) -> None:
        if self.target is None:
            raise RuntimeError("dead letters before the service runtime started")
        await self.target.publish(consumer, dead_letters)


@dataclass
class ServiceRuntime:
    """The moving parts of one service process."""

    name: str
    settings: Settings
    engine: AsyncEngine
    metadata: MetaData
    migrations: Path
    projections: Sequence[Projection] = ()
    platforms: frozenset[str] | None = None
    broker: KafkaBroker = field(init=False)
    relay: OutboxRelay = field(init=False)
    _dead_letters: _DeadLetters = field(init=False, default_factory=_DeadLetters)
    _stop: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _relay_task: asyncio.Task[None] | None = field(init=False, default=None)
    _dlq_producer: AIOKafkaProducer | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        bootstrap = self.settings.kafka_bootstrap_servers
        self.broker = KafkaBroker(bootstrap, client_id=f"relais-{self.name}", log_level=logging.DEBUG)
        self.relay = OutboxRelay(
            self.engine, self.metadata, lambda: create_producer(bootstrap), batch_size=self.settings.relay_batch_size
        )
        for projection in self.projections:
            subscribe_projection(
                self.broker,
                projection,
                self.engine,
                self.metadata,
                topic_prefix=self.settings.topic_prefix,
                batch_size=self.settings.consumer_batch_size,
                dead_letters=self._dead_letters,
                platforms=self.platforms,
                after_batch=self._wake_relay,
            )

    async def _wake_relay(self, result: BatchResult) -> None:
        """A process manager may have appended events in the batch: publish them now, not at the next poll."""
        if result.applied:
            self.relay.notify()

    async def start(self) -> None:
        """Migrate the store, make sure the topics exist, start consumers and the relay."""
        await upgrade_async(self.settings.service_database_url(self.name), self.migrations)
        await ensure_topics(self.settings.kafka_bootstrap_servers, self.settings.topic_prefix)
        self._dlq_producer = create_producer(self.settings.kafka_bootstrap_servers, client_id=f"relais-{self.name}-dlq")
        await self._dlq_producer.start()
        self._dead_letters.target = KafkaDeadLetterPublisher(self._dlq_producer, self.settings.topic_prefix)
        await self.broker.start()
        self._stop.clear()
        self._relay_task = asyncio.create_task(self.relay.run(self._stop), name=f"{self.name}-relay")

    async def stop(self) -> None:
        self._stop.set()
        if self._relay_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._relay_task, timeout=10)
        await self.broker.stop()
        await self.relay.close()
        if self._dlq_producer is not None:
            await self._dlq_producer.stop()
        await self.engine.dispose()
