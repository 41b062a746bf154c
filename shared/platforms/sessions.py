"""How long a person's browser session lasts on a platform (``sessions`` in its policy file)."""

from __future__ import annotations

from pydantic import Field

from shared.platforms._base import PolicyModel


class SessionPolicy(PolicyModel):
    """Idle and absolute limits of the sessions of the platform's staff (console, coordinators' pages); a change
    applies to the sessions opened after it."""

    idle_minutes: int = Field(default=30, ge=1, le=24 * 60,
                              description="Minutes without a request after which a session ends (30 by default).")
    absolute_hours: int = Field(default=12, ge=1, le=24 * 7,
                                description="Hours after sign-in after which a session ends, active or not (12 by default).")
