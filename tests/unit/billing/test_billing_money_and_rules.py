"""The pure fee rules with the exact amounts of the issue, the rounding rule and effective dates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from services.billing.domain.fees import (
    Figures,
    NoPolicyInForce,
    intervention_fee,
    membership_due,
    new_client_hours,
)
from services.billing.domain.money import money_str, parse_money, round_cents, to_cents
from shared.contracts.events.billing import FeeBasis
from tests.unit.billing.factories import policies, with_fees

D = Decimal


def figures(hours: str = "2.00", labour: str = "120.00", travel: str = "15.00", done_on: date = date(2008, 3, 12)) -> Figures:
    return Figures("prv-1", "res-1", done_on, D(hours), D(labour), D(travel))


def test_limoges_artisan_pays_5_percent_of_labour_plus_travel() -> None:
    charge = intervention_fee(policies()["limoges"], "artisan", figures(labour="120.00", travel="15.00"), D("0"))

    assert charge is not None
    assert (charge.basis, charge.base_amount, charge.rate, charge.amount) == (FeeBasis.PERCENTAGE, D("135.00"), D("0.05"), D("6.75"))
    assert charge.policy_id == "limoges-artisan-2007-01-01"


def test_limoges_association_pays_only_the_first_20_hours_with_a_client() -> None:
    limoges = policies()["limoges"]

    first = intervention_fee(limoges, "association", figures(hours="10.00"), hours_worked_before=D("0"))
    second = intervention_fee(limoges, "association", figures(hours="15.00"), hours_worked_before=D("10.00"))
    third = intervention_fee(limoges, "association", figures(hours="5.00"), hours_worked_before=D("25.00"))

    assert (first.hours_charged, first.amount) == (D("10.00"), D("1.00"))
    assert (second.hours_charged, second.amount) == (D("10.00"), D("1.00"))
    assert (third.hours_charged, third.amount) == (D("0.00"), D("0.00"))
    assert first.basis is FeeBasis.PER_HOUR_NEW_CLIENT and first.rate == D("0.10")


def test_val_de_marne_charges_155_a_year_and_nothing_per_intervention() -> None:
    vdm = policies()["val-de-marne"]

    admitted = date(2008, 2, 1)
    due = membership_due(vdm, "association", admitted, frozenset(), admitted)

    assert due is not None and (due.year, due.amount, due.policy_id) == (2008, D("155.00"), "val-de-marne-association-2007-01-01")
    assert membership_due(vdm, "company", date(2008, 11, 30), frozenset({2008}), admitted) is None
    assert membership_due(vdm, "company", date(2009, 1, 2), frozenset({2008}), admitted).amount == D("155.00")
    assert intervention_fee(vdm, "artisan", figures(), D("0")) is None


def test_no_membership_is_due_for_a_year_before_the_admission() -> None:
    vdm = policies()["val-de-marne"]
    admitted = date(2009, 3, 1)
    assert membership_due(vdm, "association", date(2008, 12, 31), frozenset(), admitted) is None
    assert membership_due(vdm, "association", date(2009, 1, 5), frozenset(), admitted) is not None, "the year of admission"


@pytest.mark.parametrize("kind", ["artisan", "association", "company"])
def test_mons_borinage_charges_nothing(kind: str) -> None:
    mons = policies()["mons-borinage"]

    assert intervention_fee(mons, kind, figures(), D("0")) is None
    assert membership_due(mons, kind, date(2008, 3, 1), frozenset(), date(2008, 1, 1)) is None


@pytest.mark.parametrize(("base", "fee"), [("10.10", "0.51"), ("10.09", "0.50"), ("10.30", "0.52"), ("0.10", "0.01"),
                                           ("0.09", "0.00"), ("1234.50", "61.73")])
def test_percentages_round_half_up_to_the_cent(base: str, fee: str) -> None:
    charge = intervention_fee(policies()["limoges"], "artisan", figures(labour=base, travel="0.00"), D("0"))

    assert charge.amount == D(fee)


def test_hours_round_half_up_to_the_cent() -> None:
    charge = intervention_fee(policies()["limoges"], "association", figures(hours="2.25"), D("0"))

    assert charge.amount == D("0.23")  # 2.25 h x 0.10 = 0.225


def test_rounding_helpers_are_exact_and_refuse_floats() -> None:
    assert round_cents(D("0.005")) == D("0.01") and round_cents(D("-0.005")) == D("-0.01")
    assert money_str(D("155")) == "155.00" and money_str(D("-1.5")) == "-1.50" and money_str(D("-0.00")) == "0.00"
    assert to_cents(D("6.75")) == 675 and parse_money("6.75") == D("6.75")
    with pytest.raises(TypeError):
        round_cents(0.1)  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        parse_money("6.755")
    with pytest.raises(ValueError):
        to_cents(D("0.001"))


def test_new_client_hours_never_negative_nor_more_than_worked() -> None:
    assert new_client_hours(D("3.00"), D("30.00"), 20) == D("0.00")
    assert new_client_hours(D("3.00"), D("0.00"), 20) == D("3.00")
    assert new_client_hours(D("3.50"), D("18.25"), 20) == D("1.75")


def test_a_fee_change_applies_from_its_effective_date_never_before() -> None:
    changed = with_fees(
        "limoges",
        {"effective_from": "2007-01-01", "rules": {"artisan": {"type": "percentage", "rate": "0.05"},
                                                    "company": {"type": "none"}, "association": {"type": "none"}}},
        {"effective_from": "2009-01-01", "rules": {"artisan": {"type": "percentage", "rate": "0.04"},
                                                    "company": {"type": "none"}, "association": {"type": "none"}}},
    )["limoges"]

    before = intervention_fee(changed, "artisan", figures(done_on=date(2008, 12, 31)), D("0"))
    after = intervention_fee(changed, "artisan", figures(done_on=date(2009, 1, 1)), D("0"))

    assert (before.amount, before.policy_id) == (D("6.75"), "limoges-artisan-2007-01-01")
    assert (after.amount, after.policy_id) == (D("5.40"), "limoges-artisan-2009-01-01")


def test_no_fee_entry_before_the_first_effective_date() -> None:
    with pytest.raises(NoPolicyInForce):
        intervention_fee(policies()["limoges"], "artisan", figures(done_on=date(2006, 12, 31)), D("0"))
