"""SQLite for the async engine without a thread per connection: each call runs at once, in the loop's thread.

aiosqlite sends every call (execute, fetch, commit...) to a worker thread and wakes the event loop
when it is done. On a local file, the call itself takes microseconds; the hop, the wake-up and the
GIL changing hands cost far more, and a service under load spent most of its time on them.
:class:`InlineConnection` keeps aiosqlite's interface (so SQLAlchemy's ``sqlite+aiosqlite`` dialect
works unchanged) but runs each call directly.

A call must never wait for SQLite's write lock inside SQLite (its busy handler would block the
loop, and with it the very transaction holding the lock): connections get no busy timeout, and a
call that finds the database locked gives the loop back and tries again, with a short backoff,
for up to :data:`LOCK_WAIT_SECONDS` before raising. A stale snapshot (``SQLITE_BUSY_SNAPSHOT``: a
transaction that read a WAL database another connection has written since, now trying to write)
is raised at once: no wait can cure it, only a new transaction can. Within a process, writers also
queue on :func:`~shared.storage.engine.one_writer` before they begin, so they seldom meet at all.
"""

from __future__ import annotations

import asyncio
import itertools
import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite

LOCK_WAIT_SECONDS = 30.0
"""How long a call waits, in all, for a database another connection has locked."""
_BACKOFF = (0.0005, 0.001, 0.002, 0.005, 0.01, 0.02)


class _RunNow:
    """Stands in for aiosqlite's queue to its worker thread: runs each queued call at once."""

    def put_nowait(self, item: tuple[Any, Callable[[], Any]]) -> None:
        future, function = item
        try:
            result = function()
        except BaseException as error:
            if future is None:
                raise
            if not future.done():
                future.set_exception(error)
            return
        if future is not None and not future.done():
            future.set_result(result)


class InlineConnection(aiosqlite.Connection):
    """An ``aiosqlite.Connection`` whose calls run in the caller's thread (no worker thread)."""

    def __init__(self, connector: Callable[[], sqlite3.Connection], iter_chunk_size: int = 64) -> None:
        super().__init__(connector, iter_chunk_size)
        self._tx = _RunNow()  # type: ignore[assignment]

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if not self._running or not self._connection:
            raise ValueError("Connection closed")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as error:
            if not _locked(error):
                raise
        loop = asyncio.get_running_loop()
        deadline = loop.time() + LOCK_WAIT_SECONDS
        for attempt in itertools.count():
            await asyncio.sleep(_BACKOFF[min(attempt, len(_BACKOFF) - 1)])
            try:
                return fn(*args, **kwargs)
            except sqlite3.OperationalError as error:
                if not _locked(error) or loop.time() >= deadline:
                    raise

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()  # type: ignore[return-value]


def _locked(error: sqlite3.OperationalError) -> bool:
    """Whether waiting may cure the error: the database is busy or locked, but not on a stale snapshot."""
    code: int = getattr(error, "sqlite_errorcode", 0)
    return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED) and code != sqlite3.SQLITE_BUSY_SNAPSHOT


async def connect(database: str, **kwargs: Any) -> InlineConnection:
    """Like ``aiosqlite.connect``: the ``async_creator`` of a ``sqlite+aiosqlite`` engine (no busy timeout:
    waiting for a lock is done by :meth:`InlineConnection._execute`, without blocking the loop)."""
    kwargs.setdefault("check_same_thread", False)
    kwargs["timeout"] = 0
    return await InlineConnection(partial(sqlite3.connect, database, **kwargs))
