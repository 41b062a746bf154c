"""SQLite for the async engine without a thread per connection: each call runs at once, in the loop's thread.

aiosqlite sends every call (execute, fetch, commit...) to a worker thread and wakes the event loop
when it is done. On a local file, the call itself takes microseconds; the hop, the wake-up and the
GIL changing hands cost far more, and a service under load spent most of its time on them.
:class:`InlineConnection` keeps aiosqlite's interface (so SQLAlchemy's ``sqlite+aiosqlite`` dialect
works unchanged) but runs each call directly.

The price: a call that must wait for SQLite's write lock blocks the loop while it waits. Within a
process, writers queue on :func:`~shared.storage.engine.one_writer` before they begin, so they never
wait inside SQLite; only writers of other processes on the same file (a CLI command, another
service sharing the vault) can make a call wait, for as long as their short transaction lasts.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Generator
from functools import partial
from typing import Any

import aiosqlite


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
        return fn(*args, **kwargs)

    def __await__(self) -> Generator[Any, None, InlineConnection]:
        return self._connect().__await__()  # type: ignore[return-value]


async def connect(database: str, **kwargs: Any) -> InlineConnection:
    """Like ``aiosqlite.connect``: the ``async_creator`` of a ``sqlite+aiosqlite`` engine."""
    kwargs.setdefault("check_same_thread", False)
    return await InlineConnection(partial(sqlite3.connect, database, **kwargs))
