"""Statements run through their plans give what SQLAlchemy gives: same values bound, same rows read."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, bindparam, select, text, update

from relais.replay.driver import DriverConnection, compile_plan, driver_writer
from shared.storage.types import UtcDateTime
from shared.storage.upsert import increment, plain_insert


def sample_metadata() -> MetaData:
    metadata = MetaData()
    Table("things", metadata, Column("thing_id", String(20), primary_key=True), Column("seen_at", UtcDateTime()),
          Column("count", Integer, nullable=False, server_default="0"))
    return metadata


@pytest.fixture
def writer(tmp_path: Path):  # type: ignore[no-untyped-def]
    metadata = sample_metadata()
    writer = driver_writer(tmp_path / "driver.db")
    metadata.create_all(writer.engine)
    yield writer, metadata.tables["things"]
    writer.close()


MOMENT = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


async def test_a_statement_run_twice_goes_through_its_plan_and_reads_typed_values(writer) -> None:  # type: ignore[no-untyped-def]
    writer, things = writer
    by_id = select(things.c.seen_at, things.c.count).where(things.c.thing_id == bindparam("wanted"))
    async with writer.begin() as conn:
        await conn.execute(plain_insert(things), [{"thing_id": f"t{n}", "seen_at": MOMENT, "count": n} for n in range(3)])
        first = (await conn.execute(by_id, {"wanted": "t2"})).one()
        second = (await conn.execute(by_id, {"wanted": "t2"})).one()
        assert first == second == (MOMENT, 2)
        assert (await conn.execute(by_id, {"wanted": "none"})).first() is None
        assert (await conn.scalar(by_id, {"wanted": "t1"})) == MOMENT


async def test_fixed_values_in_the_statement_are_bound_from_the_plan(writer) -> None:  # type: ignore[no-untyped-def]
    writer, things = writer
    bump = update(things).where(things.c.thing_id == bindparam("wanted")).values(count=things.c.count + 5)
    async with writer.begin() as conn:
        await increment(conn, things, {"thing_id": "a"}, {"count": 1})
        for _ in range(3):
            await conn.execute(bump, {"wanted": "a"})
        await increment(conn, things, {"thing_id": "a"}, {"count": 1})
        assert (await conn.execute(select(things.c.count))).scalar_one() == 17


def test_statements_with_python_side_defaults_are_left_to_sqlalchemy(writer) -> None:  # type: ignore[no-untyped-def]
    writer, _ = writer
    table = Table("defaults", MetaData(), Column("id", Integer, primary_key=True), Column("made", String, default="x"))
    with writer.engine.connect() as connection:
        assert compile_plan(connection, table.insert(), ["id"], many=False) is None
        assert compile_plan(connection, table.insert(), ["id", "made"], many=False) is not None


async def test_a_nested_block_that_fails_undoes_only_its_own_writes(writer) -> None:  # type: ignore[no-untyped-def]
    writer, things = writer
    async with writer.begin() as conn:
        await increment(conn, things, {"thing_id": "kept"}, {"count": 1})
        with pytest.raises(ValueError):
            async with conn.begin_nested():
                await increment(conn, things, {"thing_id": "undone"}, {"count": 1})
                raise ValueError("refused")
    async with writer.connect() as conn:
        assert isinstance(conn, DriverConnection)
        assert (await conn.execute(select(things.c.thing_id))).scalars().all() == ["kept"]


async def test_textual_sql_without_typed_columns_goes_through_sqlalchemy(writer) -> None:  # type: ignore[no-untyped-def]
    writer, _ = writer
    count = text("SELECT count(*) FROM things WHERE thing_id != :skipped")
    async with writer.begin() as conn:
        for _ in range(3):
            assert await conn.scalar(count, {"skipped": "x"}) == 0
