"""The billing service on a real database, fed through its projection, with its HTTP API in-process."""

from __future__ import annotations

import itertools
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import orjson
from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.billing.adapters.tables import metadata as billing_metadata
from services.billing.bootstrap import MIGRATIONS, Billing, bootstrap
from services.billing.entrypoints.app import create_app
from shared.clock import Clock
from shared.contracts.codec import encode, from_json_dict
from shared.contracts.envelope import Envelope
from shared.messaging.batches import BatchResult, apply_batch
from shared.messaging.projection import InboundRecord, Projection
from shared.security.principals import ALL_PLATFORMS, Role
from shared.security.tokens import TokenRegistry
from shared.settings import Settings
from shared.storage.migrate import upgrade_async
from tests.unit.billing.factories import PLATFORMS_DIR

PREFIX = "tbill."
LEDGER_TABLES = ("ledger_entries", "accounts", "statements")


@dataclass
class Harness:
    billing: Billing
    client: httpx.AsyncClient
    offsets: itertools.count = field(default_factory=itertools.count)

    @property
    def engine(self) -> AsyncEngine:
        return self.billing.runtime.engine

    @property
    def metadata(self) -> MetaData:
        return self.billing.runtime.metadata

    async def feed(self, *envelopes: Envelope[Any]) -> BatchResult:
        """Apply ``envelopes`` as one consumer batch of the fee process manager."""
        return await apply_batch(self.engine, self.metadata, self.billing.fees, records(envelopes, self.offsets),
                                 platforms=frozenset(self.billing.handlers.policies))

    def token(self, platform_id: str, role: Role, subject: str) -> dict[str, str]:
        plaintext, _ = self.billing.tokens.issue(platform_id, role, subject)
        return {"Authorization": f"Bearer {plaintext}"}

    def admin(self) -> dict[str, str]:
        return self.token(ALL_PLATFORMS, Role.FEDERATION_ADMIN, "fed-1")

    async def billing_events(self) -> list[Envelope[Any]]:
        """Every event of the billing store, in store order."""
        events = self.metadata.tables["events"]
        async with self.engine.connect() as conn:
            rows = await conn.execute(select(events.c.document).order_by(events.c.position))
            return [from_json_dict(orjson.loads(document)) for (document,) in rows]


def records(envelopes: Any, offsets: itertools.count) -> list[InboundRecord]:
    found = []
    for envelope in envelopes:
        encoded = encode(envelope, PREFIX)
        found.append(InboundRecord(encoded.topic, 0, next(offsets), encoded.key, encoded.value, tuple(encoded.headers)))
    return found


@asynccontextmanager
async def billing_service(database_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Harness]:
    settings = Settings(database_url=database_url, data_dir=tmp_path, platforms_dir=PLATFORMS_DIR, topic_prefix=PREFIX)
    await upgrade_async(database_url, MIGRATIONS)
    billing = bootstrap(settings, clock=clock, tokens=TokenRegistry())
    transport = httpx.ASGITransport(app=create_app(billing=billing))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as client:
            yield Harness(billing, client)
    finally:
        await billing.runtime.engine.dispose()


async def replay_into(engine: AsyncEngine, projection: Projection, envelopes: list[Envelope[Any]]) -> None:
    """Apply ``envelopes`` to ``projection`` in batches of 3, as a consumer from offset 0 would."""
    offsets = itertools.count()
    for start in range(0, len(envelopes), 3):
        await apply_batch(engine, billing_metadata(), projection, records(envelopes[start:start + 3], offsets))


async def ledger_rows(engine: AsyncEngine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the ledger tables, sorted, for cent-for-cent comparisons."""
    metadata = billing_metadata()
    found: dict[str, list[tuple[Any, ...]]] = {}
    async with engine.connect() as conn:
        for name in LEDGER_TABLES:
            rows = await conn.execute(select(metadata.tables[name]))
            found[name] = sorted(tuple(row) for row in rows)
    return found
