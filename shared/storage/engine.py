"""Async SQLAlchemy engines for the service stores (SQLite by default, PostgreSQL by URL)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy import Connection, Pool, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine

from shared.storage import inline_sqlite
from shared.storage.ports import BatchConnection

BUSY_TIMEOUT_MS = 0
"""SQLite's own lock wait: none, the inline connections wait without blocking the loop (see
:mod:`shared.storage.inline_sqlite`)."""

Connected = TypeVar("Connected", bound=BatchConnection)

SQLITE_BEGIN = "sqlite_begin"
"""Execution option choosing how SQLite transactions begin: "DEFERRED" (default) or "IMMEDIATE"."""


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def store_exists(url: str) -> bool:
    """False for a SQLite file that is not there (opening it would create an empty one)."""
    if not is_sqlite(url):
        return True
    database = make_url(url).database
    return database in (None, "", ":memory:") or Path(database).exists()


def create_engine(url: str, *, echo: bool = False) -> AsyncEngine:
    """An engine for ``url``; SQLite files get their folder created, WAL, and
    connections that run each call in the event loop's thread (:mod:`shared.storage.inline_sqlite`).

    SQLite transactions are begun explicitly (``BEGIN``), so SAVEPOINTs and rollbacks behave;
    a connection with the execution option ``sqlite_begin="IMMEDIATE"`` takes the write lock
    when its transaction begins (writers wait for each other instead of failing).
    SQL errors and logs never show the values bound (they may be residents' encrypted data or ids).
    """
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        database = parsed.database or ":memory:"
        engine = create_async_engine(url, echo=echo, hide_parameters=True,
                                     async_creator=lambda: inline_sqlite.connect(database))
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        event.listen(engine.sync_engine, "begin", _sqlite_begin)
        return engine
    return create_async_engine(url, echo=echo, hide_parameters=True, pool_pre_ping=True, pool_size=5, max_overflow=5)


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cursor.close()


def _sqlite_begin(connection: Connection) -> None:
    mode = connection.get_execution_options().get(SQLITE_BEGIN, "DEFERRED")
    if mode not in ("DEFERRED", "IMMEDIATE", "EXCLUSIVE"):
        raise ValueError(f"unknown SQLite begin mode {mode!r}")
    connection.exec_driver_sql(f"BEGIN {mode}")


_write_locks: WeakKeyDictionary[Pool, WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock]] = WeakKeyDictionary()


@asynccontextmanager
async def one_writer(engine: AsyncEngine | AsyncConnection | object) -> AsyncIterator[None]:
    """Around a SQLite write transaction: the process's writers of one database take turns.

    SQLite allows one writer at a time; a second ``BEGIN IMMEDIATE`` would wait in SQLite's busy
    handler, which sleeps (up to 100 ms a try) instead of waking when the lock is free, so under
    load most of the time is spent asleep. Queueing on an asyncio lock hands the database over at
    once. Writers in other processes meet in the connections' lock wait. On PostgreSQL: no lock.
    """
    if isinstance(engine, AsyncConnection):
        engine = engine.engine
    if not isinstance(engine, AsyncEngine) or engine.dialect.name != "sqlite":
        yield
        return
    pool = engine.sync_engine.pool
    by_loop = _write_locks.setdefault(pool, WeakKeyDictionary())
    lock = by_loop.setdefault(asyncio.get_running_loop(), asyncio.Lock())
    async with lock:
        yield


@asynccontextmanager
async def write_transaction(connection: Connected) -> AsyncIterator[Connected]:
    """A transaction that will write: on SQLite it waits for the process's turn (:func:`one_writer`)
    and takes the write lock as it begins (``BEGIN IMMEDIATE``), so it never fails on a stale snapshot."""
    await connection.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    async with one_writer(connection), connection.begin():
        yield connection


@asynccontextmanager
async def begin_write(engine: AsyncEngine) -> AsyncIterator[AsyncConnection]:
    """Like ``engine.begin()``, for a transaction that will write (see :func:`write_transaction`)."""
    async with engine.connect() as connection, write_transaction(connection):
        yield connection
