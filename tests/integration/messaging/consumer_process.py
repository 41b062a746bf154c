"""The toy projection's subscriber as a process, for the kill tests.

    python -m tests.integration.messaging.consumer_process BOOTSTRAP DATABASE_URL TOPIC_PREFIX BATCH_SIZE

Runs until SIGTERM or SIGINT and prints one JSON line per batch applied. To simulate a crash:

- ``RELAIS_TEST_DIE_AFTER_DB_COMMIT=K``: ``os._exit(9)`` once batch K is committed to the database
  and its dead letters sent, before its Kafka offsets are committed;
- ``RELAIS_TEST_DIE_BEFORE_DB_COMMIT=K``: ``os._exit(9)`` after batch K's handlers ran, before the
  database commit.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys

from faststream.kafka import KafkaBroker

from shared.messaging.batches import BatchResult
from shared.messaging.deadletter import KafkaDeadLetterPublisher
from shared.messaging.producer import create_producer
from shared.messaging.runner import subscribe_projection
from shared.storage.engine import create_engine
from tests.integration.messaging.live import FAST_GROUP_JOIN
from tests.integration.messaging.toy_projection import requests_per_commune, toy_metadata

DIE_AFTER_DB_COMMIT = "RELAIS_TEST_DIE_AFTER_DB_COMMIT"
DIE_BEFORE_DB_COMMIT = "RELAIS_TEST_DIE_BEFORE_DB_COMMIT"
KILLED_EXIT_CODE = 9


def _batch_number(variable: str) -> int | None:
    value = os.environ.get(variable)
    return int(value) if value else None


async def main(bootstrap: str, database_url: str, topic_prefix: str, batch_size: int) -> None:
    die_after, die_before = _batch_number(DIE_AFTER_DB_COMMIT), _batch_number(DIE_BEFORE_DB_COMMIT)
    metadata = toy_metadata()
    engine = create_engine(database_url)
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)
    projection = requests_per_commune(metadata)
    attempts = 0
    applied = 0

    @projection.at_batch_end
    async def maybe_die_before_commit(conn) -> None:  # type: ignore[no-untyped-def]
        nonlocal attempts
        attempts += 1
        if attempts == die_before:
            os._exit(KILLED_EXIT_CODE)

    async def report(result: BatchResult) -> None:
        nonlocal applied
        applied += 1
        line = {"batch": applied, "processed": result.processed, "duplicates": result.duplicates}
        print(json.dumps(line), flush=True)
        if applied == die_after:
            os._exit(KILLED_EXIT_CODE)

    producer = create_producer(bootstrap)
    await producer.start()
    broker = KafkaBroker(bootstrap.split(","))
    subscribe_projection(broker, projection, engine, metadata, topic_prefix=topic_prefix, batch_size=batch_size,
                         dead_letters=KafkaDeadLetterPublisher(producer, topic_prefix), after_batch=report,
                         retry_delay=0.1, consumer_options=FAST_GROUP_JOIN)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        await broker.start()
        await stop.wait()
    finally:
        await broker.stop()
        await producer.stop()
        await engine.dispose()


if __name__ == "__main__":
    bootstrap_arg, url_arg, prefix_arg, size_arg = sys.argv[1:5]
    asyncio.run(main(bootstrap_arg, url_arg, prefix_arg, int(size_arg)))
