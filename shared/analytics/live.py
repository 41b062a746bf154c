"""The live projections of a service as one consistent snapshot: checkpoints and table checksums.

A replay compares its rebuild with each live projection at the live consumer's own checkpoints:
the rebuild applies only the records the live consumer had applied when the snapshot was taken
(see ``Target.stop_at``). The services may go on publishing and the live consumers may be a batch
behind the bus: the comparison stays exact, and a live projection that lost or doubled an event
still shows as different.

The checkpoints and the checksums are read in one transaction (SQLite's read snapshot, PostgreSQL's
REPEATABLE READ), so a batch the live consumer commits meanwhile is in neither or in both.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.engine import make_url

from shared.analytics.catalogue import ProjectionSpec
from shared.analytics.checksum import TableChecksum, checksum_in
from shared.messaging.tracking import checkpoints_in
from shared.storage.engine import create_engine, is_sqlite


@dataclass(frozen=True)
class LiveProjection:
    """One live projection as of the snapshot: the last offset it applied per (topic, partition)
    (None for a projection without a live consumer: see ``ProjectionSpec.live_consumer``) and the
    checksum of each table it owns."""

    checkpoints: dict[tuple[str, int], int] | None
    checksums: dict[str, TableChecksum]


async def snapshot_live(url: str, metadata: MetaData, specs: Iterable[ProjectionSpec]) -> dict[str, LiveProjection]:
    """``{projection name: LiveProjection}`` for ``specs``, all read from the database at ``url`` in one
    transaction. Raises :class:`FileNotFoundError` when a SQLite database file does not exist."""
    database = make_url(url).database
    if is_sqlite(url) and database not in (None, "", ":memory:") and not Path(database).exists():
        raise FileNotFoundError(f"the live database does not exist: {url}")
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            if not is_sqlite(url):
                conn = await conn.execution_options(isolation_level="REPEATABLE READ")
            async with conn.begin():
                found = {}
                for spec in specs:
                    checkpoints = await checkpoints_in(conn, metadata, spec.name) if spec.live_consumer else None
                    tables = {name: await checksum_in(conn, metadata.tables[name]) for name in spec.tables}
                    found[spec.name] = LiveProjection(checkpoints, tables)
                return found
    finally:
        await engine.dispose()
