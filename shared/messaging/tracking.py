"""Consumer tracking rows: processed event ids and checkpoints (see ``core_metadata``).

Written inside the projection's batch transaction by :func:`shared.messaging.batches.apply_batch`;
:func:`wait_for` lets tests and scripts wait until a consumer has processed given events.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, String, Table, column, func, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import TableClause

from shared.storage.batch_dialect import id_rows, ids_parameter
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import insert_of, plain_insert

ID_QUERY_CHUNK = 500

_processed = table("processed_events", column("consumer"), column("event_id"))


async def already_processed(
    conn: ProjectionConnection, metadata: MetaData, consumer: str, event_ids: Collection[str]
) -> set[str]:
    """Those of ``event_ids`` that ``consumer`` has already processed."""
    return await _select_processed(conn, metadata.tables["processed_events"], consumer, event_ids)


async def mark_processed(conn: ProjectionConnection, metadata: MetaData, consumer: str, event_ids: Iterable[str]) -> None:
    """Record ``event_ids`` as processed by ``consumer``: one statement, the ids as one parameter."""
    ids = list(event_ids)
    if not ids:
        return
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        await conn.execute(plain_insert(metadata.tables["processed_events"]),
                           [{"consumer": consumer, "event_id": event_id} for event_id in ids])
        return
    await conn.execute(_mark_statement(dialect), {"consumer": consumer, "ids": ids_parameter(dialect, ids)})


@lru_cache(maxsize=4)
def _mark_statement(dialect: str) -> Any:
    return text(f"INSERT INTO processed_events (consumer, event_id) SELECT :consumer, value FROM ({id_rows(dialect)}) AS ids")


async def save_checkpoints(
    conn: ProjectionConnection, metadata: MetaData, consumer: str, positions: Mapping[tuple[str, int], int]
) -> None:
    """Upsert the last applied offset of each (topic, partition) (may go down after a broker wipe)."""
    if not positions:
        return
    now = datetime.now(UTC)
    rows = [
        {"consumer": consumer, "topic": topic, "partition": partition, "offset": offset, "updated_at": now}
        for (topic, partition), offset in sorted(positions.items())
    ]
    await conn.execute(_checkpoint_statement(conn.dialect.name, metadata.tables["checkpoints"]), rows)


@lru_cache(maxsize=16)
def _checkpoint_statement(dialect: str, checkpoints: Table) -> Any:
    """The upsert of one checkpoint row, built once (run with the rows of a batch)."""
    statement = insert_of(dialect, checkpoints)
    return statement.on_conflict_do_update(
        index_elements=[checkpoints.c.consumer, checkpoints.c.topic, checkpoints.c.partition],
        set_={"offset": statement.excluded["offset"], "updated_at": statement.excluded["updated_at"]},
    )


async def processed_count(engine: AsyncEngine, consumer: str) -> int:
    async with engine.connect() as conn:
        query = select(func.count()).select_from(_processed).where(_processed.c.consumer == consumer)
        return (await conn.execute(query)).scalar_one()


async def wait_for(
    engine: AsyncEngine,
    consumer: str,
    *,
    event_ids: Collection[Any] | None = None,
    count: int | None = None,
    timeout: float = 10.0,
    interval: float = 0.05,
) -> None:
    """Wait until ``consumer`` has processed every one of ``event_ids``, or at least ``count`` events.

    Raises :class:`TimeoutError` (saying how far it got) after ``timeout`` seconds.
    """
    if (event_ids is None) == (count is None):
        raise ValueError("give either event_ids or count")
    wanted = {str(event_id) for event_id in event_ids or ()}
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        if count is not None:
            done = await processed_count(engine, consumer)
            if done >= count:
                return
            progress = f"{done}/{count} events"
        else:
            async with engine.connect() as conn:
                done = len(await _select_processed(conn, _processed, consumer, wanted))
            if done == len(wanted):
                return
            progress = f"{done}/{len(wanted)} of the given events"
        if loop.time() >= deadline:
            raise TimeoutError(f"{consumer} processed only {progress} within {timeout}s")
        await asyncio.sleep(interval)


async def _select_processed(
    conn: ProjectionConnection, processed: TableClause, consumer: str, event_ids: Collection[str]
) -> set[str]:
    if not event_ids:
        return set()
    dialect = conn.dialect.name
    ids = sorted(event_ids)
    if dialect in ("sqlite", "postgresql"):
        parameters = {"consumer": consumer, "ids": ids_parameter(dialect, ids)}
        return set((await conn.execute(_processed_among(dialect), parameters)).scalars())
    found: set[str] = set()
    for start in range(0, len(ids), ID_QUERY_CHUNK):
        chunk = ids[start : start + ID_QUERY_CHUNK]
        rows = await conn.execute(
            select(processed.c.event_id).where(processed.c.consumer == consumer, processed.c.event_id.in_(chunk))
        )
        found.update(rows.scalars())
    return found


@lru_cache(maxsize=4)
def _processed_among(dialect: str) -> Any:
    """Those of the ``ids`` that ``consumer`` processed, in one statement built once (the ids as one parameter)."""
    return text(f"SELECT event_id FROM processed_events WHERE consumer = :consumer AND event_id IN ({id_rows(dialect)})"
                ).columns(event_id=String)


async def load_checkpoints(engine: AsyncEngine, metadata: MetaData, consumer: str) -> dict[tuple[str, int], int]:
    """The last applied offset per (topic, partition) of ``consumer``."""
    async with engine.connect() as conn:
        return await checkpoints_in(conn, metadata, consumer)


async def checkpoints_in(conn: ProjectionConnection, metadata: MetaData, consumer: str) -> dict[tuple[str, int], int]:
    """:func:`load_checkpoints` read through ``conn`` (within its transaction, hence its snapshot)."""
    table = metadata.tables["checkpoints"]
    rows = await conn.execute(
        select(table.c.topic, table.c.partition, table.c.offset).where(table.c.consumer == consumer)
    )
    return {(topic, partition): offset for topic, partition, offset in rows}
