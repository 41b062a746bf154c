"""Write records straight to the broker, fast: one record batch per partition, many batches in flight."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from aiokafka import AIOKafkaProducer
from aiokafka.partitioner import murmur2

from bench.records import Record
from shared.contracts.topics import TOPICS, physical

BATCH_BYTES = 1024 * 1024
IN_FLIGHT = 32


def partition_of(key: bytes, partitions: int) -> int:
    """The partition Kafka's default partitioner picks for ``key``."""
    return (murmur2(key) & 0x7FFFFFFF) % partitions


async def produce_history(bootstrap: str, topic_prefix: str, records: Iterable[Record]) -> int:
    """Send ``records`` to their topics (partitioned by key, record timestamps = occurrence times)."""
    partitions = {spec.name: spec.partitions for spec in TOPICS}
    producer = AIOKafkaProducer(bootstrap_servers=bootstrap, acks=1, max_batch_size=BATCH_BYTES,
                                max_request_size=2 * BATCH_BYTES, linger_ms=0)
    await producer.start()
    builders: dict[tuple[str, int], object] = {}
    in_flight: set[asyncio.Future[object]] = set()
    sent = 0

    async def flush(target: tuple[str, int]) -> None:
        batch = builders.pop(target)
        in_flight.add(await producer.send_batch(batch, target[0], partition=target[1]))
        if len(in_flight) >= IN_FLIGHT:
            done, pending = await asyncio.wait(in_flight, return_when=asyncio.FIRST_COMPLETED)
            for future in done:
                future.result()
            in_flight.intersection_update(pending)

    try:
        for record in records:
            target = (physical(record.topic, topic_prefix), partition_of(record.key, partitions[record.topic]))
            while True:
                batch = builders.get(target)
                if batch is None:
                    batch = builders[target] = producer.create_batch()
                if batch.append(timestamp=record.timestamp_ms, key=record.key, value=record.value,  # type: ignore[attr-defined]
                                headers=record.headers) is not None:
                    break
                await flush(target)
            sent += 1
        for target in list(builders):
            await flush(target)
        for future in asyncio.as_completed(in_flight):
            await future
    finally:
        await producer.stop()
    return sent
