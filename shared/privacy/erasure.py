"""Erasing a resident (the right to erasure): destroy their key, then tell every service.

:func:`erase_resident` deletes the resident's key in the vault (crypto-shredding: every sealed copy
of their data, in the stores, the topics, the projections and the exports, becomes unreadable for
good) and appends a :class:`~shared.contracts.events.privacy.ResidentErased` event to intake's event
store, whose outbox relay publishes it on the privacy topic. Counts and fees are untouched: they
never held personal data.

:func:`forget_erased_residents` is the projection through which a service's consumers drop the
erased key from their vault's in-memory cache as soon as they hear of the erasure.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.clock import Clock, SystemClock
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.privacy import ResidentErased
from shared.contracts.topics import PRIVACY
from shared.messaging.projection import Projection
from shared.privacy.errors import UnknownResidentError
from shared.privacy.tables import vault_metadata
from shared.privacy.vault import Vault
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from shared.storage.ports import ProjectionConnection
from shared.storage.tables import core_metadata
from shared.storage.unit_of_work import SqlUnitOfWork

ERASURE_ACTOR = "system:erasure"


@dataclass(frozen=True)
class ErasureReport:
    """What :func:`erase_resident` did. Holds no personal data."""

    resident_id: str
    platform_id: str
    key_deleted: bool
    """False when there was no key left (erased before, or never sealed anything)."""
    event_appended: bool
    """False when intake's store already held the resident's ``ResidentErased`` (a repeated erasure)."""
    erased_at: datetime

    def lines(self) -> list[str]:
        """What was done, in plain words, one step per line."""
        key = "deleted from the vault" if self.key_deleted else "already absent from the vault (nothing left to delete)"
        event = ("ResidentErased appended to intake's event store; intake's outbox relay publishes it on "
                 f"{PRIVACY} for every service" if self.event_appended
                 else "ResidentErased was already in intake's event store (not appended twice)")
        return [
            f"resident {self.resident_id} of platform {self.platform_id}:",
            f"- key {key}",
            "- every sealed copy of their personal data (stores, topics, projections, exports) is now unreadable",
            f"- {event}",
            "- counts and fees are unchanged (they hold no personal data)",
        ]


async def erase_resident(settings: Settings, resident_id: str, *, intake_migrations: Path, platform_id: str | None = None,
                         requested_by: str = "resident", clock: Clock | None = None) -> ErasureReport:
    """Erase ``resident_id``'s personal data everywhere; idempotent.

    ``intake_migrations`` is intake's Alembic history: ``ResidentErased`` is appended to intake's store.

    ``platform_id`` is checked against the vault when given, and needed when the vault never knew
    the resident. Raises ``UnknownResidentError`` (no platform to erase for) or ``ValueError``
    (the resident belongs to another platform).
    """
    vault_engine = create_engine(settings.vault_database_url())
    try:
        vault = Vault(vault_engine, cache_ttl=0)
        await vault.create_tables()
        owner = await _owner(vault_engine, resident_id)
        if owner is not None and platform_id is not None and owner != platform_id:
            raise ValueError(f"resident {resident_id!r} belongs to platform {owner!r}, not {platform_id!r}")
        platform = owner or platform_id
        if platform is None:
            raise UnknownResidentError(resident_id)
        key_deleted = await vault.erase(resident_id)
    finally:
        await vault_engine.dispose()
    erased_at = (clock or SystemClock()).now()
    event = ResidentErased(resident_id=resident_id, erased_at=erased_at, requested_by=requested_by)
    appended = await _append_to_intake(settings, intake_migrations, platform, event)
    return ErasureReport(resident_id, platform, key_deleted, appended, erased_at)


def forget_erased_residents(vault: Vault, name: str) -> Projection:
    """A projection ``name`` (e.g. ``intake.privacy``) that drops each erased resident's key from ``vault``'s cache.

    It writes no rows: the vault's tombstone is the durable record; the cache is what could still
    open the resident's data in this process until it expires.
    """
    projection = Projection(name, topics=(PRIVACY,))

    @projection.handles(ResidentErased)
    async def forget(_conn: ProjectionConnection, envelope: Envelope[Any]) -> None:
        vault.forget(envelope.payload.resident_id)

    return projection


async def _owner(engine: AsyncEngine, resident_id: str) -> str | None:
    tables = vault_metadata().tables
    keys, erased = tables["resident_keys"], tables["erased_residents"]
    async with engine.connect() as connection:
        owner = (await connection.execute(select(keys.c.platform_id).where(keys.c.resident_id == resident_id))).scalar()
        if owner is None:
            query = select(erased.c.platform_id).where(erased.c.resident_id == resident_id)
            owner = (await connection.execute(query)).scalar()
    return owner


async def _append_to_intake(settings: Settings, migrations: Path, platform_id: str, event: ResidentErased) -> bool:
    url = settings.service_database_url("intake")
    await upgrade_async(url, migrations)
    engine = create_engine(url)
    try:
        async with SqlUnitOfWork(engine, core_metadata(), topic_prefix=settings.topic_prefix) as uow:
            if await uow.events.current_version(event.aggregate_type, event.resident_id):
                return False
            envelope = new_envelope(event, platform_id=platform_id, aggregate_id=event.resident_id,
                                    aggregate_version=1, actor=ERASURE_ACTOR, occurred_at=event.erased_at)
            await uow.events.append([envelope])
            await uow.commit()
    finally:
        await engine.dispose()
    return True
