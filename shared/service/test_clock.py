"""``POST /admin/clock``: moves a service's clock forward, in test deployments only (``RELAIS_TEST_CLOCK=1``).

Every service with periodic work (matching's deadlines, intake's unanswered voicemails, feedback's
reminders and expiries) takes its time from one clock; end-to-end tests move it with this route (federation
admin only), and the service's sweepers are woken at once instead of at their next interval.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from shared.clock import MovableClock
from shared.security.http import require
from shared.security.principals import Principal, Role


class ClockMove(BaseModel):
    advance_seconds: float = Field(ge=0, le=3600 * 24 * 400, description="Seconds to move the service clock forward.")


class ClockNow(BaseModel):
    now: datetime = Field(description="The service clock after the move (UTC).")


def clock_router(clock: MovableClock, *, wake: Sequence[Callable[[], None]] = ()) -> APIRouter:
    """The route moving ``clock``; each of ``wake`` (a sweep timer's, :class:`shared.service.periodic.Periodic`) is
    called after the move."""
    router = APIRouter(prefix="/admin", tags=["test"])

    @router.post("/clock", summary="Move the clock forward (test deployments only)")
    async def move_clock(body: ClockMove, who: Annotated[Principal, Depends(require(Role.FEDERATION_ADMIN))]) -> ClockNow:
        clock.advance(timedelta(seconds=body.advance_seconds))
        for woken in wake:
            woken()
        return ClockNow(now=clock.now())

    return router
