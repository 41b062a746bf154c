"""Benchmark: how fast the live consumers apply batches, with the handlers' writes grouped and sent one by one.

    python -m bench.projections [--events 20000] [--batch-size 500] [--databases sqlite,postgresql]

Decodes a realistic federation history (:mod:`bench.history`) once, then, for each database (a
SQLite file; PostgreSQL too when ``RELAIS_BENCH_POSTGRES_URL``, default
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``, answers: a fresh database is created and
dropped) and each replayable projection, applies the events in batches of the live consumers' size
through :func:`shared.messaging.batches.apply_decoded` into fresh tables, once with
``group_writes=False`` and once with the default grouping. Prints events/s for both and the ratio
grouped / one by one.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bench.history import federation_history
from bench.produce import partition_of
from relais.services import ReadModels, described_services
from shared.messaging.batches import apply_decoded
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord
from shared.storage.engine import create_engine

POSTGRES_URL_ENV = "RELAIS_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"


async def apply_rate(url: str, models: ReadModels, records: list[InboundRecord], decoded: list, *,
                     batch_size: int, group_writes: bool) -> dict[str, float]:
    """Events per second of each projection of ``models`` applied into fresh tables at ``url``."""
    engine = create_engine(url)
    metadata = models.metadata()
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        rates = {}
        for spec in models.projections:
            projection = spec.build(metadata)
            topics = set(projection.topics)
            mine = [record for record in records if record.topic in topics]
            pairs = [pair for pair in decoded if pair[0].topic in topics]
            started = time.perf_counter()
            for start in range(0, len(mine), batch_size):
                chunk = mine[start:start + batch_size]
                first, last = chunk[0].offset, chunk[-1].offset
                await apply_decoded(engine, metadata, projection, chunk,
                                    [pair for pair in pairs if first <= pair[0].offset <= last],
                                    group_writes=group_writes)
            rates[spec.name] = len(mine) / (time.perf_counter() - started)
        return rates
    finally:
        await engine.dispose()


@asynccontextmanager
async def fresh_database(kind: str, folder: Path) -> AsyncIterator[str | None]:
    """The URL of an empty database of ``kind`` ("sqlite" or "postgresql"), None if PostgreSQL does not answer."""
    if kind == "sqlite":
        yield f"sqlite+aiosqlite:///{folder / f'{uuid.uuid4().hex[:8]}.db'}"
        return
    server = make_url(os.environ.get(POSTGRES_URL_ENV, DEFAULT_POSTGRES_URL))
    dsn = server.set(drivername="postgresql").render_as_string(hide_password=False)
    name = f"relais_bench_{uuid.uuid4().hex[:8]}"
    try:
        admin = await asyncpg.connect(dsn, timeout=3)
    except (OSError, asyncpg.PostgresError) as exc:
        print(f"PostgreSQL not measured: {exc!r}")
        yield None
        return
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


async def run(events: int, batch_size: int, databases: tuple[str, ...] = ("sqlite", "postgresql")) -> None:
    records = [InboundRecord(r.topic, partition_of(r.key, 3), offset, r.key, r.value, tuple(r.headers))
               for offset, r in enumerate(federation_history(events, seed=3))]
    decoded, _ = decode_records(records)
    print(f"{len(records):,} events decoded; batches of {batch_size}")
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as scratch:
        for kind in databases:
            for models in described_services():
                rates = {}
                for grouped in (False, True):
                    async with fresh_database(kind, Path(scratch)) as url:
                        if url is None:
                            return
                        rates[grouped] = await apply_rate(url, models, records, decoded, batch_size=batch_size,
                                                          group_writes=grouped)
                for name in rates[True]:
                    alone, grouped_rate = rates[False][name], rates[True][name]
                    if not alone:
                        print(f"{kind:<10} {name:<22} no event of its types in this history")
                        continue
                    print(f"{kind:<10} {name:<22} one by one {alone:>8,.0f} events/s   grouped {grouped_rate:>8,.0f} "
                          f"events/s   ratio {grouped_rate / alone:.2f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.projections", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="Events in the generated history.")
    parser.add_argument("--batch-size", type=int, default=500, help="Records per batch (the live consumers' default).")
    parser.add_argument("--databases", default="sqlite,postgresql", help="Comma-separated: sqlite, postgresql.")
    options = parser.parse_args(argv)
    databases = tuple(name.strip() for name in options.databases.split(",") if name.strip())
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database {', '.join(sorted(unknown))}: choose among sqlite, postgresql")
    asyncio.run(run(options.events, options.batch_size, databases))


if __name__ == "__main__":
    main()
