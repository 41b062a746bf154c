"""Refill a wiped broker from the services' own event stores.

Each service's event store holds its whole history (it doubles as the outbox). Restoring a service
creates the topics again, marks every stored event unpublished and lets an outbox relay publish them
again in store order (per aggregate, the original order). Consumers deduplicate by event id: their
processed ids live in their own databases, so events they had already applied are skipped, and
those they had not yet seen are applied. Running the service's own relay at the same time is
harmless: it may publish some events twice, and consumers skip the second copy.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.engine import make_url

from shared.messaging.admin import ensure_topics
from shared.messaging.producer import create_producer, grants_producer_ids
from shared.messaging.relay import OutboxRelay
from shared.settings import Settings
from shared.storage.engine import begin_write, create_engine, store_exists
from shared.storage.tables import core_metadata

Progress = Callable[[str, int, int], object]


class NoStore(RuntimeError):
    """The service has no event store at the configured place (nothing to restore)."""


@dataclass(frozen=True)
class RestoreOutcome:
    service: str
    events: int
    published: int


async def restore_service(settings: Settings, service: str, *, progress: Progress | None = None) -> RestoreOutcome:
    """Republish every event of ``service``'s store; returns once all are acknowledged by the broker.

    Raises :class:`NoStore` when the service's SQLite file does not exist, and the broker's or the
    database's error if publishing fails.
    """
    url = settings.service_database_url(service)
    if not store_exists(url):
        raise NoStore(f"{service}: no event store at {make_url(url).database}")
    bootstrap = settings.kafka_bootstrap_servers
    await ensure_topics(bootstrap, settings.topic_prefix)
    idempotent = await grants_producer_ids(bootstrap)
    engine = create_engine(url)
    metadata = core_metadata()
    events = metadata.tables["events"]
    relay = OutboxRelay(engine, metadata, lambda: create_producer(bootstrap, client_id=f"relais-restore-{service}", idempotent=idempotent),
                        batch_size=settings.relay_batch_size)
    try:
        async with begin_write(engine) as conn:  # read then write: a deferred BEGIN would hold a stale snapshot
            total = int(await conn.scalar(select(func.count()).select_from(events)) or 0)
            await conn.execute(update(events).values(published_at=None))
        published = 0
        while await relay.backlog():
            sent = await relay.publish_pending()
            if not sent:  # another relay holds the store's lock (PostgreSQL) and publishes them
                await asyncio.sleep(0.1)
            published += sent
            if progress is not None:
                progress(service, published, total)
        return RestoreOutcome(service, total, published)
    finally:
        await relay.close()
        await engine.dispose()
