"""People's sessions, in every service: platform A's people never reach platform B, unsafe calls need the CSRF
token, a session ended or an account disabled is refused everywhere at its next request, and CORS lets only
the console's origin send the cookie.

The sessions are opened in the identity store the live services share (as the sign-in pages do), and sent as
the browser would: the ``relais_session`` cookie, plus ``X-CSRF-Token`` on unsafe methods.
"""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from shared.security.accounts import Account
from shared.security.identity_store import IdentityStore
from shared.security.principals import Role
from shared.security.sessions import SESSION_COOKIE, OpenedSession, SessionLimits, open_session
from shared.storage.engine import create_engine
from tests.security.federation import Federation
from tests.security.routes import DESK, DESK_BODIES, DESK_ROUTES, VALID_BODIES, Route, fill, routes_of

pytestmark = pytest.mark.integration

A, B = "limoges", "herault"


async def _with_store(settings: Any, work: Any) -> Any:
    url = settings.identity_database_url()
    store = IdentityStore(create_engine(url), url)
    try:
        await store.migrate()
        return await work(store)
    finally:
        await store.close()


def person(federation: Federation, platform_id: str, role: Role, name: str) -> tuple[Account, OpenedSession]:
    """A fresh account and an open session of it, in the stack's identity store."""
    now = datetime.now(UTC)
    account = Account(account_id=f"acc-{name}-{now.timestamp():.0f}", platform_id=platform_id, role=role,
                      email=f"{name}-{now.timestamp()}@{platform_id}.example", display_name=name, created_at=now,
                      created_by="security-tests", password_hash="unused")

    async def work(store: IdentityStore) -> OpenedSession:
        await store.add_account(account)
        return await open_session(store, platform=platform_id, account_id=account.account_id, method="password",
                                  limits=SessionLimits(), now=now)

    return account, asyncio.run(_with_store(federation.stack.settings, work))


def as_browser(opened: OpenedSession, *, csrf: bool = True) -> dict[str, Any]:
    headers = {"X-CSRF-Token": opened.csrf_token} if csrf else {}
    return {"cookies": {SESSION_COOKIE: opened.session_id}, "headers": headers}


def call(federation: Federation, route: Route, values: dict[str, str], browser: dict[str, Any]) -> int:
    body = VALID_BODIES.get(route.path.rsplit("/", 1)[-1], {}) if route.method in {"POST", "PUT", "PATCH"} else None
    if DESK_ROUTES.search(route.path):
        values = {**values, "platform_id": DESK}
        body = DESK_BODIES.get(route.path.rsplit("/", 1)[-1]) if body is not None else None
    with httpx.Client(base_url=federation.stack.servers[route.service].url, timeout=30, **browser) as client:
        return client.request(route.method, fill(route.path, values), json=body).status_code


def platform_routes(federation: Federation) -> list[Route]:
    return [route for service, server in federation.stack.servers.items()
            for route in routes_of(service, server.app) if "platform_id" in route.params and not route.is_public]


def test_platform_a_people_never_reach_platform_b(federation: Federation,
                                                 platform_b: dict[str, str]) -> None:
    b_account, _ = person(federation, B, Role.OPERATOR, "b-operator")
    values = {**platform_b, "account_id": b_account.account_id}
    people = {role.value: as_browser(person(federation, A, role, f"a-{role.value}")[1])
              for role in (Role.OPERATOR, Role.COORDINATOR, Role.ANALYST, Role.ADVISOR, Role.MEDIATOR)}
    routes = platform_routes(federation)
    assert any(route.path.endswith("/users/{account_id}/disable") for route in routes)
    leaks = [f"{route} as {A} {name} -> {status}" for route in routes for name, browser in people.items()
             if (status := call(federation, route, values, browser)) not in (403, 404)]
    print(f"\nsessions matrix: {len(routes)} routes x {len(people)} people = {len(routes) * len(people)} calls")
    assert not leaks, "a person of platform A reached platform B:\n" + "\n".join(leaks)


def test_unsafe_calls_need_the_csrf_token_and_an_ended_session_is_refused_everywhere(federation: Federation) -> None:
    account, opened = person(federation, A, Role.COORDINATOR, "a-csrf")
    posts = [route for route in platform_routes(federation) if route.method == "POST"]
    without = as_browser(opened, csrf=False)
    refused = {route: call(federation, route, {"platform_id": A}, without) for route in posts}
    assert all(status == 403 for status in refused.values()), refused
    with httpx.Client(base_url=federation.stack.servers["intake"].url, **without) as client:
        answer = client.post(f"/platforms/{A}/users", json={"email": "x@y.fr", "display_name": "X", "role": "operator"})
    assert answer.status_code == 403 and "jeton de sécurité" in answer.json()["detail"]

    reads = {service: f"/platforms/{A}/" + path for service, path in (
        ("intake", "requests"), ("matching", "providers"), ("feedback", "surveys"), ("billing", "totals/2026"),
        ("employment", "sessions"))}
    for service, path in reads.items():
        with httpx.Client(base_url=federation.stack.servers[service].url, **as_browser(opened)) as client:
            assert client.get(path).status_code == 200, (service, path)
    with federation.stack.client("intake", federation.admin) as admin:
        assert admin.post(f"/platforms/{A}/users/{account.account_id}/disable").status_code == 200
    for service, path in reads.items():
        with httpx.Client(base_url=federation.stack.servers[service].url, **as_browser(opened)) as client:
            answer = client.get(path)
            assert answer.status_code == 401 and "connectez-vous" in answer.json()["detail"], (service, answer.text)


def test_only_the_console_origin_may_send_the_cookie(federation: Federation) -> None:
    console = federation.stack.settings.console_url.rstrip("/")
    with federation.stack.client("matching") as client:
        preflight = client.options(f"/platforms/{A}/providers", headers={
            "Origin": console, "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type,x-csrf-token"})
        other = client.options(f"/platforms/{A}/providers", headers={
            "Origin": "http://evil.example", "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] == console
    assert preflight.headers["access-control-allow-credentials"] == "true"
    assert "access-control-allow-credentials" not in other.headers
