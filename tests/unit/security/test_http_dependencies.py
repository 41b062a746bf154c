"""Role and platform checks of the FastAPI dependencies, on a tiny app with the services' error handlers."""

from __future__ import annotations

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI

from shared.security.http import NOT_YOUR_PLATFORM, ensure_platform, ensure_subject, require
from shared.security.principals import ALL_PLATFORMS, Principal, Role
from shared.security.tokens import TokenRegistry
from shared.service.errors import install_error_handlers


def tiny_app(registry: TokenRegistry | None) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    if registry is not None:
        app.state.tokens = registry

    @app.get("/platforms/{platform_id}/requests/{request_id}")
    async def show_request(
        platform_id: str,
        request_id: str,
        principal: Annotated[Principal, Depends(require(Role.OPERATOR, Role.COORDINATOR, Role.FEDERATION_ADMIN))],
    ) -> dict:
        ensure_platform(principal, platform_id)
        return {"request_id": request_id, "seen_by": principal.actor}

    @app.post("/platforms/{platform_id}/offers/{provider_id}/accept")
    async def accept_offer(
        platform_id: str, provider_id: str, principal: Annotated[Principal, Depends(require(Role.PROVIDER))]
    ) -> dict:
        ensure_platform(principal, platform_id)
        ensure_subject(principal, provider_id)
        return {"accepted_by": principal.subject}

    @app.get("/me")
    async def me(principal: Annotated[Principal, Depends(require())]) -> dict:
        return {"role": principal.role.value}

    return app


@pytest.fixture
def registry() -> TokenRegistry:
    return TokenRegistry()


@pytest.fixture
async def client(registry):
    transport = httpx.ASGITransport(app=tiny_app(registry))
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as client:
        yield client


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


async def test_no_token_is_401_with_a_challenge(client):
    response = await client.get("/platforms/limoges/requests/req-1")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json()["error"] == "unauthorized" and "Jeton d'accès manquant" in response.json()["detail"]


async def test_wrong_token_is_401(client, registry):
    token, _ = registry.issue("limoges", Role.OPERATOR, "op-12")

    for wrong in (token[:-2] + "zz", "rls_0123456789abcdef_nope", "not-a-token"):
        response = await client.get("/platforms/limoges/requests/req-1", headers=bearer(wrong))
        assert response.status_code == 401
        assert 'error="invalid_token"' in response.headers["WWW-Authenticate"]
        assert response.json()["detail"].startswith("Jeton d'accès refusé")
        assert wrong not in response.text


async def test_basic_scheme_is_401(client):
    response = await client.get("/platforms/limoges/requests/req-1", headers={"Authorization": "Basic dXNlcjpwYXNz"})

    assert response.status_code == 401


async def test_revoked_token_is_401(client, registry):
    token, entry = registry.issue("limoges", Role.OPERATOR, "op-12")
    registry.revoke(entry.token_id)

    response = await client.get("/platforms/limoges/requests/req-1", headers=bearer(token))

    assert response.status_code == 401
    assert response.json()["detail"] == "Jeton d'accès refusé (jeton révoqué)."


async def test_wrong_role_is_403(client, registry):
    token, _ = registry.issue("limoges", Role.ANALYST, "an-1")

    response = await client.get("/platforms/limoges/requests/req-1", headers=bearer(token))

    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"
    assert response.json()["detail"] == ("Votre rôle (analyste) ne permet pas cette action ; rôles autorisés : "
                                         "coordination, administration de la fédération, écoutant·e.")


async def test_another_platforms_resource_is_403_not_your_platform(client, registry):
    token, _ = registry.issue("limoges", Role.OPERATOR, "op-12")

    for platform in ("brenne", "atlantis"):  # the same answer whether the platform exists or not
        response = await client.get(f"/platforms/{platform}/requests/req-1", headers=bearer(token))

        assert response.status_code == 403
        assert response.json() == {"error": "not_your_platform", "detail": NOT_YOUR_PLATFORM, "fields": []}


async def test_right_role_on_own_platform_is_200(client, registry):
    token, _ = registry.issue("limoges", Role.OPERATOR, "op-12")

    response = await client.get("/platforms/limoges/requests/req-1", headers=bearer(token))

    assert response.status_code == 200
    assert response.json() == {"request_id": "req-1", "seen_by": "operator:op-12"}


async def test_federation_admin_reaches_every_platform(client, registry):
    token, _ = registry.issue(ALL_PLATFORMS, Role.FEDERATION_ADMIN, "admin-1")

    for platform in ("limoges", "brenne"):
        assert (await client.get(f"/platforms/{platform}/requests/req-1", headers=bearer(token))).status_code == 200


async def test_provider_acts_only_on_own_offers(client, registry):
    token, _ = registry.issue("limoges", Role.PROVIDER, "prov-7")

    own = await client.post("/platforms/limoges/offers/prov-7/accept", headers=bearer(token))
    other = await client.post("/platforms/limoges/offers/prov-8/accept", headers=bearer(token))
    other_platform = await client.post("/platforms/brenne/offers/prov-7/accept", headers=bearer(token))

    assert own.status_code == 200 and own.json() == {"accepted_by": "prov-7"}
    assert other.status_code == 404 and other.json() == {"error": "not_found", "detail": "Offre introuvable.", "fields": []}
    assert other_platform.status_code == 403


async def test_require_without_roles_accepts_any_authenticated_caller(client, registry):
    token, _ = registry.issue("limoges", Role.ANALYST, "an-1")

    assert (await client.get("/me", headers=bearer(token))).json() == {"role": "analyst"}
    assert (await client.get("/me")).status_code == 401


async def test_an_app_without_a_registry_fails_loudly():
    transport = httpx.ASGITransport(app=tiny_app(None))
    async with httpx.AsyncClient(transport=transport, base_url="http://relais.test") as client:
        with pytest.raises(RuntimeError, match=r"app\.state\.tokens"):
            await client.get("/me", headers=bearer("rls_0123456789abcdef_x"))
