"""The transactions of one outbox relay round, per database: :func:`locked_round` (PostgreSQL) reads,
sends and marks the rows in one transaction that holds the advisory lock ``ADVISORY_LOCK_KEY``, so
that a second relay on the same database skips its round instead of interleaving;
:func:`single_writer_round` (SQLite, one relay per store) reads the rows, sends them outside any
transaction, then marks the delivered ones in a write transaction.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence

from sqlalchemy import Table, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from shared.messaging.publishing import OutboxRow, Outcome, mark_published, unpublished_rows
from shared.storage.engine import write_transaction

ADVISORY_LOCK_KEY = 0x52454C4149530001
"""PostgreSQL advisory lock held by the relay publishing a store (per database)."""

Publish = Callable[[Sequence[OutboxRow]], Awaitable[Outcome]]
"""Sends rows to the broker with the relay's producer and says which were delivered."""


async def locked_round(connection: AsyncConnection, events: Table, batch_size: int, publish: Publish) -> Outcome:
    """Publish and mark up to ``batch_size`` rows under the advisory lock; nothing if another relay holds it."""
    async with connection.begin():
        if not await connection.scalar(select(func.pg_try_advisory_xact_lock(ADVISORY_LOCK_KEY))):
            return Outcome()
        outcome = await publish(await unpublished_rows(connection, events, batch_size))
        await mark_published(connection, events, outcome.delivered)
    return outcome


async def single_writer_round(connection: AsyncConnection, events: Table, batch_size: int,
                              publish: Publish) -> Outcome:
    """Publish up to ``batch_size`` rows, then mark the delivered ones (the store has one relay)."""
    async with connection.begin():
        rows = await unpublished_rows(connection, events, batch_size)
    outcome = await publish(rows)
    if outcome.delivered:
        async with write_transaction(connection):
            await mark_published(connection, events, outcome.delivered)
    return outcome
