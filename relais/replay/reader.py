"""Read whole topics from offset 0 to their high watermarks, merged in record-timestamp order.

Partitions are consumed independently by Kafka, but a projection reading several topics needs a
request's ``RequestLogged`` (topic ``requests``) before its ``ProviderAssigned`` (topic
``matching``), as the live consumers saw them. Like Kafka Streams, :class:`HistoryReader` emits
the record with the smallest timestamp among the heads of all partitions (ties: topic, partition,
offset), and only while every partition not yet read to its end has a record buffered. A
partition whose buffer is full is paused, so memory stays bounded. The end is the high
watermark from fetch responses (``end_offsets`` is wrong on Tansu).

It is the one reader of "everything up to the high watermarks": with ``ordered=False`` it hands the
records over as they arrive (each partition in offset order), for readers that want every record
but not the time order (:func:`relais.ops.topic_reader.read_all`, the replay benchmark's raw read).
"""

from __future__ import annotations

import asyncio
import heapq
from collections import deque
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from types import TracebackType
from typing import Any, Self

from aiokafka import AIOKafkaConsumer, TopicPartition

from shared.messaging.admin import partitions_of

FETCH_TIMEOUT_MS = 200
PARTITION_BUFFER = 1000
FETCH_BYTES = 1024 * 1024
"""A rebuild's bounds: ~1,000 records buffered and at most 1 MB fetched per partition (a 1M-event
rebuild stays under 300 MB per process); the benchmark's raw read passes larger ones (4,000 and 4 MB)."""


class HistoryReader:
    """Async context manager; :meth:`batches` yields lists of aiokafka ``ConsumerRecord`` s in time order.

    ``only`` limits topics to some of their partitions (a topic it does not name is read whole).
    ``partition_buffer`` records at most are buffered per partition, ``fetch_bytes`` fetched at a time.
    """

    def __init__(self, bootstrap: str, topics: Sequence[str], *, batch_size: int = 5000,
                 stall_timeout: float = 60.0, ordered: bool = True,
                 only: Mapping[str, Collection[int]] | None = None, partition_buffer: int = PARTITION_BUFFER,
                 fetch_bytes: int = FETCH_BYTES) -> None:
        self.bootstrap = bootstrap
        self.topics = list(dict.fromkeys(topics))
        self.only = only or {}
        self.partition_buffer, self.fetch_bytes = partition_buffer, fetch_bytes
        self.batch_size = batch_size
        self.stall_timeout = stall_timeout
        self.ordered = ordered
        self.partitions: list[TopicPartition] = []
        self._consumer: AIOKafkaConsumer | None = None
        self._buffers: dict[TopicPartition, deque[Any]] = {}
        self._paused: set[TopicPartition] = set()

    async def __aenter__(self) -> Self:
        consumer = AIOKafkaConsumer(bootstrap_servers=self.bootstrap, group_id=None, enable_auto_commit=False,
                                    auto_offset_reset="earliest", max_partition_fetch_bytes=self.fetch_bytes,
                                    fetch_max_bytes=8 * self.fetch_bytes)
        try:
            await consumer.start()
            self.partitions.extend(partition for partition in await partitions_of(self.bootstrap, self.topics)
                                   if partition.topic not in self.only or partition.partition in self.only[partition.topic])
            if self.partitions:
                consumer.assign(self.partitions)
                await consumer.seek_to_beginning(*self.partitions)
        except BaseException:
            await consumer.stop()
            raise
        self._consumer = consumer
        self._buffers = {partition: deque() for partition in self.partitions}
        return self

    async def __aexit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                        traceback: TracebackType | None) -> None:
        if self._consumer is not None:
            await self._consumer.stop()
            self._consumer = None

    @property
    def consumer(self) -> AIOKafkaConsumer:
        if self._consumer is None:
            raise RuntimeError("the reader is not open: use 'async with'")
        return self._consumer

    def total_estimate(self) -> int:
        """Sum of the high watermarks known so far (records from offset 0)."""
        return sum(self.consumer.highwater(partition) or 0 for partition in self.partitions)

    async def batches(self) -> AsyncIterator[list[Any]]:
        """Every record up to the high watermarks, in lists of ``batch_size`` (the last may be shorter)."""
        loop = asyncio.get_running_loop()
        last_progress = loop.time()
        batch: list[Any] = []
        while True:
            open_partitions = [p for p in self.partitions if not await self._exhausted(p)]
            if not open_partitions and not any(self._buffers.values()):
                if batch:
                    yield batch
                return
            taken = self._merge(open_partitions, batch) if self.ordered else self._drain(batch)
            if len(batch) >= self.batch_size:
                yield batch
                batch = []
                continue
            if taken:
                continue
            self._balance()
            fetched = await self.consumer.getmany(timeout_ms=FETCH_TIMEOUT_MS, max_records=self.batch_size)
            for partition, records in fetched.items():
                self._buffers[partition].extend(records)
            if fetched:
                last_progress = loop.time()
            elif loop.time() - last_progress > self.stall_timeout:
                raise TimeoutError(f"reading {', '.join(self.topics)} stalled: nothing fetched for {self.stall_timeout}s")

    async def _exhausted(self, partition: TopicPartition) -> bool:
        highwater = self.consumer.highwater(partition)
        return highwater is not None and await self.consumer.position(partition) >= highwater

    def _merge(self, open_partitions: list[TopicPartition], batch: list[Any]) -> int:
        """Append records to ``batch`` in timestamp order while no open partition's buffer is empty."""
        if any(not self._buffers[p] for p in open_partitions):
            return 0
        open_set = set(open_partitions)
        heads = [(buffer[0].timestamp, index, partition) for index, (partition, buffer) in
                 enumerate(self._buffers.items()) if buffer]
        heapq.heapify(heads)
        taken = 0
        while heads and len(batch) < self.batch_size:
            _, index, partition = heapq.heappop(heads)
            buffer = self._buffers[partition]
            batch.append(buffer.popleft())
            taken += 1
            if buffer:
                heapq.heappush(heads, (buffer[0].timestamp, index, partition))
            elif partition in open_set:
                break
        return taken

    def _drain(self, batch: list[Any]) -> int:
        taken = 0
        for buffer in self._buffers.values():
            while buffer and len(batch) < self.batch_size:
                batch.append(buffer.popleft())
                taken += 1
        return taken

    def _balance(self) -> None:
        """Pause partitions with a full buffer, resume the others."""
        full = {p for p, buffer in self._buffers.items() if len(buffer) >= self.partition_buffer}
        if full - self._paused:
            self.consumer.pause(*(full - self._paused))
        if self._paused - full:
            self.consumer.resume(*(self._paused - full))
        self._paused = full
