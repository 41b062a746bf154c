"""Billing: the account of a provider with its platform (fees, memberships, statements, payments).

The aggregate is the account; its id (and Kafka key) is the provider id. Entries are never
changed: a correction is a new adjusting entry. Amounts are decimal strings, never floats.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated
from uuid import UUID

from pydantic import Field, model_validator

from shared.contracts.base import Event, register
from shared.contracts.topics import BILLING
from shared.contracts.types import Hours, Money

Rate = Annotated[str, Field(pattern=r"^[0-9]+\.[0-9]{2,4}$", description="A rate as a decimal string: a fraction for percentages ('0.05' = 5 %), euros per hour otherwise ('0.10').")]
YearMonth = Annotated[str, Field(pattern=r"^[0-9]{4}-(0[1-9]|1[0-2])$", description="A calendar month, YYYY-MM.")]


class BillingEvent(Event):
    aggregate_type = "account"
    topic = BILLING

    provider_id: str = Field(description="The provider whose account it is (the aggregate id).", examples=["prv-dupont-plomberie"])


class FeeBasis(StrEnum):
    PERCENTAGE = "percentage"
    PER_HOUR_NEW_CLIENT = "per_hour_new_client"


@register
class FeeCharged(BillingEvent):
    """A fee was charged to the provider for an intervention, under the platform's fee policy."""

    request_id: str = Field(description="The request of the intervention.")
    intervention_event_id: UUID = Field(description="Event id of the InterventionDone the fee is charged on.")
    policy_id: str = Field(min_length=1, max_length=60, description="Fee policy applied.", examples=["limoges-artisans-2008"])
    basis: FeeBasis = Field(description="percentage: rate x base_amount; per_hour_new_client: rate x hours_charged.")
    base_amount: Money = Field(description="Amount excl. tax the percentage applies to (labour + travel); '0.00' per hour.")
    rate: Rate
    hours_charged: Hours = Field(description="Hours charged while the client counts as new; '0.00' for percentages.")
    amount: Money = Field(description="The fee charged.")


@register
class FeeAdjusted(BillingEvent):
    """An adjusting entry after an intervention was corrected; the amount is the difference (may be negative)."""

    request_id: str = Field(description="The request of the intervention.")
    adjusts_event_id: UUID = Field(description="Event id of the FeeCharged (or FeeAdjusted) adjusted.")
    correction_event_id: UUID = Field(description="Event id of the InterventionCorrected that caused the adjustment.")
    policy_id: str = Field(min_length=1, max_length=60, description="Fee policy applied.")
    amount: Money = Field(description="Difference between the new fee and the fee charged so far.")
    reason: str = Field(default="", max_length=500, description="Why, e.g. the correction's reason.")


@register
class MembershipFeeCharged(BillingEvent):
    """The yearly flat membership fee was charged."""

    year: int = Field(ge=2000, le=2100, description="Membership year.")
    policy_id: str = Field(min_length=1, max_length=60, description="Fee policy applied.", examples=["val-de-marne-membership"])
    amount: Money = Field(description="The membership fee.", examples=["155.00"])


@register
class StatementIssued(BillingEvent):
    """A monthly statement of the account was issued to the provider."""

    statement_id: str = Field(description="Id of the statement.", examples=["stm-2008-03-prv-dupont-plomberie"])
    period: YearMonth
    issued_on: date = Field(description="Day the statement was issued.")
    opening_balance: Money = Field(description="Amount owed at the start of the month.")
    total_charged: Money = Field(description="Fees, memberships and adjustments of the month.")
    total_paid: Money = Field(description="Payments of the month.")
    closing_balance: Money = Field(description="Amount owed at the end: opening + charged - paid.")

    @model_validator(mode="after")
    def _balanced(self) -> StatementIssued:
        expected = Decimal(self.opening_balance) + Decimal(self.total_charged) - Decimal(self.total_paid)
        if Decimal(self.closing_balance) != expected:
            raise ValueError(f"closing_balance must be opening + charged - paid ({expected})")
        return self


class PaymentMethod(StrEnum):
    BANK_TRANSFER = "bank_transfer"
    CHEQUE = "cheque"
    CASH = "cash"
    DIRECT_DEBIT = "direct_debit"


@register
class PaymentRecorded(BillingEvent):
    """The provider paid the platform."""

    amount: Money = Field(description="Amount paid (positive).")
    paid_on: date = Field(description="Day of payment.")
    method: PaymentMethod = Field(description="How it was paid.")
    reference: str = Field(default="", max_length=120, description="Cheque number or transfer reference.")

    @model_validator(mode="after")
    def _positive(self) -> PaymentRecorded:
        if Decimal(self.amount) <= 0:
            raise ValueError("a payment must be positive")
        return self
