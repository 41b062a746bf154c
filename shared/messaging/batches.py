"""Applying a batch of Kafka records to a :class:`~shared.messaging.projection.Projection`, exactly once.

:func:`apply_batch` applies a batch in ONE database transaction: projection rows, processed event
ids and checkpoints commit together, so a batch is applied wholly or not at all, and an event
delivered again (same event id) is skipped. Deduplication is by event id, never by offset: after a
broker wipe and restore, offsets restart at 0.

This module knows nothing of Kafka clients; :mod:`shared.messaging.runner` and
:mod:`relais.replay.rebuilder` feed it. What a batch did is a :class:`BatchResult`: its counts,
dead letters and checkpoint positions.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Collection, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.envelope import Envelope
from shared.messaging.decoding import DeadLetter, decode_records
from shared.messaging.failures import HandlerFailed, failure_reason, is_transient
from shared.messaging.projection import EventFilter, InboundRecord, Projection, RejectEvent
from shared.messaging.set_based import connection_info
from shared.messaging.tracking import (
    mark_processed,
    move_horizon,
    next_horizon,
    processed_and_horizon,
    save_checkpoints,
)
from shared.storage.deferred import DeferredWrites
from shared.storage.engine import write_transaction
from shared.storage.ports import BatchConnection, BatchDatabase, ProjectionConnection

log = logging.getLogger(__name__)

REPLAYED_DEAD_LETTER = "replay_of"
"""Header of a dead letter produced again by ``relais dead-letters replay``: never processed, judged by its id only."""


@dataclass(frozen=True)
class BatchResult:
    """What :func:`apply_batch` (or :func:`apply_decoded`) did with a batch.

    ``positions`` is the highest offset of the batch per (topic, partition), as saved in the
    checkpoints table.
    """

    applied: int = 0
    ignored: int = 0
    duplicates: int = 0
    excluded: int = 0
    dead_letters: tuple[DeadLetter, ...] = ()
    positions: Mapping[tuple[str, int], int] = field(default_factory=dict)

    @property
    def processed(self) -> int:
        """Events taken: applied plus those of types the projection ignores (see ``mark_ignored``)."""
        return self.applied + self.ignored


async def apply_batch(
    engine: AsyncEngine,
    metadata: MetaData,
    projection: Projection,
    records: Iterable[InboundRecord | tuple[Any, ...]],
    *,
    platforms: Collection[str] | None = None,
    include: EventFilter | None = None,
    retention: timedelta | None = None,
) -> BatchResult:
    """Apply ``records`` to ``projection`` in one transaction and return what was done.

    Records that do not decode become dead letters. Events already processed by this consumer, or
    repeated in the batch, are skipped. Events of types without a handler are only marked processed.
    Events for which ``include`` returns False are left out entirely (not marked processed). With
    ``retention`` (the live consumers pass :data:`~shared.messaging.tracking.RETENTION`), processed ids
    are pruned behind the consumer's horizon (see :mod:`shared.messaging.tracking`).
    A handler raising :class:`RejectEvent` dead-letters its event (never marked processed, so a
    redelivery dead-letters it again: dead letters are at-least-once). So does any other exception
    that redelivery cannot cure (see :mod:`shared.messaging.failures`); a transient one (database
    unreachable, locked, timeout) rolls the whole batch back and propagates, for a retry.
    """
    batch = [record if isinstance(record, InboundRecord) else InboundRecord(*record) for record in records]
    if not batch:
        return BatchResult()
    decoded, dead_letters = decode_records(batch, platforms)
    return await apply_decoded(engine, metadata, projection, batch, decoded, dead_letters, include=include,
                               retention=retention)


async def apply_decoded(
    engine: BatchDatabase,
    metadata: MetaData,
    projection: Projection,
    batch: Sequence[InboundRecord],
    decoded: Sequence[tuple[InboundRecord, Envelope[Any]]],
    dead_letters: Sequence[DeadLetter] = (),
    *,
    include: EventFilter | None = None,
    mark_ignored: bool = True,
    group_writes: bool = True,
    retention: timedelta | None = None,
) -> BatchResult:
    """:func:`apply_batch` after decoding: ``decoded`` are the (record, envelope) pairs of ``batch``
    that decoded, ``dead_letters`` those that did not (see :func:`decode_records`).

    Lets a caller feeding several projections decode each record once. ``batch`` gives the
    checkpoint positions (every record of it, decoded or not). With ``mark_ignored=False``, events
    of types without a handler are not marked processed (a redelivery of one changes nothing
    anyway): rebuilds use it to write fewer rows. ``group_writes=False`` sends every write at once.
    Events recorded before the consumer's horizon are skipped as processed (except replayed dead letters);
    with ``retention`` (the live consumers'), the horizon moves up and the ids behind it are deleted
    (:mod:`shared.messaging.tracking` says why that is exact).

    Event types the projection applies in SQL (:mod:`shared.messaging.set_based`) are staged as the
    loop meets them and applied together after the handlers, each statement once for the batch.

    The batch first runs without a savepoint per event (a SAVEPOINT and its RELEASE cost as much
    as a handler's own statements, and a round trip each on PostgreSQL), its handlers' writes
    grouped into one executemany per statement (:mod:`shared.storage.deferred`). If a handler or a
    grouped write fails, the transaction is rolled back and the batch runs again with a savepoint
    around each event and each write sent at once, so that a refusal or a failure undoes only its
    own event's writes; a transient error propagates from there.
    """
    if not batch:
        return BatchResult()
    try:
        return await _apply_in_one_transaction(engine, metadata, projection, batch, decoded, dead_letters, include,
                                               mark_ignored, retention, deferred=group_writes)
    except _RunAgainWithSavepoints as again:
        cause = again.__cause__
        log.log(logging.DEBUG if isinstance(cause, RejectEvent) else logging.INFO,
                "%s: %s: %s; the batch of %d records runs again with a savepoint per event", projection.name,
                type(cause).__name__, cause, len(batch))
        return await _apply_in_one_transaction(engine, metadata, projection, batch, decoded, dead_letters, include,
                                               mark_ignored, retention, savepoints=True, deferred=False)


class _RunAgainWithSavepoints(Exception):
    """A handler failed in a batch run without savepoints: the batch is rolled back and run again with them."""


async def _apply_in_one_transaction(
    engine: BatchDatabase, metadata: MetaData, projection: Projection, batch: Sequence[InboundRecord],
    decoded: Sequence[tuple[InboundRecord, Envelope[Any]]], dead_letters: Sequence[DeadLetter],
    include: EventFilter | None, mark_ignored: bool, retention: timedelta | None, *, savepoints: bool = False,
    deferred: bool,
) -> BatchResult:
    dead_letters = list(dead_letters)
    counts = {"applied": 0, "ignored": 0, "duplicates": 0, "excluded": 0}
    async with engine.connect() as conn, _batch_transaction(conn):
        info = connection_info(conn)
        event_ids = [str(envelope.event_id) for _, envelope in decoded]
        seen, horizon = await processed_and_horizon(conn, metadata, projection.name, set(event_ids))
        new_ids: list[str] = []
        new_times: list[datetime] = []
        handlers_conn = DeferredWrites(conn) if deferred else conn
        set_based = projection.set_based
        in_sql = set_based.event_types if set_based is not None else frozenset()
        staged: list[tuple[InboundRecord, Envelope[Any]]] = []
        sql_ran = False
        handlers = projection.handlers
        for (record, envelope), event_id in zip(decoded, event_ids, strict=True):
            meta = envelope.meta
            if event_id in seen or (horizon is not None and meta.recorded_at < horizon and not _replayed(record)):
                counts["duplicates"] += 1
                continue
            if include is not None and not include(envelope):
                counts["excluded"] += 1
                continue
            event_type = meta.event_type
            if event_type in in_sql:
                if savepoints:
                    outcome: str | RejectEvent = await _apply_sql_alone(conn, projection, record, envelope)
                    sql_ran = sql_ran or outcome == "applied"
                else:
                    staged.append((record, envelope))
                    outcome = "applied"
            elif event_type not in handlers:
                outcome = "ignored"
            else:
                outcome = await _apply_one(handlers_conn, projection, envelope, savepoints)
            if isinstance(outcome, RejectEvent):
                verdict = "failed in" if isinstance(outcome, HandlerFailed) else "rejected by"
                dead_letters.append(DeadLetter(record, f"{verdict} {projection.name}: {outcome.reason}"))
                continue
            counts[outcome] += 1
            seen.add(event_id)
            if mark_ignored or outcome != "ignored":
                new_ids.append(event_id)
                new_times.append(meta.recorded_at)
        if isinstance(handlers_conn, DeferredWrites):
            await _send_deferred(handlers_conn, projection)
        if staged:
            await _apply_sql(conn, projection, staged)
            sql_ran = True
        await mark_processed(conn, metadata, projection.name, new_ids, new_times)
        if retention is not None:
            moved = next_horizon(_reached(decoded).values(), horizon, retention)
            if moved is not None:
                await move_horizon(conn, metadata, projection.name, moved)
        if projection.on_batch_end is not None:
            await projection.on_batch_end(conn)
        positions = highest_offsets(batch)
        await save_checkpoints(conn, metadata, projection.name, positions)
    if set_based is not None and sql_ran:
        set_based.created_on(info)
    dead_letters.sort(key=lambda dead: (dead.record.topic, dead.record.partition, dead.record.offset))
    return BatchResult(**counts, dead_letters=tuple(dead_letters), positions=positions)


async def _send_deferred(writes: DeferredWrites, projection: Projection) -> None:
    try:
        await writes.flush()
    except Exception as failure:
        raise _RunAgainWithSavepoints(f"{type(failure).__name__} in {projection.name}") from failure


async def _apply_sql(conn: ProjectionConnection, projection: Projection,
                     staged: Sequence[tuple[InboundRecord, Envelope[Any]]]) -> None:
    """The projection's SQL over the batch's new events of its types, all at once."""
    assert projection.set_based is not None
    try:
        await projection.set_based.apply(conn, staged)
    except Exception as failure:
        raise _RunAgainWithSavepoints(f"{type(failure).__name__} in {projection.name}") from failure


async def _apply_sql_alone(conn: ProjectionConnection, projection: Projection, record: InboundRecord,
                           envelope: Envelope[Any]) -> str | RejectEvent:
    """The projection's SQL over one event in a savepoint, so that a failure dead-letters that event only."""
    assert projection.set_based is not None
    try:
        async with conn.begin_nested():
            await projection.set_based.apply(conn, [(record, envelope)], again=True)
    except Exception as failure:
        if is_transient(failure):
            raise
        log.error("%s could not apply %s %s in SQL; it goes to the dead letters", projection.name,
                  envelope.event_type, envelope.event_id, exc_info=failure)
        return HandlerFailed(failure_reason(failure))
    return "applied"


@asynccontextmanager
async def _batch_transaction(conn: BatchConnection) -> AsyncIterator[None]:
    """Begin the batch; on SQLite take the write lock at once so concurrent writers queue, not fail."""
    async with write_transaction(conn):
        yield


async def _apply_one(conn: ProjectionConnection, projection: Projection, envelope: Envelope[Any],
                     savepoints: bool) -> str | RejectEvent:
    handler = projection.handlers.get(envelope.event_type)
    if handler is None:
        return "ignored"
    if not savepoints:
        try:
            await handler(conn, envelope)
        except Exception as failure:
            raise _RunAgainWithSavepoints(f"{type(failure).__name__} in {projection.name}") from failure
        return "applied"
    try:
        async with conn.begin_nested():
            await handler(conn, envelope)
    except RejectEvent as rejection:
        return rejection
    except Exception as failure:
        if is_transient(failure):
            raise
        log.error("%s could not apply %s %s; it goes to the dead letters", projection.name, envelope.event_type,
                  envelope.event_id, exc_info=failure)
        return HandlerFailed(failure_reason(failure))
    return "applied"


def _replayed(record: InboundRecord) -> bool:
    return any(name == REPLAYED_DEAD_LETTER for name, _ in record.headers)


def _reached(decoded: Sequence[tuple[InboundRecord, Envelope[Any]]]) -> dict[tuple[str, int], datetime]:
    """The latest ``recorded_at`` of the batch's events per (topic, partition)."""
    reached: dict[tuple[str, int], datetime] = {}
    for record, envelope in decoded:
        key, at = (record.topic, record.partition), envelope.meta.recorded_at
        if key not in reached or at > reached[key]:
            reached[key] = at
    return reached


def highest_offsets(batch: Sequence[InboundRecord]) -> dict[tuple[str, int], int]:
    """The highest offset of ``batch`` per (topic, partition)."""
    positions: dict[tuple[str, int], int] = {}
    for record in batch:
        key = (record.topic, record.partition)
        positions[key] = max(positions.get(key, record.offset), record.offset)
    return positions
