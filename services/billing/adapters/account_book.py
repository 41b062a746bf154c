"""Appends billing events to a provider's account: event store (the outbox) and ledger, one transaction."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID, uuid5

from sqlalchemy import MetaData

from services.billing.adapters.ledger import Ledger
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.billing import BillingEvent
from shared.storage.eventstore import EventStore
from shared.storage.ports import ProjectionConnection

BILLING_IDS = UUID("5b0f6a5e-3c1d-4f43-9d0e-6b1d1c0a7e11")
"""Namespace of the ids of events the fee process derives from another event (uuid5)."""

SYSTEM_ACTOR = "system:billing"
ACCOUNT = "account"


class SqlAccountBook:
    """Writes on ``conn`` inside the caller's transaction; the caller commits."""

    def __init__(self, conn: ProjectionConnection, metadata: MetaData, ledger: Ledger, topic_prefix: str = "") -> None:
        self._store = EventStore(conn, metadata, topic_prefix)
        self._conn = conn
        self._ledger = ledger

    async def append(self, cause: Envelope[Any], payload: BillingEvent, *, platform_id: str,
                     purpose: str) -> Envelope[Any]:
        """Append ``payload`` caused by ``cause``; its id is ``uuid5(cause id / purpose)``, as is its time."""
        return await self._append(
            payload, platform_id=platform_id, actor=SYSTEM_ACTOR, occurred_at=cause.meta.occurred_at,
            correlation_id=cause.meta.correlation_id, causation_id=cause.event_id,
            event_id=uuid5(BILLING_IDS, f"{cause.event_id}/{purpose}"),
        )

    async def append_new(self, payload: BillingEvent, *, platform_id: str, actor: str,
                         occurred_at: datetime) -> Envelope[Any]:
        """Append ``payload`` recorded by a command (a new flow: new correlation id)."""
        return await self._append(payload, platform_id=platform_id, actor=actor, occurred_at=occurred_at)

    async def _append(self, payload: BillingEvent, *, platform_id: str, actor: str, occurred_at: datetime,
                      **ids: Any) -> Envelope[Any]:
        version = await self._store.current_version(ACCOUNT, payload.provider_id) + 1
        envelope = new_envelope(payload, platform_id=platform_id, aggregate_id=payload.provider_id,
                                aggregate_version=version, actor=actor, occurred_at=occurred_at, **ids)
        await self._store.append([envelope])
        await self._ledger.record(self._conn, envelope)
        return envelope
