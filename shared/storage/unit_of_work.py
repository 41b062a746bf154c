"""One database transaction around a command: the events it appends and any rows it writes.

Services compose or subclass :class:`SqlUnitOfWork` to add their repositories, built on
:attr:`SqlUnitOfWork.connection` in :meth:`SqlUnitOfWork._open` so that they share the transaction::

    class IntakeUnitOfWork(SqlUnitOfWork):
        def _open(self) -> None:
            self.requests = RequestRepository(self.connection)
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from types import TracebackType
from typing import Self

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncTransaction

from shared.storage.engine import SQLITE_BEGIN, one_writer
from shared.storage.eventstore import EventStore


class SqlUnitOfWork:
    """Async context manager: a connection and a transaction that only :meth:`commit` makes durable.

    Leaving the block without :meth:`commit` (or with an exception) rolls everything back.
    On SQLite the transaction takes the write lock when it begins (``BEGIN IMMEDIATE``), so
    units of work of one store run one after another and never fail on a stale snapshot;
    on PostgreSQL they run concurrently and :class:`~shared.storage.eventstore.ConcurrencyError`
    tells the loser of a race on one aggregate to retry.

    ``on_commit`` is called after each successful commit, e.g. ``OutboxRelay.notify`` so the
    new events are published at once.
    """

    def __init__(self, engine: AsyncEngine, metadata: MetaData, *, topic_prefix: str = "",
                 on_commit: Callable[[], object] | None = None) -> None:
        self._engine = engine
        self._metadata = metadata
        self._topic_prefix = topic_prefix
        self._on_commit = on_commit
        self._connection: AsyncConnection | None = None
        self._transaction: AsyncTransaction | None = None
        self._events: EventStore | None = None
        self._turn: AsyncExitStack | None = None

    @property
    def connection(self) -> AsyncConnection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use 'async with'")
        return self._connection

    @property
    def events(self) -> EventStore:
        if self._events is None:
            raise RuntimeError("the unit of work is not open: use 'async with'")
        return self._events

    async def __aenter__(self) -> Self:
        turn = AsyncExitStack()
        await turn.enter_async_context(one_writer(self._engine))
        try:
            connection = await self._engine.connect()
            turn.push_async_callback(connection.close)
            await connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
            self._transaction = await connection.begin()
        except BaseException:
            await turn.aclose()
            raise
        self._turn = turn
        self._connection = connection
        self._events = EventStore(connection, self._metadata, self._topic_prefix)
        self._open()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        turn = self._turn
        try:
            if self._transaction is not None and self._transaction.is_active:
                await self._transaction.rollback()
        finally:
            self._connection = None
            self._transaction = None
            self._events = None
            self._turn = None
            if turn is not None:
                await turn.aclose()

    def _open(self) -> None:
        """Hook for subclasses: build repositories on :attr:`connection`."""

    async def commit(self) -> None:
        """Make everything written so far durable; the unit of work is finished afterwards."""
        if self._transaction is None or not self._transaction.is_active:
            raise RuntimeError("nothing to commit: the unit of work is not open or already finished")
        await self._transaction.commit()
        if self._on_commit is not None:
            self._on_commit()

    async def rollback(self) -> None:
        """Discard everything written so far; the unit of work is finished afterwards."""
        if self._transaction is not None and self._transaction.is_active:
            await self._transaction.rollback()
