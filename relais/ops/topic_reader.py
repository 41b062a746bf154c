"""Read a whole topic from offset 0 to its high watermark, or only its high watermarks (nothing committed)."""

from __future__ import annotations

import asyncio

from aiokafka import AIOKafkaConsumer, ConsumerRecord

from relais.replay.reader import HistoryReader
from shared.messaging.admin import partitions_of

FETCH_TIMEOUT_MS = 300


async def read_all(bootstrap: str, topic: str, *, timeout: float = 30.0) -> list[ConsumerRecord]:
    """Every record of ``topic`` (all partitions, by partition then offset) up to its high watermark.

    Read by :class:`~relais.replay.reader.HistoryReader`, the one reader of a history up to its high
    watermarks. A missing topic reads as empty. Raises ``TimeoutError`` when the end is not reached
    within ``timeout`` seconds.
    """
    records: list[ConsumerRecord] = []
    async with asyncio.timeout(timeout), HistoryReader(bootstrap, [topic], ordered=False,
                                                       stall_timeout=timeout) as reader:
        async for batch in reader.batches():
            records.extend(batch)
    return sorted(records, key=lambda record: (record.partition, record.offset))


async def high_watermarks(bootstrap: str, topic: str, *, timeout: float = 30.0) -> dict[int, int]:
    """The high watermark of each partition of ``topic``, from a fetch response."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest", max_partition_fetch_bytes=1024)
    try:
        await consumer.start()
        partitions = await partitions_of(bootstrap, [topic])
        consumer.assign(partitions)
        await consumer.seek_to_beginning(*partitions)
        async with asyncio.timeout(timeout):
            while any(consumer.highwater(partition) is None for partition in partitions):
                await consumer.getmany(*partitions, timeout_ms=FETCH_TIMEOUT_MS, max_records=1)
        return {partition.partition: int(consumer.highwater(partition) or 0) for partition in partitions}
    finally:
        await consumer.stop()

