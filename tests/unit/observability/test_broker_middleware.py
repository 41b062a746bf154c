"""FastStream's Kafka metrics middleware, with records that have no value (tombstones)."""

from __future__ import annotations

from types import SimpleNamespace

from aiokafka import ConsumerRecord
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from prometheus_client import CollectorRegistry

from shared.observability import KafkaMetricsMiddleware
from shared.observability.broker import settings_provider


def record(value: bytes | None, offset: int = 0) -> ConsumerRecord:
    return ConsumerRecord("relais.requests", 1, offset, 0, 0, b"k", value, None, 1, len(value or b""), [])


def test_it_is_the_kafka_prometheus_middleware() -> None:
    assert isinstance(KafkaMetricsMiddleware(registry=CollectorRegistry(), app_name="intake"), KafkaPrometheusMiddleware)


def test_a_batch_with_a_tombstone_is_measured_not_refused() -> None:
    batch = (record(b"abc"), record(None, 1), record(b"de", 2))
    message = SimpleNamespace(raw_message=batch, body=[r.value for r in batch])
    attributes = settings_provider(batch).get_consume_attrs_from_message(message)
    assert attributes == {"destination_name": "relais.requests", "message_size": 5, "messages_count": 3}


def test_a_single_tombstone_is_zero_bytes() -> None:
    single = record(None)
    message = SimpleNamespace(raw_message=single, body=None)
    attributes = settings_provider(single).get_consume_attrs_from_message(message)
    assert attributes == {"destination_name": "relais.requests", "message_size": 0, "messages_count": 1}
