"""In-memory stand-ins for the fee process manager's ports."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid5

from services.billing.adapters.account_book import BILLING_IDS
from services.billing.domain.ledger import LedgerEntry, entry_of
from services.billing.service_layer.ports import BilledIntervention, ProviderRecord
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.billing import BillingEvent


class FakeBillingState:
    def __init__(self) -> None:
        self.providers: dict[str, ProviderRecord] = {}
        self.hours: dict[tuple[str, str], Decimal] = {}
        self.interventions: dict[UUID, BilledIntervention] = {}
        self.aliases: dict[UUID, UUID] = {}
        self.parked: list[tuple[str, Envelope[Any]]] = []

    async def provider(self, provider_id: str) -> ProviderRecord | None:
        return self.providers.get(provider_id)

    async def save_provider(self, record: ProviderRecord) -> None:
        years = self.providers[record.provider_id].membership_years if record.provider_id in self.providers else frozenset()
        self.providers[record.provider_id] = replace(record, membership_years=years)

    async def add_membership_year(self, provider_id: str, year: int) -> None:
        record = self.providers[provider_id]
        assert year not in record.membership_years, "membership charged twice in a year"
        self.providers[provider_id] = replace(record, membership_years=record.membership_years | {year})

    async def hours_worked(self, provider_id: str, resident_id: str) -> Decimal:
        return self.hours.get((provider_id, resident_id), Decimal("0.00"))

    async def add_hours(self, provider_id: str, resident_id: str, delta: Decimal) -> None:
        self.hours[(provider_id, resident_id)] = await self.hours_worked(provider_id, resident_id) + delta

    async def intervention(self, event_id: UUID) -> BilledIntervention | None:
        original = self.aliases.get(event_id)
        return None if original is None else self.interventions[original]

    async def save_intervention(self, record: BilledIntervention) -> None:
        self.interventions[record.intervention_event_id] = record
        self.aliases.setdefault(record.latest_event_id, record.intervention_event_id)

    async def park(self, provider_id: str, envelope: Envelope[Any]) -> None:
        self.parked.append((provider_id, envelope))

    async def has_parked(self, provider_id: str) -> bool:
        return any(owner == provider_id for owner, _ in self.parked)

    async def unpark(self, provider_id: str) -> list[Envelope[Any]]:
        mine = [envelope for owner, envelope in self.parked if owner == provider_id]
        self.parked = [(owner, envelope) for owner, envelope in self.parked if owner != provider_id]
        return mine


class FakeAccountBook:
    """Keeps the appended billing events; ``ledger(provider)`` folds them like the real ledger."""

    def __init__(self, zone: Any) -> None:
        self.events: list[Envelope[Any]] = []
        self.zone = zone

    async def append(self, cause: Envelope[Any], payload: BillingEvent, *, platform_id: str,
                     purpose: str) -> Envelope[Any]:
        version = 1 + sum(1 for e in self.events if e.meta.aggregate_id == payload.provider_id)
        envelope = new_envelope(payload, platform_id=platform_id, aggregate_id=payload.provider_id,
                                aggregate_version=version, actor="system:billing", occurred_at=cause.meta.occurred_at,
                                correlation_id=cause.meta.correlation_id, causation_id=cause.event_id,
                                event_id=uuid5(BILLING_IDS, f"{cause.event_id}/{purpose}"))
        assert envelope.event_id not in {e.event_id for e in self.events}, "same billing event appended twice"
        self.events.append(envelope)
        return envelope

    def of(self, event_type: type) -> list[Any]:
        return [e.payload for e in self.events if isinstance(e.payload, event_type)]

    def ledger(self, provider_id: str) -> list[LedgerEntry]:
        entries = [entry_of(e, self.zone) for e in self.events if e.meta.aggregate_id == provider_id]
        return [entry for entry in entries if entry is not None]

    def balance(self, provider_id: str) -> Decimal:
        return sum((entry.amount for entry in self.ledger(provider_id)), Decimal("0.00"))
