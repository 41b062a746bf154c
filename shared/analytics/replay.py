"""``relais replay``: rebuild projections from offset 0 into fresh databases and compare with the live ones.

One fresh database per service (a temporary SQLite file unless ``into`` gives a URL template with
``{service}``), all selected projections rebuilt in one pass (:mod:`shared.analytics.rebuilder`;
SQLite targets are written straight through the driver: :mod:`shared.analytics.driver`),
then every table each projection owns is checksummed in both databases. Each projection is rebuilt
up to the offsets its live consumer had applied when the replay began (:mod:`shared.analytics.live`),
so the comparison holds while the services run. With ``until`` the replay stops at a date (events'
own ``occurred_at``) and there is nothing to compare: row counts are reported.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sqlalchemy import MetaData, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.analytics.catalogue import ProjectionSpec, ReadModels
from shared.analytics.checksum import TableChecksum, checksums
from shared.analytics.direct import DirectWriter
from shared.analytics.driver import driver_writer
from shared.analytics.live import LiveProjection, snapshot_live
from shared.analytics.rebuilder import Progress, Target, rebuild_targets
from shared.settings import Settings
from shared.storage.engine import create_engine, is_sqlite


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


def _writer_for(url: str) -> DirectWriter | None:
    """The fast writer for a SQLite file target (see :mod:`shared.analytics.driver`); None otherwise."""
    database = make_url(url).database
    if not is_sqlite(url) or database in (None, "", ":memory:"):
        return None
    return driver_writer(database)


def fast_sqlite_engine(path: Path | str) -> AsyncEngine:
    """An engine on a throwaway SQLite file tuned for bulk writes (no fsync: rebuild again after a crash)."""
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    event.listen(engine.sync_engine, "connect", _bulk_pragmas)
    return engine


def _bulk_pragmas(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
    cursor = dbapi_connection.cursor()
    for pragma in ("synchronous=OFF", "journal_mode=MEMORY", "temp_store=MEMORY", "cache_size=-16384"):
        cursor.execute(f"PRAGMA {pragma}")
    cursor.close()


async def create_tables(engine: AsyncEngine, metadata: MetaData) -> None:
    async with engine.begin() as conn:
        await conn.run_sync(metadata.create_all)


async def replay(
    selection: Sequence[tuple[ReadModels, ProjectionSpec]],
    settings: Settings,
    *,
    into: str | None = None,
    until: datetime | None = None,
    progress: Progress | None = None,
    platforms: Collection[str] | None = None,
    batch_size: int = 5000,
) -> list[ProjectionReport]:
    """Rebuild the selected projections, then compare each with the live database (unless ``until``).

    To compare, the live projections are read first (:func:`~shared.analytics.live.snapshot_live`)
    and each is rebuilt up to the offsets its live consumer had applied: the rebuilt database holds
    the same events as the live one, whatever the services publish meanwhile.
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
    with tempfile.TemporaryDirectory(prefix="relais-replay-") as scratch:
        engines: dict[str, AsyncEngine] = {}
        writers: dict[str, DirectWriter | None] = {}
        try:
            targets: list[tuple[str, ProjectionSpec, Target]] = []
            for models, spec in selection:
                service = models.service
                if service not in engines:
                    url = into.replace("{service}", service) if into else \
                        f"sqlite+aiosqlite:///{Path(scratch) / f'{service}.db'}"
                    engines[service] = create_engine(url)
                    await create_tables(engines[service], metadata[service])
                    writers[service] = _writer_for(url)
                cut = live.get(spec.name)
                target = Target(spec.build(metadata[service]), engines[service], metadata[service], writers[service],
                                stop_at=None if cut is None else cut.checkpoints,
                                only_events=None if cut is None else cut.event_ids)
                targets.append((service, spec, target))
            await rebuild_targets([target for _, _, target in targets], settings.kafka_bootstrap_servers,
                                  settings.topic_prefix, until=until, progress=progress, platforms=platforms,
                                  batch_size=batch_size)
            reports = []
            for service, spec, target in targets:
                rebuilt = await checksums(target.engine, target.metadata, spec.tables)
                compared = live[spec.name].checksums if spec.name in live else {}
                reports.append(ProjectionReport(service, spec.name, target.processed, target.dead_letters, rebuilt,
                                                compared, live_behind=target.beyond,
                                                live_unpublished=live[spec.name].unpublished if spec.name in live else 0))
            return reports
        finally:
            for writer in writers.values():
                if writer is not None:
                    writer.close()
            for engine in engines.values():
                await engine.dispose()
