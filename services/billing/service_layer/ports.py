"""What billing's fee process manager and handlers read and write, as records and ports (SQL adapters or fakes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol
from uuid import UUID

from services.billing.domain.ledger import LedgerEntry, YearTotals
from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import BillingEvent
from shared.contracts.events.providers import ProviderKind
from shared.storage.ports import ProjectionConnection, UnitOfWork


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

    async def append_new(self, payload: BillingEvent, *, platform_id: str, actor: str,
                         occurred_at: datetime) -> Envelope[Any]:
        """Append ``payload`` recorded by a command (a new flow: new correlation id)."""
        ...


class IssuedStatementRow(Protocol):
    """A statement already issued, as the ledger keeps it (amounts in cents)."""

    statement_id: str
    issued_on: date
    opening_cents: int
    charged_cents: int
    paid_cents: int


class LedgerReader(Protocol):
    """The accounts, entries and issued statements, read through the caller's connection."""

    async def balance(self, conn: ProjectionConnection, provider_id: str) -> Decimal | None:
        """The account's balance; ``None`` when it has no entry yet."""
        ...

    async def entries(self, conn: ProjectionConnection, provider_id: str) -> list[LedgerEntry]:
        """Every entry of the account, in the order they were recorded."""
        ...

    async def statements(self, conn: ProjectionConnection, provider_id: str, period: str) -> list[IssuedStatementRow]:
        """Statements already issued for the account and month, oldest first."""
        ...

    async def year_totals(self, conn: ProjectionConnection, platform_id: str, year: int) -> YearTotals: ...


class BillingUnitOfWork(UnitOfWork, Protocol):
    """One transaction with the account book, the billing state and the ledger's reads."""

    @property
    def connection(self) -> ProjectionConnection: ...

    @property
    def book(self) -> AccountBook: ...

    @property
    def state(self) -> BillingState: ...

    @property
    def ledger(self) -> LedgerReader: ...


UnitOfWorkFactory = Callable[[], BillingUnitOfWork]
