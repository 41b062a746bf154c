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

Words: an entry keeps the codes and figures of its event (how a fee was computed, the year of a
membership, the method of a payment) and what a person typed (a cheque's reference, a correction's
reason), never a sentence; :func:`describe` writes its French line from them with the words of
:mod:`shared.contracts.labels`, so every statement, page and API says the same and a wording change
needs no rebuild.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any
from zoneinfo import ZoneInfo

from services.billing.domain.money import ZERO, french_euros, french_number
from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import (
    FeeAdjusted,
    FeeBasis,
    FeeCharged,
    MembershipFeeCharged,
    PaymentMethod,
    PaymentRecorded,
)
from shared.contracts.labels import FEE_BASES, LEDGER_LINES, PAYMENT_METHODS, label
from shared.platforms.local_time import local_date


class EntryKind(StrEnum):
    FEE = "fee"
    ADJUSTMENT = "adjustment"
    MEMBERSHIP = "membership"
    PAYMENT = "payment"


CHARGES = (EntryKind.FEE, EntryKind.ADJUSTMENT, EntryKind.MEMBERSHIP)


@dataclass(frozen=True, slots=True)
class LedgerEntry:
    """One line of an account. Besides its amount, what its French line is written from:

    - a fee: ``basis`` (how it was computed), ``rate``, ``base_amount`` (percentages) or ``hours`` (per hour);
    - a membership: its ``year``;
    - a payment: its ``method`` and, in ``note``, the reference typed by the coordinator;
    - an adjustment: in ``note``, the reason of the correction as typed.
    """

    entry_id: str
    platform_id: str
    provider_id: str
    sequence: int
    kind: EntryKind
    booked_on: date
    amount: Decimal
    request_id: str | None
    basis: FeeBasis | None = None
    rate: Decimal | None = None
    base_amount: Decimal | None = None
    hours: Decimal | None = None
    year: int | None = None
    method: PaymentMethod | None = None
    note: str = ""

    @property
    def description(self) -> str:
        return describe(self)


def entry_of(envelope: Envelope[Any], zone: ZoneInfo) -> LedgerEntry | None:
    """The ledger entry of a billing event; ``None`` for events that move no money (statements)."""
    event = envelope.payload
    head = (str(envelope.event_id), envelope.platform_id, event.provider_id, envelope.meta.aggregate_version)
    booked_on = local_date(envelope.meta.occurred_at, zone)
    if isinstance(event, FeeCharged):
        return LedgerEntry(*head, EntryKind.FEE, booked_on, Decimal(event.amount), event.request_id, basis=event.basis,
                           rate=Decimal(event.rate), base_amount=Decimal(event.base_amount),
                           hours=Decimal(event.hours_charged))
    if isinstance(event, FeeAdjusted):
        return LedgerEntry(*head, EntryKind.ADJUSTMENT, booked_on, Decimal(event.amount), event.request_id,
                           note=event.reason)
    if isinstance(event, MembershipFeeCharged):
        return LedgerEntry(*head, EntryKind.MEMBERSHIP, booked_on, Decimal(event.amount), None, year=event.year)
    if isinstance(event, PaymentRecorded):
        return LedgerEntry(*head, EntryKind.PAYMENT, event.paid_on, -Decimal(event.amount), None, method=event.method,
                           note=event.reference)
    return None


def describe(entry: LedgerEntry) -> str:
    """The French line of ``entry`` on a statement, e.g. ``5 % de 135,00 € (main-d'œuvre et déplacement, HT)``."""
    if entry.kind is EntryKind.FEE and entry.basis is not None:
        return label(FEE_BASES, entry.basis).format(
            rate=french_number((entry.rate or ZERO) * 100) if entry.basis is FeeBasis.PERCENTAGE
            else french_euros(entry.rate or ZERO),
            base=french_euros(entry.base_amount or ZERO), hours=french_number(entry.hours or ZERO))
    if entry.kind is EntryKind.ADJUSTMENT:
        return (LEDGER_LINES["adjustment_with_reason"] if entry.note else LEDGER_LINES["adjustment"]).format(
            reason=entry.note)
    if entry.kind is EntryKind.MEMBERSHIP:
        return LEDGER_LINES["membership"].format(year=entry.year)
    if entry.kind is EntryKind.PAYMENT:
        method = label(PAYMENT_METHODS, entry.method, "paiement").capitalize()
        return (LEDGER_LINES["payment_with_reference"] if entry.note else LEDGER_LINES["payment"]).format(
            method=method, reference=entry.note)
    return "—"


def owed_and_credit(balance: Decimal) -> tuple[Decimal, Decimal]:
    """A balance as what the provider owes and what the platform holds in its favour (one of them is zero)."""
    return max(balance, ZERO), max(-balance, ZERO)


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
        return owed_and_credit(self.opening_balance)[1]

    @property
    def closing_credit(self) -> Decimal:
        """What the provider paid beyond what it owed, held in its favour at the end of the month (0 when it owes)."""
        return owed_and_credit(self.closing_balance)[1]


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
