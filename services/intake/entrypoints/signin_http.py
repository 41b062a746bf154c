"""People sign in on intake (it serves the console): the pages of :mod:`shared.security.accounts` and sessions.

``/connexion`` (platform, email, password, then ``/connexion/code`` when TOTP is on), ``/deconnexion``,
``/deconnexion-partout``, ``/compte/double-authentification`` (enrolment with a QR code), ``/invitation/{token}``
(first password), ``/reinitialisation`` and ``/reinitialisation/{token}`` (password reset by email). Every form
carries a CSRF token (the session's, or before sign-in the double-submit cookie's); a post without it gets a
French 403 page. Pages only: French HTML, never JSON, never a code.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import segno
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, URLSafeSerializer
from pydantic import BaseModel, Field

from shared.contracts.labels import ROLES
from shared.platforms.local_time import french_moment
from shared.security.accounts import (
    MIN_PASSWORD_LENGTH,
    Account,
    AccountError,
    AccountLocked,
    LinkRefused,
)
from shared.security.principals import Role
from shared.security.sessions import CSRF_FIELD, SESSION_COOKIE, SessionEnded, SessionRecord, resolve_session
from shared.security.throttle import SignInThrottles
from shared.security.web import (
    Identity,
    check_form_csrf,
    clear_session_cookies,
    end_browser_session,
    form_csrf_token,
    identity_of,
    is_https,
    start_browser_session,
    wake_invitation_sender,
)

log = logging.getLogger(__name__)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
router = APIRouter(tags=["sign-in"], include_in_schema=False)
api = APIRouter(tags=["sign-in"])

PENDING_COOKIE = "relais_sign_in"
PENDING_SECONDS = 300
SIGNED_IN = "/console"
PARIS = ZoneInfo("Europe/Paris")


@dataclass(frozen=True)
class Person:
    """Who is signed in on this browser, for the pages' header."""

    account: Account
    session: SessionRecord

    @property
    def display_name(self) -> str:
        return self.account.display_name

    @property
    def role_label(self) -> str:
        return ROLES[self.account.role.value]

    @property
    def coordinates(self) -> bool:
        return self.account.role in (Role.COORDINATOR, Role.FEDERATION_ADMIN)


async def signed_in(request: Request) -> Person | None:
    """The person whose live session this browser holds, or None."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if not session_id:
        return None
    identity = identity_of(request)
    try:
        record, account = await resolve_session(identity.store, session_id, identity.now())
    except SessionEnded:
        return None
    return Person(account, record)


def page(request: Request, name: str, context: dict[str, Any], *, status: int = 200,
         person: Person | None = None) -> HTMLResponse:
    """A page of ``templates/people`` with the CSRF token its forms carry (the session's when signed in)."""
    response = HTMLResponse("")
    csrf = person.session.csrf_token if person else form_csrf_token(request, response)
    rendered = templates.TemplateResponse(request, f"people/{name}",
                                          {"csrf": csrf, "person": person, "error": None, "notice": None, **context},
                                          status_code=status)
    for key, value in response.headers.items():
        if key.lower() == "set-cookie":
            rendered.headers.append(key, value)
    rendered.headers["Cache-Control"] = "no-store"
    rendered.headers["X-Frame-Options"] = "DENY"  # no page of an account inside another site's frame
    rendered.headers["Content-Security-Policy"] = "frame-ancestors 'none'"
    rendered.headers["Referrer-Policy"] = "no-referrer"  # an invitation or reset link never leaves in a Referer
    return rendered


def refused_page(request: Request, message: str, status: int) -> HTMLResponse:
    return page(request, "message.html", {"heading": "Demande refusée", "error": message}, status=status)


async def csrf_checked(request: Request) -> HTMLResponse | None:
    """None when the form carries the browser's CSRF token, else the French 403 page."""
    try:
        await check_form_csrf(request)
    except HTTPException as refused:
        return refused_page(request, str(refused.detail), 403)
    return None


async def signed_in_form(request: Request) -> Person | Response:
    """The person posting this form from their live session; else what to answer: the French 403 page when the
    form lacks the CSRF token, a redirect to the sign-in page without a live session."""
    if (refused := await csrf_checked(request)) is not None:
        return refused
    person = await signed_in(request)
    return person if person is not None else RedirectResponse("/connexion", status_code=303)


def _platforms(request: Request) -> list[Any]:
    return list(request.app.state.handlers.policies.values())


def _client(request: Request) -> str:
    return request.client.host if request.client else "?"


def _throttles(request: Request, identity: Identity) -> SignInThrottles:
    throttles = getattr(request.app.state, "sign_in_throttles", None)
    if not isinstance(throttles, SignInThrottles):
        throttles = SignInThrottles(identity.now)
        request.app.state.sign_in_throttles = throttles
    return throttles


def _too_many(request: Request, wait: timedelta) -> HTMLResponse:
    minutes = max(1, int(wait.total_seconds() // 60) + 1)
    return refused_page(request, f"Trop de tentatives depuis ce poste ou pour ce compte : réessayez dans {minutes} "
                        "minute(s).", 429)


def _zone(request: Request, platform_id: str) -> ZoneInfo:
    policy = request.app.state.handlers.policies.get(platform_id)
    return ZoneInfo(policy.timezone) if policy is not None else PARIS


def _pending_signer(identity: Identity) -> URLSafeSerializer:
    assert identity.secret is not None
    return URLSafeSerializer(identity.secret(), salt="relais.sign-in.pending")


def _form_text(form: Any, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


class SessionOut(BaseModel):
    account_id: str
    platform_id: str = Field(description="The person's platform ('*' for a federation admin).")
    role: str
    role_label: str = Field(description="The role in French.")
    display_name: str
    signed_in_with: str = Field(description="password, totp or oidc.")
    second_factor: bool = Field(description="TOTP is on for the account.")


@api.get("/session", summary="The person signed in on this browser (session cookie); 401 without a live session")
async def current_session(request: Request) -> SessionOut:
    person = await signed_in(request)
    if person is None:
        raise HTTPException(401, detail="Aucune session ouverte sur ce navigateur : connectez-vous.",
                            headers={"WWW-Authenticate": 'Bearer realm="relais"'})
    return SessionOut(account_id=person.account.account_id, platform_id=person.account.platform_id,
                      role=person.account.role.value, role_label=person.role_label,
                      display_name=person.account.display_name, signed_in_with=person.session.method,
                      second_factor=person.account.totp_enabled)


# --- sign in ------------------------------------------------------------------------------------------------
@router.get("/connexion")
async def sign_in_page(request: Request) -> Response:
    if await signed_in(request) is not None:
        return RedirectResponse(SIGNED_IN, status_code=303)
    notice = {"mot-de-passe": "Mot de passe enregistré : connectez-vous.",
              "deconnecte": "Vous êtes déconnecté·e.",
              "partout": "Toutes vos sessions sont fermées, sur tous les appareils.",
              "expire": "Votre session a pris fin (inactivité, déconnexion ailleurs ou compte désactivé) : "
                        "connectez-vous de nouveau."}.get(request.query_params.get("fait", ""))
    return _sign_in(request, {"platform": request.query_params.get("plateforme", ""), "email": ""}, notice=notice)


def _sign_in(request: Request, values: dict[str, str], *, error: str | None = None, notice: str | None = None,
             status: int = 200) -> HTMLResponse:
    platforms = _platforms(request)
    single_sign_on = [{"platform_id": p.platform_id, "name": p.name, "label": p.single_sign_on.label}
                      for p in platforms if getattr(p, "single_sign_on", None) is not None]
    return page(request, "sign_in.html", {"platforms": platforms, "values": values, "error": error, "notice": notice,
                                          "single_sign_on": single_sign_on}, status=status)


@router.post("/connexion")
async def sign_in(request: Request) -> Response:
    if (refused := await csrf_checked(request)) is not None:
        return refused
    form = await request.form()
    platform_id, email, password = _form_text(form, "platform"), _form_text(form, "email"), _form_text(form, "password")
    values = {"platform": platform_id, "email": email}
    identity = identity_of(request)
    if (wait := _throttles(request, identity).hit(_client(request), platform_id, email)) is not None:
        return _too_many(request, wait)
    now = identity.now()
    try:
        checked = await identity.accounts.check_password(platform_id, email, password, now)
    except AccountLocked as locked:
        until = french_moment(locked.until, _zone(request, platform_id))
        log.info("sign-in refused: account locked (platform %s)", platform_id)
        return _sign_in(request, values, error=f"Trop d'essais infructueux : le compte est verrouillé jusqu'au "
                        f"{until.removeprefix('le ')}. Réessayez ensuite, ou demandez un nouveau mot de passe.", status=423)
    except AccountError as refused:
        log.info("sign-in refused on platform %s", platform_id)
        return _sign_in(request, values, error=str(refused), status=401)
    if checked.needs_totp:
        code_page = page(request, "code.html", {})
        pending = _pending_signer(identity).dumps({"account": checked.account.account_id, "at": now.timestamp()})
        code_page.set_cookie(PENDING_COOKIE, pending, max_age=PENDING_SECONDS, httponly=True, samesite="strict",
                            secure=is_https(request), path="/connexion")
        return code_page
    response = RedirectResponse(SIGNED_IN, status_code=303)
    await start_browser_session(request, response, checked.account, "password")
    log.info("signed in: %s (password)", checked.account.account_id)
    return response


@router.post("/connexion/code")
async def sign_in_code(request: Request) -> Response:
    if (refused := await csrf_checked(request)) is not None:
        return refused
    identity = identity_of(request)
    now = identity.now()
    try:
        pending = _pending_signer(identity).loads(request.cookies.get(PENDING_COOKIE, ""))
        account_id = str(pending["account"])
        fresh = 0 <= now.timestamp() - float(pending["at"]) <= PENDING_SECONDS
    except (BadSignature, KeyError, TypeError, ValueError):
        fresh = False
    if not fresh:
        return _sign_in(request, {"platform": "", "email": ""}, status=401,
                        error="La connexion a pris trop de temps : saisissez de nouveau votre mot de passe.")
    if (wait := _throttles(request, identity).per_address.hit(_client(request))) is not None:
        return _too_many(request, wait)
    code = _form_text(await request.form(), "code")
    try:
        account = await identity.accounts.check_totp(account_id, code, now)
    except AccountLocked as locked:
        locked_page = _sign_in(request, {"platform": "", "email": ""}, status=423, error=(
            "Trop d'essais infructueux : le compte est verrouillé jusqu'au "
            f"{french_moment(locked.until, PARIS).removeprefix('le ')}."))
        locked_page.delete_cookie(PENDING_COOKIE, path="/connexion")
        return locked_page
    except AccountError as refused:
        return page(request, "code.html", {"error": str(refused)}, status=401)
    response = RedirectResponse(SIGNED_IN, status_code=303)
    response.delete_cookie(PENDING_COOKIE, path="/connexion")
    await start_browser_session(request, response, account, "totp")
    log.info("signed in: %s (totp)", account.account_id)
    return response


@router.post("/deconnexion")
async def sign_out(request: Request) -> Response:
    if (refused := await csrf_checked(request)) is not None:
        return refused
    response = RedirectResponse("/connexion?fait=deconnecte", status_code=303)
    await end_browser_session(request, response)
    return response


@router.post("/deconnexion-partout")
async def sign_out_everywhere(request: Request) -> Response:
    if (refused := await csrf_checked(request)) is not None:
        return refused
    person = await signed_in(request)
    response = RedirectResponse("/connexion?fait=partout", status_code=303)
    if person is not None:
        ended = await identity_of(request).store.end_sessions_of(person.account.account_id)
        log.info("signed out everywhere: %s (%d sessions)", person.account.account_id, ended)
    clear_session_cookies(response)
    return response


# --- second factor --------------------------------------------------------------------------------------------
TOTP_PAGE = "/compte/double-authentification"


def sign_in_first(request: Request) -> HTMLResponse:
    """The sign-in page, for a page that needs a session the browser does not have."""
    return _sign_in(request, {"platform": "", "email": ""}, notice="Connectez-vous pour continuer.")


@router.get(TOTP_PAGE)
async def totp_page(request: Request) -> Response:
    person = await signed_in(request)
    if person is None:
        return sign_in_first(request)
    return page(request, "totp.html", {"enabled": person.account.totp_enabled, "qr": None}, person=person)


@router.post(f"{TOTP_PAGE}/nouvelle-cle")
async def totp_new_key(request: Request) -> Response:
    if not isinstance(person := await signed_in_form(request), Person):
        return person
    identity = identity_of(request)
    secret, uri = await identity.accounts.begin_totp(person.account.account_id, identity.now())
    qr = segno.make(uri, error="m").svg_data_uri(scale=5, dark="#000", light="#fff")
    grouped = " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))
    return page(request, "totp.html", {"qr": qr, "secret": grouped, "enabled": False}, person=person)


@router.post(TOTP_PAGE)
async def totp_confirm(request: Request) -> Response:
    if not isinstance(person := await signed_in_form(request), Person):
        return person
    identity = identity_of(request)
    code = _form_text(await request.form(), "code")
    try:
        account = await identity.accounts.confirm_totp(person.account.account_id, code, identity.now())
    except AccountError as refused_code:
        return page(request, "totp.html", {"enabled": False, "qr": None, "error": str(refused_code)},
                    person=person, status=422)
    log.info("second factor on: %s", account.account_id)
    return page(request, "totp.html", {"enabled": True, "qr": None,
                                       "notice": "Double authentification activée : le code sera demandé à chaque connexion."},
                person=Person(account, person.session))


# --- invitation and password reset --------------------------------------------------------------------------------
@router.get("/invitation/{token}")
async def invitation_page(request: Request, token: str) -> Response:
    return await _password_page(request, token, "invitation")


@router.post("/invitation/{token}")
async def accept_invitation(request: Request, token: str) -> Response:
    return await _set_password(request, token, "invitation")


@router.get("/reinitialisation")
async def reset_page(request: Request) -> Response:
    return page(request, "reset.html", {"platforms": _platforms(request), "sent": False})


@router.post("/reinitialisation")
async def request_reset(request: Request) -> Response:
    if (refused := await csrf_checked(request)) is not None:
        return refused
    form = await request.form()
    platform_id, email = _form_text(form, "platform"), _form_text(form, "email")
    identity = identity_of(request)
    if (wait := _throttles(request, identity).hit(_client(request), platform_id, email)) is not None:
        return _too_many(request, wait)
    await identity.accounts.request_reset(platform_id, email, identity.now(), request.app.state.settings.console_url)
    wake_invitation_sender(request)
    return page(request, "reset.html", {"platforms": _platforms(request), "sent": True, "notice": (
        "Si un compte correspond à cette adresse sur cette plateforme, un lien vient de lui être envoyé : "
        "il est valable 2 heures.")})


@router.get("/reinitialisation/{token}")
async def reset_password_page(request: Request, token: str) -> Response:
    return await _password_page(request, token, "reset")


@router.post("/reinitialisation/{token}")
async def reset_password(request: Request, token: str) -> Response:
    return await _set_password(request, token, "reset")


_HEADINGS = {"invitation": "Bienvenue : choisissez votre mot de passe", "reset": "Nouveau mot de passe"}


async def _password_page(request: Request, token: str, purpose: str, *, error: str | None = None,
                         status: int = 200) -> HTMLResponse:
    identity = identity_of(request)
    valid = await identity.accounts.link_is_valid(token, purpose, identity.now())  # type: ignore[arg-type]
    if not valid:
        error, status = str(LinkRefused()), 404
    return page(request, "password.html", {"heading": _HEADINGS[purpose], "valid": valid, "error": error,
                                           "min_length": MIN_PASSWORD_LENGTH}, status=status)


async def _set_password(request: Request, token: str, purpose: str) -> Response:
    if (refused := await csrf_checked(request)) is not None:
        return refused
    form = await request.form()
    password, confirmation = _form_text(form, "password"), _form_text(form, "confirmation")
    if password != confirmation:
        return await _password_page(request, token, purpose, status=422,
                                    error="Les deux mots de passe ne sont pas identiques : saisissez-les de nouveau.")
    identity = identity_of(request)
    try:
        if purpose == "invitation":
            account = await identity.accounts.accept_invitation(token, password, identity.now())
        else:
            account = await identity.accounts.reset_password(token, password, identity.now())
    except AccountError as refused_password:
        return await _password_page(request, token, purpose, error=str(refused_password), status=422)
    log.info("password set by %s link: %s", purpose, account.account_id)
    return RedirectResponse(f"/connexion?fait=mot-de-passe&plateforme={account.platform_id}", status_code=303)


__all__ = ["CSRF_FIELD", "Person", "api", "page", "refused_page", "router", "sign_in_first", "signed_in",
           "signed_in_form"]
