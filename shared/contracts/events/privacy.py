"""Privacy: erasure of a resident's personal data.

Personal data travels only sealed with the resident's own key (:class:`~shared.contracts.types.Sealed`);
erasing the key (crypto-shredding) makes every copy unreadable. Every service that keeps a
plain-text projection of personal data deletes it on :class:`ResidentErased`.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from shared.contracts.base import Event, register
from shared.contracts.topics import PRIVACY


@register
class ResidentErased(Event):
    """The resident's key was destroyed: their personal data can no longer be read anywhere."""

    aggregate_type = "resident"
    topic = PRIVACY

    resident_id: str = Field(description="Pseudonymous resident id (the aggregate id).", examples=["res-5c1e9a"])
    erased_at: datetime = Field(description="When the key was destroyed.")
    requested_by: str = Field(
        min_length=1, max_length=80,
        description="Who asked: 'resident' or 'operator:<id>', or 'system:retention' when the retention period ended.",
        examples=["resident", "operator:op-3"],
    )
