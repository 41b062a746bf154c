"""A rebuild shared out by partition among processes, and the merge of its parts.

Sharing out whole projections (:func:`relais.replay.parallel.plan_jobs` without this) leaves one
process with the costliest projection. Projections that declare a :class:`~shared.messaging.read_models.Split`
are cut by partition instead: part ``i`` of ``jobs`` takes the partitions ``p`` with ``p % jobs == i``
of every topic (a request's events are in the same partition number on every topic), rebuilds them into
SQLite files of its own, and the projections without a split are given whole to the least loaded parts.
Each process reads only the partitions its targets take. Once every part is done, :func:`merge_parts`
merges each projection's parts into its database table by table (``union`` or ``sum``), with the
processed event ids (union) and the checkpoints (the highest offset per partition): the result is the
database a single process would have written.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Float, Integer, MetaData, Numeric, Table, case, insert, select
from sqlalchemy.engine import make_url

from relais.replay.jobs import Job, JobTarget
from shared.contracts.topics import TOPICS
from shared.messaging.read_models import ProjectionSpec, ReadModels
from shared.storage.engine import create_engine, is_sqlite
from shared.storage.upsert import insert_of

MERGE_CHUNK = 5000
TRACKING = ("processed_events", "checkpoints")


def partition_count(selection: Sequence[tuple[ReadModels, ProjectionSpec]]) -> int:
    """The number of partitions the projections' topics have (the most among them)."""
    counts = {topic.name: topic.partitions for topic in TOPICS}
    return max((counts[topic] for models, spec in selection for topic in spec.build(models.metadata()).topics),
               default=1)


def plan_split(selection: Sequence[tuple[ReadModels, ProjectionSpec]], jobs: int, template: Job, *,
               into: str | None, scratch: Path, cuts: Mapping[str, Any] | None = None) -> list[Job]:
    """``jobs`` jobs: each splittable projection cut into one part per job (by partition, written into
    ``scratch`` and merged into its database afterwards), each other projection whole in the least
    loaded job (into ``into`` with ``{service}`` replaced, else a SQLite file of that job in ``scratch``)."""
    splittable = [(models, spec) for models, spec in selection if spec.split is not None]
    whole = [(models, spec) for models, spec in selection if spec.split is None]
    count = partition_count(splittable)
    parts = max(1, min(jobs, count)) if splittable else max(1, jobs)
    owned = [frozenset(p for p in range(count) if p % parts == index) for index in range(parts)]
    split_cost = sum(spec.rebuild_cost for _, spec in splittable)
    loads = [split_cost * len(partitions) / count for partitions in owned]
    targets: list[list[JobTarget]] = [[] for _ in range(parts)]
    by_service = into is not None and is_sqlite(into)
    units: dict[str, list[tuple[str, ProjectionSpec]]] = {}
    for models, spec in whole:
        units.setdefault(models.service if by_service else spec.name, []).append((models.service, spec))
    for unit in sorted(units.values(), key=lambda unit: -sum(spec.rebuild_cost for _, spec in unit)):
        lightest = loads.index(min(loads))
        loads[lightest] += sum(spec.rebuild_cost for _, spec in unit)
        for service, spec in unit:
            targets[lightest].append(_target(service, spec, _database(into, scratch, service, f"{lightest}"), cuts))
    for models, spec in splittable:
        merged = _database(into, scratch, models.service, "merged")
        for index, partitions in enumerate(owned):
            part = _database(None, scratch, models.service, f"part{index}")
            targets[index].append(replace(_target(models.service, spec, part, cuts), partitions=partitions,
                                          partition_count=count, merge_into=merged))
    return [replace(template, targets=tuple(group)) for group in targets if group]


def _database(into: str | None, scratch: Path, service: str, suffix: str) -> str:
    if into is not None:
        return into.replace("{service}", service)
    return f"sqlite+aiosqlite:///{scratch / f'{service}-{suffix}.db'}"


def _target(service: str, spec: ProjectionSpec, url: str, cuts: Mapping[str, Any] | None) -> JobTarget:
    stop_at, only_events = (cuts or {}).get(spec.name, (None, None))
    return JobTarget(service, spec.name, url, stop_at, only_events)


async def merge_parts(jobs: Sequence[Job], specs: Mapping[str, ProjectionSpec], metadata: Mapping[str, MetaData]) -> None:
    """Merge the parts of every projection rebuilt in parts into its ``merge_into`` database (tables created)."""
    parts: dict[tuple[str, str, str], list[str]] = {}
    for job in jobs:
        for target in job.targets:
            if target.merge_into is not None:
                parts.setdefault((target.service, target.projection, target.merge_into), []).append(target.url)
    for (service, name, into), urls in parts.items():
        split = specs[name].split
        assert split is not None
        tables = [(metadata[service].tables[table], how) for table, how in split.merge.items()]
        if is_sqlite(into) and _file_of(into) is not None:
            _merge_sqlite_files(_file_of(into) or "", [_file_of(url) or "" for url in urls], name, tables)
        else:
            await _merge_through_sqlalchemy(into, urls, name, tables, metadata[service])


def _file_of(url: str) -> str | None:
    database = make_url(url).database
    return None if database in (None, "", ":memory:") else database


def _amounts(table: Table) -> list[str]:
    """The columns a ``sum`` merge adds up: numeric, outside the primary key."""
    return [column.name for column in table.columns
            if not column.primary_key and isinstance(column.type, Integer | Float | Numeric)]


def _merge_sqlite_files(into: str, parts: Sequence[str], consumer: str, tables: Sequence[tuple[Table, str]]) -> None:
    """The merge in SQL, each part attached to the target file in turn."""
    connection = sqlite3.connect(into, isolation_level=None)
    try:
        connection.execute("PRAGMA synchronous=OFF")
        for part in parts:
            connection.execute("ATTACH DATABASE ? AS part", (part,))
            connection.execute("BEGIN")
            for table, how in tables:
                connection.execute(_merge_sql(table, how))
            connection.execute('INSERT INTO main.processed_events SELECT * FROM part.processed_events WHERE consumer = ?',
                               (consumer,))
            connection.execute(
                'INSERT INTO main.checkpoints SELECT * FROM part.checkpoints WHERE consumer = ? AND true '
                'ON CONFLICT (consumer, topic, "partition") DO UPDATE SET "offset" = max("offset", excluded."offset")',
                (consumer,))
            connection.execute("COMMIT")
            connection.execute("DETACH DATABASE part")
    finally:
        connection.close()


def _merge_sql(table: Table, how: str) -> str:
    name = f'"{table.name}"'
    columns = ", ".join(f'"{column.name}"' for column in table.columns)
    copy = f"INSERT INTO main.{name} ({columns}) SELECT {columns} FROM part.{name}"
    if how == "union":
        return copy
    key = ", ".join(f'"{column.name}"' for column in table.primary_key.columns)
    sums = ", ".join(f'"{column}" = "{column}" + excluded."{column}"' for column in _amounts(table))
    return f"{copy} WHERE true ON CONFLICT ({key}) DO " + (f"UPDATE SET {sums}" if sums else "NOTHING")


async def _merge_through_sqlalchemy(into: str, parts: Sequence[str], consumer: str,
                                    tables: Sequence[tuple[Table, str]], metadata: MetaData) -> None:
    """The merge row by row (a server database as the target): each part read, its rows written in chunks."""
    engine = create_engine(into)
    try:
        dialect = engine.dialect.name
        checkpoints, processed = metadata.tables["checkpoints"], metadata.tables["processed_events"]
        for part in parts:
            source = create_engine(part)
            try:
                async with source.connect() as reading, engine.begin() as writing:
                    for table, how in tables:
                        statement = insert(table)
                        if how == "sum":
                            new = insert_of(dialect, table)
                            key, amounts = list(table.primary_key.columns), _amounts(table)
                            statement = new.on_conflict_do_update(
                                index_elements=key, set_={name: table.c[name] + new.excluded[name] for name in amounts},
                            ) if amounts else new.on_conflict_do_nothing(index_elements=key)
                        await _copy(reading, writing, select(table), statement)
                    await _copy(reading, writing, select(processed).where(processed.c.consumer == consumer),
                                insert(processed))
                    later = insert_of(dialect, checkpoints)
                    await _copy(reading, writing, select(checkpoints).where(checkpoints.c.consumer == consumer),
                                later.on_conflict_do_update(
                                    index_elements=[checkpoints.c.consumer, checkpoints.c.topic, checkpoints.c.partition],
                                    set_={"offset": case((later.excluded.offset > checkpoints.c.offset,
                                                          later.excluded.offset), else_=checkpoints.c.offset)}))
            finally:
                await source.dispose()
    finally:
        await engine.dispose()


async def _copy(reading: Any, writing: Any, query: Any, statement: Any) -> None:
    result = await reading.stream(query)
    async for rows in result.mappings().partitions(MERGE_CHUNK):
        await writing.execute(statement, [dict(row) for row in rows])
