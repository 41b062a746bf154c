"""The operator console (one page, keyboard first) and the policy summary it needs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse

from services.intake.entrypoints.http import Handlers, Operator

STATIC = Path(__file__).parent / "static"
router = APIRouter(tags=["console"])


@router.get("/console", include_in_schema=False)
async def console() -> FileResponse:
    return FileResponse(STATIC / "console.html", media_type="text/html; charset=utf-8")


@router.get("/console/config", summary="Where the console finds the other services")
async def console_config(request: Request) -> dict[str, Any]:
    return {"matching_url": request.app.state.settings.matching_url}


@router.get("/platforms/{platform_id}/policy", summary="The platform's taxonomy, communes and matching mode")
async def policy_summary(platform_id: str, who: Operator, svc: Handlers) -> dict[str, Any]:
    policy = svc.policy(platform_id)
    return {
        "platform_id": policy.platform_id,
        "name": policy.name,
        "matching": policy.matching.mode.value,
        "activities": [{"code": a.code, "label": a.label, "category": a.category.value} for a in policy.activities],
        "communes": [{"code": c.code, "name": c.name} for c in policy.communes],
    }


@router.get("/console/console.js", include_in_schema=False)
async def console_script() -> FileResponse:
    return FileResponse(STATIC / "console.js", media_type="text/javascript; charset=utf-8")
