"""Listing and replaying the records of the dead-letter topic.

A dead letter keeps the original key, value and headers, with ``dlq_*`` headers in front saying
which consumer refused it, why, and where it came from (:mod:`shared.messaging.deadletter`).

Replay re-produces the original record (key, value, original headers, plus ``replay_of``) to its
original topic once its cause is fixed. Several consumers may have dead-lettered the same record:
it is sent once. What was replayed is remembered on the broker, in the topic
``<prefix>relais.deadletter.replayed`` (one record per original record, key
``topic:partition:offset``), so a second replay sends nothing again; consumers deduplicate by event
id anyway. The marker is written after the original is acknowledged: a crash in between replays that
record again, which consumers absorb. A record dead-lettered again after its replay is a new dead
letter (new coordinates), replayable in turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import orjson
from aiokafka import ConsumerRecord
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.errors import TopicAlreadyExistsError, for_code

from relais.ops.topic_reader import read_all
from shared.contracts.topics import DEAD_LETTER, physical
from shared.messaging.deadletter import (
    DLQ_AT,
    DLQ_CONSUMER,
    DLQ_OFFSET,
    DLQ_PARTITION,
    DLQ_REASON,
    DLQ_TOPIC,
    dead_letter_info,
)
from shared.messaging.producer import create_producer, grants_producer_ids

REPLAYED = "relais.deadletter.replayed"
REPLAY_OF = "replay_of"


@dataclass(frozen=True)
class DeadLetterRecord:
    """One record of the dead-letter topic, with its original record."""

    offset: int
    consumer: str
    reason: str
    topic: str
    partition: int
    original_offset: int
    dead_lettered_at: datetime | None
    key: bytes | None
    value: bytes | None
    headers: tuple[tuple[str, bytes], ...]
    replayed: bool = False

    @property
    def original(self) -> str:
        """``topic:partition:offset`` of the original record (the replay marker's key)."""
        return f"{self.topic}:{self.partition}:{self.original_offset}"

    def age(self, now: datetime | None = None) -> float | None:
        """Seconds since it was dead-lettered."""
        if self.dead_lettered_at is None:
            return None
        return ((now or datetime.now(UTC)) - self.dead_lettered_at).total_seconds()


@dataclass(frozen=True)
class ReplayOutcome:
    selected: int
    sent: int
    already_replayed: int


async def list_dead_letters(bootstrap: str, topic_prefix: str = "", *, consumer: str | None = None,
                            reason_contains: str | None = None, timeout: float = 30.0) -> list[DeadLetterRecord]:
    """The dead letters from offset 0, optionally of one consumer or whose reason contains some text."""
    replayed = await replayed_originals(bootstrap, topic_prefix, timeout=timeout)
    records = await read_all(bootstrap, physical(DEAD_LETTER, topic_prefix), timeout=timeout)
    letters = [_dead_letter(record, replayed) for record in records]
    return [
        letter for letter in letters
        if (consumer is None or letter.consumer == consumer)
        and (reason_contains is None or reason_contains.lower() in letter.reason.lower())
    ]


async def replayed_originals(bootstrap: str, topic_prefix: str = "", *, timeout: float = 30.0) -> set[str]:
    """Keys (``topic:partition:offset``) of the original records already replayed."""
    records = await read_all(bootstrap, physical(REPLAYED, topic_prefix), timeout=timeout)
    return {record.key.decode() for record in records if record.key}


async def replay_dead_letters(bootstrap: str, topic_prefix: str = "", *, consumer: str | None = None,
                              reason_contains: str | None = None, timeout: float = 30.0) -> ReplayOutcome:
    """Re-produce the selected dead letters' originals to their topics, each original once ever."""
    letters = await list_dead_letters(bootstrap, topic_prefix, consumer=consumer, reason_contains=reason_contains,
                                      timeout=timeout)
    pending: dict[str, DeadLetterRecord] = {}
    for letter in letters:
        if not letter.replayed:
            pending.setdefault(letter.original, letter)
    already = len({letter.original for letter in letters if letter.replayed})
    if pending:
        await _ensure_replayed_topic(bootstrap, topic_prefix)
        await _send(bootstrap, physical(REPLAYED, topic_prefix), list(pending.values()))
    return ReplayOutcome(selected=len(letters), sent=len(pending), already_replayed=already)


async def _send(bootstrap: str, replayed_topic: str, letters: Sequence[DeadLetterRecord]) -> None:
    producer = create_producer(bootstrap, client_id="relais-dead-letters", idempotent=await grants_producer_ids(bootstrap))
    try:
        await producer.start()
        originals = [
            await producer.send(letter.topic, key=letter.key, value=letter.value,
                                headers=[*_without_replay_of(letter.headers), (REPLAY_OF, letter.original.encode())])
            for letter in letters
        ]
        for delivery in originals:
            await delivery
        now = datetime.now(UTC).isoformat()
        markers = [
            await producer.send(replayed_topic, key=letter.original.encode(), value=orjson.dumps(
                {"dead_letter_offset": letter.offset, "consumer": letter.consumer, "replayed_at": now}))
            for letter in letters
        ]
        for delivery in markers:
            await delivery
    finally:
        await producer.stop()


async def _ensure_replayed_topic(bootstrap: str, topic_prefix: str) -> None:
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        await admin.start()
        response = await admin.create_topics([NewTopic(physical(REPLAYED, topic_prefix), 1, 1)])
    finally:
        await admin.close()
    for name, code, *details in response.topic_errors:
        if code not in (0, TopicAlreadyExistsError.errno):
            raise for_code(code)(f"cannot create topic {name}: {details[0] if details else ''}")


def _without_replay_of(headers: Sequence[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    return [(name, value) for name, value in headers if name != REPLAY_OF]


def _dead_letter(record: ConsumerRecord, replayed: set[str]) -> DeadLetterRecord:
    info = dead_letter_info(record.headers)
    at = info.get(DLQ_AT)
    letter = DeadLetterRecord(
        offset=record.offset,
        consumer=info.get(DLQ_CONSUMER, "?"),
        reason=info.get(DLQ_REASON, ""),
        topic=info.get(DLQ_TOPIC, ""),
        partition=int(info.get(DLQ_PARTITION, "-1")),
        original_offset=int(info.get(DLQ_OFFSET, "-1")),
        dead_lettered_at=datetime.fromisoformat(at) if at else None,
        key=record.key,
        value=record.value,
        headers=tuple((name, value) for name, value in record.headers if not name.startswith("dlq_")),
    )
    return replace(letter, replayed=letter.original in replayed)
