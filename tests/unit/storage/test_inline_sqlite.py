"""SQLite connections that run in the loop's thread wait for a lock without blocking the loop."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text

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
