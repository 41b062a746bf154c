"""The fee process manager on fakes: which billing events each provider or intervention event yields."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from services.billing.service_layer.fee_process import FeeProcess
from shared.contracts.envelope import Envelope
from shared.contracts.events.billing import (
    FeeAdjusted,
    FeeBasis,
    FeeCharged,
    MembershipFeeCharged,
)
from shared.contracts.events.matching import InterventionCorrected
from shared.contracts.events.providers import ProviderAdmitted, ProviderApplied
from shared.errors import DomainError
from shared.platforms.model import PlatformPolicy
from tests.unit.billing.factories import (
    admitted,
    applied,
    corrected,
    done,
    policies,
    with_fees,
)
from tests.unit.billing.fakes import FakeAccountBook, FakeBillingState

D = Decimal


class Billing:
    """The process manager over fakes, fed one event at a time like the projection does."""

    def __init__(self, platform_policies: Mapping[str, PlatformPolicy] | None = None) -> None:
        self.state = FakeBillingState()
        self.book = FakeAccountBook(policies()["limoges"].zone)
        self.process = FeeProcess(self.state, self.book, platform_policies or policies())

    async def feed(self, *envelopes: Envelope[Any]) -> None:
        for envelope in envelopes:
            event = envelope.payload
            if isinstance(event, ProviderApplied):
                await self.process.provider_applied(envelope)
            elif isinstance(event, ProviderAdmitted):
                await self.process.provider_admitted(envelope)
            elif isinstance(event, InterventionCorrected):
                await self.process.intervention_corrected(envelope)
            else:
                await self.process.intervention_done(envelope)


async def test_an_artisan_intervention_of_120_plus_15_is_charged_6_75() -> None:
    billing = Billing()
    intervention = done("prv-art", labour="120.00", travel="15.00")

    await billing.feed(applied("prv-art", "artisan"), admitted("prv-art", date(2008, 2, 1)), intervention)

    [fee] = billing.book.of(FeeCharged)
    assert (fee.amount, fee.base_amount, fee.rate, fee.hours_charged, fee.basis) == ("6.75", "135.00", "0.05", "0.00", FeeBasis.PERCENTAGE)
    assert (fee.request_id, fee.intervention_event_id, fee.policy_id) == (
        intervention.payload.request_id, intervention.event_id, "limoges-artisan-2007-01-01")
    assert billing.book.balance("prv-art") == D("6.75")


async def test_an_association_pays_for_the_first_20_hours_with_a_new_client_then_nothing() -> None:
    billing = Billing()
    await billing.feed(applied("prv-asso", "association"), admitted("prv-asso", date(2008, 2, 1)))

    await billing.feed(done("prv-asso", resident_id="res-a", hours="10.00", labour="150.00", travel="0.00"))
    await billing.feed(done("prv-asso", resident_id="res-a", hours="15.00", labour="225.00", travel="0.00"))
    await billing.feed(done("prv-asso", resident_id="res-a", hours="8.00", labour="120.00", travel="0.00"))

    fees = billing.book.of(FeeCharged)
    assert [(f.hours_charged, f.amount) for f in fees] == [("10.00", "1.00"), ("10.00", "1.00")]
    assert billing.book.balance("prv-asso") == D("2.00")
    assert await billing.state.hours_worked("prv-asso", "res-a") == D("33.00")


async def test_a_zero_fee_emits_no_event_but_another_resident_is_a_new_client_again() -> None:
    billing = Billing()
    await billing.feed(applied("prv-asso", "association"))
    await billing.feed(done("prv-asso", resident_id="res-a", hours="25.00", labour="300.00", travel="0.00"),
                       done("prv-asso", resident_id="res-a", hours="1.00", labour="12.00", travel="0.00"),
                       done("prv-asso", resident_id="res-b", hours="3.00", labour="36.00", travel="0.00"))

    assert [f.amount for f in billing.book.of(FeeCharged)] == ["2.00", "0.30"]


async def test_val_de_marne_charges_155_on_admission_and_once_more_per_later_year_with_work() -> None:
    billing = Billing()
    provider = "prv-vdm"
    await billing.feed(applied(provider, "company", "val-de-marne"), admitted(provider, date(2008, 2, 1), "val-de-marne"))
    await billing.feed(*(done(provider, platform_id="val-de-marne", done_on=date(2008, m, 3)) for m in (3, 6, 12)))
    await billing.feed(*(done(provider, platform_id="val-de-marne", done_on=date(2009, m, 3)) for m in (1, 2)))

    memberships = billing.book.of(MembershipFeeCharged)
    assert [(m.year, m.amount, m.policy_id) for m in memberships] == [
        (2008, "155.00", "val-de-marne-company-2007-01-01"), (2009, "155.00", "val-de-marne-company-2007-01-01")]
    assert billing.book.of(FeeCharged) == []
    assert billing.book.balance(provider) == D("310.00")


async def test_mons_borinage_charges_nothing_at_all() -> None:
    billing = Billing()
    provider = "prv-mons"
    await billing.feed(applied(provider, "artisan", "mons-borinage"), admitted(provider, date(2008, 2, 1), "mons-borinage"),
                       done(provider, platform_id="mons-borinage"))

    assert billing.book.events == []
    assert billing.book.balance(provider) == D("0.00")


async def test_a_corrected_intervention_yields_an_adjusting_entry_and_the_right_balance() -> None:
    billing = Billing()
    original = done("prv-art", labour="120.00", travel="15.00")
    await billing.feed(applied("prv-art", "artisan"), original)
    first = corrected(original, labour="100.00", reason="labour was 100.00")
    second = corrected(first, labour="140.00", travel="20.00", reason="travel forgotten")

    await billing.feed(first, second)

    [fee] = billing.book.of(FeeCharged)
    adjustments = billing.book.of(FeeAdjusted)
    assert [(a.amount, a.correction_event_id, a.reason) for a in adjustments] == [
        ("-1.00", first.event_id, "labour was 100.00"), ("2.25", second.event_id, "travel forgotten")]
    fee_event_id = billing.book.events[0].event_id
    assert adjustments[0].adjusts_event_id == fee_event_id
    assert adjustments[1].adjusts_event_id == billing.book.events[1].event_id
    assert fee.amount == "6.75" and billing.book.balance("prv-art") == D("8.00")  # 5 % of 160.00


async def test_correcting_an_association_intervention_moves_the_new_client_hours() -> None:
    billing = Billing()
    first = done("prv-asso", hours="10.00", labour="150.00", travel="0.00")
    await billing.feed(applied("prv-asso", "association"), first)
    await billing.feed(corrected(first, hours="12.00", labour="180.00"))
    await billing.feed(done("prv-asso", hours="15.00", labour="225.00", travel="0.00"))

    assert [a.amount for a in billing.book.of(FeeAdjusted)] == ["0.20"]
    assert [(f.hours_charged, f.amount) for f in billing.book.of(FeeCharged)] == [("10.00", "1.00"), ("8.00", "0.80")]
    assert billing.book.balance("prv-asso") == D("2.00")


async def test_a_correction_that_makes_an_unpaid_intervention_chargeable_charges_it() -> None:
    billing = Billing()
    beyond = done("prv-asso", resident_id="res-a", hours="2.00", labour="30.00", travel="0.00")
    await billing.feed(applied("prv-asso", "association"),
                       done("prv-asso", resident_id="res-a", hours="20.00", labour="300.00", travel="0.00"), beyond)
    assert [f.amount for f in billing.book.of(FeeCharged)] == ["2.00"]

    await billing.feed(corrected(beyond, resident_id="res-b", reason="it was the neighbour"))

    fees = billing.book.of(FeeCharged)
    assert [(f.amount, f.intervention_event_id) for f in fees[1:]] == [("0.20", beyond.event_id)]
    assert await billing.state.hours_worked("prv-asso", "res-a") == D("20.00")
    assert await billing.state.hours_worked("prv-asso", "res-b") == D("2.00")
    assert billing.book.balance("prv-asso") == D("2.20")


async def test_a_fee_change_is_never_retroactive() -> None:
    rules = {"association": {"type": "none"}, "company": {"type": "none"}}
    billing = Billing(with_fees(
        "limoges",
        {"effective_from": "2007-01-01", "rules": {"artisan": {"type": "percentage", "rate": "0.05"}, **rules}},
        {"effective_from": "2009-01-01", "rules": {"artisan": {"type": "percentage", "rate": "0.04"}, **rules}},
    ))
    late_report = done("prv-art", done_on=date(2008, 12, 20), occurred_at=None)

    await billing.feed(applied("prv-art", "artisan"), done("prv-art", done_on=date(2009, 1, 5)), late_report)

    assert [(f.amount, f.policy_id) for f in billing.book.of(FeeCharged)] == [
        ("5.40", "limoges-artisan-2009-01-01"), ("6.75", "limoges-artisan-2007-01-01")]


async def test_an_intervention_before_its_provider_is_known_waits_for_it() -> None:
    billing = Billing()
    intervention = done("prv-late", labour="120.00", travel="15.00")

    await billing.feed(intervention, corrected(intervention, labour="100.00"))
    assert billing.book.events == []

    await billing.feed(applied("prv-late", "artisan"))
    assert [e.payload.amount for e in billing.book.events] == ["6.75", "-1.00"]


async def test_the_same_input_yields_the_same_billing_events_and_ids() -> None:
    inputs = [applied("prv-vdm", "artisan", "val-de-marne"), admitted("prv-vdm", date(2008, 2, 1), "val-de-marne"),
              applied("prv-art", "artisan"), done("prv-art"), done("prv-vdm", platform_id="val-de-marne")]
    one, two = Billing(), Billing()

    await one.feed(*inputs)
    await two.feed(*inputs)

    assert [(e.event_id, e.payload) for e in one.book.events] == [(e.event_id, e.payload) for e in two.book.events]


async def test_refusals_are_domain_errors() -> None:
    billing = Billing()
    stranger = done("prv-art")
    await billing.feed(applied("prv-art", "artisan"))

    with pytest.raises(DomainError, match="never billed"):
        await billing.feed(corrected(stranger))
    with pytest.raises(DomainError, match="belongs to limoges"):
        await billing.feed(done("prv-art", platform_id="val-de-marne"))
    with pytest.raises(DomainError, match="admitted before it applied"):
        await billing.feed(admitted("prv-nobody", date(2008, 2, 1)))
