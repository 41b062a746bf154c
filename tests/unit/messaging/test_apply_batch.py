"""apply_batch on a SQLite file: one transaction per batch, dedupe by event id, dead letters."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from shared.contracts.codec import encode
from shared.contracts.envelope import Envelope
from shared.contracts.events.intake import RequestLogged
from shared.contracts.topics import BILLING, REQUESTS
from shared.messaging.batches import apply_batch, apply_decoded
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord, Projection
from shared.messaging.tracking import load_checkpoints
from shared.storage.engine import create_engine
from shared.storage.upsert import increment
from tests.integration.messaging.toy_projection import (
    NAME,
    REFUSED_COMMUNE,
    request_cancelled,
    request_logged,
    requests_per_commune,
    toy_metadata,
)

TOPIC = "t." + REQUESTS


@pytest.fixture
async def store(tmp_path):  # type: ignore[no-untyped-def]
    metadata = toy_metadata()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'unit.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    yield engine, metadata
    await engine.dispose()


def records(envelopes: list[Envelope[Any]], *, start: int = 0, partition: int = 0) -> list[InboundRecord]:
    out = []
    for offset, envelope in enumerate(envelopes, start=start):
        encoded = encode(envelope)
        out.append(InboundRecord(TOPIC, partition, offset, encoded.key, encoded.value, encoded.headers))
    return out


async def counts(engine, metadata) -> dict[str, int]:  # type: ignore[no-untyped-def]
    table = metadata.tables["requests_per_commune"]
    async with engine.connect() as conn:
        return dict((await conn.execute(select(table.c.commune, table.c.requests))).all())


async def processed(engine, metadata) -> int:  # type: ignore[no-untyped-def]
    table = metadata.tables["processed_events"]
    async with engine.connect() as conn:
        return (await conn.execute(select(func.count()).select_from(table))).scalar_one()


async def test_applies_events_and_saves_highest_offset_per_partition(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    projection = requests_per_commune(metadata)
    batch = records([request_logged("87085", number=i) for i in range(3)]) + records(
        [request_logged("87154")], start=7, partition=2
    )

    result = await apply_batch(engine, metadata, projection, batch)

    assert (result.applied, result.duplicates, result.dead_letters) == (4, 0, ())
    assert await counts(engine, metadata) == {"87085": 3, "87154": 1}
    assert await load_checkpoints(engine, metadata, NAME) == {(TOPIC, 0): 2, (TOPIC, 2): 7}


async def test_redelivered_events_are_skipped_by_event_id_not_offset(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    projection = requests_per_commune(metadata)
    events = [request_logged("87085", number=i) for i in range(5)]
    await apply_batch(engine, metadata, projection, records(events, start=100))

    again = await apply_batch(engine, metadata, projection, records(events + events[:2], start=0))

    assert (again.applied, again.duplicates) == (0, 7)
    assert await counts(engine, metadata) == {"87085": 5}
    assert await processed(engine, metadata) == 5
    assert await load_checkpoints(engine, metadata, NAME) == {(TOPIC, 0): 6}


async def test_duplicates_within_one_batch_are_applied_once(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    event = request_logged("87085")

    result = await apply_batch(engine, metadata, requests_per_commune(metadata), records([event, event, event]))

    assert (result.applied, result.duplicates) == (1, 2)
    assert await counts(engine, metadata) == {"87085": 1}


async def test_undecodable_records_become_dead_letters_and_the_rest_is_applied(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    good = request_logged("87085")
    document = orjson.loads(encode(good).value)
    future = {**document, "meta": {**document["meta"], "schema_version": 99}}
    missing = {**document, "payload": {k: v for k, v in document["payload"].items() if k != "commune"}}
    unknown = {**document, "meta": {**document["meta"], "event_type": "SomethingElse"}}
    bad_values = [b"{not json", b"", orjson.dumps(future), orjson.dumps(missing), orjson.dumps(unknown)]
    batch = [InboundRecord(TOPIC, 0, offset, b"k", value, [("h", b"\xff")]) for offset, value in enumerate(bad_values)]
    batch += records([good], start=len(bad_values))

    result = await apply_batch(engine, metadata, requests_per_commune(metadata), batch)

    assert result.applied == 1
    assert [dead.record.offset for dead in result.dead_letters] == [0, 1, 2, 3, 4]
    reasons = [dead.reason for dead in result.dead_letters]
    assert reasons[0].startswith("not JSON") and reasons[1] == "empty record"
    assert "newer" in reasons[2] and "commune" in reasons[3] and "unknown event type" in reasons[4]
    assert await counts(engine, metadata) == {"87085": 1}
    assert await load_checkpoints(engine, metadata, NAME) == {(TOPIC, 0): 5}


async def test_rejected_event_rows_are_rolled_back_and_it_stays_unprocessed(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    refused = request_logged(REFUSED_COMMUNE)
    batch = records([request_logged("87085"), refused, request_logged("87085", number=1)])

    result = await apply_batch(engine, metadata, requests_per_commune(metadata), batch)

    assert result.applied == 2
    assert [(dead.record.offset, dead.reason) for dead in result.dead_letters] == [
        (1, f"rejected by {NAME}: commune {REFUSED_COMMUNE} is not served")
    ]
    assert await counts(engine, metadata) == {"87085": 2}
    again = await apply_batch(engine, metadata, requests_per_commune(metadata), records([refused]))
    assert len(again.dead_letters) == 1


def failing_on_third(projection: Projection, error: Exception) -> None:
    count = projection.handlers["RequestLogged"]

    async def fail_on_third(conn, envelope) -> None:  # type: ignore[no-untyped-def]
        await count(conn, envelope)
        if envelope.payload.request_id.endswith("-2"):
            raise error

    projection.handlers["RequestLogged"] = fail_on_third


async def test_a_transient_failure_rolls_the_whole_batch_back(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    projection = requests_per_commune(metadata)
    failing_on_third(projection, OperationalError("UPDATE", {}, sqlite3.OperationalError("database is locked")))

    with pytest.raises(OperationalError, match="database is locked"):
        await apply_batch(engine, metadata, projection, records([request_logged("87085", number=i) for i in range(4)]))

    assert await counts(engine, metadata) == {}
    assert await processed(engine, metadata) == 0
    assert await load_checkpoints(engine, metadata, NAME) == {}


async def test_an_event_that_fails_for_good_is_dead_lettered_and_the_batch_goes_on(store, caplog) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    projection = requests_per_commune(metadata)
    failing_on_third(projection, OverflowError("date value out of range"))
    batch = records([request_logged("87085", number=i) for i in range(4)])

    result = await apply_batch(engine, metadata, projection, batch)

    assert result.applied == 3
    assert [(dead.record.offset, dead.reason) for dead in result.dead_letters] == [
        (2, f"failed in {NAME}: OverflowError: date value out of range")
    ]
    assert await counts(engine, metadata) == {"87085": 3}
    assert await processed(engine, metadata) == 3
    assert await load_checkpoints(engine, metadata, NAME) == {(TOPIC, 0): 3}
    assert "OverflowError" in caplog.text and "Traceback" in caplog.text


def upserting_counts(metadata) -> Projection:  # type: ignore[no-untyped-def]
    """Writes through the deferring helpers; commune 00001 breaks a NOT NULL constraint."""
    projection = Projection("toy.upserts", topics=(REQUESTS,))
    table = metadata.tables["requests_per_commune"]

    @projection.handles(RequestLogged)
    async def count(conn, envelope) -> None:  # type: ignore[no-untyped-def]
        commune = envelope.payload.commune
        await increment(conn, table, {"commune": commune}, {"requests": None if commune == "00001" else 1})

    return projection


async def test_a_deferred_write_that_fails_for_good_dead_letters_only_its_event(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    batch = records([request_logged("87085"), request_logged("00001"), request_logged("87085", number=1)])

    result = await apply_batch(engine, metadata, upserting_counts(metadata), batch)

    assert result.applied == 2
    assert [dead.record.offset for dead in result.dead_letters] == [1]
    assert "IntegrityError" in result.dead_letters[0].reason and "NOT NULL" in result.dead_letters[0].reason
    assert await counts(engine, metadata) == {"87085": 2}
    assert await processed(engine, metadata) == 2


async def test_unhandled_types_are_marked_processed_and_excluded_ones_are_not(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    late = request_logged("87154", occurred_at=datetime(2031, 1, 1, tzinfo=UTC))
    batch = records([request_cancelled(1), request_logged("87085"), late])
    cutoff = datetime(2030, 1, 1, tzinfo=UTC)

    result = await apply_batch(engine, metadata, requests_per_commune(metadata), batch,
                               include=lambda envelope: envelope.meta.occurred_at <= cutoff)

    assert (result.applied, result.ignored, result.excluded, result.processed) == (1, 1, 1, 2)
    assert await processed(engine, metadata) == 2
    assert await counts(engine, metadata) == {"87085": 1}


async def test_a_rebuild_may_leave_unhandled_types_unmarked(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    batch = records([request_cancelled(1), request_logged("87085")])
    decoded, dead = decode_records(batch)

    result = await apply_decoded(engine, metadata, requests_per_commune(metadata), batch, decoded, dead,
                                 mark_ignored=False)

    assert (result.applied, result.ignored, result.processed) == (1, 1, 2)
    assert await processed(engine, metadata) == 1
    assert await load_checkpoints(engine, metadata, NAME) == {(TOPIC, 0): 1}


async def test_unknown_platforms_are_dead_letters(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    result = await apply_batch(engine, metadata, requests_per_commune(metadata), records([request_logged("87085")]),
                               platforms={"namur"})
    assert [dead.reason for dead in result.dead_letters] == ["unknown platform 'limoges'"]


async def test_on_batch_end_runs_inside_the_transaction(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    projection = requests_per_commune(metadata)
    seen: list[dict[str, int]] = []

    @projection.at_batch_end
    async def snapshot(conn) -> None:  # type: ignore[no-untyped-def]
        table = metadata.tables["requests_per_commune"]
        seen.append(dict((await conn.execute(select(table.c.commune, table.c.requests))).all()))

    await apply_batch(engine, metadata, projection, records([request_logged("87085")]))
    assert seen == [{"87085": 1}]


async def test_empty_batch_does_nothing(store) -> None:  # type: ignore[no-untyped-def]
    engine, metadata = store
    assert (await apply_batch(engine, metadata, requests_per_commune(metadata), [])).processed == 0


def test_handlers_must_belong_to_the_projection_topics_and_be_unique() -> None:
    projection = Projection("p", topics=(BILLING,))

    with pytest.raises(ValueError, match="published on"):
        projection.handles(RequestLogged)(lambda conn, envelope: None)  # type: ignore[arg-type,return-value]

    requests = Projection("q", topics=(REQUESTS,))
    requests.handles(RequestLogged)(lambda conn, envelope: None)  # type: ignore[arg-type,return-value]
    with pytest.raises(ValueError, match="already handles"):
        requests.handles(RequestLogged)(lambda conn, envelope: None)  # type: ignore[arg-type,return-value]
