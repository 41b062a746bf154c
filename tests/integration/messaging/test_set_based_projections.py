"""Set-based SQL projections against their Python handlers, on SQLite and PostgreSQL.

The console, observatory and fairness projections, applied in SQL and with their handlers to the same generated
federation history, in live-sized batches (some delivered twice, some with an event repeated within the
batch), give identical tables (same checksums), processed ids and checkpoints. A statement failing for
one event of a batch dead-letters that event only, as a failing handler does.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import MetaData, func, select

from bench.history import federation_history
from bench.produce import partition_of
from relais.replay.checksum import checksums
from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.service_layer.projections import console_projection, observatory_projection
from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.service_layer.projections import fairness_projection
from shared.contracts.envelope import Envelope
from shared.contracts.events.intake import RequestLogged
from shared.contracts.topics import REQUESTS
from shared.messaging.batches import BatchResult, apply_decoded
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord, Projection
from shared.messaging.tracking import load_checkpoints
from shared.storage.batch_dialect import BatchDialect
from shared.storage.engine import create_engine
from tests.integration.messaging.toy_projection import FAILING_COMMUNE, request_cancelled, request_logged, toy_metadata

pytestmark = pytest.mark.integration

EVENTS = 4000
BATCH = 500

CASES: dict[str, tuple[Callable[..., Projection], Callable[[], MetaData], tuple[str, ...]]] = {
    "console": (console_projection, intake_metadata, ("request_view", "timeline", "callback_queue")),
    "observatory": (observatory_projection, intake_metadata, ("unmet_demand", "information_calls")),
    "fairness": (fairness_projection, matching_metadata, ("fairness_counts", "fairness_requests")),
}


def history() -> list[tuple[InboundRecord, Envelope[Any]]]:
    records = [InboundRecord(r.topic, partition_of(r.key, 3), offset, r.key, r.value, tuple(r.headers))
               for offset, r in enumerate(federation_history(EVENTS, seed=11))]
    decoded, dead = decode_records(records)
    assert not dead
    return decoded


def deliveries(pairs: list[tuple[InboundRecord, Envelope[Any]]], shuffled: bool = False
               ) -> list[list[tuple[InboundRecord, Envelope[Any]]]]:
    """Live-sized batches; every third delivered again after the next, every batch's first event repeated in it.

    ``shuffled``: the events of each batch in a random order (as if from many partitions and topics at once:
    outcomes before their offer, a status older than the one shown, a message called back before it was left).
    """
    batches = [pairs[start:start + BATCH] for start in range(0, len(pairs), BATCH)]
    if shuffled:
        rng = random.Random(5)
        batches = [rng.sample(batch, len(batch)) for batch in batches]
    out: list[list[tuple[InboundRecord, Envelope[Any]]]] = []
    for number, batch in enumerate(batches):
        out.append(batch + batch[:1])
        if number % 3 == 1:
            out.append(batches[number - 1])
    return out


async def project(url: str, build: Callable[[MetaData], Projection], metadata: MetaData, tables: tuple[str, ...],
                  pairs: list[tuple[InboundRecord, Envelope[Any]]], shuffled: bool = False
                  ) -> tuple[dict[str, Any], list[BatchResult]]:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.drop_all)
            await conn.run_sync(metadata.create_all)
        projection = build(metadata)
        mine = [pair for pair in pairs if pair[0].topic in projection.topics]
        results = []
        for batch in deliveries(mine, shuffled):
            results.append(await apply_decoded(engine, metadata, projection, [record for record, _ in batch], batch))
        state: dict[str, Any] = {name: (sum.rows, sum.digest) for name, sum in
                                 (await checksums(engine, metadata, (*tables, "processed_events"))).items()}
        state["checkpoints"] = await load_checkpoints(engine, metadata, projection.name)
        return state, results
    finally:
        await engine.dispose()


@pytest.mark.parametrize("shuffled", [False, True], ids=["in-order", "shuffled"])
@pytest.mark.parametrize("case", sorted(CASES))
async def test_sql_gives_the_handlers_tables(case: str, shuffled: bool, database_url: str) -> None:
    build, metadata, tables = CASES[case]
    pairs = history()
    by_handlers, handled = await project(database_url, lambda md: build(md, in_sql=False), metadata(), tables, pairs,
                                         shuffled)
    in_sql, applied = await project(database_url, build, metadata(), tables, pairs, shuffled)
    assert in_sql == by_handlers
    assert [(r.applied, r.ignored, r.duplicates, r.dead_letters) for r in applied] == \
        [(r.applied, r.ignored, r.duplicates, r.dead_letters) for r in handled]
    assert all(rows for rows, _ in (in_sql[name] for name in tables)), "the history must fill every table"
    assert sum(r.duplicates for r in applied) >= len(applied)


def counted_in_sql(metadata: MetaData) -> Projection:
    """RequestLogged counted per commune in SQL; the failing commune's row breaks NOT NULL."""
    projection = Projection("toy.sql-per-commune", topics=(REQUESTS,))

    def statements(sql: BatchDialect) -> list[str]:
        commune = sql.text("commune")
        return [f"""
            INSERT INTO requests_per_commune (commune, requests)
            SELECT CASE WHEN {commune} = '{FAILING_COMMUNE}' THEN NULL ELSE {commune} END, count(*)
            FROM {sql.staged} AS e WHERE e.event_type = 'RequestLogged'
            GROUP BY 1
            ON CONFLICT (commune) DO UPDATE SET requests = requests_per_commune.requests + excluded.requests
            """]

    projection.in_sql(RequestLogged, statements=statements)
    return projection


async def test_a_statement_failing_for_one_event_dead_letters_that_event_only(database_url: str) -> None:
    metadata = toy_metadata()
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        envelopes = [request_logged(commune, number=n)
                     for n, commune in enumerate(["87085", FAILING_COMMUNE, "87085", "87114"])]
        records = [InboundRecord("t." + REQUESTS, 0, offset, None, None) for offset in range(len(envelopes))]
        projection = counted_in_sql(metadata)
        result = await apply_decoded(engine, metadata, projection, records, list(zip(records, envelopes, strict=True)))
        assert result.applied == 3
        assert [letter.record.offset for letter in result.dead_letters] == [1]
        assert result.dead_letters[0].reason.startswith("failed in toy.sql-per-commune: ")
        assert "NOT" in result.dead_letters[0].reason.upper() and "NULL" in result.dead_letters[0].reason.upper()
        table, processed = metadata.tables["requests_per_commune"], metadata.tables["processed_events"]
        async with engine.connect() as conn:
            assert dict((await conn.execute(select(table.c.commune, table.c.requests))).all()) == {"87085": 2, "87114": 1}
            assert await conn.scalar(select(func.count()).select_from(processed)) == 3
        again = await apply_decoded(engine, metadata, projection, records, list(zip(records, envelopes, strict=True)))
        assert (again.applied, again.duplicates, len(again.dead_letters)) == (0, 3, 1)
    finally:
        await engine.dispose()


def test_sql_and_handlers_never_share_an_event_type() -> None:
    projection = counted_in_sql(toy_metadata())
    with pytest.raises(ValueError, match="already handles RequestLogged"):
        projection.handles(RequestLogged)(lambda conn, envelope: None)  # type: ignore[arg-type,return-value]


async def test_batches_without_sql_events_then_with_them_on_one_connection(database_url: str) -> None:
    """The temporary tables are created by the first batch that stages events, and kept for the connection's
    next batches only once that batch committed."""
    metadata = toy_metadata()
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        projection = counted_in_sql(metadata)
        cancelled = [request_cancelled(n) for n in range(3)]
        logged = [request_logged("87085", number=n) for n in range(3)]
        offset = 0
        for envelopes in (cancelled, [request_logged(FAILING_COMMUNE, number=9)], logged, logged[:1] + cancelled, logged):
            records = [InboundRecord("t." + REQUESTS, 0, offset + n, None, None) for n in range(len(envelopes))]
            offset += len(envelopes)
            await apply_decoded(engine, metadata, projection, records, list(zip(records, envelopes, strict=True)))
        table = metadata.tables["requests_per_commune"]
        async with engine.connect() as conn:
            assert dict((await conn.execute(select(table.c.commune, table.c.requests))).all()) == {"87085": 3}
    finally:
        await engine.dispose()
