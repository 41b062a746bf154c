"""``relais replay``: rebuild projections from offset 0 into fresh databases and compare with the live ones.

Fresh databases (temporary SQLite files unless ``into`` gives a URL template with ``{service}``),
the selected projections rebuilt in one pass (:mod:`relais.replay.rebuilder`; SQLite targets are
written straight through the driver: :mod:`relais.replay.driver`), or in one pass per worker
process with ``jobs`` (:mod:`relais.replay.parallel`), then every table each projection owns is
checksummed in both databases. Each projection is rebuilt up to the offsets its live consumer had
applied when the replay began (:mod:`relais.replay.live`), so the comparison holds while the
services run. With ``until`` the replay stops at a date (events' own ``occurred_at``) and there is
nothing to compare: row counts are reported.
"""

from __future__ import annotations

import tempfile
from collections.abc import AsyncIterator, Collection, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import AsyncEngine

from relais.replay.checksum import TableChecksum, checksums
from relais.replay.jobs import Job, create_tables
from relais.replay.live import LiveProjection, snapshot_live
from relais.replay.parallel import plan_jobs, run_jobs, total_counts
from relais.replay.rebuilder import Progress, ensure_fresh
from relais.services import ProjectionSpec, ReadModels
from shared.settings import Settings
from shared.storage.engine import create_engine


@dataclass
class ProjectionReport:
    """What the replay found for one projection."""

    service: str
    name: str
    processed: int
    dead_letters: int
    rebuilt: dict[str, TableChecksum]
    live: dict[str, TableChecksum] = field(default_factory=dict)
    live_behind: int = 0
    """Records on the bus newer than the live projection's checkpoints (left out of the comparison)."""
    live_unpublished: int = 0
    """Events of the live store not on the bus yet (projections without a live consumer): a rebuild misses them."""

    @property
    def compared(self) -> bool:
        return bool(self.live)

    @property
    def differing(self) -> list[str]:
        return [name for name, checksum in self.rebuilt.items() if not checksum.same_as(self.live[name])]

    @property
    def identical(self) -> bool:
        return self.compared and not self.differing


async def replay(
    selection: Sequence[tuple[ReadModels, ProjectionSpec]],
    settings: Settings,
    *,
    into: str | None = None,
    until: datetime | None = None,
    progress: Progress | None = None,
    platforms: Collection[str] | None = None,
    batch_size: int = 5000,
    jobs: int = 1,
) -> list[ProjectionReport]:
    """Rebuild the selected projections, then compare each with the live database (unless ``until``).

    To compare, the live projections are read first (:func:`~relais.replay.live.snapshot_live`)
    and each is rebuilt up to the offsets its live consumer had applied: the rebuilt database holds
    the same events as the live one, whatever the services publish meanwhile. ``jobs`` > 1 shares
    the projections out among that many processes (:mod:`relais.replay.parallel`).
    """
    services = {models.service: models for models, _ in selection}
    if into is not None and "{service}" not in into and len(services) > 1:
        raise ValueError("--into must contain '{service}' when projections of several services are replayed")
    metadata = {service: models.metadata() for service, models in services.items()}
    live: dict[str, LiveProjection] = {}
    if until is None:
        for service in services:
            specs = [spec for models, spec in selection if models.service == service]
            live.update(await snapshot_live(settings.service_database_url(service), metadata[service], specs))
    cuts = {name: (cut.checkpoints, cut.event_ids) for name, cut in live.items()}
    template = Job((), settings.kafka_bootstrap_servers, settings.topic_prefix, until,
                   None if platforms is None else frozenset(platforms), batch_size)
    with tempfile.TemporaryDirectory(prefix="relais-replay-") as scratch:
        planned = plan_jobs(selection, jobs, template, into=into, scratch=Path(scratch), cuts=cuts)
        async with target_databases(planned, metadata) as engines:
            results = await run_jobs(planned, progress)
            counts = total_counts(results)
            reports = []
            where = {target.projection: target for job in planned for target in job.targets}
            for target in where.values():
                spec = services[target.service].projection(target.projection)
                rebuilt = await checksums(engines[target.result_url], metadata[target.service], spec.tables)
                cut = live.get(spec.name)
                count = counts[spec.name]
                reports.append(ProjectionReport(target.service, spec.name, count.processed, count.dead_letters,
                                                rebuilt, cut.checksums if cut else {}, live_behind=count.beyond,
                                                live_unpublished=cut.unpublished if cut else 0))
    order = [spec.name for _, spec in selection]
    return sorted(reports, key=lambda report: order.index(report.name))


@asynccontextmanager
async def target_databases(jobs: Sequence[Job], metadata: Mapping[str, MetaData]) -> AsyncIterator[dict[str, AsyncEngine]]:
    """An engine on each database the jobs write into, its tables created and checked fresh."""
    engines: dict[str, AsyncEngine] = {}
    try:
        for job in jobs:
            for target in job.targets:
                for url in dict.fromkeys((target.url, target.result_url)):
                    if url not in engines:
                        engines[url] = create_engine(url)
                        await create_tables(engines[url], metadata[target.service])
                    await ensure_fresh(engines[url], metadata[target.service], target.projection)
        yield engines
    finally:
        for engine in engines.values():
            await engine.dispose()
