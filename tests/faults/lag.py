"""Consumer lag from the database side: high watermarks minus the checkpoints of a consumer."""

from __future__ import annotations

import asyncio

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.ops.topic_reader import high_watermarks
from shared.contracts.topics import physical
from shared.messaging.projection import Projection
from shared.messaging.tracking import load_checkpoints


async def checkpoint_lag(engine: AsyncEngine, metadata: MetaData, bootstrap: str, topic_prefix: str,
                         projection: Projection) -> int:
    """Records of the projection's topics past its checkpoints (0: every record is applied)."""
    checkpoints = await load_checkpoints(engine, metadata, projection.name)
    lag = 0
    for name in projection.topics:
        topic = physical(name, topic_prefix)
        for partition, highwater in (await high_watermarks(bootstrap, topic)).items():
            lag += max(0, highwater - (checkpoints.get((topic, partition), -1) + 1))
    return lag


async def wait_caught_up(engine: AsyncEngine, metadata: MetaData, bootstrap: str, topic_prefix: str,
                         projections: list[Projection], timeout: float = 120.0) -> float:
    """Wait until every projection's lag is 0; returns the seconds it took. TimeoutError with the lags."""
    loop = asyncio.get_running_loop()
    started = loop.time()
    while True:
        lags = {p.name: await checkpoint_lag(engine, metadata, bootstrap, topic_prefix, p) for p in projections}
        if not any(lags.values()):
            return loop.time() - started
        if loop.time() - started > timeout:
            raise TimeoutError(f"consumer lag still {lags} after {timeout}s")
        await asyncio.sleep(0.2)
