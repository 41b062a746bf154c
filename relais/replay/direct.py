"""Synchronous SQLite behind the async connection API, for rebuilds: no thread hop per statement.

A rebuild writes a fresh SQLite file that nobody else uses. :class:`DirectWriter` runs whole
batches (handlers included) over a plain ``sqlite3`` connection, in the caller's thread: each
``await conn.execute(...)`` runs the statement at once. Handlers see the subset of
:class:`~sqlalchemy.ext.asyncio.AsyncConnection` that projections use (``execute``, ``scalar``,
``scalars``, ``begin_nested``, ``run_sync``, ``dialect``); the SQL, the transaction and the
savepoints are exactly those of the async path. (Writing on a thread of its own was slower: the
GIL made the writer and the reader take turns, and each hand-over cost more than the statement.)
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.pool import SingletonThreadPool

from shared.storage.engine import SQLITE_BEGIN

T = TypeVar("T")
BULK_PRAGMAS = ("synchronous=OFF", "temp_store=MEMORY", "cache_size=-8192", "foreign_keys=ON")


class DirectNested:
    """``async with conn.begin_nested():`` over a sync SAVEPOINT."""

    def __init__(self, connection: Connection) -> None:
        self._connection = connection
        self._transaction: Any = None

    async def __aenter__(self) -> DirectNested:
        self._transaction = self._connection.begin_nested()
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if exc_type is None:
            self._transaction.commit()
        else:
            self._transaction.rollback()


class DirectConnection:
    """The async connection API over a sync :class:`~sqlalchemy.Connection` (statements run at once)."""

    def __init__(self, connection: Connection) -> None:
        self.sync_connection = connection
        self.dialect = connection.dialect

    async def execute(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        return self.sync_connection.execute(statement, parameters, **options)

    async def scalar(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        return self.sync_connection.scalar(statement, parameters, **options)

    async def scalars(self, statement: Any, parameters: Any = None, **options: Any) -> Any:
        return self.sync_connection.scalars(statement, parameters, **options)

    async def run_sync(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return fn(self.sync_connection, *args, **kwargs)

    async def execution_options(self, **options: Any) -> DirectConnection:
        self.sync_connection.execution_options(**options)
        return self

    def begin_nested(self) -> DirectNested:
        return DirectNested(self.sync_connection)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[DirectConnection]:
        with self.sync_connection.begin():
            yield self


class DirectWriter:
    """A sync SQLite engine on ``path``; :meth:`run` runs a batch written through it.

    ``connect()`` and ``begin()`` (inside :meth:`run`) yield a :class:`DirectConnection` like
    those of ``AsyncEngine``: so :func:`~shared.messaging.batches.apply_decoded` takes a writer
    where it takes an engine.
    """

    def __init__(self, path: Path | str, connection_class: type[DirectConnection] = DirectConnection) -> None:
        self.connection_class = connection_class
        self.engine: Engine = create_engine(f"sqlite:///{path}", poolclass=SingletonThreadPool)
        event.listen(self.engine, "connect", _pragmas)
        event.listen(self.engine, "begin", _begin)

    @asynccontextmanager
    async def connect(self) -> AsyncIterator[DirectConnection]:
        with self.engine.connect() as connection:
            yield self.connection_class(connection)

    @asynccontextmanager
    async def begin(self) -> AsyncIterator[DirectConnection]:
        with self.engine.begin() as connection:
            yield self.connection_class(connection)

    async def run(self, work: Callable[[], Awaitable[T]]) -> T:
        """Run ``work()`` (a batch written through :meth:`connect` / :meth:`begin`) to completion."""
        return await work()

    def close(self) -> None:
        self.engine.dispose()


def _begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"unknown SQLite begin mode {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in BULK_PRAGMAS:
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()
