"""Helpers shared by the policy models: a strict base model and exact decimal fields."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field


class PolicyModel(BaseModel):
    """Frozen, and unknown keys are errors (a typo in a policy file must not pass silently)."""

    model_config = ConfigDict(frozen=True, extra="forbid")


def _no_float(value: Any) -> Any:
    if isinstance(value, float):
        raise ValueError(f"écrivez {value!r} entre guillemets, par exemple '0.05' (un nombre à virgule flottante n'est pas exact)")
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(ge=0, decimal_places=2, description="Euros, as a decimal string with at most two places, e.g. '0.10'."),
]
Rate = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(ge=0, le=1, decimal_places=4, description="A fraction in [0, 1] as a decimal string, e.g. '0.05' for 5 %."),
]
Slug = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=60)]
