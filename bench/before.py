"""The live runner's bookkeeping as it was before issue 20, for ``bench.projections``'s "before" figure.

Then each processed event id was bound as a row of an executemany through SQLAlchemy, and the batch's
checkpoints were one multi-row upsert compiled anew for every batch; :func:`runner_before` puts those
back into :mod:`shared.messaging.batches` for the duration of a measurement.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import MetaData

from shared.messaging import batches
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import insert_for, plain_insert


async def mark_processed(conn: ProjectionConnection, metadata: MetaData, consumer: str, event_ids: Iterable[str],
                         recorded_at: Iterable[datetime | None] | None = None) -> None:
    times = list(recorded_at) if recorded_at is not None else None
    rows = [{"consumer": consumer, "event_id": event_id, "recorded_at": times[n] if times else None}
            for n, event_id in enumerate(event_ids)]
    if rows:
        await conn.execute(plain_insert(metadata.tables["processed_events"]), rows)


async def save_checkpoints(conn: ProjectionConnection, metadata: MetaData, consumer: str,
                           positions: Mapping[tuple[str, int], int]) -> None:
    if not positions:
        return
    checkpoints = metadata.tables["checkpoints"]
    now = datetime.now(UTC)
    rows = [{"consumer": consumer, "topic": topic, "partition": partition, "offset": offset, "updated_at": now}
            for (topic, partition), offset in sorted(positions.items())]
    statement = insert_for(conn, checkpoints).values(rows)
    await conn.execute(statement.on_conflict_do_update(
        index_elements=[checkpoints.c.consumer, checkpoints.c.topic, checkpoints.c.partition],
        set_={"offset": statement.excluded["offset"], "updated_at": statement.excluded["updated_at"]}))


@contextmanager
def runner_before() -> Iterator[None]:
    """Within the block, :mod:`shared.messaging.batches` writes processed ids and checkpoints as before issue 20."""
    saved = batches.mark_processed, batches.save_checkpoints
    batches.mark_processed, batches.save_checkpoints = mark_processed, save_checkpoints  # type: ignore[assignment]
    try:
        yield
    finally:
        batches.mark_processed, batches.save_checkpoints = saved  # type: ignore[assignment]
