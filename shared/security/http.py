"""FastAPI dependencies that authenticate API tokens and enforce roles and platform scope.

Use::

    @router.get("/platforms/{platform_id}/requests/{request_id}")
    async def show(platform_id: str, principal: Principal = Depends(require(Role.OPERATOR, Role.COORDINATOR))):
        ensure_platform(principal, platform_id, resource="request")

The service's bootstrap puts its :class:`TokenRegistry` on ``app.state.tokens``; nothing here is global.
Refusals are ``HTTPException`` (401, 403, 404) with a French ``detail``; the services answer them with the shared
error body ``{"error": "unauthorized", "detail": "...", "fields": []}`` (:mod:`shared.service.errors`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from shared.contracts.labels import ROLES
from shared.errors import Forbidden
from shared.security.principals import Principal, Role
from shared.security.tokens import TokenRegistry, Unauthorized

NOT_YOUR_PLATFORM = "Ce jeton d'accès appartient à une autre plateforme : il ne donne pas accès à celle-ci."
_FRENCH_UNAUTHORIZED = {"malformed token": "format invalide", "unknown token": "jeton inconnu",
                        "revoked token": "jeton révoqué"}

bearer = HTTPBearer(auto_error=False, description="API token: `Authorization: Bearer rls_<token_id>_<secret>`.")
_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="relais"'}


async def token_registry(request: Request) -> TokenRegistry:
    """The registry the service's bootstrap set on ``app.state.tokens``."""
    registry = getattr(request.app.state, "tokens", None)
    if not isinstance(registry, TokenRegistry):
        raise RuntimeError("app.state.tokens is not set: the service bootstrap must put a TokenRegistry there")
    return registry


async def current_principal(
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
    registry: Annotated[TokenRegistry, Depends(token_registry)],
) -> Principal:
    """The authenticated caller; 401 with a ``WWW-Authenticate`` challenge when the token is missing or invalid."""
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
