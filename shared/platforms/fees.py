"""Fees that providers pay the platform, effective-dated and never retroactive.

A policy holds a list of :class:`FeeEntry`, ordered by ``effective_from``. The entry that applies to
an intervention is the last one whose ``effective_from`` is on or before the intervention date. A
change of fees is a new entry dated today or later; past entries are never edited (see
:func:`check_not_retroactive`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from itertools import pairwise
from typing import Annotated, Literal

from pydantic import Field, model_validator

from shared.contracts.events.providers import ProviderKind
from shared.platforms._base import Amount, PolicyModel, Rate


class PercentageFee(PolicyModel):
    """A share of each intervention's labour + travel, excluding tax (Limoges artisans: 5 %)."""

    type: Literal["percentage"]
    rate: Rate = Field(description="Share of labour + travel excluding tax, e.g. '0.05'.")


class PerHourNewClientFee(PolicyModel):
    """A fixed amount per hour worked, only while the resident is a "new client" of the provider.

    The resident is a new client for the first ``new_client_hours`` hours worked by that provider for
    that resident (Limoges associations: EUR 0.10 per hour).
    """

    type: Literal["per_hour_new_client"]
    amount_per_hour: Amount = Field(description="Euros per hour worked, e.g. '0.10'.")
    new_client_hours: int = Field(gt=0, description="Hours worked for a resident during which the fee applies.")


class YearlyMembershipFee(PolicyModel):
    """A flat membership per structure and per calendar year (Val-de-Marne: EUR 155)."""

    type: Literal["yearly_membership"]
    amount_per_year: Amount = Field(description="Euros per structure per year, e.g. '155.00'.")


class NoFee(PolicyModel):
    """The platform takes no commission (Mons-Borinage, Brenne)."""

    type: Literal["none"]


FeeRule = Annotated[
    PercentageFee | PerHourNewClientFee | YearlyMembershipFee | NoFee,
    Field(discriminator="type"),
]


class FeeEntry(PolicyModel):
    """The fee rules in force from ``effective_from`` until the next entry."""

    effective_from: date = Field(description="First day (platform local date) the rules apply.")
    rules: dict[ProviderKind, FeeRule] = Field(description="One rule per provider kind: association, artisan, company.")

    @model_validator(mode="after")
    def _every_kind_has_a_rule(self) -> FeeEntry:
        missing = sorted(kind.value for kind in ProviderKind if kind not in self.rules)
        if missing:
            raise ValueError(f"rules: aucune règle de redevance pour {', '.join(missing)}")
        return self

    def rule_for(self, kind: ProviderKind | str) -> FeeRule:
        return self.rules[ProviderKind(kind)]


def check_fee_entries_ordered(entries: Sequence[FeeEntry]) -> None:
    """Raise ``ValueError`` unless there is at least one entry and dates strictly increase."""
    if not entries:
        raise ValueError("fees: au moins une entrée de redevances est requise")
    for index, (before, after) in enumerate(pairwise(entries), start=1):
        if after.effective_from <= before.effective_from:
            raise ValueError(
                f"fees[{index}].effective_from: {after.effective_from} doit suivre "
                f"fees[{index - 1}].effective_from ({before.effective_from})"
            )


def fee_entry_at(entries: Sequence[FeeEntry], on: date) -> FeeEntry:
    """The entry in force on ``on``; ``LookupError`` when ``on`` precedes every entry."""
    in_force = [entry for entry in entries if entry.effective_from <= on]
    if not in_force:
        raise LookupError(f"no fee entry in force on {on} (the first starts {entries[0].effective_from})")
    return in_force[-1]


def check_not_retroactive(old: Sequence[FeeEntry], new: Sequence[FeeEntry], today: date) -> None:
    """Raise ``ValueError`` if ``new`` changes, adds or removes an entry effective before ``today``.

    Use it when a policy file is replaced: fees already in force stay as they were billed.
    """
    settled_old = [entry for entry in old if entry.effective_from < today]
    settled_new = [entry for entry in new if entry.effective_from < today]
    if settled_old != settled_new:
        raise ValueError(f"fees: les entrées en vigueur avant le {today} ne se modifient pas ; ajoutez une entrée datée du {today} "
                         "ou après")
