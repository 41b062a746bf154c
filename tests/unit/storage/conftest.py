"""Storage unit tests: SQLite files in tmp_path and events of one request aggregate."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.intake import InformationCallLogged, InformationTopic
from shared.contracts.types import Channel
from shared.storage.engine import create_engine
from shared.storage.tables import core_metadata


@pytest.fixture
def metadata() -> MetaData:
    return core_metadata()


@pytest.fixture
async def sqlite_engine(tmp_path: Path, metadata: MetaData) -> AsyncIterator[AsyncEngine]:
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'store.db'}")
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    try:
        yield engine
    finally:
        await engine.dispose()


@pytest.fixture
def make_event() -> Callable[..., Envelope[Any]]:
    def make(aggregate_id: str, version: int) -> Envelope[Any]:
        payload = InformationCallLogged(request_id=aggregate_id, channel=Channel.PHONE,
                                        topic_asked=InformationTopic.RATES, topic_group="home_services",
                                        answer=f"answer {version}")
        return new_envelope(payload, platform_id="limoges", aggregate_id=aggregate_id,
                            aggregate_version=version, actor="operator:7")

    return make
