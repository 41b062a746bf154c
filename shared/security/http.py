"""FastAPI dependencies that authenticate API tokens and enforce roles and platform scope.

Use::

    @router.get("/platforms/{platform_id}/requests/{request_id}")
    async def show(platform_id: str, principal: Principal = Depends(require(Role.OPERATOR, Role.COORDINATOR))):
        ensure_platform(principal, platform_id, resource="request")

A caller is a machine with an API token (``Authorization: Bearer``) or a person with a browser session (the
cookie of :mod:`shared.security.sessions`, looked up in the identity store at each request, so a session ended
or an account disabled is refused at its next request in every service). A request authenticated by the
cookie with an unsafe method must carry its session's CSRF token (``X-CSRF-Token`` header or a form's
``csrf_token`` field): 403 in French otherwise. Bearer calls need none (a browser never adds that header
by itself).

The service's bootstrap puts its :class:`TokenRegistry` on ``app.state.tokens`` and ``build_app`` an
:class:`~shared.security.web.Identity` on ``app.state.identity``; nothing here is global.
Refusals are ``HTTPException`` (401, 403, 404) with a French ``detail``; the services answer them with the shared
error body ``{"error": "unauthorized", "detail": "...", "fields": []}`` (:mod:`shared.service.errors`).
"""

from __future__ import annotations

import secrets
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from shared.contracts.labels import ROLES
from shared.errors import Forbidden
from shared.security.principals import Principal, Role
from shared.security.sessions import SESSION_COOKIE, SessionEnded, resolve_session
from shared.security.tokens import TokenRegistry, Unauthorized
from shared.security.web import CSRF_REFUSED, SAFE_METHODS, Identity, presented_csrf

NOT_YOUR_PLATFORM = "Ce jeton d'accès appartient à une autre plateforme : il ne donne pas accès à celle-ci."
_FRENCH_UNAUTHORIZED = {"malformed token": "format invalide", "unknown token": "jeton inconnu",
                        "revoked token": "jeton révoqué"}

bearer = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer rls_<token_id>_<secret>`.")
session_cookie = APIKeyCookie(name=SESSION_COOKIE, auto_error=False,
                              description="A person's browser session, opened by signing in on intake's `/connexion`.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="relais"'}


async def token_registry(request: Request) -> TokenRegistry:
    """The registry the service's bootstrap set on ``app.state.tokens``."""
    registry = getattr(request.app.state, "tokens", None)
    if not isinstance(registry, TokenRegistry):
        raise RuntimeError("app.state.tokens is not set: the service bootstrap must put a TokenRegistry there")
    return registry


async def current_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    registry: Annotated[TokenRegistry, Depends(token_registry)],
    session_id: Annotated[str | None, Depends(session_cookie)],
) -> Principal:
    """The authenticated caller; 401 with a ``WWW-Authenticate`` challenge when the token is missing or invalid,
    or the session ended; 403 when a cookie-authenticated unsafe request lacks its CSRF token."""
    if credentials is None and session_id:
        return await _session_principal(request, session_id)
    if credentials is None:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail="Jeton d'accès manquant : envoyez l'en-tête « Authorization: Bearer <jeton> ».",
            headers=_CHALLENGE,
        )
    try:
        return registry.authenticate(credentials.credentials)
    except Unauthorized as error:
        raise HTTPException(
            status.HTTP_401_UNAUTHORIZED,
            detail=f"Jeton d'accès refusé ({_FRENCH_UNAUTHORIZED.get(str(error), 'invalide')}).",
            headers={"WWW-Authenticate": 'Bearer realm="relais", error="invalid_token"'},
        ) from error


async def _session_principal(request: Request, session_id: str) -> Principal:
    identity = getattr(request.app.state, "identity", None)
    if not isinstance(identity, Identity):
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail="Connexion par session indisponible sur ce service.",
                            headers=_CHALLENGE)
    try:
        record, account = await resolve_session(identity.store, session_id, identity.now())
    except SessionEnded as ended:
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, detail=str(ended), headers=_CHALLENGE) from ended
    if request.method not in SAFE_METHODS:
        presented = await presented_csrf(request)
        if not presented or not secrets.compare_digest(presented, record.csrf_token):
            raise HTTPException(status.HTTP_403_FORBIDDEN, detail=CSRF_REFUSED)
    return Principal(platform_id=account.platform_id, role=account.role, subject=account.account_id, token_id="",
                     method=record.method)


def require(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency yielding the caller when their role is one of ``roles`` (any role when none is given).

    401 without a valid token, 403 with a valid token of another role. ``federation_admin`` passes only
    where it is listed.
    """
    allowed = frozenset(Role(role) for role in roles)

    async def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        if allowed and principal.role not in allowed:
            names = ", ".join(ROLES[role] for role in sorted(allowed))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN,
                detail=f"Votre rôle ({ROLES[principal.role]}) ne permet pas cette action ; rôles autorisés : {names}.",
            )
        return principal

    dependency.__name__ = "require_" + "_or_".join(sorted(role.value for role in allowed) or ["any_role"])
    return dependency


def ensure_platform(principal: Principal, platform_id: str) -> None:
    """Raise :class:`~shared.errors.Forbidden` (403, ``not_your_platform``) unless ``principal`` may act on ``platform_id`` (``federation_admin``
    acts on every platform).

    The answer is the same whether the platform or the resource exists or not, so it tells a caller of
    another platform nothing but that the path is not theirs.
    """
    if not principal.covers(platform_id):
        raise Forbidden("not_your_platform", NOT_YOUR_PLATFORM)


def ensure_subject(principal: Principal, provider_id: str, *, resource: str = "Offre") -> None:
    """Raise 404 when a provider reaches another provider's resource (e.g. an offer made to someone else).

    Only restricts the ``provider`` role; other roles are limited by :func:`require` and
    :func:`ensure_platform`. 404 for the same reason as :func:`ensure_platform`.
    """
    if principal.role is Role.PROVIDER and principal.subject != provider_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, detail=f"{resource} introuvable.")


def platform_member(*roles: Role) -> Callable[..., Awaitable[Principal]]:
    """A dependency for routes under ``/platforms/{platform_id}``: :func:`require` ``roles``, then
    :func:`ensure_platform` (403 on another platform)."""

    requirement = require(*roles)

    async def dependency(platform_id: str, principal: Principal = Depends(requirement)) -> Principal:  # noqa: B008
        ensure_platform(principal, platform_id)
        return principal

    dependency.__name__ = f"platform_{requirement.__name__}"
    return dependency
