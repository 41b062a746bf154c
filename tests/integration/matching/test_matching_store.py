"""The matching store on real databases: migrations, repositories, and the turn under concurrency."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.adapters.unit_of_work import MatchingStore, MatchingUnitOfWork
from services.matching.bootstrap import MIGRATIONS
from services.matching.domain.rotation import TurnKey
from services.matching.service_layer.assignment import (
    assignment_projection,
    receive_request,
)
from shared.clock import FixedClock
from shared.contracts.codec import encode
from shared.contracts.directory import SUSPENDED
from shared.messaging.batches import apply_batch
from shared.messaging.projection import InboundRecord
from shared.storage.engine import SQLITE_BEGIN, create_engine
from shared.storage.eventstore import ConcurrencyError
from shared.storage.migrate import upgrade_async
from tests.fixtures.database import POSTGRES_ONLY
from tests.unit.matching.builders import T0, limoges, provider, request_logged

pytestmark = pytest.mark.integration
METADATA = matching_metadata()
POLICY = limoges()
GARDENING_AGGLO = TurnKey("limoges", "gardening", "agglo")


@pytest.fixture
async def store_engine(database_url: str) -> AsyncIterator[AsyncEngine]:
    await upgrade_async(database_url, MIGRATIONS)
    engine = create_engine(database_url).execution_options(**{SQLITE_BEGIN: "IMMEDIATE"})
    try:
        yield engine
    finally:
        await engine.dispose()


async def add_gardeners(engine: AsyncEngine, count: int = 3) -> list[str]:
    ids = [f"prv-{index}" for index in range(count)]
    async with MatchingUnitOfWork(engine, METADATA) as uow:
        for index, pid in enumerate(ids):
            await uow.providers.save(provider(pid, joined=index))
        await uow.commit()
    return ids


async def test_providers_round_trip_through_their_row(store_engine: AsyncEngine) -> None:
    original = provider("prv-x", publics=("elderly",), status=SUSPENDED, status_note="assurance", qualifications=("CAP",))
    async with MatchingUnitOfWork(store_engine, METADATA) as uow:
        await uow.providers.save(original)
        await uow.providers.save(provider("prv-other", platform_id="brenne"))
        await uow.commit()

    async with MatchingUnitOfWork(store_engine, METADATA) as uow:
        assert await uow.providers.get("prv-x") == original
        assert [p.provider_id for p in await uow.providers.in_rotation("limoges")] == ["prv-x"]


async def test_a_stale_turn_version_is_refused(store_engine: AsyncEngine) -> None:
    for expected, outcome in [(0, None), (0, ConcurrencyError), (1, None), (1, ConcurrencyError), (2, None)]:
        async with MatchingUnitOfWork(store_engine, METADATA) as uow:
            if outcome is None:
                await uow.turns.advance(GARDENING_AGGLO, (T0, f"prv-{expected}"), expected_version=expected)
                await uow.commit()
            else:
                with pytest.raises(outcome):
                    await uow.turns.advance(GARDENING_AGGLO, (T0, "prv-late"), expected_version=expected)

    async with MatchingUnitOfWork(store_engine, METADATA) as uow:
        turn = await uow.turns.get(GARDENING_AGGLO)
    assert (turn.version, turn.cursor) == (3, (T0, "prv-2"))


async def test_concurrent_assignments_never_assign_twice_nor_break_the_turn(store_engine: AsyncEngine) -> None:
    gardeners = await add_gardeners(store_engine)
    projection = assignment_projection(policies={"limoges": POLICY}, clock=FixedClock(T0), metadata=METADATA)

    async def consume(request_id: str, offset: int) -> None:
        encoded = encode(request_logged(request_id))
        record = InboundRecord(encoded.topic, 0, offset, encoded.key, encoded.value, tuple(encoded.headers))
        while True:
            try:
                await apply_batch(store_engine, METADATA, projection, [record])
                return
            except ConcurrencyError:
                continue  # another transaction moved the turn first: redelivered, as the runner does

    await asyncio.gather(*(consume(f"req-{index}", index) for index in range(9)))

    holders = await holders_by_request(store_engine)
    assert Counter(holders.values()) == {pid: 3 for pid in gardeners}
    async with MatchingUnitOfWork(store_engine, METADATA) as uow:
        assert (await uow.turns.get(GARDENING_AGGLO)).version == 9
        assert len(await uow.events.load("request", "req-0")) == 1


@POSTGRES_ONLY  # SQLite serialises writers (BEGIN IMMEDIATE): two transactions cannot interleave on the turn
async def test_the_loser_of_a_race_on_the_turn_retries_and_takes_the_next_provider(
        database_url: str, store_engine: AsyncEngine) -> None:
    gardeners = await add_gardeners(store_engine)
    turn_read, other_done = asyncio.Event(), asyncio.Event()

    async def slow_first_attempt(request_id: str) -> int:
        attempts = 0
        while True:
            attempts += 1
            try:
                async with store_engine.begin() as conn:
                    store = MatchingStore(conn, METADATA)
                    if attempts == 1:
                        store.turns = PausingTurns(store.turns, turn_read, other_done)
                    await receive_request(store, POLICY, request_logged(request_id), T0 + timedelta(minutes=1))
                return attempts
            except ConcurrencyError:
                continue

    async def quick(request_id: str) -> None:
        await turn_read.wait()
        async with store_engine.begin() as conn:
            await receive_request(MatchingStore(conn, METADATA), POLICY, request_logged(request_id), T0)
        other_done.set()

    slow_attempts, _ = await asyncio.gather(slow_first_attempt("req-slow"), quick("req-quick"))

    holders = await holders_by_request(store_engine)
    assert slow_attempts == 2
    assert (holders["req-quick"], holders["req-slow"]) == (gardeners[0], gardeners[1])


class PausingTurns:
    """Reads the turn, then waits until another transaction has moved it."""

    def __init__(self, inner: Any, read: asyncio.Event, resume: asyncio.Event) -> None:
        self._inner, self._read, self._resume = inner, read, resume

    async def get(self, key: TurnKey) -> Any:
        turn = await self._inner.get(key)
        self._read.set()
        await self._resume.wait()
        return turn

    async def advance(self, *args: Any, **kwargs: Any) -> None:
        await self._inner.advance(*args, **kwargs)


async def holders_by_request(engine: AsyncEngine) -> dict[str, str]:
    table = METADATA.tables["match_requests"]
    async with engine.connect() as conn:
        rows = await conn.execute(select(table.c.request_id, table.c.provider_id))
        return {request_id: provider_id for request_id, provider_id in rows}
