"""The outbox relay's on_published hook moves the domain counters for delivered events only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.messaging.relay import OutboxRelay
from shared.observability import DomainMetrics
from shared.storage.engine import create_engine
from shared.storage.tables import core_metadata
from shared.storage.unit_of_work import SqlUnitOfWork
from tests.unit.observability.golden_events import golden


class Batch:
    def __init__(self) -> None:
        self.records: list[bytes] = []

    def append(self, *, key: bytes, value: bytes, timestamp: Any, headers: Any) -> object:
        self.records.append(value)
        return object()


class Producer:
    """Delivers every batch, unless the broker is down."""

    def __init__(self) -> None:
        self.down = False

    async def start(self) -> None: ...

    async def stop(self) -> None: ...

    async def partitions_for(self, topic: str) -> set[int]:
        return {0, 1, 2}

    def create_batch(self) -> Batch:
        return Batch()

    async def send_batch(self, batch: Batch, topic: str, *, partition: int) -> asyncio.Future[None]:
        future = asyncio.get_running_loop().create_future()
        if self.down:
            future.set_exception(ConnectionError("broker down"))
        else:
            future.set_result(None)
        return future


@pytest.fixture
def metadata() -> MetaData:
    return core_metadata()


@pytest.fixture
async def store(tmp_path: Path, metadata: MetaData) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield engine
    await engine.dispose()


async def test_events_are_counted_once_when_delivered(store: AsyncEngine, metadata: MetaData) -> None:
    async with SqlUnitOfWork(store, metadata) as uow:
        await uow.events.append([golden("RequestLogged"), golden("InformationCallLogged"), golden("ProviderApplied")])
        await uow.commit()
    registry = CollectorRegistry()
    producer = Producer()
    relay = OutboxRelay(store, metadata, lambda: producer, on_published=DomainMetrics(registry).observe_published)

    producer.down = True
    with pytest.raises(ConnectionError):
        await relay.publish_pending()
    assert registry.get_sample_value("relais_events_published_total", {"event_type": "RequestLogged"}) is None

    producer.down = False
    assert await relay.publish_pending() == 3
    assert await relay.publish_pending() == 0
    published = {event_type: registry.get_sample_value("relais_events_published_total", {"event_type": event_type})
                 for event_type in ("RequestLogged", "InformationCallLogged", "ProviderApplied")}
    assert published == {"RequestLogged": 1, "InformationCallLogged": 1, "ProviderApplied": 1}
    assert registry.get_sample_value("relais_requests_logged_total",
                                     {"platform": "mons-borinage", "channel": "online_form"}) == 1
    await relay.close()
