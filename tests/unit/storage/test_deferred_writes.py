"""DeferredWrites: grouped writes give exactly the rows and reads that running each write at once gives."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select
from sqlalchemy.ext.asyncio import create_async_engine

from shared.storage.deferred import DeferredWrites, write
from shared.storage.upsert import increment, insert_new, update_where, upsert, upsert_latest

metadata = MetaData()
views = Table("views", metadata, Column("request_id", String(10), primary_key=True), Column("status", String(20)),
              Column("note", String(20)), Column("status_at", DateTime))
counts = Table("counts", metadata, Column("provider", String(10), primary_key=True),
               Column("offers", Integer, nullable=False), Column("misses", Integer, nullable=False))
labels = Table("labels", metadata, Column("id", Integer, primary_key=True), Column("label", String(10), unique=True))
MISS_IF_DONE = counts.update().where(counts.c.provider.in_(select(views.c.request_id).where(views.c.status == "done"))
                                    ).values(misses=counts.c.misses + 1)
EPOCH = datetime(2026, 1, 1, tzinfo=UTC)
KEYS = st.sampled_from(["a", "b", "c"])

operations = st.one_of(
    st.tuples(st.just("latest"), KEYS, st.sampled_from(["waiting", "assigned", "done"]), st.integers(0, 5)),
    st.tuples(st.just("latest-note"), KEYS, st.sampled_from(["x", "y"]), st.integers(0, 5)),
    st.tuples(st.just("upsert"), KEYS, st.sampled_from(["cancelled", "reopened"]), st.integers(0, 5)),
    st.tuples(st.just("increment"), KEYS, st.integers(1, 3), st.integers(0, 1)),
    st.tuples(st.just("update"), KEYS, st.sampled_from(["waiting", "assigned"]), st.just(0)),
    st.tuples(st.just("label"), st.integers(1, 4), st.sampled_from(["p", "q", "r"]), st.just(0)),
    st.tuples(st.just("miss-if-done"), KEYS, st.just(""), st.just(0)),
    st.tuples(st.just("read"), KEYS, st.just(""), st.just(0)),
)


async def run(conn: Any, operation: tuple[Any, ...], reads: list[Any]) -> None:
    kind, key, value, number = operation
    at = EPOCH + timedelta(hours=number)
    if kind == "latest":
        await upsert_latest(conn, views, {"request_id": key, "status": value, "status_at": at}, key=["request_id"])
    elif kind == "latest-note":
        await upsert_latest(conn, views, {"request_id": key, "note": value, "status_at": at}, key=["request_id"],
                            always=("note",))
    elif kind == "upsert":
        await upsert(conn, views, {"request_id": key, "status": value}, key=["request_id"])
    elif kind == "increment":
        await increment(conn, counts, {"provider": key}, {"offers": value, "misses": number})
    elif kind == "update":
        await update_where(conn, views, {"status": value}, {"note": "bulk"})
    elif kind == "label":
        await insert_new(conn, labels, {"id": key, "label": value}, key=["id"])
    elif kind == "miss-if-done":
        await write(conn, MISS_IF_DONE, {}, counts, reads=(views,))
    else:
        reads.append((await conn.execute(select(views).where(views.c.request_id == key))).all())


async def outcome(script: list[tuple[Any, ...]], deferred: bool) -> tuple[list[Any], dict[str, list[Any]]]:
    engine = create_async_engine("sqlite+aiosqlite://")
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            target: Any = DeferredWrites(conn) if deferred else conn
            reads: list[Any] = []
            for operation in script:
                try:
                    await run(target, operation, reads)
                except Exception as failure:  # an insert_new on a taken label fails either way
                    reads.append(type(failure).__name__)
                    break
            if deferred:
                try:
                    await target.flush()
                except Exception as failure:
                    reads.append(type(failure).__name__)
            tables = {table.name: (await conn.execute(select(table).order_by(*table.primary_key))).all()
                      for table in (views, counts, labels)}
            return reads, tables
    finally:
        await engine.dispose()


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(operations, max_size=30))
@example([("increment", "b", 1, 0), ("latest", "a", "waiting", 0), ("miss-if-done", "a", "", 0),
          ("latest", "b", "done", 0)])
@example([("increment", "a", 1, 0), ("miss-if-done", "a", "", 0), ("latest", "a", "done", 0),
          ("miss-if-done", "a", "", 0)])
def test_deferred_writes_leave_the_same_rows_and_reads_as_immediate_ones(script: list[tuple[Any, ...]]) -> None:
    immediate = asyncio.run(outcome(script, deferred=False))
    deferred = asyncio.run(outcome(script, deferred=True))

    if "IntegrityError" in immediate[0]:
        assert "IntegrityError" in deferred[0]
    else:
        assert deferred == immediate


class RecordingConnection:
    """Records what DeferredWrites sends."""

    dialect = type("Dialect", (), {"name": "sqlite"})()

    def __init__(self) -> None:
        self.sent: list[tuple[Any, Any]] = []

    async def execute(self, statement: Any, parameters: Any = None, **options: Any) -> None:
        self.sent.append((statement, parameters))


async def test_alternating_writes_to_two_tables_go_as_one_executemany_each() -> None:
    conn = RecordingConnection()
    writes = DeferredWrites(conn)
    for number in range(5):
        await upsert(writes, views, {"request_id": f"r{number}", "status": "waiting"}, key=["request_id"])
        await increment(writes, counts, {"provider": f"p{number % 2}"}, {"offers": 1, "misses": 0})

    await writes.flush()

    assert [len(rows) for _, rows in conn.sent] == [5, 5]
    assert [row["provider"] for row in conn.sent[1][1]] == ["p0", "p1", "p0", "p1", "p0"]


async def test_a_row_written_by_another_statement_in_between_keeps_its_order() -> None:
    conn = RecordingConnection()
    writes = DeferredWrites(conn)
    await upsert(writes, views, {"request_id": "r1", "status": "waiting"}, key=["request_id"])
    await upsert(writes, views, {"request_id": "r1", "note": "called"}, key=["request_id"])
    await upsert(writes, views, {"request_id": "r2", "status": "waiting"}, key=["request_id"])
    await upsert(writes, views, {"request_id": "r1", "status": "assigned"}, key=["request_id"])

    await writes.flush()

    assert [[row["request_id"] for row in ([rows] if isinstance(rows, dict) else rows)] for _, rows in conn.sent] == [
        ["r1", "r2"], ["r1"], ["r1"]]
    assert writes.pending == 0


async def test_a_table_with_another_unique_key_keeps_every_write_in_order() -> None:
    conn = RecordingConnection()
    writes = DeferredWrites(conn)
    await insert_new(writes, labels, {"id": 1, "label": "p"}, key=["id"])
    await update_where(writes, labels, {"id": 1}, {"label": "q"})
    await insert_new(writes, labels, {"id": 2, "label": "p"}, key=["id"])

    await writes.flush()

    assert len(conn.sent) == 3


async def test_without_deferral_write_runs_at_once() -> None:
    conn = RecordingConnection()

    await write(conn, views.insert(), {"request_id": "r1"}, views)

    assert len(conn.sent) == 1


def test_no_service_table_has_foreign_keys() -> None:
    """Deferred writes to different tables commute only because no table refers to another."""
    from relais.services import described_services

    for models in described_services():
        assert not [table.name for table in models.metadata().tables.values() if table.foreign_keys], models.service
