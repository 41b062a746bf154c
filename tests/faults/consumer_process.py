"""Intake's console and observatory projections as a process, for the kill -9 tests.

    python -m tests.faults.consumer_process BOOTSTRAP DATABASE_URL TOPIC_PREFIX BATCH_SIZE

The tables must exist. Prints one JSON line per batch applied; runs until SIGTERM or SIGINT.
"""

from __future__ import annotations

import asyncio
import json
import signal
import sys

from services.intake.adapters.tables import metadata as intake_metadata
from shared.messaging.batches import BatchResult
from shared.storage.engine import create_engine
from tests.faults.consumers import running
from tests.faults.projections import intake_projections


def report(consumer: str, result: BatchResult) -> None:
    line = {"processed": result.processed, "duplicates": result.duplicates, "consumer": consumer}
    print(json.dumps(line), flush=True)


async def main(bootstrap: str, database_url: str, topic_prefix: str, batch_size: int) -> None:
    metadata = intake_metadata()
    engine = create_engine(database_url)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    try:
        async with running(bootstrap, topic_prefix, engine, metadata, intake_projections(metadata),
                           batch_size=batch_size, on_batch=report):
            print(json.dumps({"started": True}), flush=True)
            await stop.wait()
    finally:
        await engine.dispose()


if __name__ == "__main__":
    bootstrap_arg, url_arg, prefix_arg, size_arg = sys.argv[1:5]
    asyncio.run(main(bootstrap_arg, url_arg, prefix_arg, int(size_arg)))
