"""The public online request form (no account, no token), protected against spam.

Every refusal a resident can meet is the form page again, in French, with what they typed kept and each
field to correct named: 422 for a missing or invalid field, 400 for a submission that looks automated,
429 past the rate limit (a small budget of recorded requests and a larger one of refused
submissions per address, so that correcting a typo is not punished), 404 (a French page) for a platform without an online form.
A recorded request redirects (303) to the "Merci" page, so that refreshing it sends nothing again; the form's stamp is
the submission's idempotency key, so a stamp records at most one request (a second post of it redirects alike). The fields are all
optional for FastAPI so that a missing one reaches this page instead of FastAPI's JSON 422.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from services.intake.domain.commands import LogRequest
from services.intake.domain.spam import FormLimits, SpamSuspected, check_submission, form_stamp
from services.intake.entrypoints import public_form as fr
from services.intake.entrypoints.http import Handlers
from shared.errors import DomainError
from shared.platforms.model import PlatformPolicy

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(prefix="/public/{platform_id}", tags=["public form"])
Field = Annotated[str, Form()]


def _platform(svc: Handlers, platform_id: str) -> PlatformPolicy | None:
    try:
        policy = svc.policy(platform_id)
    except DomainError:
        return None
    return policy if policy.online_form_enabled else None


def _page(request: Request, policy: PlatformPolicy | None, status: int = 200, *, values: dict[str, str] | None = None,
          errors: dict[str, str] | None = None, error: str = "", done: bool = False) -> HTMLResponse:
    if policy is None:
        status, error = 404, fr.NO_FORM
    stamp = form_stamp(request.app.state.form_secret, time.time())
    context = {"platform": policy, "stamp": stamp, "values": values or {}, "errors": errors or {},
               "labels": fr.LABELS, "error": error or (fr.summary(errors) if errors else ""), "done": done}
    return templates.TemplateResponse(request, "form.html", context, status_code=status)


@router.get("/request", response_class=HTMLResponse, summary="The online request form")
async def show_form(request: Request, platform_id: str, svc: Handlers) -> HTMLResponse:
    return _page(request, _platform(svc, platform_id))


@router.get("/request/merci", response_class=HTMLResponse, summary="The page shown once the request is recorded")
async def thanks(request: Request, platform_id: str, svc: Handlers) -> HTMLResponse:
    return _page(request, _platform(svc, platform_id), done=True)


@router.post("/request", response_class=HTMLResponse, summary="Send the online request form")
async def send_form(request: Request, platform_id: str, svc: Handlers, activity: Field = "", commune: Field = "",
                    name: Field = "", phone: Field = "", email: Field = "", address: Field = "", stamp: Field = "",
                    website: Field = "") -> Response:
    policy = _platform(svc, platform_id)
    if policy is None:
        return _page(request, policy)
    values = {"activity": activity, "commune": commune, "name": name, "phone": phone, "email": email,
              "address": address}
    now = time.time()
    client = request.client.host if request.client else "unknown"
    limits: FormLimits = request.app.state.form_limiter
    if not limits.allows(client, now):
        return _page(request, policy, 429, values=values, error=fr.TOO_MANY)
    page = await _submit(request, svc, policy, values, stamp, website, now)
    (limits.recorded if page.status_code == 303 else limits.refused).record(client, now)
    return page


async def _submit(request: Request, svc: Handlers, policy: PlatformPolicy, values: dict[str, str], stamp: str,
                  website: str, now: float) -> Response:
    try:
        check_submission(request.app.state.form_secret, stamp, website, now)
    except SpamSuspected as error:
        return _page(request, policy, 400, values=values, error=fr.spam_message(error))
    errors = fr.missing_fields(values)
    try:
        command = LogRequest(platform_id=policy.platform_id, actor="resident", channel="online_form", idempotency_key=stamp,
                             activity=values["activity"], commune=values["commune"],
                             contact={"name": values["name"], "phone": values["phone"], "email": values["email"] or None,
                                      "address": values["address"] or None})
    except ValidationError as error:  # never logged nor shown as is: it holds what the resident typed
        return _page(request, policy, 422, values=values, errors=fr.invalid_fields(error) | errors)
    if errors:
        return _page(request, policy, 422, values=values, errors=errors)
    try:
        await svc.log_request(command)
    except DomainError as error:
        return _page(request, policy, 422, values=values, errors=fr.refused_by_policy(error))
    return RedirectResponse(f"{router.prefix.format(platform_id=policy.platform_id)}/request/merci", status_code=303)
