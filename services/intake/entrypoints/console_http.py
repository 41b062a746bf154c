"""The operators' and coordinators' console (one page, keyboard first) and the platform summary it reads:
names, labels and the caller's role, so that the page never shows a code."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse

from services.intake.entrypoints.http import Handlers
from shared.contracts.labels import ROLES, vocabulary
from shared.security.http import platform_member
from shared.security.principals import Principal, Role

STATIC = Path(__file__).parent / "static"
router = APIRouter(tags=["console"])

_member = platform_member(Role.OPERATOR, Role.COORDINATOR, Role.ANALYST, Role.MEDIATOR, Role.ADVISOR,
                          Role.FEDERATION_ADMIN)
Member = Annotated[Principal, Depends(_member)]


@router.get("/console", include_in_schema=False)
async def console() -> FileResponse:
    return FileResponse(STATIC / "console.html", media_type="text/html; charset=utf-8")


@router.get("/console/console.js", include_in_schema=False)
async def console_script() -> FileResponse:
    return FileResponse(STATIC / "console.js", media_type="text/javascript; charset=utf-8")


@router.get("/console/employment.js", include_in_schema=False)
async def employment_script() -> FileResponse:
    """The console's Emploi tab (advisors and coordinators), on the employment service's API."""
    return FileResponse(STATIC / "employment.js", media_type="text/javascript; charset=utf-8")


@router.get("/console/employment.css", include_in_schema=False)
async def employment_style() -> FileResponse:
    return FileResponse(STATIC / "employment.css", media_type="text/css; charset=utf-8")


@router.get("/console/config", summary="Where the console finds the other services, and the platforms to sign in to")
async def console_config(request: Request, svc: Handlers) -> dict[str, Any]:
    return {"matching_url": request.app.state.settings.matching_url,
            "employment_url": request.app.state.settings.employment_url,
            "platforms": [{"platform_id": p.platform_id, "name": p.name} for p in svc.policies.values()]}


@router.get("/platforms/{platform_id}/policy", summary="The platform's taxonomy, communes, matching mode, the "
            "French labels of every code and the caller's role (what the console needs to show no code)")
async def policy_summary(platform_id: str, who: Member, svc: Handlers) -> dict[str, Any]:
    policy = svc.policy(platform_id)
    return {
        "platform_id": policy.platform_id,
        "name": policy.name,
        "timezone": policy.timezone,
        "matching": policy.matching.mode.value,
        "answering_machine": policy.answering_machine,
        "callback_hours": policy.callback.deadline_hours,
        "role": who.role.value,
        "role_label": ROLES[who.role.value],
        "activities": [{"code": a.code, "label": a.label, "category": a.category.value,
                        "synonyms": a.synonyms} for a in policy.activities],
        "communes": [{"code": c.code, "name": c.name, "postal_codes": c.postal_codes}
                     for c in policy.communes],
        "sectors": [{"code": s.code, "name": s.name} for s in policy.sectors],
        "kind": policy.kind.value,
        "information_topics": [{"code": g.code, "label": g.label, "topics": [
            {"code": t.code, "label": t.label, "partner": t.partner} for t in g.topics]} for g in policy.information_topics],
        "partners": [{"code": p.code, "name": p.name} for p in policy.partners],
        "labels": vocabulary(),
    }
