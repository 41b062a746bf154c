"""HTTP route of the fairness report: how the offers went round each activity x sector (coordinators, analysts)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from services.matching.entrypoints.schemas import FairnessRow
from shared.security.http import platform_member
from shared.security.principals import Principal, Role

router = APIRouter(prefix="/platforms/{platform_id}", tags=["fairness"])


_analyst = platform_member(Role.COORDINATOR, Role.ANALYST, Role.FEDERATION_ADMIN)


@router.get("/fairness", summary="Offers per provider per activity x sector, with the deviation from an equal share")
async def fairness(request: Request, platform_id: str, who: Annotated[Principal, Depends(_analyst)],
                   activity: str | None = None, sector: str | None = None) -> list[FairnessRow]:
    rows = await request.app.state.views.fairness(platform_id, activity=activity, sector=sector)
    return [FairnessRow(**row) for row in rows]
