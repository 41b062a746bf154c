"""HistoryReader: every record up to the high watermarks, merged across partitions in timestamp order."""

from __future__ import annotations

import random

import pytest
from aiokafka import AIOKafkaProducer

from relais.replay import reader as reader_module
from relais.replay.reader import HistoryReader
from shared.contracts.topics import MATCHING, REQUESTS, physical
from shared.messaging.admin import ensure_topics

pytestmark = pytest.mark.integration


async def produce(bootstrap: str, prefix: str, count: int) -> None:
    rng = random.Random(5)
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks="all")
    await producer.start()
    try:
        for number in range(count):
            topic = physical(rng.choice((REQUESTS, MATCHING)), prefix)
            await producer.send(topic, f"{number}".encode(), key=f"k{rng.randint(0, 50)}".encode(),
                                timestamp_ms=1_700_000_000_000 + number * 1000, partition=rng.randint(0, 2))
        await producer.flush()
    finally:
        await producer.stop()


@pytest.mark.parametrize("buffer", [10_000, 7])
async def test_records_come_out_in_time_order_across_topics_and_partitions(
        kafka_bootstrap: str, topic_prefix: str, monkeypatch: pytest.MonkeyPatch, buffer: int) -> None:
    monkeypatch.setattr(reader_module, "PARTITION_BUFFER", buffer)
    await ensure_topics(kafka_bootstrap, topic_prefix)
    await produce(kafka_bootstrap, topic_prefix, 600)
    topics = [physical(REQUESTS, topic_prefix), physical(MATCHING, topic_prefix), physical("relais.billing", topic_prefix)]

    seen = []
    async with HistoryReader(kafka_bootstrap, topics, batch_size=64) as history:
        async for batch in history.batches():
            assert 0 < len(batch) <= 64
            seen.extend(int(record.value) for record in batch)
        assert history.total_estimate() == 600

    assert seen == list(range(600))


async def test_missing_topics_and_empty_partitions_end_at_once(kafka_bootstrap: str, topic_prefix: str) -> None:
    await ensure_topics(kafka_bootstrap, topic_prefix)

    async with HistoryReader(kafka_bootstrap, [physical(REQUESTS, topic_prefix), "no-such-topic"]) as history:
        batches = [batch async for batch in history.batches()]

    assert batches == []
