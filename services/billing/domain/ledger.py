"""The ledger of a provider account: one entry per billing event that moves money.

Sign: a positive amount is owed by the provider to the platform (fees, memberships, adjustments
upwards); a payment is negative. The balance is the sum of the entries: what the provider owes.

Overpayment: a payment is recorded for its full amount, whatever the balance (the ledger matches the
cheques and transfers received). A payment larger than the balance leaves a negative balance: a credit
in favour of the provider, carried from month to month and used up by the next fees; statements show it
as a credit (:attr:`StatementFigures.closing_credit`), never as an amount owed.

Booking date (decides the month of a statement and the year of the totals):
payments on their ``paid_on``; every other entry on the local date (platform time zone) when its
event occurred, i.e. when the intervention, admission or correction it comes from was recorded.
A correction is therefore booked when it is made, never back into a month already stated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from services.billing.domain.money import ZERO
from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import (
    FeeAdjusted,
    FeeBasis,
    FeeCharged,
    MembershipFeeCharged,
    PaymentRecorded,
)
from shared.platforms.local_time import local_date


class EntryKind(StrEnum):
    FEE = "fee"
    ADJUSTMENT = "adjustment"
    MEMBERSHIP = "membership"
    PAYMENT = "payment"


CHARGES = (EntryKind.FEE, EntryKind.ADJUSTMENT, EntryKind.MEMBERSHIP)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    entry_id: str
    platform_id: str
    provider_id: str
    sequence: int
    kind: EntryKind
    booked_on: date
    amount: Decimal
    request_id: str | None
    description: str


def entry_of(envelope: Envelope[Any], zone: ZoneInfo) -> LedgerEntry | None:
    """The ledger entry of a billing event; ``None`` for events that move no money (statements)."""
    event = envelope.payload
    booked_on = local_date(envelope.meta.occurred_at, zone)
    request_id: str | None = None
    if isinstance(event, FeeCharged):
        kind, amount, request_id, text = EntryKind.FEE, event.amount, event.request_id, _fee_text(event)
    elif isinstance(event, FeeAdjusted):
        text = f"adjustment after a correction: {event.reason}" if event.reason else "adjustment after a correction"
        kind, amount, request_id = EntryKind.ADJUSTMENT, event.amount, event.request_id
    elif isinstance(event, MembershipFeeCharged):
        kind, amount, text = EntryKind.MEMBERSHIP, event.amount, f"membership {event.year}"
    elif isinstance(event, PaymentRecorded):
        kind, amount, booked_on = EntryKind.PAYMENT, f"-{event.amount}", event.paid_on
        text = f"payment ({event.method.value.replace('_', ' ')}{', ' + event.reference if event.reference else ''})"
    else:
        return None
    return LedgerEntry(str(envelope.event_id), envelope.platform_id, event.provider_id,
                       envelope.meta.aggregate_version, kind, booked_on, Decimal(amount), request_id, text)


def _fee_text(event: FeeCharged) -> str:
    if event.basis is FeeBasis.PERCENTAGE:
        percent = (Decimal(event.rate) * 100).normalize()
        return f"{percent:f} % of {event.base_amount} (labour + travel excl. tax)"
    return f"{event.hours_charged} h x {event.rate} (new client)"


@dataclass(frozen=True, slots=True)
class StatementFigures:
    """A month of an account: opening balance, the month's entries, totals and closing balance."""

    provider_id: str
    period: str
    opening_balance: Decimal
    entries: tuple[LedgerEntry, ...]

    @property
    def total_charged(self) -> Decimal:
        return sum((e.amount for e in self.entries if e.kind in CHARGES), ZERO)

    @property
    def total_paid(self) -> Decimal:
        return -sum((e.amount for e in self.entries if e.kind is EntryKind.PAYMENT), ZERO)

    @property
    def closing_balance(self) -> Decimal:
        return self.opening_balance + self.total_charged - self.total_paid

    @property
    def opening_credit(self) -> Decimal:
        """What the platform held in the provider's favour at the start of the month (0 when it owed)."""
        return max(-self.opening_balance, ZERO)

    @property
    def closing_credit(self) -> Decimal:
        """What the provider paid beyond what it owed, held in its favour at the end of the month (0 when it owes)."""
        return max(-self.closing_balance, ZERO)


def period_bounds(period: str) -> tuple[date, date]:
    """First day of the month ``YYYY-MM`` and first day of the next month."""
    year, month = (int(part) for part in period.split("-"))
    start = date(year, month, 1)
    return start, date(year + month // 12, month % 12 + 1, 1)


def statement_for(provider_id: str, period: str, entries: Sequence[LedgerEntry]) -> StatementFigures:
    """The statement of ``period`` from every entry of the account (any order)."""
    start, end = period_bounds(period)
    ordered = sorted(entries, key=lambda e: (e.booked_on, e.sequence))
    opening = sum((e.amount for e in ordered if e.booked_on < start), ZERO)
    month = tuple(e for e in ordered if start <= e.booked_on < end)
    return StatementFigures(provider_id, period, opening, month)


@dataclass(frozen=True, slots=True)
class YearTotals:
    platform_id: str
    year: int
    by_kind: dict[EntryKind, Decimal]
    accounts: int

    @property
    def charged(self) -> Decimal:
        return sum((self.by_kind.get(kind, ZERO) for kind in CHARGES), ZERO)

    @property
    def paid(self) -> Decimal:
        return -self.by_kind.get(EntryKind.PAYMENT, ZERO)
