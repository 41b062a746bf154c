"""Gauges that need I/O to read: the relay backlog and the consumer lag, sampled by a task.

``collect()`` of a Prometheus collector is synchronous and runs on the scraping thread, so it
cannot await the database or the Kafka consumer. :class:`SampledGauges` serves the values of
the last sample instead; :meth:`SampledGauges.run` takes a sample every ``interval`` seconds.
A part that fails to sample is logged, counted in ``relais_metric_sampling_failures_total`` and
left out of the scrape until it works again (a stale value would hide the failure).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator, Mapping

from aiokafka.errors import IllegalStateError
from prometheus_client import CollectorRegistry, Counter
from prometheus_client.core import GaugeMetricFamily, Metric

from shared.messaging.runner import ConsumerRegistry

log = logging.getLogger(__name__)

DEFAULT_INTERVAL_SECONDS = 2.0
BACKLOG = "relais_relay_backlog_events"
LAG = "relais_consumer_lag_records"

LagKey = tuple[str, str, int]
"""(projection, logical topic, partition)."""


class SampledGauges:
    """``relais_relay_backlog_events`` and ``relais_consumer_lag_records``, as of the last sample."""

    def __init__(self, registry: CollectorRegistry, *, backlog: Callable[[], Awaitable[int]],
                 lag: Callable[[], Awaitable[Mapping[LagKey, int]]], interval: float = DEFAULT_INTERVAL_SECONDS) -> None:
        self._backlog_source = backlog
        self._lag_source = lag
        self.interval = interval
        self._backlog: int | None = None
        self._lag: dict[LagKey, int] = {}
        self._failures = Counter("relais_metric_sampling_failures_total", "Samples of a gauge that failed.",
                                 ["gauge"], registry=registry)
        for gauge in (BACKLOG, LAG):
            self._failures.labels(gauge)
        registry.register(self)

    def describe(self) -> list[Metric]:
        return [_backlog_family(), _lag_family()]

    def collect(self) -> Iterator[Metric]:
        backlog = _backlog_family()
        if self._backlog is not None:
            backlog.add_metric([], self._backlog)
        yield backlog
        lag = _lag_family()
        for (projection, topic, partition), value in sorted(self._lag.items()):
            lag.add_metric([projection, topic, str(partition)], value)
        yield lag

    async def sample(self) -> None:
        """Read both sources once (each may fail on its own)."""
        try:
            self._backlog = await asyncio.wait_for(self._backlog_source(), self.interval * 5)
        except Exception as exc:
            self._backlog = None
            self._failed(BACKLOG, exc)
        try:
            self._lag = dict(await asyncio.wait_for(self._lag_source(), self.interval * 5))
        except Exception as exc:
            self._lag = {}
            self._failed(LAG, exc)

    async def run(self, stop: asyncio.Event) -> None:
        """Sample now, then every ``interval`` seconds until ``stop`` is set."""
        while not stop.is_set():
            await self.sample()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), self.interval)

    def _failed(self, gauge: str, exc: Exception) -> None:
        self._failures.labels(gauge).inc()
        log.warning("metrics: sampling %s failed: %r", gauge, exc)


def projection_lag(consumers: ConsumerRegistry, topic_prefix: str) -> Callable[[], Awaitable[dict[LagKey, int]]]:
    """A lag source over ``consumers``: high watermark minus committed offset per projection and partition.

    Topics are labelled by their logical name (``topic_prefix`` removed). A projection whose
    partitions are being reassigned at that moment is left out of this sample.
    """

    async def lag() -> dict[LagKey, int]:
        sampled: dict[LagKey, int] = {}
        for name in consumers.names():
            try:
                partitions = await consumers.lag(name)
            except IllegalStateError:
                continue
            for (topic, partition), value in partitions.items():
                sampled[(name, topic.removeprefix(topic_prefix), partition)] = value
        return sampled

    return lag


def _backlog_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(BACKLOG, "Stored events the outbox relay has not published yet.")


def _lag_family() -> GaugeMetricFamily:
    return GaugeMetricFamily(LAG, "Records a projection has not applied yet: high watermark minus committed offset.",
                             labels=["projection", "topic", "partition"])
