"""Staff sign-in through their platform's identity provider (OpenID Connect), next to the sign-in page.

``GET /connexion/oidc/{platform_id}`` sends the browser to the provider (state, nonce, PKCE S256) with a
short-lived encrypted cookie holding what the return is checked against; ``GET /connexion/oidc/{platform_id}/retour``
is the redirect URI a platform registers at its provider (under ``RELAIS_CONSOLE_URL``, intake's public address,
as ``relais platforms check`` prints it): it exchanges the code, verifies the ID token, maps the
role, lets the :class:`~shared.security.single_sign_on.SessionOpener` open the session and sends the person to the
console. Every refusal is a French page with its 4xx (502 or 503 when the provider or the server's configuration
fails), never JSON.
"""

from __future__ import annotations

import logging
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from shared.security.single_sign_on import (
    FLOW_COOKIE,
    FLOW_SECONDS,
    AccountRefused,
    SessionOpener,
    SignInRefused,
    SingleSignOnClients,
)
from shared.security.web import is_https

log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(prefix="/connexion/oidc", tags=["sign-in"], include_in_schema=False)
FLOW_PATH = "/connexion/oidc/"
SIGNED_IN = "/console"
SIGN_IN_PAGE = "/connexion"


def _clients(request: Request) -> SingleSignOnClients:
    clients = getattr(request.app.state, "single_sign_on", None)
    if not isinstance(clients, SingleSignOnClients):
        raise RuntimeError("app.state.single_sign_on is not set: intake's app must put its SingleSignOnClients there")
    return clients


def _refused(request: Request, platform_id: str, refusal: SignInRefused | AccountRefused, status: int) -> HTMLResponse:
    config = _clients(request).config(platform_id)
    page = templates.TemplateResponse(request, "sign_in_refused.html", {
        "message": refusal.message, "provider": config.label if config else None,
        "retry": f"/connexion/oidc/{platform_id}" if config else None, "sign_in": SIGN_IN_PAGE}, status_code=status)
    page.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    return page


@router.get("/{platform_id}", response_class=RedirectResponse, name="single_sign_on_start")
async def start(request: Request, platform_id: str) -> Response:
    redirect_uri = f"{request.app.state.settings.console_url.rstrip('/')}/connexion/oidc/{platform_id}/retour"
    try:
        address, flow = await _clients(request).begin(platform_id, redirect_uri)
    except SignInRefused as refusal:
        return _refused(request, platform_id, refusal, refusal.status)
    response = RedirectResponse(address, status_code=303)
    response.set_cookie(FLOW_COOKIE, flow, max_age=FLOW_SECONDS, path=FLOW_PATH, httponly=True, samesite="lax",
                        secure=is_https(request))
    return response


@router.get("/{platform_id}/retour", response_class=HTMLResponse, name="single_sign_on_return")
async def back_from_provider(request: Request, platform_id: str) -> Response:
    clients = _clients(request)
    try:
        identity = await clients.complete(platform_id, request.query_params, request.cookies.get(FLOW_COOKIE))
    except SignInRefused as refusal:
        log.info("single sign-on refused on %s: %s", platform_id, refusal.reason)
        return _refused(request, platform_id, refusal, refusal.status)
    opener: SessionOpener = request.app.state.sign_in_sessions
    response = RedirectResponse(SIGNED_IN, status_code=303)
    config = clients.config(platform_id)
    assert config is not None
    try:
        await opener.open_session(identity, create_account=config.create_accounts, request=request, response=response)
    except AccountRefused as refusal:
        log.info("single sign-on refused on %s: %s", platform_id, refusal.reason)
        return _refused(request, platform_id, refusal, 403)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    log.info("single sign-on on %s: signed in as %s", platform_id, identity.role.value)
    return response
