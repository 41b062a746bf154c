"""Kill -9 a projection consumer at random points of a stream of events; after the last restart every
intake projection table equals a clean rebuild from offset 0 (same rows, same checksum)."""

from __future__ import annotations

import asyncio
import json
import random
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import ClassVar

import pytest

from shared.messaging.tracking import processed_count, wait_for
from tests.faults.intake_events import RawRecord, event_stream, produce, records_of
from tests.faults.projections import CONSUMERS, create_tables, lost_and_doubled, rebuilt_checksums, table_checksums

pytestmark = [pytest.mark.faults, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
BATCH_SIZE = 15
SEED = 20250106


class ConsumerProcess:
    """``tests.faults.consumer_process`` as a child process; its stdout reports read as they come."""

    running: ClassVar[set[ConsumerProcess]] = set()
    """Started and not yet ended: killed at the end of a failed test."""

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self.process = process
        ConsumerProcess.running.add(self)
        self.reports: list[dict[str, int | str]] = []
        self.started = asyncio.Event()
        self.batch_applied = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, bootstrap: str, database_url: str, prefix: str, log: Path) -> ConsumerProcess:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "tests.faults.consumer_process", bootstrap, database_url, prefix, str(BATCH_SIZE),
            cwd=REPO, stdout=asyncio.subprocess.PIPE, stderr=log.open("ab"))
        return cls(process)

    async def _read(self) -> None:
        assert self.process.stdout is not None
        async for line in self.process.stdout:
            if line.startswith(b'{"started"'):
                self.started.set()
            elif line.startswith(b'{"processed"'):
                self.reports.append(json.loads(line))
                if {report["consumer"] for report in self.reports} == set(CONSUMERS):
                    self.batch_applied.set()

    async def until(self, event: asyncio.Event, timeout: float = 120.0) -> None:
        """Wait for ``event``; raise if the process exits first."""
        waiting = asyncio.ensure_future(event.wait())
        await asyncio.wait([waiting, self._reader], timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
        waiting.cancel()
        if not event.is_set():
            raise AssertionError(f"consumer process: not ready within {timeout}s (exit code {self.process.returncode})")

    async def end(self, *, kill: bool) -> int:
        """SIGKILL (a crash) or SIGTERM (a clean stop); the exit code once every report is read."""
        if kill:
            self.process.kill()
        else:
            self.process.terminate()
        ConsumerProcess.running.discard(self)
        await asyncio.wait_for(self._reader, 30)
        return await asyncio.wait_for(self.process.wait(), 30)

    @property
    def duplicates(self) -> int:
        return sum(int(report["duplicates"]) for report in self.reports)


@pytest.fixture(autouse=True)
async def no_consumer_left_behind() -> AsyncIterator[None]:
    yield
    for consumer in list(ConsumerProcess.running):
        await consumer.end(kill=True)


async def produce_slowly(bootstrap: str, records: list[RawRecord], pieces: int = 8) -> None:
    """A stream rather than a burst: the records in ``pieces`` sends, 20 ms apart."""
    step = max(1, len(records) // pieces)
    for start in range(0, len(records), step):
        await produce(bootstrap, records[start:start + step])
        await asyncio.sleep(0.02)


async def test_kill_9_at_random_points_leaves_projections_equal_to_a_rebuild(  # type: ignore[no-untyped-def]
        kafka_bootstrap, topic_prefix, topics, database_url, engine, dialect, scale, figures, tmp_path) -> None:
    metadata = await create_tables(engine)
    events = event_stream(scale.kill_runs * scale.events_per_kill_run, seed=SEED)
    records = records_of(events, topic_prefix)
    per_run = -(-len(records) // scale.kill_runs)
    rng = random.Random(SEED)
    log = tmp_path / "consumers.log"
    redelivered, delays = 0, []

    for run in range(scale.kill_runs):
        consumer = await ConsumerProcess.start(kafka_bootstrap, database_url, topic_prefix, log)
        streaming = asyncio.create_task(produce_slowly(kafka_bootstrap, records[run * per_run:(run + 1) * per_run]))
        await consumer.until(consumer.batch_applied)
        delays.append(rng.uniform(0.0, 0.4))
        await asyncio.sleep(delays[-1])
        assert await consumer.end(kill=True) == -9
        await streaming
        redelivered += consumer.duplicates

    last = await ConsumerProcess.start(kafka_bootstrap, database_url, topic_prefix, log)
    await last.until(last.started)
    for name in CONSUMERS:
        await wait_for(engine, name, count=len(events), timeout=120)
    assert await last.end(kill=False) == 0, log.read_text()[-3000:]
    redelivered += last.duplicates

    live = await table_checksums(engine, metadata)
    rebuilt = await rebuilt_checksums(kafka_bootstrap, topic_prefix, tmp_path)
    assert live == rebuilt
    assert [await processed_count(engine, name) for name in CONSUMERS] == [len(events)] * len(CONSUMERS)
    lost, doubled = await lost_and_doubled(engine, metadata, events)
    assert (lost, doubled) == (0, 0)
    figures.record(f"kill_9[{dialect}]", runs=scale.kill_runs, events=len(events), faults_injected=scale.kill_runs,
                   lost=lost, doubled=doubled, redelivered_and_skipped=redelivered,
                   tables_equal_to_rebuild=len(live), rows={name: count for name, (count, _) in live.items()})
