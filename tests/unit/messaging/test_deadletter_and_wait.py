"""Dead-letter headers, the Kafka dead-letter publisher (fake producer) and wait_for."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

import pytest

from shared.contracts.codec import encode
from shared.messaging.batches import apply_batch
from shared.messaging.deadletter import KafkaDeadLetterPublisher, dead_letter_headers, dead_letter_info
from shared.messaging.decoding import DeadLetter
from shared.messaging.projection import InboundRecord
from shared.messaging.runner import wait_for
from shared.storage.engine import create_engine
from tests.integration.messaging.toy_projection import NAME, request_logged, requests_per_commune, toy_metadata

BAD = DeadLetter(InboundRecord("p.relais.requests", 2, 41, b"req-1", b"{oops", [("event_type", b"RequestLogged")]),
                 "not JSON: unexpected character")


class FakeProducer:
    def __init__(self, fail: bool = False) -> None:
        self.sent: list[tuple[str, bytes | None, bytes | None, list[tuple[str, bytes]]]] = []
        self.fail = fail

    async def send(self, topic, value=None, key=None, headers=None):  # type: ignore[no-untyped-def]
        self.sent.append((topic, key, value, headers))
        delivery: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.fail:
            delivery.set_exception(ConnectionError("broker gone"))
        else:
            delivery.set_result(None)
        return delivery


def test_headers_carry_the_reason_and_origin_then_the_original_headers() -> None:
    at = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)
    headers = dead_letter_headers(BAD, "intake.requests", at)

    assert dead_letter_info(headers) == {
        "dlq_reason": "not JSON: unexpected character",
        "dlq_consumer": "intake.requests",
        "dlq_topic": "p.relais.requests",
        "dlq_partition": "2",
        "dlq_offset": "41",
        "dlq_at": "2025-03-01T12:00:00+00:00",
    }
    assert headers[-1] == ("event_type", b"RequestLogged")


async def test_publisher_sends_original_key_and_value_to_the_prefixed_topic() -> None:
    producer = FakeProducer()
    await KafkaDeadLetterPublisher(producer, "p.").publish("c", [BAD])  # type: ignore[arg-type]

    [(topic, key, value, headers)] = producer.sent
    assert (topic, key, value) == ("p.relais.deadletter", b"req-1", b"{oops")
    assert dead_letter_info(headers)["dlq_consumer"] == "c"


async def test_publisher_raises_when_a_delivery_fails() -> None:
    with pytest.raises(ConnectionError):
        await KafkaDeadLetterPublisher(FakeProducer(fail=True)).publish("c", [BAD, BAD])  # type: ignore[arg-type]


async def test_wait_for_returns_once_processed_and_times_out_otherwise(tmp_path) -> None:  # type: ignore[no-untyped-def]
    metadata = toy_metadata()
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'wait.db'}")
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    event = request_logged("87085")
    record = encode(event)
    try:
        waiting = asyncio.create_task(wait_for(engine, NAME, event_ids=[event.event_id], timeout=5))
        await apply_batch(engine, metadata, requests_per_commune(metadata),
                          [InboundRecord("t", 0, 0, record.key, record.value, record.headers)])
        await waiting
        await wait_for(engine, NAME, count=1, timeout=1)
        with pytest.raises(TimeoutError, match="1/2 events"):
            await wait_for(engine, NAME, count=2, timeout=0.2)
        with pytest.raises(ValueError):
            await wait_for(engine, NAME)
    finally:
        await engine.dispose()
