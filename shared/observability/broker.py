"""FastStream's Kafka Prometheus middleware, made safe for records without a value.

FastStream measures a batch's size as ``bytearray().join(bodies)``: one tombstone (a record whose
value is ``None``) makes that raise before the handler runs, and the batch would be redelivered
forever instead of reaching the projection, which dead-letters it. The providers below count a
missing value as zero bytes; everything else is FastStream's (metric names ``faststream_*``:
received messages, sizes, handler latency ``faststream_received_processed_messages_duration_seconds``,
statuses and exceptions).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.kafka.prometheus.provider import (
    BatchKafkaMetricsSettingsProvider,
    KafkaMetricsSettingsProvider,
)
from faststream.prometheus import ConsumeAttrs, PrometheusMiddleware
from prometheus_client import CollectorRegistry


class _Record(KafkaMetricsSettingsProvider):
    __slots__ = ()

    def get_consume_attrs_from_message(self, msg: Any) -> ConsumeAttrs:
        return {"destination_name": msg.raw_message.topic, "message_size": _size(msg.body), "messages_count": 1}


class _Batch(BatchKafkaMetricsSettingsProvider):
    __slots__ = ()

    def get_consume_attrs_from_message(self, msg: Any) -> ConsumeAttrs:
        bodies = msg.body if isinstance(msg.body, Sequence) and not isinstance(msg.body, bytes | str) else [msg.body]
        return {
            "destination_name": msg.raw_message[0].topic,
            "message_size": sum(_size(body) for body in bodies),
            "messages_count": len(msg.raw_message),
        }


def settings_provider(msg: Any) -> _Record | _Batch:
    return _Batch() if isinstance(msg, Sequence) else _Record()


class KafkaMetricsMiddleware(KafkaPrometheusMiddleware):
    """``KafkaPrometheusMiddleware(registry=..., app_name=...)`` that tolerates tombstones."""

    def __init__(self, *, registry: CollectorRegistry, app_name: str) -> None:
        # typed as FastStream's own settings_provider_factory, which its middleware passes with the same ignore
        PrometheusMiddleware.__init__(self, settings_provider_factory=settings_provider,  # type: ignore[arg-type]
                                      registry=registry, app_name=app_name)


def _size(body: Any) -> int:
    return len(body) if isinstance(body, bytes | bytearray | str) else 0
