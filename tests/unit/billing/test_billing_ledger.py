"""Ledger entries from billing events, booking dates and monthly statements."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from uuid import uuid4

from services.billing.domain.ledger import (
    EntryKind,
    entry_of,
    period_bounds,
    statement_for,
)
from shared.contracts.events.billing import (
    FeeAdjusted,
    MembershipFeeCharged,
    PaymentMethod,
    PaymentRecorded,
    StatementIssued,
)
from tests.unit.billing.factories import PARIS, envelope

D = Decimal


def test_entries_are_booked_on_the_local_date_and_payments_on_their_day() -> None:
    just_after_midnight_in_paris = datetime(2008, 3, 31, 22, 30, tzinfo=UTC)
    adjustment = FeeAdjusted(provider_id="p", request_id="r", adjusts_event_id=uuid4(), correction_event_id=uuid4(),
                             policy_id="limoges-artisan-2007-01-01", amount="-1.00", reason="typo")
    payment = PaymentRecorded(provider_id="p", amount="20.00", paid_on=date(2008, 3, 28), method=PaymentMethod.CHEQUE,
                              reference="CHQ 123")

    adjusted = entry_of(envelope(adjustment, just_after_midnight_in_paris), PARIS)
    paid = entry_of(envelope(payment, just_after_midnight_in_paris, 2), PARIS)

    assert (adjusted.kind, adjusted.booked_on, adjusted.amount) == (EntryKind.ADJUSTMENT, date(2008, 4, 1), D("-1.00"))
    assert (paid.kind, paid.booked_on, paid.amount, paid.sequence) == (EntryKind.PAYMENT, date(2008, 3, 28), D("-20.00"), 2)
    assert "CHQ 123" in paid.description


def test_a_statement_moves_no_money() -> None:
    statement = StatementIssued(provider_id="p", statement_id="stm", period="2008-03", issued_on=date(2008, 4, 2),
                                opening_balance="0.00", total_charged="1.00", total_paid="0.00", closing_balance="1.00")

    assert entry_of(envelope(statement, datetime(2008, 4, 2, tzinfo=UTC)), PARIS) is None


def test_a_monthly_statement_has_opening_month_and_closing_figures() -> None:
    def at(day: date, version: int, payload):  # type: ignore[no-untyped-def]
        return entry_of(envelope(payload, datetime(day.year, day.month, day.day, 10, tzinfo=UTC), version), PARIS)

    entries = [
        at(date(2008, 2, 1), 1, MembershipFeeCharged(provider_id="p", year=2008, policy_id="x", amount="155.00")),
        at(date(2008, 3, 5), 2, PaymentRecorded(provider_id="p", amount="100.00", paid_on=date(2008, 3, 5),
                                                 method=PaymentMethod.BANK_TRANSFER)),
        at(date(2008, 3, 20), 3, FeeAdjusted(provider_id="p", request_id="r", adjusts_event_id=uuid4(),
                                              correction_event_id=uuid4(), policy_id="x", amount="2.25")),
        at(date(2008, 4, 1), 4, PaymentRecorded(provider_id="p", amount="57.25", paid_on=date(2008, 4, 1),
                                                 method=PaymentMethod.CASH)),
    ]

    march = statement_for("p", "2008-03", entries)

    assert (march.opening_balance, march.total_charged, march.total_paid, march.closing_balance) == (
        D("155.00"), D("2.25"), D("100.00"), D("57.25"))
    assert [e.sequence for e in march.entries] == [2, 3]
    assert period_bounds("2008-12") == (date(2008, 12, 1), date(2009, 1, 1))
