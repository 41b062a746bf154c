"""The database connection drops in the middle of a batch: the batch is retried, nothing lost or doubled.

On PostgreSQL the batch's own server process is terminated (``pg_terminate_backend`` from another
connection) after the handlers ran and before the commit; on SQLite, which has no server, the batch
fails there with the error a dropped connection gives (``OperationalError``).
"""

from __future__ import annotations

import asyncpg
import pytest
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.messaging.projection import Projection
from shared.messaging.tracking import processed_count
from tests.faults.consumers import running
from tests.faults.intake_events import event_stream, produce, records_of
from tests.faults.lag import wait_caught_up
from tests.faults.projections import (
    CONSUMERS,
    create_tables,
    intake_projections,
    lost_and_doubled,
    rebuilt_checksums,
    table_checksums,
)

pytestmark = [pytest.mark.faults, pytest.mark.integration]


class ConnectionDropper:
    """A batch-end hook that drops the batch's connection on batches 2, 4, 6, ... until ``faults`` are done."""

    def __init__(self, database_url: str, faults: int) -> None:
        self.database_url = database_url
        self.faults = faults
        self.attempts = 0
        self.dropped = 0

    async def __call__(self, conn: AsyncConnection) -> None:
        self.attempts += 1
        if self.dropped >= self.faults or self.attempts % 2:
            return
        self.dropped += 1
        if conn.dialect.name != "postgresql":
            raise OperationalError("COMMIT", {}, ConnectionResetError("connection dropped by the fault test"))
        pid = await conn.scalar(text("SELECT pg_backend_pid()"))
        dsn = make_url(self.database_url).set(drivername="postgresql").render_as_string(hide_password=False)
        admin = await asyncpg.connect(dsn)
        try:
            assert await admin.fetchval("SELECT pg_terminate_backend($1)", pid)
        finally:
            await admin.close()
        await conn.execute(text("SELECT 1"))  # the server is gone: this raises, as the commit would


async def test_a_connection_dropped_mid_batch_is_retried_without_loss_or_double(  # type: ignore[no-untyped-def]
        kafka_bootstrap, topic_prefix, topics, database_url, engine, dialect, scale, figures, tmp_path) -> None:
    metadata = await create_tables(engine)
    events = event_stream(scale.db_events, seed=5)
    await produce(kafka_bootstrap, records_of(events, topic_prefix))
    projections: list[Projection] = intake_projections(metadata)
    droppers = [ConnectionDropper(database_url, scale.db_faults) for _ in projections]
    for projection, dropper in zip(projections, droppers, strict=True):
        assert projection.on_batch_end is None
        projection.on_batch_end = dropper

    async with running(kafka_bootstrap, topic_prefix, engine, metadata, projections, batch_size=40) as results:
        await wait_caught_up(engine, metadata, kafka_bootstrap, topic_prefix, projections)
    assert [dropper.dropped for dropper in droppers] == [scale.db_faults] * len(projections)
    assert [await processed_count(engine, name) for name in CONSUMERS] == [len(events)] * len(CONSUMERS)
    lost, doubled = await lost_and_doubled(engine, metadata, events)
    assert (lost, doubled) == (0, 0)
    assert await table_checksums(engine, metadata) == await rebuilt_checksums(kafka_bootstrap, topic_prefix, tmp_path)
    figures.record(f"database_drop[{dialect}]", runs=1, events=len(events),
                   faults_injected=sum(dropper.dropped for dropper in droppers), lost=lost, doubled=doubled,
                   batch_attempts=sum(dropper.attempts for dropper in droppers),
                   batches_committed=len(results), duplicates_skipped=sum(result.duplicates for result in results))
