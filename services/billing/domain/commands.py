"""Commands of the billing service (what a coordinator asks over HTTP)."""

from __future__ import annotations

from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.contracts.events.billing import PaymentMethod, YearMonth
from shared.inputs import AmountText, Day


class PaymentDetails(BaseModel):
    """A payment received from the provider."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    amount: AmountText = Field(description="Amount paid in euros, positive, two decimal places, at most 1000000.00.",
                               examples=["6.75"])
    paid_on: Day = Field(description="Day of payment, not in the future; the payment is booked on that day.")
    method: PaymentMethod = Field(description="How it was paid.")
    reference: str = Field(default="", max_length=120, description="Cheque number or transfer reference.")

    @field_validator("amount")
    @classmethod
    def _positive(cls, amount: str) -> str:
        if Decimal(amount) <= 0:
            raise ValueError("un paiement doit être positif")
        return amount


class RecordPayment(PaymentDetails):
    platform_id: str
    provider_id: str
    actor: str


class IssueStatement(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    platform_id: str
    provider_id: str
    period: YearMonth
    actor: str
