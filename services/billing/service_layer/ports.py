"""What the fee process manager reads and writes, as records and ports (SQL adapters or fakes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import BillingEvent
from shared.contracts.events.providers import ProviderKind


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    """A provider as billing knows it: its platform, its kind (decides the rule) and its admission."""

    provider_id: str
    platform_id: str
    kind: ProviderKind
    admitted_on: date | None = None
    membership_years: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class BilledIntervention:
    """An intervention billing has seen (charged or not), keyed by its InterventionDone event id.

    ``hours_before``: hours the provider had worked for the resident before it (new-client period);
    ``fee_so_far``: fee charged on it, adjustments included; ``last_fee_event_id``: the last
    FeeCharged/FeeAdjusted on it (``None`` while nothing was charged).
    """

    intervention_event_id: UUID
    latest_event_id: UUID
    request_id: str
    provider_id: str
    resident_id: str
    platform_id: str
    hours_worked: Decimal
    hours_before: Decimal
    fee_so_far: Decimal
    last_fee_event_id: UUID | None
    policy_id: str | None


class BillingState(Protocol):
    async def provider(self, provider_id: str) -> ProviderRecord | None: ...

    async def save_provider(self, record: ProviderRecord) -> None:
        """Insert or update the provider (membership years are added with :meth:`add_membership_year`)."""

    async def add_membership_year(self, provider_id: str, year: int) -> None: ...

    async def hours_worked(self, provider_id: str, resident_id: str) -> Decimal: ...

    async def add_hours(self, provider_id: str, resident_id: str, delta: Decimal) -> None: ...

    async def intervention(self, event_id: UUID) -> BilledIntervention | None:
        """The intervention whose InterventionDone or any of its corrections has ``event_id``."""

    async def save_intervention(self, record: BilledIntervention) -> None: ...

    async def park(self, provider_id: str, envelope: Envelope[Any]) -> None:
        """Keep an intervention event until the provider is known (topics are not ordered together)."""

    async def has_parked(self, provider_id: str) -> bool: ...

    async def unpark(self, provider_id: str) -> list[Envelope[Any]]:
        """Remove and return the provider's parked events, oldest first."""


class AccountBook(Protocol):
    async def append(self, cause: Envelope[Any], payload: BillingEvent, *, platform_id: str,
                     purpose: str) -> Envelope[Any]:
        """Append ``payload`` to the provider's account (and its ledger) as caused by ``cause``.

        The event id is derived from ``cause``'s id and ``purpose``, so a replay yields the same ids.
        """
