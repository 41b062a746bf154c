"""Benchmark: CPU per event of each live projection, before (Python handlers) and after (in SQL) issue 20.

    python -m bench.projections [--events 20000] [--batch-size 500] [--databases sqlite,postgresql]
                                [--projections intake.observatory,matching.fairness]

Decodes a realistic federation history (:mod:`bench.history`) once, then, for each database (a
SQLite file; PostgreSQL too when ``RELAIS_BENCH_POSTGRES_URL``, default
``postgresql+asyncpg://postgres@127.0.0.1:5432/postgres``, answers: a fresh database is created and
dropped per run) and each replayable projection, applies the events of its topics in batches of the
live consumers' size through :func:`shared.messaging.batches.apply_decoded` (the live runner's
transaction, processed ids and checkpoints) into fresh tables, three times:

- before: its handlers (``in_sql=False``), with the runner's bookkeeping as it was before issue 20
  (:mod:`bench.before`: processed ids bound row by row, the checkpoints' upsert compiled every batch);
- handlers: its handlers with today's runner (one statement for the batch's processed ids);
- SQL: as it runs live, its set-based SQL (see :mod:`shared.messaging.set_based`) with today's runner.

A projection that has no SQL version is measured before and with its handlers.

CPU per event is the CPU time spent applying the batches (the bench's own process: Python, the driver,
and SQLite, which runs in-process; on PostgreSQL plus the server backends of the run, read from
``/proc``) divided by the records of the projection's topics. Decoding is not counted (the same for
both). Prints, per projection, the three in µs per event and the ratio after (SQL, else handlers) / before.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import os
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
from sqlalchemy import MetaData, text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine

from bench.before import runner_before
from bench.history import federation_history
from bench.produce import partition_of
from relais.services import ProjectionSpec, ReadModels, described_services
from shared.contracts.envelope import Envelope
from shared.messaging.batches import apply_decoded
from shared.messaging.decoding import decode_records
from shared.messaging.projection import InboundRecord, Projection
from shared.storage.engine import create_engine

POSTGRES_URL_ENV = "RELAIS_BENCH_POSTGRES_URL"
DEFAULT_POSTGRES_URL = "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
TICKS = os.sysconf("SC_CLK_TCK")

Batch = tuple[list[InboundRecord], list[tuple[InboundRecord, Envelope[Any]]]]


@dataclass(frozen=True)
class Cost:
    events: int
    client_seconds: float
    server_seconds: float

    @property
    def per_event_us(self) -> float:
        return (self.client_seconds + self.server_seconds) / self.events * 1e6 if self.events else 0.0


def has_sql_version(spec: ProjectionSpec) -> bool:
    """Whether the projection's factory can build its handlers-only version (``in_sql=False``)."""
    return "in_sql" in inspect.signature(spec.build).parameters


def batches_of(projection: Projection, records: list[InboundRecord],
               decoded: list[tuple[InboundRecord, Envelope[Any]]], batch_size: int) -> list[Batch]:
    """The projection's records in live-sized batches, with their decoded events (prepared before timing)."""
    topics = set(projection.topics)
    mine = [record for record in records if record.topic in topics]
    by_position = {(pair[0].topic, pair[0].partition, pair[0].offset): pair for pair in decoded}
    out = []
    for start in range(0, len(mine), batch_size):
        chunk = mine[start:start + batch_size]
        pairs = [by_position[key] for key in ((r.topic, r.partition, r.offset) for r in chunk) if key in by_position]
        out.append((chunk, pairs))
    return out


async def server_cpu_seconds(engine: AsyncEngine) -> float:
    """CPU time of the PostgreSQL backends serving ``engine``'s database so far (0 on SQLite)."""
    if engine.dialect.name != "postgresql":
        return 0.0
    async with engine.connect() as conn:
        pids = (await conn.execute(text(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))).scalars().all()
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS
    return total


async def measure(url: str, metadata: MetaData, build: Callable[[MetaData], Projection], records: list[InboundRecord],
                  decoded: list[tuple[InboundRecord, Envelope[Any]]], batch_size: int, *, before: bool = False) -> Cost:
    """CPU spent applying the projection built by ``build`` to fresh tables at ``url`` (``before``: with the
    runner's bookkeeping as it was before issue 20)."""
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
        projection = build(metadata)
        batches = batches_of(projection, records, decoded, batch_size)
        server_before = await server_cpu_seconds(engine)
        with runner_before() if before else nullcontext():
            started = time.process_time()
            for chunk, pairs in batches:
                await apply_decoded(engine, metadata, projection, chunk, pairs)
            client = time.process_time() - started
        server = await server_cpu_seconds(engine) - server_before
        return Cost(sum(len(chunk) for chunk, _ in batches), client, server)
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


async def run(events: int, batch_size: int, databases: tuple[str, ...] = ("sqlite", "postgresql"),
              only: frozenset[str] | None = None) -> None:
    records = [InboundRecord(r.topic, partition_of(r.key, 3), offset, r.key, r.value, tuple(r.headers))
               for offset, r in enumerate(federation_history(events, seed=3))]
    decoded, _ = decode_records(records)
    print(f"{len(records):,} events decoded; batches of {batch_size}; CPU per event of the records of each "
          f"projection's topics (PostgreSQL: bench process + server backends)")
    catalogue: list[ReadModels] = described_services()
    with tempfile.TemporaryDirectory(prefix="relais-bench-") as scratch:
        for kind in databases:
            for models in catalogue:
                for spec in models.projections:
                    if only is not None and spec.name not in only:
                        continue
                    handlers = ((lambda md, spec=spec: spec.build(md, in_sql=False)) if has_sql_version(spec)
                                else spec.build)
                    variants = [("before", handlers, True), ("handlers", handlers, False)]
                    if has_sql_version(spec):
                        variants.append(("SQL", spec.build, False))
                    costs: dict[str, Cost] = {}
                    for label, build, before in variants:
                        async with fresh_database(kind, Path(scratch)) as url:
                            if url is None:
                                return
                            costs[label] = await measure(url, models.metadata(), build, records, decoded, batch_size,
                                                         before=before)
                    print(line(kind, spec.name, costs), flush=True)


def line(kind: str, name: str, costs: dict[str, Cost]) -> str:
    """``sqlite  intake.observatory  12,122 events  before 14.3  handlers 10.7  SQL 8.1 µs/event  after/before 0.57``"""
    before = costs["before"]
    if not before.events:
        return f"{kind:<10} {name:<26} no event of its topics in this history"
    figures = "  ".join(f"{label} {cost.per_event_us:6.1f}" for label, cost in costs.items())
    after = costs.get("SQL", costs["handlers"])
    return (f"{kind:<10} {name:<26} {before.events:>7,} events  {figures} µs/event  "
            f"after/before {after.per_event_us / before.per_event_us:.2f}" + ("" if "SQL" in costs else " (no SQL)"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.projections", description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20_000, help="Events in the generated history.")
    parser.add_argument("--batch-size", type=int, default=500, help="Records per batch (the live consumers' default).")
    parser.add_argument("--databases", default="sqlite,postgresql", help="Comma-separated: sqlite, postgresql.")
    parser.add_argument("--projections", default="", help="Comma-separated consumer names (default: every one).")
    options = parser.parse_args(argv)
    databases = tuple(name.strip() for name in options.databases.split(",") if name.strip())
    unknown = set(databases) - {"sqlite", "postgresql"}
    if unknown:
        parser.error(f"unknown database {', '.join(sorted(unknown))}: choose among sqlite, postgresql")
    only = frozenset(name.strip() for name in options.projections.split(",") if name.strip()) or None
    asyncio.run(run(options.events, options.batch_size, databases, only))


if __name__ == "__main__":
    main()
