"""The figures of the replay benchmark: raw broker read rate, full rebuild rate, peak memory, the cost of the
checksums that compare a rebuild with the live tables, and the live tables themselves (built the way the live
consumers build them: :func:`~shared.messaging.batches.apply_decoded` per batch of 500, every event type decoded,
ignored ones marked processed)."""

from __future__ import annotations

import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from relais.replay.checksum import TableChecksum, checksums
from relais.replay.jobs import Job, JobResult, create_tables
from relais.replay.parallel import plan_jobs, run_jobs
from relais.replay.reader import HistoryReader
from relais.replay.rebuilder import fewer_collections, handled_types
from relais.replay.replay import target_databases
from relais.services import ReadModels
from shared.contracts.topics import physical
from shared.messaging.batches import apply_decoded
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord
from shared.storage.engine import create_engine


@dataclass(frozen=True)
class Rate:
    records: int
    seconds: float
    cpu_seconds: float = 0.0
    """CPU time (user and system) of the reading process."""

    @property
    def per_second(self) -> float:
        return self.records / self.seconds if self.seconds else 0.0


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (Linux reports kB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_peak_rss_mb(pid: int) -> float | None:
    """Peak resident memory of another process (VmHWM), when /proc tells."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


async def raw_read(bootstrap: str, topics: list[str], max_records: int = 5000, *, fetch_mb: int = 4) -> Rate:
    """Read every record of ``topics`` from offset 0 to the high watermarks as they arrive, decoding nothing,
    fetching ``fetch_mb`` MB per partition (and buffering 1,000 records per MB)."""
    count = 0
    async with HistoryReader(bootstrap, topics, batch_size=max_records, ordered=False, partition_buffer=1000 * fetch_mb,
                             fetch_bytes=fetch_mb * 1024 * 1024) as reader:
        started, cpu_started = time.perf_counter(), time.process_time()
        async for records in reader.batches():
            count += len(records)
    return Rate(count, time.perf_counter() - started, time.process_time() - cpu_started)


async def ordered_read(bootstrap: str, topics: list[str], *, decode: bool, batch_size: int = 5000,
                       handled: frozenset[str] | None = None) -> Rate:
    """The rebuild's reading alone: records merged in time order (and decoded, if ``decode``, only the types
    in ``handled`` when given, as the rebuild does), nothing written.

    With :func:`raw_read` and :func:`full_rebuild`, shows where a rebuild's time goes.
    """
    started = time.perf_counter()
    count = 0
    with fewer_collections():
        async with HistoryReader(bootstrap, topics, batch_size=batch_size) as reader:
            async for records in reader.batches():
                batch = [InboundRecord.of(record) for record in records]
                if decode:
                    decode_records(batch, handled=handled)
                count += len(batch)
    return Rate(count, time.perf_counter() - started)


def rebuild_topics(catalogue: list[ReadModels], topic_prefix: str) -> list[str]:
    """Physical names of every topic some projection of ``catalogue`` reads."""
    names = {topic for models in catalogue for spec in models.projections
             for topic in spec.build(models.metadata()).topics}
    return sorted(physical(name, topic_prefix) for name in names)


def handled_by(catalogue: list[ReadModels]) -> frozenset[str]:
    """The event types some projection of ``catalogue`` applies."""
    return frozenset().union(*(handled_types(spec.build(models.metadata()))
                               for models in catalogue for spec in models.projections))


@dataclass(frozen=True)
class Rebuilt:
    """A full rebuild: its duration, each job's result, the checksum of every table and what reading them took."""

    seconds: float
    results: list[JobResult]
    checksums: dict[str, TableChecksum]
    checksum_seconds: float


async def full_rebuild(catalogue: list[ReadModels], bootstrap: str, topic_prefix: str, *, batch_size: int,
                       jobs: int = 1, folder: Path | None = None) -> Rebuilt:
    """Rebuild every projection of ``catalogue`` into fresh SQLite files, in ``jobs`` worker processes
    (spawned even for one, so that each peak RSS is a rebuild's own), then checksum every table."""
    selection = [(models, spec) for models in catalogue for spec in models.projections]
    template = Job((), bootstrap, topic_prefix, batch_size=batch_size)
    with tempfile.TemporaryDirectory(prefix="relais-bench-", dir=folder) as scratch:
        planned = plan_jobs(selection, jobs, template, into=None, scratch=Path(scratch))
        metadata = {models.service: models.metadata() for models in catalogue}
        async with target_databases(planned, metadata) as engines:
            started = time.perf_counter()
            results = await run_jobs(planned, processes=True)
            seconds = time.perf_counter() - started
            where = {target.projection: target for job in planned for target in job.targets}
            started = time.perf_counter()
            sums: dict[str, TableChecksum] = {}
            for models, spec in selection:
                sums.update(await checksums(engines[where[spec.name].result_url], metadata[models.service], spec.tables))
            return Rebuilt(seconds, results, sums, time.perf_counter() - started)


async def live_tables(catalogue: list[ReadModels], bootstrap: str, topics: list[str], topic_prefix: str,
                      folder: Path, batch_size: int = 500) -> tuple[float, dict[str, TableChecksum]]:
    """Every projection built as the live consumers build it, into one SQLite file per service in
    ``folder``: batches of ``batch_size`` through :func:`~shared.messaging.batches.apply_decoded` on the
    services' async engines. The seconds it took and the checksum of every table."""
    metadata = {models.service: models.metadata() for models in catalogue}
    engines = {service: create_engine(f"sqlite+aiosqlite:///{folder / f'{service}-live.db'}") for service in metadata}
    try:
        for service, engine in engines.items():
            await create_tables(engine, metadata[service])
        projections = [(models.service, spec, spec.build(metadata[models.service]))
                       for models in catalogue for spec in models.projections]
        reads = {spec.name: frozenset(physical(name, topic_prefix) for name in projection.topics)
                 for _, spec, projection in projections}
        started = time.perf_counter()
        async with HistoryReader(bootstrap, topics, batch_size=batch_size) as reader:
            async for records in reader.batches():
                batch = [InboundRecord.of(record) for record in records]
                decoded, dead = decode_records(batch)
                for service, spec, projection in projections:
                    mine = reads[spec.name]
                    await apply_decoded(engines[service], metadata[service], projection,
                                        [record for record in batch if record.topic in mine],
                                        [pair for pair in decoded if pair[0].topic in mine],
                                        [letter for letter in dead if letter.record.topic in mine])
        seconds = time.perf_counter() - started
        sums: dict[str, TableChecksum] = {}
        for service, spec, _ in projections:
            sums.update(await checksums(engines[service], metadata[service], spec.tables))
        return seconds, sums
    finally:
        for engine in engines.values():
            await engine.dispose()
