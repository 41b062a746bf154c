"""The rebuild writer gives exactly the rows of the standard async path (apply_batch on aiosqlite).

Same records, same projections, two databases: the intake read models on a realistic history, and
a projection made to be awkward (reads in the middle of a handler, refusals after writing, updates
the writer cannot see into, counters).
"""

from __future__ import annotations

import random
from functools import partial
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, update

from relais.replay.checksum import checksums
from relais.replay.direct import DirectConnection, DirectWriter
from relais.replay.driver import DriverConnection
from relais.replay.replay import create_tables
from services.intake.read_models import describe
from shared.contracts.envelope import Envelope
from shared.contracts.events import intake as ie
from shared.contracts.events import matching as me
from shared.contracts.topics import MATCHING, REQUESTS
from shared.messaging.batches import apply_batch, apply_decoded
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord, Projection, RejectEvent
from shared.storage.engine import create_engine
from shared.storage.tables import core_metadata
from shared.storage.upsert import increment, upsert
from tests.unit.analytics.histories import records


def awkward_metadata() -> MetaData:
    metadata = core_metadata()
    Table("per_request", metadata, Column("request_id", String(80), primary_key=True), Column("status", String(30)),
          Column("touched", Integer, nullable=False))
    Table("per_commune", metadata, Column("commune", String(10), primary_key=True),
          Column("count", Integer, nullable=False))
    return metadata


def awkward_projection(metadata: MetaData) -> Projection:
    per_request, per_commune = metadata.tables["per_request"], metadata.tables["per_commune"]
    projection = Projection("test.awkward", topics=(REQUESTS, MATCHING))

    @projection.handles(ie.RequestLogged, ie.InformationCallLogged)
    async def logged(conn: Any, env: Envelope[Any]) -> None:
        await upsert(conn, per_request, {"request_id": env.payload.request_id, "status": "logged", "touched": 1},
                     key=["request_id"])
        await increment(conn, per_commune, {"commune": env.payload.commune or "none"}, {"count": 1})
        if env.payload.request_id.endswith(("3", "7")):
            raise RejectEvent("refused after writing")

    @projection.handles(me.ProviderAssigned, me.ContactConfirmed, me.RequestUnmet)
    async def progressed(conn: Any, env: Envelope[Any]) -> None:
        result = await conn.execute(update(per_request).where(per_request.c.request_id == env.payload.request_id)
                                    .values(status=env.event_type, touched=per_request.c.touched + 1))
        if env.event_type == "RequestUnmet":
            seen = (await conn.execute(select(func.count()).select_from(per_request))).scalar_one()
            await increment(conn, per_commune, {"commune": f"seen-{seen % 5}"}, {"count": result.rowcount})
            if env.payload.request_id.endswith("1"):
                raise RejectEvent("refused after a read")

    return projection


async def rows_of(path: Path, metadata: MetaData, tables: list[str]) -> dict[str, Any]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    try:
        found = await checksums(engine, metadata, tables)
        checkpoints = metadata.tables["checkpoints"]
        async with engine.connect() as conn:
            positions = sorted((await conn.execute(select(checkpoints.c.consumer, checkpoints.c.topic,
                                                          checkpoints.c.partition, checkpoints.c.offset))).all())
        return {**found, "checkpoints": positions}
    finally:
        await engine.dispose()


async def both_ways(tmp_path: Path, metadata_factory: Any, builders: list[Any], batches: list[list[InboundRecord]],
                    connection: type[DirectConnection]) -> tuple[dict[str, Any], dict[str, Any], list[int]]:
    standard_path, writer_path = tmp_path / "standard.db", tmp_path / "writer.db"
    metadata = metadata_factory()
    tables = [t for t in metadata.tables if t not in ("events", "checkpoints")]
    standard = create_engine(f"sqlite+aiosqlite:///{standard_path}")
    target = create_engine(f"sqlite+aiosqlite:///{writer_path}")
    await create_tables(standard, metadata)
    await create_tables(target, metadata)
    await target.dispose()
    writer = DirectWriter(writer_path, connection)
    projections = [build(metadata) for build in builders]
    dead = []
    try:
        for batch in batches:
            decoded, undecodable = decode_records(batch)
            for projection in projections:
                expected = await apply_batch(standard, metadata, projection, batch)
                got = await writer.run(partial(apply_decoded, writer, metadata, projection, batch, decoded, undecodable))
                assert (got.applied, got.ignored, got.duplicates) == (expected.applied, expected.ignored, expected.duplicates)
                assert [d.reason for d in got.dead_letters] == [d.reason for d in expected.dead_letters]
                dead.append(len(got.dead_letters))
    finally:
        writer.close()
        await standard.dispose()
    return (await rows_of(standard_path, metadata, tables), await rows_of(writer_path, metadata, tables), dead)


def in_batches(items: list[InboundRecord], sizes: list[int]) -> list[list[InboundRecord]]:
    out, start = [], 0
    for size in sizes:
        out.append(items[start:start + size])
        start += size
    return [batch for batch in out if batch]


@pytest.mark.parametrize("connection", [DirectConnection, DriverConnection])
async def test_intake_read_models_rebuilt_by_the_writer_equal_the_standard_path(tmp_path: Path, connection: Any) -> None:
    history = records(3000)
    again = history[500:700]  # redelivered: skipped by event id either way
    batches = in_batches(history + again, [900, 1300, 1, 999, 1000])
    models = describe()

    standard, written, _ = await both_ways(tmp_path, models.metadata, [spec.build for spec in models.projections],
                                           batches, connection)

    assert written == standard
    assert standard["timeline"].rows > 500 and standard["processed_events"].rows > 2000


@pytest.mark.parametrize("connection", [DirectConnection, DriverConnection])
async def test_refusals_reads_and_opaque_updates_give_the_same_rows(tmp_path: Path, connection: Any) -> None:
    history = records(3000)
    sizes = [random.Random(3).randint(1, 400) for _ in range(30)]

    standard, written, dead = await both_ways(tmp_path, awkward_metadata, [awkward_projection],
                                              in_batches(history, sizes), connection)

    assert written == standard
    assert sum(dead) > 10 and standard["per_request"].rows > 100
