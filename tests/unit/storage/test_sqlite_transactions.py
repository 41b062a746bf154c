"""SQLite transactions: rollbacks undo event appends, and units of work run one after another."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import func, select

from shared.storage.eventstore import ConcurrencyError
from shared.storage.unit_of_work import SqlUnitOfWork


async def count_events(engine, metadata) -> int:  # type: ignore[no-untyped-def]
    async with engine.connect() as connection:
        return await connection.scalar(select(func.count()).select_from(metadata.tables["events"]))


async def test_leaving_without_commit_discards_appended_events(sqlite_engine, metadata, make_event) -> None:
    async with SqlUnitOfWork(sqlite_engine, metadata) as uow:
        await uow.events.append([make_event("req-1", 1)])

    assert await count_events(sqlite_engine, metadata) == 0


async def test_an_exception_rolls_back(sqlite_engine, metadata, make_event) -> None:
    with pytest.raises(LookupError):
        async with SqlUnitOfWork(sqlite_engine, metadata) as uow:
            await uow.events.append([make_event("req-1", 1)])
            raise LookupError("handler failed")

    assert await count_events(sqlite_engine, metadata) == 0


async def test_a_failed_append_keeps_the_earlier_writes_of_the_unit_of_work(sqlite_engine, metadata, make_event) -> None:
    async with SqlUnitOfWork(sqlite_engine, metadata) as uow:
        await uow.events.append([make_event("req-1", 1)])
        with pytest.raises(ConcurrencyError):
            await uow.events.append([make_event("req-1", 1)])
        await uow.commit()

    assert await count_events(sqlite_engine, metadata) == 1


async def test_a_second_unit_of_work_waits_for_the_first_to_finish(sqlite_engine, metadata, make_event) -> None:
    async def append_next() -> None:
        async with SqlUnitOfWork(sqlite_engine, metadata) as uow:
            version = await uow.events.current_version("request", "req-1")
            await uow.events.append([make_event("req-1", version + 1)])
            await uow.commit()

    async with SqlUnitOfWork(sqlite_engine, metadata) as first:
        await first.events.append([make_event("req-1", 1)])
        second = asyncio.create_task(append_next())
        await asyncio.wait({second}, timeout=0.3)
        assert not second.done(), "the second unit of work ran while the first held the store"
        await first.commit()
    await asyncio.wait_for(second, timeout=20)

    async with SqlUnitOfWork(sqlite_engine, metadata) as uow:
        loaded = await uow.events.load("request", "req-1")
    assert [event.meta.aggregate_version for event in loaded] == [1, 2]
