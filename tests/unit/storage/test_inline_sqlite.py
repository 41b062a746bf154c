"""SQLite connections that run in the loop's thread wait for a lock without blocking the loop."""

from __future__ import annotations

import asyncio
import inspect
import sqlite3
import time
from pathlib import Path

import aiosqlite
import pytest
from sqlalchemy import text

from shared.storage import inline_sqlite
from shared.storage.engine import SQLITE_BEGIN, create_engine


async def test_a_writer_of_another_engine_waits_for_the_lock_while_the_holder_finishes(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'store.db'}"
    first, second = create_engine(url), create_engine(url)  # two pools: no shared in-process turn
    try:
        async with first.begin() as conn:
            await conn.execute(text("CREATE TABLE t (n INTEGER)"))
        holding = asyncio.Event()
        order: list[str] = []

        async def holder() -> None:
            async with first.connect() as conn:
                await conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
                async with conn.begin():
                    await conn.execute(text("INSERT INTO t VALUES (1)"))
                    holding.set()
                    await asyncio.sleep(0.2)  # the loop must keep running while the lock is held
                    order.append("holder committed")

        async def waiter() -> None:
            await holding.wait()
            async with second.connect() as conn:
                await conn.execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
                async with conn.begin():
                    await conn.execute(text("INSERT INTO t VALUES (2)"))
            order.append("waiter committed")

        await asyncio.wait_for(asyncio.gather(holder(), waiter()), timeout=10)
        assert order == ["holder committed", "waiter committed"]
        async with second.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM t"))).scalar() == 2
    finally:
        await first.dispose()
        await second.dispose()


async def test_a_write_on_a_stale_snapshot_fails_at_once_instead_of_waiting_for_the_lock(tmp_path: Path) -> None:
    database = str(tmp_path / "store.db")
    reader, writer = await inline_sqlite.connect(database), await inline_sqlite.connect(database)
    try:
        for connection in (reader, writer):
            connection.isolation_level = None
        await writer.execute("PRAGMA journal_mode=WAL")
        await writer.execute("CREATE TABLE t (n INTEGER)")
        await reader.execute("BEGIN DEFERRED")
        await (await reader.execute("SELECT count(*) FROM t")).fetchall()  # the read snapshot is taken here
        await writer.execute("INSERT INTO t VALUES (1)")  # ... and goes stale
        started = time.monotonic()
        with pytest.raises(sqlite3.OperationalError) as raised:
            await reader.execute("INSERT INTO t VALUES (2)")
        assert raised.value.sqlite_errorcode == sqlite3.SQLITE_BUSY_SNAPSHOT
        assert time.monotonic() - started < 1
        await reader.execute("ROLLBACK")
    finally:
        await reader.close()
        await writer.close()


def test_the_private_aiosqlite_hooks_inline_connections_rely_on_still_exist() -> None:
    """inline_sqlite overrides aiosqlite internals: an aiosqlite upgrade that renames them must fail here."""
    connection = aiosqlite.Connection(lambda: sqlite3.connect(":memory:"), 64)
    for attribute in ("_tx", "_running", "_connection"):
        assert hasattr(connection, attribute), attribute
    assert hasattr(connection._tx, "put_nowait")
    for method in ("_execute", "_connect"):
        assert inspect.iscoroutinefunction(getattr(aiosqlite.Connection, method)), method
    assert list(inspect.signature(aiosqlite.Connection._execute).parameters)[:2] == ["self", "fn"]
