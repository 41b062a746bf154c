"""A walk-in mediation desk (a PIMMS): when visitors are received, which network it belongs to, and when its
attendance is unusual enough to alert the coordinator."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated

from pydantic import BeforeValidator, Field

from shared.platforms._base import PolicyModel, Rate, Slug, _no_float
from shared.platforms.opening import OpeningHours

Ratio = Annotated[Decimal, BeforeValidator(_no_float), Field(gt=1, le=100, decimal_places=4)]


class AttendanceAlert(PolicyModel):
    """A day's visits compared with the norm: the average of the same weekday over the previous open weeks.

    A day below ``drop_below`` x norm is a drop, above ``surge_above`` x norm a surge; a norm under
    ``min_norm_visits`` visits raises nothing (small numbers mislead).
    """

    norm_weeks: int = Field(default=4, ge=1, le=26, description="How many previous weeks make the norm.")
    drop_below: Rate = Field(description="A day below this share of its norm is a drop, e.g. '0.60'.")
    surge_above: Ratio = Field(description="A day above this multiple of its norm is a surge, e.g. '1.50'.")
    min_norm_visits: int = Field(default=5, ge=1, description="Norm needed before any alert.")


class MediationDesk(PolicyModel):
    """What a walk-in mediation desk adds to a platform's policy."""

    network: Slug | None = Field(default=None, description="Network the desk belongs to (desks sharing it are shown "
                                 "together), e.g. union-des-pimms.", examples=["union-des-pimms"])
    walk_in_hours: OpeningHours = Field(description="When visitors are received at the desk, local time.")
    attendance_alert: AttendanceAlert
