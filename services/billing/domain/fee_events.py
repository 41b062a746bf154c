"""Where the fee rules meet the contract events: :func:`figures_of` reads the :class:`Figures` of an
intervention event (InterventionDone or InterventionCorrected), and :func:`fee_charged` writes a
:class:`Charge` as the FeeCharged event that records it, its amounts and rate in their contract
string form (:func:`rate_str`). Pure functions, no I/O.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from services.billing.domain.fees import Charge, Figures
from services.billing.domain.money import money_str
from shared.contracts.events.billing import FeeCharged
from shared.contracts.events.matching import InterventionFigures


def figures_of(event: InterventionFigures) -> Figures:
    """What billing needs of an intervention event, its amounts as ``Decimal``."""
    return Figures(event.provider_id, event.resident_id, event.done_on, Decimal(event.labour_hours),
                   Decimal(event.labour_amount_excl_tax), Decimal(event.travel_amount_excl_tax))


def rate_str(rate: Decimal) -> str:
    """The contract form of a rate: plain notation, at least two places, e.g. ``'0.05'``, ``'12.50'``."""
    text = format(rate, "f")
    whole, _, places = text.partition(".")
    return f"{whole}.{places.ljust(2, '0')}"


def fee_charged(provider_id: str, request_id: str, intervention_event_id: Any, charge: Charge) -> FeeCharged:
    """The FeeCharged event recording ``charge``, charged on the intervention ``intervention_event_id``."""
    return FeeCharged(
        provider_id=provider_id, request_id=request_id,
        intervention_event_id=intervention_event_id, policy_id=charge.policy_id, basis=charge.basis,
        base_amount=money_str(charge.base_amount), rate=rate_str(charge.rate),
        hours_charged=str(charge.hours_charged), amount=money_str(charge.amount),
    )
