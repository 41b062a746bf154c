"""The public online request form (no account, no token), protected against spam."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from services.intake.domain.commands import LogRequest
from services.intake.domain.spam import SpamSuspected, check_submission, form_stamp
from services.intake.entrypoints.http import Handlers
from shared.errors import DomainError

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(prefix="/public/{platform_id}", tags=["public form"])


def _platform(svc: Handlers, platform_id: str):  # type: ignore[no-untyped-def]
    try:
        policy = svc.policy(platform_id)
    except DomainError:
        policy = None
    if policy is None or not policy.online_form_enabled:
        raise HTTPException(404, detail="this platform has no online request form")
    return policy


def _page(request: Request, policy, status: int = 200, **extra: object) -> HTMLResponse:  # type: ignore[no-untyped-def]
    stamp = form_stamp(request.app.state.form_secret, time.time())
    return templates.TemplateResponse(request, "form.html", {"platform": policy, "stamp": stamp, **extra},
                                      status_code=status)


@router.get("/request", response_class=HTMLResponse, summary="The online request form")
async def show_form(request: Request, platform_id: str, svc: Handlers) -> HTMLResponse:
    return _page(request, _platform(svc, platform_id))


@router.post("/request", response_class=HTMLResponse, summary="Send the online request form")
async def send_form(request: Request, platform_id: str, svc: Handlers,
                    activity: Annotated[str, Form()], commune: Annotated[str, Form()], name: Annotated[str, Form()],
                    phone: Annotated[str, Form()], stamp: Annotated[str, Form()] = "",
                    email: Annotated[str, Form()] = "", address: Annotated[str, Form()] = "",
                    website: Annotated[str, Form()] = "") -> HTMLResponse:
    policy = _platform(svc, platform_id)
    now = time.time()
    client = request.client.host if request.client else "unknown"
    if not request.app.state.form_limiter.allow(client, now):
        return _page(request, policy, 429, error="Trop de demandes envoyées d'ici : réessayez plus tard.")
    try:
        check_submission(request.app.state.form_secret, stamp, website, now)
        command = LogRequest(platform_id=platform_id, actor="resident", channel="online_form", activity=activity,
                             commune=commune, contact={"name": name, "phone": phone, "email": email or None,
                                                       "address": address or None})
        await svc.log_request(command)
    except SpamSuspected as error:
        return _page(request, policy, 400, error=str(error))
    except ValidationError as error:
        fields = ", ".join(str(e["loc"][-1]) for e in error.errors() if e["loc"])
        return _page(request, policy, 422, error=f"Merci de vérifier : {fields}.")
    except DomainError as error:
        return _page(request, policy, 422, error=error.message)
    return _page(request, policy, 201, done=True)
