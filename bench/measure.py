"""The figures of the replay benchmark: raw broker read rate, full rebuild rate, peak memory."""

from __future__ import annotations

import resource
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from relais.replay.jobs import Job, JobResult
from relais.replay.parallel import plan_jobs, run_jobs
from relais.replay.reader import HistoryReader
from relais.replay.rebuilder import fewer_collections
from relais.replay.replay import target_databases
from relais.services import ReadModels
from shared.contracts.topics import physical
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord


@dataclass(frozen=True)
class Rate:
    records: int
    seconds: float

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


async def raw_read(bootstrap: str, topics: list[str], max_records: int = 5000) -> Rate:
    """Read every record of ``topics`` from offset 0 to the high watermarks as they arrive, decoding nothing."""
    count = 0
    async with HistoryReader(bootstrap, topics, batch_size=max_records, ordered=False) as reader:
        started = time.perf_counter()
        async for records in reader.batches():
            count += len(records)
    return Rate(count, time.perf_counter() - started)


async def ordered_read(bootstrap: str, topics: list[str], *, decode: bool, batch_size: int = 5000) -> Rate:
    """The rebuild's reading alone: records merged in time order (and decoded, if ``decode``), nothing written.

    With :func:`raw_read` and :func:`full_rebuild`, shows where a rebuild's time goes.
    """
    started = time.perf_counter()
    count = 0
    with fewer_collections():
        async with HistoryReader(bootstrap, topics, batch_size=batch_size) as reader:
            async for records in reader.batches():
                batch = [InboundRecord.of(record) for record in records]
                if decode:
                    decode_records(batch)
                count += len(batch)
    return Rate(count, time.perf_counter() - started)


def rebuild_topics(catalogue: list[ReadModels], topic_prefix: str) -> list[str]:
    """Physical names of every topic some projection of ``catalogue`` reads."""
    names = {topic for models in catalogue for spec in models.projections
             for topic in spec.build(models.metadata()).topics}
    return sorted(physical(name, topic_prefix) for name in names)


async def full_rebuild(catalogue: list[ReadModels], bootstrap: str, topic_prefix: str, *, batch_size: int,
                       jobs: int = 1, folder: Path | None = None) -> tuple[float, list[JobResult]]:
    """Rebuild every projection of ``catalogue`` into fresh SQLite files, in ``jobs`` processes:
    the seconds it took and each job's result."""
    selection = [(models, spec) for models in catalogue for spec in models.projections]
    template = Job((), bootstrap, topic_prefix, batch_size=batch_size)
    with tempfile.TemporaryDirectory(prefix="relais-bench-", dir=folder) as scratch:
        planned = plan_jobs(selection, jobs, template, into=None, scratch=Path(scratch))
        metadata = {models.service: models.metadata() for models in catalogue}
        async with target_databases(planned, metadata):
            started = time.perf_counter()
            results = await run_jobs(planned)
            return time.perf_counter() - started, results
