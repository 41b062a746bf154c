"""Intake's real projections (console, observatory) as the fault tests use them: tables, checksums,
a clean rebuild, and what was lost or doubled."""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.replay.rebuilder import rebuild
from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.service_layer.projections import console_projection, observatory_projection
from shared.contracts.envelope import Envelope
from shared.messaging.projection import Projection
from shared.platforms.loader import load_policies
from shared.platforms.local_time import local_month
from shared.storage.engine import create_engine

PLATFORMS = Path(__file__).resolve().parents[2] / "deploy" / "platforms"
PROJECTION_TABLES = ("request_view", "timeline", "callback_queue", "unmet_demand", "information_calls")
CONSUMERS = ("intake.console", "intake.observatory")


def intake_projections(metadata: MetaData) -> list[Projection]:
    return [console_projection(metadata), observatory_projection(metadata)]


async def create_tables(engine: AsyncEngine, metadata: MetaData | None = None) -> MetaData:
    metadata = metadata or intake_metadata()
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    return metadata


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def table_checksums(engine: AsyncEngine, metadata: MetaData) -> dict[str, tuple[int, str]]:
    """(row count, sha256 of the rows in primary-key order) of every projection table."""
    sums: dict[str, tuple[int, str]] = {}
    async with engine.connect() as conn:
        for name in PROJECTION_TABLES:
            table = metadata.tables[name]
            rows = (await conn.execute(select(table).order_by(*table.primary_key.columns))).all()
            digest = hashlib.sha256(orjson.dumps([[_plain(v) for v in row] for row in rows])).hexdigest()
            sums[name] = (len(rows), digest)
    return sums


async def rebuilt_checksums(bootstrap: str, topic_prefix: str, folder: Path, *,
                            platforms: Sequence[str] | None = None) -> dict[str, tuple[int, str]]:
    """Rebuild both projections from offset 0 into a fresh SQLite database and checksum its tables."""
    engine = create_engine(f"sqlite+aiosqlite:///{folder / 'rebuild.db'}")
    try:
        metadata = await create_tables(engine)
        for projection in intake_projections(metadata):
            await rebuild(projection, engine, metadata, bootstrap, topic_prefix,
                          platforms=None if platforms is None else frozenset(platforms))
        return await table_checksums(engine, metadata)
    finally:
        await engine.dispose()


async def lost_and_doubled(engine: AsyncEngine, metadata: MetaData, events: Sequence[Envelope[Any]]) -> tuple[int, int]:
    """Events missing from the read models, and events counted more than once.

    Every event has one timeline row (console); information calls are counted in the observatory, by
    the platform's local month.
    """
    timeline, calls = metadata.tables["timeline"], metadata.tables["information_calls"]
    async with engine.connect() as conn:
        seen = set((await conn.execute(select(timeline.c.event_id))).scalars())
        counted = Counter({(p, t, m): n for p, t, m, n in await conn.execute(
            select(calls.c.platform_id, calls.c.topic, calls.c.month, calls.c["count"]))})
    zones = {platform_id: policy.zone for platform_id, policy in load_policies(PLATFORMS).items()}
    expected = Counter((e.platform_id, e.payload.topic_asked, local_month(e.meta.occurred_at, zones[e.platform_id]))
                       for e in events if e.event_type == "InformationCallLogged")
    lost = sum(1 for e in events if str(e.event_id) not in seen) + sum((expected - counted).values())
    doubled = sum((counted - expected).values()) + max(0, len(seen) - len({str(e.event_id) for e in events}))
    return lost, doubled
