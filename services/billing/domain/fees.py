"""The fee rules, as pure functions of a platform policy and an intervention's figures.

- The policy entry is the one in force on the intervention's ``done_on`` (never retroactive: a later
  entry never reprices an earlier intervention).
- ``percentage``: rate x (labour + travel, excl. tax), rounded to the cent half up.
- ``per_hour_new_client``: amount per hour x the hours of this intervention that fall within the first
  ``new_client_hours`` hours the provider worked for that resident, rounded to the cent half up.
- ``yearly_membership``: nothing per intervention; due for the year of admission and each later year in
  which the provider works, never for an earlier year; see :func:`membership_due`.
- ``none``: nothing.

Where the rules meet the contract events: :func:`figures_of` reads the :class:`Figures` of an intervention
event (InterventionDone or InterventionCorrected), and :func:`fee_charged` writes a :class:`Charge` as the
FeeCharged event that records it, its amounts and rate in their contract string form (:func:`rate_str`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from uuid import UUID

from services.billing.domain.money import ZERO, money_str, round_cents
from shared.contracts.events.billing import FeeBasis, FeeCharged
from shared.contracts.events.matching import InterventionFigures
from shared.contracts.events.providers import ProviderKind
from shared.platforms.fees import (
    FeeEntry,
    PercentageFee,
    PerHourNewClientFee,
    YearlyMembershipFee,
)
from shared.platforms.model import PlatformPolicy

HOURS_ZERO = Decimal("0.00")


class NoPolicyInForce(LookupError):
    """The platform has no fee entry in force on that day (before its first entry)."""


@dataclass(frozen=True, slots=True)
class Figures:
    """What billing needs of an intervention (InterventionDone or InterventionCorrected)."""

    provider_id: str
    resident_id: str
    done_on: date
    labour_hours: Decimal
    labour_amount: Decimal
    travel_amount: Decimal

    @property
    def base_amount(self) -> Decimal:
        """Labour + travel, excluding tax: what a percentage applies to."""
        return self.labour_amount + self.travel_amount


@dataclass(frozen=True, slots=True)
class Charge:
    """A per-intervention fee as computed; ``amount`` may be zero (new-client period over)."""

    policy_id: str
    basis: FeeBasis
    base_amount: Decimal
    rate: Decimal
    hours_charged: Decimal
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Membership:
    policy_id: str
    year: int
    amount: Decimal


def policy_id(platform_id: str, kind: ProviderKind | str, entry: FeeEntry) -> str:
    """Stable id of the rule applied, e.g. ``limoges-artisan-2007-01-01``."""
    return f"{platform_id}-{ProviderKind(kind).value}-{entry.effective_from.isoformat()}"


def entry_in_force(policy: PlatformPolicy, on: date) -> FeeEntry:
    try:
        return policy.fee_entry_at(on)
    except LookupError as error:
        raise NoPolicyInForce(str(error)) from None


def intervention_policy_id(policy: PlatformPolicy, kind: ProviderKind | str, done_on: date) -> str:
    return policy_id(policy.platform_id, kind, entry_in_force(policy, done_on))


def intervention_fee(policy: PlatformPolicy, kind: ProviderKind | str, figures: Figures,
                     hours_worked_before: Decimal) -> Charge | None:
    """The fee on one intervention; ``None`` when the rule in force charges nothing per intervention.

    ``hours_worked_before`` is what the provider had already worked for the resident before this
    intervention (it decides how much of it still falls in the new-client period).
    """
    entry = entry_in_force(policy, figures.done_on)
    rule = entry.rule_for(kind)
    applied = policy_id(policy.platform_id, kind, entry)
    if isinstance(rule, PercentageFee):
        return Charge(applied, FeeBasis.PERCENTAGE, figures.base_amount, rule.rate, HOURS_ZERO,
                      round_cents(figures.base_amount * rule.rate))
    if isinstance(rule, PerHourNewClientFee):
        hours = new_client_hours(figures.labour_hours, hours_worked_before, rule.new_client_hours)
        return Charge(applied, FeeBasis.PER_HOUR_NEW_CLIENT, ZERO, rule.amount_per_hour, hours,
                      round_cents(hours * rule.amount_per_hour))
    return None


def new_client_hours(hours: Decimal, worked_before: Decimal, new_client_limit: int) -> Decimal:
    """The part of ``hours`` worked while the resident is still a new client (first N hours)."""
    remaining = max(Decimal(new_client_limit) - worked_before, HOURS_ZERO)
    return min(hours, remaining).quantize(Decimal("0.01"))


def membership_due(policy: PlatformPolicy, kind: ProviderKind | str, on: date,
                   years_charged: frozenset[int], admitted_on: date) -> Membership | None:
    """The yearly membership to charge on ``on``, unless that calendar year was already charged or comes
    before the year of admission (``admitted_on``): a membership is due from the year of admission on."""
    if on.year in years_charged or on.year < admitted_on.year:
        return None
    entry = entry_in_force(policy, on)
    rule = entry.rule_for(kind)
    if not isinstance(rule, YearlyMembershipFee):
        return None
    return Membership(policy_id(policy.platform_id, kind, entry), on.year, round_cents(rule.amount_per_year))


def figures_of(event: InterventionFigures) -> Figures:
    """What billing needs of an intervention event, its amounts as ``Decimal``."""
    return Figures(event.provider_id, event.resident_id, event.done_on, Decimal(event.labour_hours),
                   Decimal(event.labour_amount_excl_tax), Decimal(event.travel_amount_excl_tax))


def rate_str(rate: Decimal) -> str:
    """The contract form of a rate: plain notation, at least two places, e.g. ``'0.05'``, ``'12.50'``."""
    text = format(rate, "f")
    whole, _, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}"


def fee_charged(provider_id: str, request_id: str, intervention_event_id: UUID, charge: Charge) -> FeeCharged:
    """The FeeCharged event recording ``charge``, charged on the intervention ``intervention_event_id``."""
    return FeeCharged(
        provider_id=provider_id, request_id=request_id,
        intervention_event_id=intervention_event_id, policy_id=charge.policy_id, basis=charge.basis,
        base_amount=money_str(charge.base_amount), rate=rate_str(charge.rate),
        hours_charged=str(charge.hours_charged), amount=money_str(charge.amount),
    )
