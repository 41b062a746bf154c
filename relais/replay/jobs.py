"""A rebuild job: some projections rebuilt in one pass over the history, described by plain data.

A :class:`Job` names its projections (service and consumer name), the database each is written
into and where its rebuild stops; it pickles, so a worker process can run it
(:mod:`relais.replay.parallel`) as well as the caller's own process. :func:`rebuild_job` opens
the databases (their tables already created), rebuilds through
:func:`~relais.replay.rebuilder.rebuild_targets` and returns each projection's counters.
"""

from __future__ import annotations

import resource
import time
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import MetaData
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.replay.direct import DirectWriter
from relais.replay.driver import driver_writer
from relais.replay.rebuilder import Progress, Target, rebuild_targets
from relais.services import ReadModels, load_read_models
from shared.storage.engine import create_engine, is_sqlite


@dataclass(frozen=True)
class JobTarget:
    """One projection of a job: written into the database at ``url``, up to ``stop_at`` / ``only_events``
    (see :class:`~relais.replay.rebuilder.Target`).

    A part of a projection shared out by partition (:mod:`relais.replay.split`) takes ``partitions``
    (of ``partition_count``) and is merged, with the other parts, into the database at ``merge_into``.
    """

    service: str
    projection: str
    url: str
    stop_at: dict[tuple[str, int], int] | None = None
    only_events: frozenset[str] | None = None
    partitions: frozenset[int] | None = None
    partition_count: int = 0
    merge_into: str | None = None

    @property
    def result_url(self) -> str:
        """Where the projection's rebuilt tables are once the job (and the merge of its parts) is done."""
        return self.merge_into or self.url


@dataclass(frozen=True)
class Job:
    """Projections rebuilt together (each record read and decoded once for all of them)."""

    targets: tuple[JobTarget, ...]
    bootstrap: str
    topic_prefix: str
    until: datetime | None = None
    platforms: frozenset[str] | None = None
    batch_size: int = 5000


@dataclass(frozen=True)
class TargetCounts:
    """What the rebuild did for one projection (see :class:`~relais.replay.rebuilder.Target`)."""

    processed: int
    applied: int
    dead_letters: int
    beyond: int


@dataclass(frozen=True)
class JobResult:
    """Records the job read, counters per projection name, the peak RSS (MB) of the process that ran it and
    the CPU seconds (user and system) the rebuild took in it."""

    records: int
    counts: dict[str, TargetCounts]
    peak_rss_mb: float
    cpu_seconds: float = 0.0


def writer_for(url: str) -> DirectWriter | None:
    """The fast writer for a SQLite file target (see :mod:`relais.replay.driver`); None otherwise."""
    database = make_url(url).database
    if not is_sqlite(url) or database in (None, "", ":memory:"):
        return None
    return driver_writer(database)


async def create_tables(engine: AsyncEngine, metadata: MetaData) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


def read_models_of(services: Collection[str]) -> dict[str, ReadModels]:
    """The read models of ``services``."""
    return {service: load_read_models(service) for service in services}


async def rebuild_job(job: Job, progress: Progress | None = None) -> JobResult:
    """Rebuild the job's projections into their databases (tables created, nothing processed yet)."""
    cpu_started = time.process_time()
    models = read_models_of({target.service for target in job.targets})
    metadata = {service: described.metadata() for service, described in models.items()}
    engines: dict[str, AsyncEngine] = {}
    writers: dict[str, DirectWriter | None] = {}
    targets: list[Target] = []
    try:
        for wanted in job.targets:
            if wanted.url not in engines:
                engines[wanted.url] = create_engine(wanted.url)
                writers[wanted.url] = writer_for(wanted.url)
            spec = models[wanted.service].projection(wanted.projection)
            rekeyed = spec.split.rekeyed if spec.split is not None and wanted.partitions is not None else {}
            targets.append(Target(spec.build(metadata[wanted.service]), engines[wanted.url], metadata[wanted.service],
                                  writers[wanted.url], stop_at=wanted.stop_at, only_events=wanted.only_events,
                                  partitions=wanted.partitions, partition_count=wanted.partition_count,
                                  rekeyed=rekeyed))
        read = await rebuild_targets(targets, job.bootstrap, job.topic_prefix, until=job.until, progress=progress,
                                     batch_size=job.batch_size, platforms=job.platforms)
    finally:
        for writer in writers.values():
            if writer is not None:
                writer.close()
        for engine in engines.values():
            await engine.dispose()
    counts = {target.projection.name: TargetCounts(target.processed, target.applied, target.dead_letters, target.beyond)
              for target in targets}
    return JobResult(read, counts, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                     time.process_time() - cpu_started)
