"""Browser sessions over HTTP: the identity wiring every service puts on ``app.state.identity``, the session and
CSRF cookies, and what a sign-in route calls once the person proved who they are::

    from shared.security.web import start_browser_session

    @router.get("/connexion/oidc/retour")
    async def oidc_callback(request: Request) -> Response:
        ...  # the provider vouched for the person; account from shared.security.accounts.account_for_oidc
        response = RedirectResponse("/console", status_code=303)
        await start_browser_session(request, response, account, method="oidc")
        return response

Cookies: :data:`~shared.security.sessions.SESSION_COOKIE` (``HttpOnly``, ``SameSite=Strict``, ``Secure`` when the
request came over https, path ``/``) and :data:`~shared.security.sessions.CSRF_COOKIE` (readable by the
console's script, same flags otherwise). A browser sends a host's cookies to every port of that host, so the
console served by intake calls matching, feedback, billing and employment with them (``credentials:
"include"``; CORS answers the console's origin, ``RELAIS_CONSOLE_URL``, with ``Allow-Credentials``).
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime

from fastapi import HTTPException, Request, Response, status

from shared.clock import Clock, SystemClock
from shared.outgoing.sender import Retry, Sender, Unsealer
from shared.outgoing.wiring import OutgoingSettings, channels_from_settings
from shared.platforms.model import PlatformPolicy
from shared.security.accounts import Account, Accounts, SecretBox, SignInMethod
from shared.security.identity_store import IdentityStore
from shared.security.sessions import (
    CSRF_COOKIE,
    CSRF_FIELD,
    CSRF_HEADER,
    SESSION_COOKIE,
    OpenedSession,
    SessionLimits,
    hash_session_id,
    open_session,
)
from shared.security.signed_links import secret_from_file
from shared.settings import Settings
from shared.storage.engine import create_engine

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_REFUSED = ("Formulaire refusé : il ne porte pas le jeton de sécurité de votre session (page trop ancienne, "
                "ou envoyée depuis un autre site). Rechargez la page et recommencez.")


@dataclass
class Identity:
    """The identity store of a service, its clock (sessions expire on it) and the platforms' session limits."""

    store: IdentityStore
    clock: Clock = field(default_factory=SystemClock)
    policies: Mapping[str, PlatformPolicy] = field(default_factory=dict)
    secret: Callable[[], str] | None = None
    _accounts: Accounts | None = field(default=None, init=False)

    @classmethod
    def from_settings(cls, settings: Settings, *, clock: Clock | None = None,
                      policies: Mapping[str, PlatformPolicy] | None = None) -> Identity:
        """Nothing connects before the first query; the key sealing TOTP secrets is read when first needed."""
        url = settings.identity_database_url()

        def secret() -> str:
            if settings.identity_secret is not None:
                return settings.identity_secret.get_secret_value()
            return secret_from_file(settings.data_dir / "identity.key")

        return cls(IdentityStore(create_engine(url), url), clock or SystemClock(), policies or {}, secret)

    @property
    def accounts(self) -> Accounts:
        if self._accounts is None:
            if self.secret is None:
                raise RuntimeError("no identity secret configured")
            self._accounts = Accounts(self.store, SecretBox.from_text(self.secret()))
        return self._accounts

    def limits(self, platform_id: str) -> SessionLimits:
        return SessionLimits.of(self.policies.get(platform_id))

    def now(self) -> datetime:
        return self.clock.now()


def identity_of(request: Request) -> Identity:
    identity = getattr(request.app.state, "identity", None)
    if not isinstance(identity, Identity):
        raise RuntimeError("app.state.identity is not set: build_app puts an Identity there")
    return identity


def is_https(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "") == "https"


def set_session_cookies(request: Request, response: Response, opened: OpenedSession) -> None:
    secure = is_https(request)
    response.set_cookie(SESSION_COOKIE, opened.session_id, httponly=True, samesite="strict", secure=secure, path="/")
    response.set_cookie(CSRF_COOKIE, opened.csrf_token, httponly=False, samesite="strict", secure=secure, path="/")


def clear_session_cookies(response: Response) -> None:
    response.delete_cookie(SESSION_COOKIE, path="/", httponly=True, samesite="strict")
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="strict")


async def start_browser_session(request: Request, response: Response, account: Account,
                                method: SignInMethod) -> OpenedSession:
    """Open a session for ``account`` (signed in by ``method``) with its platform's limits and set its cookies
    on ``response``; a session the browser already had ends first."""
    identity = identity_of(request)
    previous = request.cookies.get(SESSION_COOKIE)
    if previous:
        await identity.store.end_session(hash_session_id(previous))
    opened = await open_session(identity.store, platform=account.platform_id, account_id=account.account_id,
                                method=method, limits=identity.limits(account.platform_id), now=identity.now())
    set_session_cookies(request, response, opened)
    return opened


async def end_browser_session(request: Request, response: Response) -> None:
    """Sign this browser out: its session row is deleted and its cookies cleared."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id:
        await identity_of(request).store.end_session(hash_session_id(session_id))
    clear_session_cookies(response)


def form_csrf_token(request: Request, response: Response) -> str:
    """The CSRF token a form of a page without a session carries (double submit: the same value in the readable
    cookie); made and set on ``response`` when the browser has none yet."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = secrets.token_urlsafe(32)
        response.set_cookie(CSRF_COOKIE, token, httponly=False, samesite="strict", secure=is_https(request), path="/")
    return token


async def presented_csrf(request: Request) -> str | None:
    """The CSRF token a request presents: the ``X-CSRF-Token`` header, else a form's ``csrf_token`` field."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        value = (await request.form()).get(CSRF_FIELD)
        return value if isinstance(value, str) else None
    return None


async def check_form_csrf(request: Request) -> None:
    """403 in French unless a form posted without a session carries the token of the browser's CSRF cookie."""
    expected = request.cookies.get(CSRF_COOKIE)
    presented = await presented_csrf(request)
    if not expected or not presented or not secrets.compare_digest(expected, presented):
        raise HTTPException(status.HTTP_403_FORBIDDEN, detail=CSRF_REFUSED)


def invitation_sender(identity: Identity, unsealer: Unsealer) -> Sender:
    """The sender of the identity store's outbox (invitation and reset emails), run by the service hosting the
    sign-in pages (intake) with the email channel of ``RELAIS_SMTP_*``."""
    settings = OutgoingSettings()
    return Sender(identity.store.engine, identity.store.metadata, channels=channels_from_settings(identity.policies),
                  unsealer=unsealer, reader="system:identity", clock=identity.clock,
                  retry=Retry(max_attempts=settings.max_attempts, base_delay=settings.base_delay))


def wake_invitation_sender(request: Request) -> None:
    sender = getattr(request.app.state, "invitation_sender", None)
    if isinstance(sender, Sender):
        sender.notify()


class HiddenLinkTokens(logging.Filter):
    """Masks the token of a single-use link in the access log's request line (``GET /invitation/<token>``): an
    invitation, a password reset, a survey or an offer link is a key, and a log is no place for a key; so is the
    authorization code an identity provider sends back (``/connexion/oidc/<platform>/retour?code=...&state=...``)."""

    PATTERN = re.compile(r"^(/(?:invitation|reinitialisation|s|o)/)[^/?\s]+|^(/connexion/oidc/[^/?\s]+/retour\?)\S+")

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            record.args = (*args[:2], self.PATTERN.sub(r"\1\2…", args[2]), *args[3:])
        return True


def hide_link_tokens_in_access_log() -> None:
    """Install :class:`HiddenLinkTokens` on uvicorn's access logger (once)."""
    access = logging.getLogger("uvicorn.access")
    if not any(isinstance(existing, HiddenLinkTokens) for existing in access.filters):
        access.addFilter(HiddenLinkTokens())
