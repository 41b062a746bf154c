"""Test-only route moving the service clock (enabled by ``RELAIS_TEST_CLOCK=1``), for end-to-end tests."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.matching.entrypoints.schemas import ClockMove, ClockNow
from shared.security.http import require
from shared.security.principals import Principal, Role

router = APIRouter(prefix="/admin", tags=["test"])


@router.post("/clock", summary="Move the clock forward (test deployments only)")
async def move_clock(request: Request, body: ClockMove,
                     who: Annotated[Principal, Depends(require(Role.FEDERATION_ADMIN))]) -> ClockNow:
    clock = request.app.state.clock
    clock.advance(timedelta(seconds=body.advance_seconds))
    request.app.state.sweeper.wake()
    return ClockNow(now=clock.now())
