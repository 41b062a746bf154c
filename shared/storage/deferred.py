"""Writes queued during a projection batch and sent grouped by statement (one executemany a group).

A projection handler's writes through :mod:`shared.storage.upsert` return nothing the handler
uses, so within a batch they can wait: :class:`DeferredWrites` wraps the batch's connection,
queues each such write, and sends the queue as one ``executemany`` per statement shape. On
PostgreSQL that is one round trip per group instead of one per row (asyncpg pipelines an
executemany); on SQLite, one driver call.

Order is kept wherever it can matter. A write joins the group of its statement shape only if no
later group writes what it writes (the same row, when the write names its row by the primary key
of a table without other unique constraints; else the same table), reads the table it writes, or
writes a table it reads; otherwise it opens a new group at the end. Groups are sent in order, the
rows of a group in order. Every other use of the connection (a read, a statement the handler runs
itself, a savepoint) first sends the whole queue, so a handler always reads its own writes.
Projection tables have no triggers or foreign keys: writes to different rows commute.

An error of a queued write surfaces at :meth:`DeferredWrites.flush`, not in the handler that
queued it: the batch runner then runs the batch again without deferring (see
:mod:`shared.messaging.batches`), so a failure is still pinned on its event.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, TypeVar

from sqlalchemy import PrimaryKeyConstraint, Table, UniqueConstraint

T = TypeVar("T")


@dataclass(slots=True)
class _Group:
    statement: Any
    rows: list[dict[str, Any]] = field(default_factory=list)


class DeferredWrites:
    """The connection of a batch, whose writes through :func:`write` wait for :meth:`flush`.

    Offers what handlers use of :class:`~sqlalchemy.ext.asyncio.AsyncConnection` (``execute``,
    ``scalar``, ``scalars``, ``run_sync``, ``begin_nested``, ``dialect``); each sends the queue first.
    """

    def __init__(self, connection: Any) -> None:
        self.connection = connection
        self.dialect = connection.dialect
        self._groups: list[_Group] = []
        self._open: dict[tuple[int, tuple[str, ...]], int] = {}
        self._last_write: dict[Table, int] = {}
        self._last_row_write: dict[tuple[Table, tuple[Any, ...]], int] = {}
        self._last_table_write: dict[Table, int] = {}
        self._last_read: dict[Table, int] = {}

    def defer(self, statement: Any, row: dict[str, Any], writes: Table, reads: Collection[Table] = (),
              row_key: tuple[Any, ...] | None = None) -> None:
        """Queue ``statement`` run with ``row``, which writes ``writes`` and reads ``reads``.

        ``row_key``, when given, is the primary key of the one row of ``writes`` it changes (on a
        table with no other unique constraint): writes to other rows of that table may then go
        before it. Without it, the write is ordered with every write to ``writes``.
        """
        shape = (id(statement), tuple(row))
        index = self._open.get(shape)
        if (index is None or self._groups[index].statement is not statement
                or self._touched_after(index, writes, reads, row_key)):
            index = len(self._groups)
            self._groups.append(_Group(statement))
            self._open[shape] = index
        self._groups[index].rows.append(row)
        _raise(self._last_write, writes, index)
        if row_key is None:
            _raise(self._last_table_write, writes, index)
        else:
            _raise(self._last_row_write, (writes, row_key), index)
        for table in reads:
            _raise(self._last_read, table, index)

    def _touched_after(self, index: int, writes: Table, reads: Collection[Table], row_key: tuple[Any, ...] | None) -> bool:
        """Whether a group after ``index`` writes what this write writes (its row, or its table
        without ``row_key``) or reads its table, or writes a table it reads."""
        if row_key is None:
            written_after = self._last_write.get(writes, -1) > index
        else:
            written_after = (self._last_row_write.get((writes, row_key), -1) > index
                             or self._last_table_write.get(writes, -1) > index)
        return (written_after or self._last_read.get(writes, -1) > index
                or any(self._last_write.get(table, -1) > index for table in reads))

    @property
    def pending(self) -> int:
        """How many writes wait in the queue."""
        return sum(len(group.rows) for group in self._groups)

    async def flush(self) -> None:
        """Send every queued write, in order; the queue is empty afterwards, even if one fails."""
        groups, self._groups, self._open = self._groups, [], {}
        self._last_write, self._last_row_write, self._last_table_write, self._last_read = {}, {}, {}, {}
        for group in groups:
            rows = group.rows
            await self.connection.execute(group.statement, rows[0] if len(rows) == 1 else rows)

    async def execute(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        await self.flush()
        return await self.connection.execute(statement, parameters, **options)

    async def scalar(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        await self.flush()
        return await self.connection.scalar(statement, parameters, **options)

    async def scalars(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        await self.flush()
        return await self.connection.scalars(statement, parameters, **options)

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        await self.flush()
        return await self.connection.run_sync(fn, *args, **kwargs)

    @asynccontextmanager
    async def begin_nested(self) -> AsyncIterator[Any]:
        await self.flush()
        async with self.connection.begin_nested() as savepoint:
            yield savepoint


def _raise(last: dict[Any, int], key: Any, index: int) -> None:
    if last.get(key, -1) < index:
        last[key] = index


async def write(conn: Any, statement: Any, row: Mapping[str, Any], writes: Table, *,
                reads: Collection[Table] = (), key: Sequence[str] | None = None) -> None:
    """Run ``statement`` with ``row`` now, or queue it if ``conn`` defers writes (its result is not needed).

    ``key`` names the columns of ``row`` that identify the one row written, if they do (see
    :meth:`DeferredWrites.defer`: used only when they are the table's primary key and the table has
    no other unique constraint).
    """
    if not isinstance(conn, DeferredWrites):
        await conn.execute(statement, dict(row))
        return
    columns = _row_key_columns(writes, tuple(key)) if key is not None else None
    conn.defer(statement, dict(row), writes, reads, None if columns is None else tuple(row[name] for name in columns))


@lru_cache(maxsize=1024)
def _row_key_columns(table: Table, key: tuple[str, ...]) -> tuple[str, ...] | None:
    """The primary key's columns if ``key`` names them and no other unique constraint or index exists, else None."""
    primary = tuple(column.name for column in table.primary_key.columns)
    unique_elsewhere = (any(isinstance(constraint, UniqueConstraint) and not isinstance(constraint, PrimaryKeyConstraint)
                            for constraint in table.constraints)
                        or any(index.unique for index in table.indexes)
                        or any(column.unique for column in table.columns))
    return primary if primary and not unique_elsewhere and set(key) == set(primary) else None
