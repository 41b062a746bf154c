"""What every service process runs besides its HTTP routes: migrations, consumers, the outbox relay.

A :class:`ServiceRuntime` is built by a service's ``bootstrap.py`` and started by the FastAPI
lifespan (see :mod:`shared.service.app`). Nothing connects before :meth:`start`.

Its ``registry`` holds the service's metrics (:mod:`shared.observability`): FastStream's broker
metrics, the domain counters moved by the events the relay publishes, the dead letters sent, and
the relay backlog and consumer lag sampled every ``metrics_interval`` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from aiokafka import AIOKafkaProducer
from faststream.kafka import KafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.admin import ensure_topics
from shared.messaging.batches import BatchResult
from shared.messaging.deadletter import DeadLetter, KafkaDeadLetterPublisher
from shared.messaging.producer import create_producer, grants_producer_ids
from shared.messaging.projection import Projection
from shared.messaging.relay import OutboxRelay
from shared.messaging.runner import ConsumerRegistry, subscribe_projection
from shared.observability import (
    DomainMetrics,
    KafkaMetricsMiddleware,
    SampledGauges,
    projection_lag,
)
from shared.settings import Settings
from shared.storage.migrate import upgrade_async

log = logging.getLogger(__name__)


class _DeadLetters:
    """Dead-letter publisher whose producer only exists once the runtime has started."""

    def __init__(self, on_sent: Callable[[str, int], None] | None = None) -> None:
        self.target: KafkaDeadLetterPublisher | None = None
        self.on_sent = on_sent

    async def publish(self, consumer: str, dead_letters: Sequence[DeadLetter]) -> None:
        if self.target is None:
            raise RuntimeError("dead letters before the service runtime started")
        await self.target.publish(consumer, dead_letters)
        if self.on_sent is not None and dead_letters:
            self.on_sent(consumer, len(dead_letters))


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
    registry: CollectorRegistry = field(default_factory=CollectorRegistry)
    metrics_interval: float = 2.0
    broker: KafkaBroker = field(init=False)
    relay: OutboxRelay = field(init=False)
    metrics: DomainMetrics = field(init=False)
    gauges: SampledGauges = field(init=False)
    consumers: ConsumerRegistry = field(init=False, default_factory=ConsumerRegistry)
    _dead_letters: _DeadLetters = field(init=False, default_factory=_DeadLetters)
    _stop: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _relay_task: asyncio.Task[None] | None = field(init=False, default=None)
    _gauges_task: asyncio.Task[None] | None = field(init=False, default=None)
    _dlq_producer: AIOKafkaProducer | None = field(init=False, default=None)
    idempotent_producers: bool = field(init=False, default=False)

    def __post_init__(self) -> None:
        bootstrap = self.settings.kafka_bootstrap_servers
        self.metrics = DomainMetrics(self.registry)
        self.metrics.start_at_zero(self.name, self.platforms or (), [projection.name for projection in self.projections])
        self._dead_letters.on_sent = self.metrics.count_dead_letters
        self.broker = KafkaBroker(bootstrap.split(","), client_id=f"relais-{self.name}", log_level=logging.DEBUG,
                                  middlewares=[KafkaMetricsMiddleware(registry=self.registry, app_name=self.name)])
        self.relay = OutboxRelay(
            self.engine, self.metadata, lambda: create_producer(bootstrap, idempotent=self.idempotent_producers),
            batch_size=self.settings.relay_batch_size,
            on_published=self.metrics.observe_published,
        )
        for projection in self.projections:
            subscriber = subscribe_projection(
                self.broker,
                projection,
                self.engine,
                self.metadata,
                topic_prefix=self.settings.topic_prefix,
                batch_size=self.settings.consumer_batch_size,
                dead_letters=self._dead_letters,
                platforms=self.platforms,
                after_batch=self._wake_relay,
                batch_timeout_ms=self.settings.consumer_batch_timeout_ms,
                consumer_options={"fetch_max_wait_ms": self.settings.consumer_fetch_max_wait_ms},
            )
            self.consumers.add(projection.name, subscriber)
        self.gauges = SampledGauges(self.registry, backlog=self.relay.backlog, interval=self.metrics_interval,
                                    lag=projection_lag(self.consumers, self.settings.topic_prefix))

    async def _wake_relay(self, result: BatchResult) -> None:
        """A process manager may have appended events in the batch: publish them now, not at the next poll."""
        if result.applied:
            self.relay.notify()

    async def start(self) -> None:
        """Migrate the store, make sure the topics exist, start consumers and the relay."""
        await upgrade_async(self.settings.service_database_url(self.name), self.migrations)
        bootstrap = self.settings.kafka_bootstrap_servers
        await ensure_topics(bootstrap, self.settings.topic_prefix)
        self.idempotent_producers = await grants_producer_ids(bootstrap)
        self._dlq_producer = create_producer(bootstrap, client_id=f"relais-{self.name}-dlq",
                                             idempotent=self.idempotent_producers)
        await self._dlq_producer.start()
        self._dead_letters.target = KafkaDeadLetterPublisher(self._dlq_producer, self.settings.topic_prefix)
        await self.broker.start()
        self._stop.clear()
        self._relay_task = asyncio.create_task(self.relay.run(self._stop), name=f"{self.name}-relay")
        self._gauges_task = asyncio.create_task(self.gauges.run(self._stop), name=f"{self.name}-metrics")

    async def stop(self) -> None:
        self._stop.set()
        if self._relay_task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.wait_for(self._relay_task, timeout=10)
        if self._gauges_task is not None:
            await asyncio.wait_for(self._gauges_task, timeout=10)
        await self.broker.stop()
        await self.relay.close()
        if self._dlq_producer is not None:
            await self._dlq_producer.stop()
        await self.engine.dispose()
