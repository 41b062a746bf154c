"""Storage integration tests: migrated stores on SQLite and PostgreSQL, events, a real broker."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from aiokafka.structs import ConsumerRecord
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.ops.topic_reader import read_all
from relais.services import registered
from services.intake.adapters.tables import metadata as intake_metadata
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.intake import InformationCallLogged, InformationTopic
from shared.contracts.types import Channel
from shared.messaging.admin import partitions_of
from shared.storage.migrate import upgrade_async


@pytest.fixture
def metadata() -> MetaData:
    return intake_metadata()


@pytest.fixture
async def store(engine: AsyncEngine, database_url: str) -> AsyncEngine:
    """The engine of a store migrated to the latest intake revision."""
    await upgrade_async(database_url, registered("intake").migrations)
    return engine


@pytest.fixture
def make_event() -> Callable[..., Envelope[Any]]:
    def make(aggregate_id: str, version: int) -> Envelope[Any]:
        payload = InformationCallLogged(request_id=aggregate_id, channel=Channel.PHONE,
                                        topic_asked=InformationTopic.RATES, topic_group="home_services",
                                        answer=f"answer {version}")
        return new_envelope(payload, platform_id="limoges", aggregate_id=aggregate_id,
                            aggregate_version=version, actor="operator:7")

    return make


@pytest.fixture
def read_topic() -> Callable[..., Any]:
    """``await read_topic(bootstrap, topic)``: the topic's records by partition, from the beginning."""
    return _read_topic


async def _read_topic(bootstrap: str, topic: str, timeout: float = 30.0) -> dict[int, list[ConsumerRecord]]:
    """Every record of ``topic``, by partition, read from the beginning up to the high watermark."""
    by_partition: dict[int, list[ConsumerRecord]] = {tp.partition: [] for tp in await partitions_of(bootstrap, [topic])}
    for record in await read_all(bootstrap, topic, timeout=timeout):
        by_partition[record.partition].append(record)
    return by_partition

