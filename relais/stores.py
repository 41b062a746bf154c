"""Reading the services' event stores (the durable history), without touching the services' code."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from sqlalchemy import MetaData, Table, inspect, select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.contracts.codec import from_json_dict
from shared.contracts.envelope import Envelope
from shared.settings import SERVICES, Settings
from shared.storage.engine import create_engine, store_exists
from shared.storage.tables import core_metadata

CHUNK = 2000


@dataclass(frozen=True)
class StoredEvent:
    """An event as kept in a service's store: the service, its topic, and the decoded envelope."""

    service: str
    topic: str
    envelope: Envelope[Any]


@cache
def events_table() -> Table:
    """The ``events`` table of every store (one object, so queries built on it refer to one table)."""
    return core_metadata().tables["events"]


async def has_table(engine: AsyncEngine, name: str) -> bool:
    async with engine.connect() as conn:
        return name in await conn.run_sync(lambda sync: inspect(sync).get_table_names())


async def stored_events(engine: AsyncEngine, service: str, *, where: Iterable[Any] = ()) -> AsyncIterator[StoredEvent]:
    """The events of one store in store order (upcast to the current schema versions)."""
    table = events_table()
    if not await has_table(engine, table.name):
        return
    query = select(table.c.topic, table.c.document).where(*where).order_by(table.c.position)
    async with engine.connect() as conn:
        result = await conn.stream(query)
        async for rows in result.partitions(CHUNK):
            for topic, document in rows:
                yield StoredEvent(service, topic, from_json_dict(orjson.loads(document)))


class Stores:
    """The event stores of the services that have one: ``async with Stores(settings) as stores``."""

    def __init__(self, settings: Settings, services: Iterable[str] = SERVICES) -> None:
        self.settings = settings
        self.services = list(services)
        self.engines: dict[str, AsyncEngine] = {}

    async def __aenter__(self) -> Stores:
        for service in self.services:
            url = self.settings.service_database_url(service)
            if store_exists(url):
                self.engines[service] = create_engine(url)
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        for engine in self.engines.values():
            await engine.dispose()


async def table_rows(engine: AsyncEngine, metadata: MetaData, name: str) -> AsyncIterator[list[dict[str, Any]]]:
    """The rows of table ``name`` in chunks (nothing if the table is not there)."""
    if not await has_table(engine, name):
        return
    async with engine.connect() as conn:
        result = await conn.stream(select(metadata.tables[name]))
        async for rows in result.mappings().partitions(CHUNK):
            yield [dict(row) for row in rows]
