"""The feedback service running in-process for the integration tests: its app, its client, and what it published."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from services.feedback.bootstrap import Feedback
from shared.contracts.codec import decode, encode
from shared.contracts.envelope import Envelope
from shared.contracts.topics import FEEDBACK, physical
from shared.messaging.producer import create_producer

TIMEOUT = 30.0


@dataclass
class Running:
    """The feedback app serving in-process, its HTTP client, tokens by role, and the broker it uses."""

    feedback: Feedback
    http: httpx.AsyncClient
    headers: dict[str, dict[str, str]]
    bootstrap: str
    prefix: str

    def auth(self, role: str) -> dict[str, str]:
        return self.headers[role]

    async def publish(self, *envelopes: Envelope[Any]) -> None:
        producer = create_producer(self.bootstrap, client_id="test-matching")
        await producer.start()
        try:
            for envelope in envelopes:
                record = encode(envelope, self.prefix)
                await producer.send_and_wait(record.topic, record.value, key=record.key, headers=list(record.headers))
        finally:
            await producer.stop()


async def published_feedback(running: Running, count: int) -> list[Envelope[Any]]:
    """The first ``count`` events the service published on its feedback topic."""
    consumer = AIOKafkaConsumer(physical(FEEDBACK, running.prefix), bootstrap_servers=running.bootstrap,
                                group_id=None, auto_offset_reset="earliest", enable_auto_commit=False)
    await consumer.start()
    found: list[Envelope[Any]] = []
    try:
        async with asyncio.timeout(TIMEOUT):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=500)
                found += [decode(record.value) for records in batches.values() for record in records]
    finally:
        await consumer.stop()
    return found
