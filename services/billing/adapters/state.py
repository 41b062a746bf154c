"""SQL adapter of the fee process manager's state (see :mod:`services.billing.service_layer.ports`)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any
from uuid import UUID

import orjson
from sqlalchemy import MetaData, delete, select

from services.billing.domain.money import from_cents, to_cents
from services.billing.service_layer.ports import BilledIntervention, ProviderRecord
from shared.contracts.codec import from_json_dict, to_json_dict
from shared.contracts.envelope import Envelope
from shared.contracts.events.providers import ProviderKind
from shared.storage.ports import ProjectionConnection
from shared.storage.upsert import increment, insert_new, upsert


class SqlBillingState:
    """Reads and writes on the connection of the current batch transaction."""

    def __init__(self, conn: ProjectionConnection, metadata: MetaData) -> None:
        self._conn = conn
        tables = metadata.tables
        self._providers = tables["billing_providers"]
        self._memberships = tables["billing_memberships"]
        self._hours = tables["billing_client_hours"]
        self._interventions = tables["billing_interventions"]
        self._aliases = tables["billing_intervention_aliases"]
        self._parked = tables["billing_parked"]

    async def provider(self, provider_id: str) -> ProviderRecord | None:
        table = self._providers
        row = (await self._conn.execute(select(table).where(table.c.provider_id == provider_id))).first()
        if row is None:
            return None
        years = await self._conn.execute(
            select(self._memberships.c.year).where(self._memberships.c.provider_id == provider_id)
        )
        return ProviderRecord(row.provider_id, row.platform_id, ProviderKind(row.kind), row.admitted_on,
                              frozenset(years.scalars()))

    async def save_provider(self, record: ProviderRecord) -> None:
        await upsert(self._conn, self._providers, {
            "provider_id": record.provider_id, "platform_id": record.platform_id, "kind": record.kind.value,
            "admitted_on": record.admitted_on}, key=["provider_id"])

    async def add_membership_year(self, provider_id: str, year: int) -> None:
        await self._conn.execute(self._memberships.insert().values(provider_id=provider_id, year=year))

    async def hours_worked(self, provider_id: str, resident_id: str) -> Decimal:
        table = self._hours
        found = await self._conn.execute(
            select(table.c.hundredths).where(table.c.provider_id == provider_id, table.c.resident_id == resident_id)
        )
        return from_cents(found.scalar() or 0)

    async def add_hours(self, provider_id: str, resident_id: str, delta: Decimal) -> None:
        await increment(self._conn, self._hours, {"provider_id": provider_id, "resident_id": resident_id},
                        {"hundredths": to_cents(delta)})

    async def intervention(self, event_id: UUID) -> BilledIntervention | None:
        table, aliases = self._interventions, self._aliases
        row = (await self._conn.execute(
            select(table).join(aliases, aliases.c.intervention_event_id == table.c.intervention_event_id)
            .where(aliases.c.event_id == str(event_id))
        )).first()
        if row is None:
            return None
        return BilledIntervention(
            intervention_event_id=UUID(row.intervention_event_id), latest_event_id=UUID(row.latest_event_id),
            request_id=row.request_id, provider_id=row.provider_id, resident_id=row.resident_id,
            platform_id=row.platform_id, hours_worked=from_cents(row.hours_hundredths),
            hours_before=from_cents(row.hours_before_hundredths), fee_so_far=from_cents(row.fee_cents),
            last_fee_event_id=UUID(row.last_fee_event_id) if row.last_fee_event_id else None, policy_id=row.policy_id,
        )

    async def save_intervention(self, record: BilledIntervention) -> None:
        key = str(record.intervention_event_id)
        values = {
            "latest_event_id": str(record.latest_event_id), "request_id": record.request_id,
            "provider_id": record.provider_id, "resident_id": record.resident_id, "platform_id": record.platform_id,
            "hours_hundredths": to_cents(record.hours_worked), "hours_before_hundredths": to_cents(record.hours_before),
            "fee_cents": to_cents(record.fee_so_far), "policy_id": record.policy_id,
            "last_fee_event_id": str(record.last_fee_event_id) if record.last_fee_event_id else None,
        }
        await upsert(self._conn, self._interventions, {"intervention_event_id": key, **values},
                     key=["intervention_event_id"])
        await insert_new(self._conn, self._aliases, {"event_id": str(record.latest_event_id), "intervention_event_id": key},
                         key=["event_id"])

    async def park(self, provider_id: str, envelope: Envelope[Any]) -> None:
        document = orjson.dumps(to_json_dict(envelope)).decode()
        await self._conn.execute(self._parked.insert().values(provider_id=provider_id, document=document))

    async def has_parked(self, provider_id: str) -> bool:
        found = await self._conn.execute(
            select(self._parked.c.seq).where(self._parked.c.provider_id == provider_id).limit(1)
        )
        return found.first() is not None

    async def unpark(self, provider_id: str) -> list[Envelope[Any]]:
        table = self._parked
        rows = await self._conn.execute(
            select(table.c.document).where(table.c.provider_id == provider_id).order_by(table.c.seq)
        )
        parked = [from_json_dict(orjson.loads(document)) for (document,) in rows]
        await self._conn.execute(delete(table).where(table.c.provider_id == provider_id))
        return parked
