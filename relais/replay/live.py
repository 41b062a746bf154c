"""The live projections of a service as one consistent snapshot: checkpoints and table checksums.

A replay compares its rebuild with each live projection at the live consumer's own checkpoints:
the rebuild applies only the records the live consumer had applied when the snapshot was taken
(see ``Target.stop_at``). The services may go on publishing and the live consumers may be a batch
behind the bus: the comparison stays exact, and a live projection that lost or doubled an event
still shows as different.

A projection without a live consumer (its rows written with the service's own events) is cut by
event ids instead: the rebuild applies only the events the service's store held at the snapshot
(``Target.only_events``), and the snapshot is taken again while some of them are not on the bus yet.

The checkpoints and the checksums are read in one transaction (SQLite's read snapshot, PostgreSQL's
REPEATABLE READ), so a batch the live consumer commits meanwhile is in neither or in both.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import MetaData, func, select
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from relais.replay.checksum import TableChecksum, checksum_in
from relais.services import ProjectionSpec
from shared.messaging.tracking import checkpoints_in
from shared.storage.engine import create_engine, store_exists


@dataclass(frozen=True)
class LiveProjection:
    """One live projection as of the snapshot: the last offset it applied per (topic, partition)
    (None for a projection without a live consumer: see ``ProjectionSpec.live_consumer``) and the
    checksum of each table it owns."""

    checkpoints: dict[tuple[str, int], int] | None
    checksums: dict[str, TableChecksum]
    event_ids: frozenset[str] | None = None
    """Without a live consumer: the ids of the events in the service's store."""
    unpublished: int = 0
    """Without a live consumer: events of the store the relay had not published yet."""


async def snapshot_live(url: str, metadata: MetaData, specs: Sequence[ProjectionSpec], *,
                        wait_for_relay: float = 15.0) -> dict[str, LiveProjection]:
    """``{projection name: LiveProjection}`` for ``specs``, all read from the database at ``url`` in one
    transaction, taken again (for up to ``wait_for_relay`` seconds) while the store holds events its
    relay has not published: a rebuild from the bus could not see them.

    Raises :class:`FileNotFoundError` when a SQLite database file does not exist.
    """
    if not store_exists(url):
        raise FileNotFoundError(f"the live database does not exist: {url}")
    engine = create_engine(url)
    try:
        deadline = asyncio.get_running_loop().time() + wait_for_relay
        while True:
            found = await _read_snapshot(engine, metadata, specs)
            if not any(live.unpublished for live in found.values()) or asyncio.get_running_loop().time() >= deadline:
                return found
            await asyncio.sleep(0.25)
    finally:
        await engine.dispose()


async def _read_snapshot(engine: AsyncEngine, metadata: MetaData,
                         specs: Iterable[ProjectionSpec]) -> dict[str, LiveProjection]:
    async with engine.connect() as conn:
        if engine.dialect.name != "sqlite":
            conn = await conn.execution_options(isolation_level="REPEATABLE READ")
        async with conn.begin():
            found = {}
            for spec in specs:
                tables = {name: await checksum_in(conn, metadata.tables[name]) for name in spec.tables}
                if spec.live_consumer:
                    found[spec.name] = LiveProjection(await checkpoints_in(conn, metadata, spec.name), tables)
                else:
                    found[spec.name] = LiveProjection(None, tables, *await _stored_events(conn, metadata))
            return found


async def _stored_events(conn: AsyncConnection, metadata: MetaData) -> tuple[frozenset[str], int]:
    events = metadata.tables["events"]
    ids = frozenset((await conn.execute(select(events.c.event_id))).scalars())
    unpublished = (await conn.execute(
        select(func.count()).select_from(events).where(events.c.published_at.is_(None)))).scalar_one()
    return ids, unpublished
