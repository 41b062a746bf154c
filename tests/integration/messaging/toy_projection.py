"""A toy projection for the runner tests: RequestLogged counted per commune.

Requests for commune ``00000`` are refused with :class:`RejectEvent` and those for ``99999`` fail
with an error no redelivery cures (each after writing a row, to show the row is rolled back). Also helpers to build, produce and read back events.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

import orjson
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from shared.contracts.codec import encode
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.intake import RequestCancelled, RequestLogged
from shared.contracts.topics import REQUESTS
from shared.contracts.types import Channel, Sealed
from shared.messaging.producer import create_producer
from shared.messaging.projection import Projection, RejectEvent
from shared.storage.tables import core_metadata

NAME = "toy.requests-per-commune"
REFUSED_COMMUNE = "00000"
FAILING_COMMUNE = "99999"


def toy_metadata() -> MetaData:
    metadata = core_metadata()
    Table(
        "requests_per_commune",
        metadata,
        Column("commune", String(10), primary_key=True),
        Column("requests", Integer, nullable=False),
    )
    return metadata


def requests_per_commune(metadata: MetaData, name: str = NAME) -> Projection:
    table = metadata.tables["requests_per_commune"]
    projection = Projection(name, topics=(REQUESTS,))

    @projection.handles(RequestLogged)
    async def count(conn: AsyncConnection, envelope: Envelope[RequestLogged]) -> None:
        insert = (postgresql if conn.dialect.name == "postgresql" else sqlite).insert(table)
        statement = insert.values(commune=envelope.payload.commune, requests=1)
        await conn.execute(
            statement.on_conflict_do_update(
                index_elements=[table.c.commune], set_={"requests": table.c.requests + 1}
            )
        )
        if envelope.payload.commune == REFUSED_COMMUNE:
            raise RejectEvent(f"commune {REFUSED_COMMUNE} is not served")
        if envelope.payload.commune == FAILING_COMMUNE:
            raise OverflowError("date value out of range")

    return projection


def request_logged(commune: str, *, number: int = 0, occurred_at: datetime | None = None) -> Envelope[Any]:
    request_id = f"req-{commune}-{number}"
    payload = RequestLogged(
        request_id=request_id,
        channel=Channel.PHONE,
        activity="gardening",
        commune=commune,
        resident_id=f"res-{number}",
        contact=Sealed(resident_id=f"res-{number}", nonce="bm9uY2U", ciphertext="c2VjcmV0"),
    )
    return new_envelope(payload, platform_id="limoges", aggregate_id=request_id, aggregate_version=1,
                        actor="operator:op-1", occurred_at=occurred_at)


def request_cancelled(number: int) -> Envelope[Any]:
    request_id = f"req-cancel-{number}"
    payload = RequestCancelled(request_id=request_id, reason="")
    return new_envelope(payload, platform_id="limoges", aggregate_id=request_id, aggregate_version=2,
                        actor="resident")


def expected_counts(envelopes: Iterable[Envelope[Any]]) -> dict[str, int]:
    communes = Counter(
        e.payload.commune for e in envelopes
        if e.event_type == "RequestLogged" and e.payload.commune != REFUSED_COMMUNE
    )
    return dict(communes)


async def read_counts(engine: AsyncEngine, metadata: MetaData) -> dict[str, int]:
    table = metadata.tables["requests_per_commune"]
    async with engine.connect() as conn:
        rows = await conn.execute(select(table.c.commune, table.c.requests))
        return {commune: requests for commune, requests in rows}


RawRecord = tuple[str, bytes | None, bytes | None, Sequence[tuple[str, bytes]]]


async def produce(bootstrap: str, records: Iterable[RawRecord]) -> None:
    """Send (topic, key, value, headers) records and wait for every acknowledgement."""
    producer = create_producer(bootstrap)
    await producer.start()
    try:
        deliveries = [
            await producer.send(topic, value=value, key=key, headers=list(headers))
            for topic, key, value, headers in records
        ]
        for delivery in deliveries:
            await delivery
    finally:
        await producer.stop()


def encoded(envelopes: Iterable[Envelope[Any]], topic_prefix: str) -> list[RawRecord]:
    out: list[RawRecord] = []
    for envelope in envelopes:
        record = encode(envelope, topic_prefix)
        out.append((record.topic, record.key, record.value, record.headers))
    return out


def malformed_records(count: int) -> list[tuple[bytes, bytes, list[tuple[str, bytes]], str]]:
    """(key, value, headers, expected part of the reason) of ``count`` bad records, of five kinds."""
    out = []
    for i in range(count):
        document = orjson.loads(encode(request_logged("87085", number=5000 + i)).value)
        kind = i % 5
        if kind == 0:
            value, reason = b"{not json at all", "not JSON"
        elif kind == 1:
            document["meta"]["event_type"] = "NoSuchEvent"
            value, reason = orjson.dumps(document), "unknown event type"
        elif kind == 2:
            document["meta"]["schema_version"] = 7
            value, reason = orjson.dumps(document), "newer"
        elif kind == 3:
            del document["payload"]["commune"]
            value, reason = orjson.dumps(document), "commune"
        else:
            value, reason = b"", "empty record"
        headers = [("content-type", b"application/json"), ("odd", b"\xff\xfe")]
        out.append((f"bad-{i}".encode(), value, headers, reason))
    return out
