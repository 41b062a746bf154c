"""Units of work and the event store on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio

import pytest

from shared.storage.eventstore import ConcurrencyError
from shared.storage.unit_of_work import SqlUnitOfWork
from tests.fixtures.database import POSTGRES_ONLY

pytestmark = pytest.mark.integration


async def test_committed_events_load_in_version_order(store, metadata, make_event) -> None:
    async with SqlUnitOfWork(store, metadata, topic_prefix="t1.") as uow:
        await uow.events.append([make_event("req-1", 1), make_event("req-1", 2)])
        await uow.events.append([make_event("req-2", 1)])
        await uow.commit()
    async with SqlUnitOfWork(store, metadata) as uow:
        await uow.events.append([make_event("req-1", 3)])
        await uow.commit()

    async with SqlUnitOfWork(store, metadata) as uow:
        loaded = await uow.events.load("request", "req-1")
        version = await uow.events.current_version("request", "req-1")
    assert [event.meta.aggregate_version for event in loaded] == [1, 2, 3]
    assert [event.payload.answer for event in loaded] == ["answer 1", "answer 2", "answer 3"]
    assert version == 3


async def test_without_commit_nothing_is_stored_and_on_commit_is_not_called(store, metadata, make_event) -> None:
    commits: list[str] = []
    async with SqlUnitOfWork(store, metadata, on_commit=lambda: commits.append("done")) as uow:
        await uow.events.append([make_event("req-1", 1)])
    with pytest.raises(RuntimeError):
        async with SqlUnitOfWork(store, metadata, on_commit=lambda: commits.append("done")) as uow:
            await uow.events.append([make_event("req-1", 1)])
            raise RuntimeError("handler failed")

    async with SqlUnitOfWork(store, metadata, on_commit=lambda: commits.append("done")) as uow:
        assert await uow.events.load("request", "req-1") == []
        await uow.commit()
    assert commits == ["done"]


async def test_appending_a_version_already_taken_raises_concurrency_error(store, metadata, make_event) -> None:
    async with SqlUnitOfWork(store, metadata) as uow:
        await uow.events.append([make_event("req-1", 1)])
        await uow.commit()

    async with SqlUnitOfWork(store, metadata) as uow:
        with pytest.raises(ConcurrencyError):
            await uow.events.append([make_event("req-1", 1)])


@POSTGRES_ONLY  # SQLite runs units of work one after another (see tests/unit/storage)
async def test_two_writers_racing_on_postgresql_one_wins(store, metadata, make_event, database_url) -> None:
    async with SqlUnitOfWork(store, metadata) as first, SqlUnitOfWork(store, metadata) as second:
        assert await first.events.current_version("request", "req-1") == 0
        assert await second.events.current_version("request", "req-1") == 0
        await first.events.append([make_event("req-1", 1)])
        losing_append = asyncio.create_task(second.events.append([make_event("req-1", 1)]))
        await asyncio.wait({losing_append}, timeout=0.2)
        await first.commit()
        with pytest.raises(ConcurrencyError):
            await asyncio.wait_for(losing_append, timeout=20)

    async with SqlUnitOfWork(store, metadata) as uow:
        assert len(await uow.events.load("request", "req-1")) == 1
