"""Relay backlog and consumer lag: sampled by a task, served from the last sample, failures visible."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import pytest
from aiokafka import TopicPartition
from aiokafka.errors import IllegalStateError
from prometheus_client import CollectorRegistry

from shared.messaging.runner import ConsumerRegistry
from shared.observability import SampledGauges, projection_lag


@dataclass
class FakeConsumer:
    """What ``consumer_lag`` reads: assignment, fetch high watermarks, committed offsets, positions."""

    highwaters: dict[TopicPartition, int | None]
    positions: dict[TopicPartition, int]
    revoked: set[TopicPartition] = field(default_factory=set)
    commits: dict[TopicPartition, int] = field(default_factory=dict)

    def assignment(self) -> set[TopicPartition]:
        return set(self.highwaters)

    def highwater(self, partition: TopicPartition) -> int | None:
        return self.highwaters[partition]

    async def committed(self, partition: TopicPartition) -> int | None:
        return self.commits.get(partition)

    async def position(self, partition: TopicPartition) -> int:
        if partition in self.revoked:
            raise IllegalStateError(f"Partition {partition} is not assigned")
        return self.positions[partition]


@dataclass
class FakeSubscriber:
    consumer: FakeConsumer | None


def value(registry: CollectorRegistry, name: str, **labels: str) -> float | None:
    return registry.get_sample_value(name, labels)


async def test_collect_serves_the_last_sample() -> None:
    registry = CollectorRegistry()
    backlog = iter([7, 0])

    async def read_backlog() -> int:
        return next(backlog)

    async def read_lag() -> dict[tuple[str, str, int], int]:
        return {("intake.console", "relais.requests", 2): 12}

    gauges = SampledGauges(registry, backlog=read_backlog, lag=read_lag)
    assert value(registry, "relais_relay_backlog_events") is None

    await gauges.sample()
    assert value(registry, "relais_relay_backlog_events") == 7
    assert value(registry, "relais_consumer_lag_records", projection="intake.console", topic="relais.requests",
                 partition="2") == 12
    await gauges.sample()
    assert value(registry, "relais_relay_backlog_events") == 0


async def test_a_failed_sample_is_counted_logged_and_not_served_stale(caplog: pytest.LogCaptureFixture) -> None:
    registry = CollectorRegistry()
    healthy = True

    async def read_backlog() -> int:
        if not healthy:
            raise ConnectionError("database is gone")
        return 3

    async def read_lag() -> dict[tuple[str, str, int], int]:
        return {}

    gauges = SampledGauges(registry, backlog=read_backlog, lag=read_lag)
    await gauges.sample()
    healthy = False
    with caplog.at_level(logging.WARNING):
        await gauges.sample()

    assert value(registry, "relais_relay_backlog_events") is None
    assert value(registry, "relais_metric_sampling_failures_total", gauge="relais_relay_backlog_events") == 1
    assert value(registry, "relais_metric_sampling_failures_total", gauge="relais_consumer_lag_records") == 0
    assert "database is gone" in caplog.text


async def test_run_samples_at_once_then_periodically_until_stopped() -> None:
    registry = CollectorRegistry()
    reads = 0
    third_read = asyncio.Event()

    async def read_backlog() -> int:
        nonlocal reads
        reads += 1
        if reads == 3:
            third_read.set()
        return reads

    async def read_lag() -> dict[tuple[str, str, int], int]:
        return {}

    stop = asyncio.Event()
    gauges = SampledGauges(registry, backlog=read_backlog, lag=read_lag, interval=0.01)
    task = asyncio.create_task(gauges.run(stop))
    await asyncio.wait_for(third_read.wait(), timeout=5)
    stop.set()
    await asyncio.wait_for(task, timeout=5)
    assert value(registry, "relais_relay_backlog_events") == reads >= 3


async def test_projection_lag_is_highwater_minus_position_by_logical_topic() -> None:
    requests = [TopicPartition("t1.relais.requests", partition) for partition in range(3)]
    consumers = ConsumerRegistry()
    consumers.add("intake.console", FakeSubscriber(FakeConsumer(
        highwaters={requests[0]: 10, requests[1]: 4, requests[2]: None},
        positions={requests[0]: 7, requests[1]: 4, requests[2]: 0})))
    consumers.add("intake.observatory", FakeSubscriber(None))

    lag = await projection_lag(consumers, "t1.")()

    assert lag == {("intake.console", "relais.requests", 0): 3, ("intake.console", "relais.requests", 1): 0}


async def test_a_batch_retried_again_and_again_shows_as_lag_though_it_was_fetched() -> None:
    stuck = TopicPartition("relais.requests", 0)
    consumers = ConsumerRegistry()
    consumers.add("matching.assign", FakeSubscriber(FakeConsumer({stuck: 40}, {stuck: 40}, commits={stuck: 12})))

    assert await projection_lag(consumers, "")() == {("matching.assign", "relais.requests", 0): 28}


async def test_a_projection_being_rebalanced_is_left_out_of_the_sample() -> None:
    moving = TopicPartition("relais.matching", 0)
    steady = TopicPartition("relais.requests", 1)
    consumers = ConsumerRegistry()
    consumers.add("billing.fees", FakeSubscriber(FakeConsumer({moving: 5}, {moving: 1}, revoked={moving})))
    consumers.add("billing.accounts", FakeSubscriber(FakeConsumer({steady: 5}, {steady: 1})))

    assert await projection_lag(consumers, "")() == {("billing.accounts", "relais.requests", 1): 4}
