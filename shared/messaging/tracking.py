"""Consumer tracking rows: processed event ids and checkpoints (see ``core_metadata``).

Written inside the projection's batch transaction by :func:`shared.messaging.batches.apply_batch`;
:func:`wait_for` lets tests and scripts wait until a consumer has processed given events.

Why processed ids, and why they no longer pile up. A consumer meets an event a second time in three
ways: Kafka redelivers a batch whose offsets were not committed (same partition and offset); the outbox
relay publishes again events it had sent but not yet marked (same event id, a later offset); ``relais
restore`` republishes a wiped broker's whole history from the stores (same event ids, offsets from 0).
Deduplicating by (partition, offset) is exact for the first only, so the event id stays the key. But the
ids need not stay forever: each row keeps when its event was recorded by its producer (``recorded_at``),
and once a consumer has processed events recorded ``retention`` (30 days) after some moment H on every
partition of a batch, the ids of events recorded before H are deleted and H is kept as the consumer's
*horizon* (one row, :data:`HORIZON`). An event recorded before the horizon is then known processed
without its id: producers publish in the order they record (per partition), so every event recorded
before H reached the consumer before those recorded 30 days later did. Copies of the first two kinds
come within minutes; a restore republishes what was recorded before the horizon, skipped as processed,
and what came after it, recognised by id. A dead letter replayed (``replay_of`` header) was never
processed, so it is judged by its id only. What this assumes: no partition lags another of the same
batch by 30 days of records.
"""

from __future__ import annotations

import asyncio
from collections.abc import Collection, Iterable, Mapping
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import MetaData, String, Table, column, func, select, table, text
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.sql.expression import TableClause

from shared.storage.batch_dialect import id_and_time_rows, id_rows, ids_parameter, times_parameter
from shared.storage.ports import ProjectionConnection
from shared.storage.types import UtcDateTime
from shared.storage.upsert import insert_of, plain_insert

ID_QUERY_CHUNK = 500
RETENTION = timedelta(days=30)
"""How long after an event was recorded its id is kept, counted in the records a consumer has processed since."""
PRUNE_STEP = timedelta(hours=1)
"""The horizon moves (and ids are deleted) when it would move by this much at least: not at every batch."""
HORIZON = "horizon"
"""The ``event_id`` of the row whose ``recorded_at`` is the consumer's horizon (never an event's id: those are UUIDs)."""

_processed = table("processed_events", column("consumer"), column("event_id"))


async def already_processed(
    conn: ProjectionConnection, metadata: MetaData, consumer: str, event_ids: Collection[str]
) -> set[str]:
    """Those of ``event_ids`` that ``consumer`` has already processed (by id: see :func:`processed_and_horizon`)."""
    return await _select_processed(conn, metadata.tables["processed_events"], consumer, event_ids)


async def processed_and_horizon(
    conn: ProjectionConnection, metadata: MetaData, consumer: str, event_ids: Collection[str]
) -> tuple[set[str], datetime | None]:
    """Those of ``event_ids`` that ``consumer`` has processed, and its horizon (None until ids were pruned):
    one statement on SQLite and PostgreSQL."""
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        found = await already_processed(conn, metadata, consumer, {*event_ids, HORIZON})
        horizon = None
        if HORIZON in found:
            horizon = await conn.scalar(select(metadata.tables["processed_events"].c.recorded_at).where(
                _processed.c.consumer == consumer, _processed.c.event_id == HORIZON))
        return found - {HORIZON}, horizon
    parameters = {"consumer": consumer, "ids": ids_parameter(dialect, sorted({*event_ids, HORIZON}))}
    seen: set[str] = set()
    horizon = None
    for event_id, recorded_at in await conn.execute(_processed_with_horizon(dialect), parameters):
        if event_id == HORIZON:
            horizon = recorded_at
        else:
            seen.add(event_id)
    return seen, horizon


@lru_cache(maxsize=4)
def _processed_with_horizon(dialect: str) -> Any:
    return text("SELECT event_id, recorded_at FROM processed_events "
                f"WHERE consumer = :consumer AND event_id IN ({id_rows(dialect)})"
                ).columns(event_id=String, recorded_at=UtcDateTime())


async def mark_processed(conn: ProjectionConnection, metadata: MetaData, consumer: str, event_ids: Iterable[str],
                         recorded_at: Iterable[datetime | None] | None = None) -> None:
    """Record ``event_ids`` as processed by ``consumer`` (with when each was recorded, when given): one
    statement, the ids and the times each as one parameter."""
    ids = list(event_ids)
    if not ids:
        return
    times = list(recorded_at) if recorded_at is not None else [None] * len(ids)
    dialect = conn.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        await conn.execute(plain_insert(metadata.tables["processed_events"]),
                           [{"consumer": consumer, "event_id": event_id, "recorded_at": at}
                            for event_id, at in zip(ids, times, strict=True)])
        return
    parameters = {"consumer": consumer, "times": times_parameter(dialect, ids, times)}
    if dialect == "postgresql":
        parameters["ids"] = ids_parameter(dialect, ids)
    await conn.execute(_mark_statement(dialect), parameters)


@lru_cache(maxsize=4)
def _mark_statement(dialect: str) -> Any:
    return text("INSERT INTO processed_events (consumer, event_id, recorded_at) "
                f"SELECT :consumer, value, at FROM ({id_and_time_rows(dialect)}) AS ids")


def next_horizon(reached: Iterable[datetime], horizon: datetime | None,
                 retention: timedelta = RETENTION) -> datetime | None:
    """The horizon to move to, given the latest time ``reached`` on each partition of a batch: ``retention``
    before the least of them, if that moves the current ``horizon`` by :data:`PRUNE_STEP` at least; else None."""
    latest = list(reached)
    if not latest:
        return None
    candidate = min(latest) - retention
    if horizon is not None and candidate < horizon + PRUNE_STEP:
        return None
    return candidate


async def move_horizon(conn: ProjectionConnection, metadata: MetaData, consumer: str, horizon: datetime) -> None:
    """Set ``consumer``'s horizon and delete the ids of the events it had processed that were recorded before it."""
    processed = metadata.tables["processed_events"]
    await conn.execute(processed.delete().where(processed.c.consumer == consumer, processed.c.recorded_at < horizon))
    statement = insert_of(conn.dialect.name, processed).values(consumer=consumer, event_id=HORIZON, recorded_at=horizon)
    await conn.execute(statement.on_conflict_do_update(index_elements=[processed.c.consumer, processed.c.event_id],
                                                       set_={"recorded_at": horizon}))


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
    """Events ``consumer`` processed whose ids are kept (the ids behind its horizon were pruned)."""
    async with engine.connect() as conn:
        query = select(func.count()).select_from(_processed).where(_processed.c.consumer == consumer,
                                                                  _processed.c.event_id != HORIZON)
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
