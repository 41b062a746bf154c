"""The dead-letter topic: records a consumer could not decode or refused, with the reason.

A dead letter keeps the original value and key unchanged. Its headers are the ``dlq_*`` headers
below followed by the original headers. Dead letters are at-least-once: a batch redelivered after
a crash dead-letters its bad records again.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Protocol

from aiokafka import AIOKafkaProducer

from shared.contracts.topics import DEAD_LETTER, physical
from shared.messaging.decoding import DeadLetter

__all__ = [
    "DeadLetter",
    "DeadLetterPublisher",
    "KafkaDeadLetterPublisher",
    "dead_letter_headers",
    "dead_letter_info",
]

DLQ_REASON = "dlq_reason"
DLQ_CONSUMER = "dlq_consumer"
DLQ_TOPIC = "dlq_topic"
DLQ_PARTITION = "dlq_partition"
DLQ_OFFSET = "dlq_offset"
DLQ_AT = "dlq_at"
MAX_REASON_CHARS = 2000

Headers = list[tuple[str, bytes]]


class DeadLetterPublisher(Protocol):
    """Sends a batch's dead letters; returns only once every one is acknowledged, else raises."""

    async def publish(self, consumer: str, dead_letters: Sequence[DeadLetter]) -> None: ...


def dead_letter_headers(dead_letter: DeadLetter, consumer: str, at: datetime) -> Headers:
    """The ``dlq_*`` headers of ``dead_letter`` followed by the record's original headers."""
    record = dead_letter.record
    reason = dead_letter.reason[:MAX_REASON_CHARS]
    own = [
        (DLQ_REASON, reason.encode()),
        (DLQ_CONSUMER, consumer.encode()),
        (DLQ_TOPIC, record.topic.encode()),
        (DLQ_PARTITION, str(record.partition).encode()),
        (DLQ_OFFSET, str(record.offset).encode()),
        (DLQ_AT, at.isoformat().encode()),
    ]
    return own + list(record.headers)


def dead_letter_info(headers: Sequence[tuple[str, bytes]]) -> dict[str, str]:
    """The ``dlq_*`` headers of a dead-letter record, as text (first occurrence of each)."""
    info: dict[str, str] = {}
    for name, value in headers:
        if name.startswith("dlq_") and name not in info:
            info[name] = value.decode("utf-8", "replace")
    return info


class KafkaDeadLetterPublisher:
    """Produces dead letters to the (prefixed) dead-letter topic with a started producer.

    The producer should wait for all replicas (``shared.messaging.producer.create_producer``).
    """

    def __init__(self, producer: AIOKafkaProducer, topic_prefix: str = "") -> None:
        self._producer = producer
        self._topic = physical(DEAD_LETTER, topic_prefix)

    @property
    def topic(self) -> str:
        return self._topic

    async def publish(self, consumer: str, dead_letters: Sequence[DeadLetter]) -> None:
        if not dead_letters:
            return
        at = datetime.now(UTC)
        deliveries = [
            await self._producer.send(
                self._topic,
                value=dead.record.value,
                key=dead.record.key,
                headers=dead_letter_headers(dead, consumer, at),
            )
            for dead in dead_letters
        ]
        outcomes = await asyncio.gather(*deliveries, return_exceptions=True)
        failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
        if failures:
            raise failures[0]
