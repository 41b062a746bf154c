"""Tenant isolation and roles, for every route and method of every service's OpenAPI.

Path parameters are filled with real resources of platform B (a request assigned to a provider, its
provider, a voicemail, a survey, the resident), so a 404 means "hidden", not "there is nothing".
"""

from __future__ import annotations

import pytest

from shared.security.principals import Role
from tests.security.federation import Federation
from tests.security.routes import DESK, DESK_BODIES, DESK_ROUTES, VALID_BODIES, Route, fill, routes_of

pytestmark = pytest.mark.integration

A, B = "limoges", "herault"
ANALYST_READS = {
    ("intake", "GET", "/platforms/{platform_id}/observatory"),
    ("intake", "GET", "/platforms/{platform_id}/policy"),  # names and labels for the console: no personal data
    ("matching", "GET", "/platforms/{platform_id}/fairness"),
    ("feedback", "GET", "/platforms/{platform_id}/satisfaction"),
    ("employment", "GET", "/platforms/{platform_id}/employment/figures"),
    ("employment", "GET", "/platforms/{platform_id}/employment/figures.csv"),
}
PROVIDER_OWN = {  # a provider posts and lists its own openings: the list holds no other provider's
    ("employment", "GET", "/platforms/{platform_id}/openings"),
    ("employment", "POST", "/platforms/{platform_id}/openings"),
}

def platform_routes(federation: Federation) -> list[Route]:
    routes = [route for service, server in federation.stack.servers.items()
              for route in routes_of(service, server.app) if "platform_id" in route.params and not route.is_public]
    assert len(routes) >= 35
    return routes


def call(federation: Federation, route: Route, values: dict[str, str], headers: dict[str, str]) -> int:
    body = VALID_BODIES.get(route.path.rsplit("/", 1)[-1], {}) if route.method in {"POST", "PUT", "PATCH"} else None
    if DESK_ROUTES.search(route.path):
        values = {**values, "platform_id": DESK}
        body = DESK_BODIES.get(route.path.rsplit("/", 1)[-1]) if body is not None else None
    with federation.stack.client(route.service, headers) as client:
        return client.request(route.method, fill(route.path, values), json=body).status_code


def test_platform_a_tokens_never_reach_platform_b(federation: Federation, platform_b: dict[str, str]) -> None:
    stack = federation.stack
    a_provider = federation.providers(A)[0]
    tokens = {
        "operator": stack.token(A, Role.OPERATOR, "op-a"),
        "coordinator": stack.token(A, Role.COORDINATOR, "co-a"),
        "provider": stack.token(A, Role.PROVIDER, a_provider),
        "provider named like B's": stack.token(A, Role.PROVIDER, platform_b["provider_id"]),
        "analyst": stack.token(A, Role.ANALYST, "an-a"),
        "advisor": stack.token(A, Role.ADVISOR, "adv-a"),
    }
    routes = platform_routes(federation)
    leaks = [f"{route} as {A} {name} -> {status}" for route in routes for name, headers in tokens.items()
             if (status := call(federation, route, platform_b, headers)) not in (403, 404)]
    print(f"\ncross-platform matrix: {len(routes)} routes x {len(tokens)} tokens = {len(routes) * len(tokens)} calls")
    assert not leaks, "platform A reached platform B:\n" + "\n".join(leaks)


def test_the_federation_admin_sees_every_platform(federation: Federation, platform_b: dict[str, str]) -> None:
    reads = [route for route in platform_routes(federation) if route.method == "GET"]
    refused = [f"{route} -> {status}" for route in reads
               if not 200 <= (status := call(federation, route, platform_b, federation.admin)) < 300]
    print(f"\nfederation_admin on platform B: {len(reads)} read routes, all 2xx")
    assert not refused, "\n".join(refused)


def test_an_analyst_reads_only_pseudonymised_figures(federation: Federation, platform_b: dict[str, str]) -> None:
    analyst = federation.stack.token(B, Role.ANALYST, "an-b")
    outcomes = {route: call(federation, route, platform_b, analyst) for route in platform_routes(federation)}
    allowed = {route for route in outcomes if (route.service, route.method, route.path) in ANALYST_READS}
    assert len(allowed) == len(ANALYST_READS)
    wrong = [f"{route} -> {status}" for route, status in outcomes.items()
             if status != (200 if route in allowed else 403)]
    print(f"\nanalyst: {len(outcomes)} routes, 200 on {len(allowed)} pseudonymised reads, 403 elsewhere")
    assert not wrong, "\n".join(wrong)
    with federation.stack.client("intake", analyst) as client:
        observatory = client.get(f"/platforms/{B}/observatory").json()
    assert observatory["small_counts_hidden_below"] is not None and observatory["unmet_total"] is None


def test_a_mediator_reaches_its_own_desk_only(federation: Federation, platform_b: dict[str, str]) -> None:
    mediator = federation.stack.token(DESK, Role.MEDIATOR, "med-desk")
    outcomes = {route: call(federation, route, platform_b, mediator) for route in platform_routes(federation)}
    desk = {route for route in outcomes if DESK_ROUTES.search(route.path)}
    funders_only = {route for route in desk if route.path.endswith(("/report", "/report.csv"))}
    wrong = [f"{route} -> {status}" for route, status in outcomes.items()
             if not (status in (403, 404) if route not in desk or route in funders_only else 200 <= status < 300)]
    print(f"\nmediator: {len(desk) - len(funders_only)} desk routes reached, {len(outcomes) - len(desk)} others refused")
    assert not wrong, "\n".join(wrong)


def test_a_provider_acts_only_on_its_own_offers(federation: Federation, platform_b: dict[str, str]) -> None:
    holder = platform_b["provider_id"]
    other = next(provider for provider in federation.providers(B) if provider != holder)
    intruder = federation.stack.token(B, Role.PROVIDER, other)
    routes = [route for route in platform_routes(federation)
              if (route.service, route.method, route.path) not in PROVIDER_OWN]
    reached = [f"{route} -> {status}" for route in routes
               if (status := call(federation, route, platform_b, intruder)) not in (403, 404)]
    print(f"\nprovider on another provider's offer, record and account: {len(routes)} routes, all 403/404")
    assert not reached, f"provider {other} reached {holder}'s resources:\n" + "\n".join(reached)

    owner = federation.stack.token(B, Role.PROVIDER, holder)
    request = f"/platforms/{B}/requests/{platform_b['request_id']}"
    with federation.stack.client("matching", owner) as client:
        assert client.get(f"{request}/match").json()["provider_id"] == holder
        assert client.get(f"/platforms/{B}/providers/{holder}/offers").status_code == 200
    with federation.stack.client("billing", owner) as client:
        assert client.get(f"/platforms/{B}/accounts/{holder}").status_code == 200
    with federation.stack.client("employment", intruder) as client:  # the demo's openings of Hérault: its own only
        assert {row["provider_id"] for row in client.get(f"/platforms/{B}/openings").json()} <= {other}
    with federation.stack.client("employment", owner) as client:
        own = client.get(f"/platforms/{B}/openings").json()
        assert platform_b["opening_id"] in [row["opening_id"] for row in own]
        assert {row["provider_id"] for row in own} == {holder}
        proposed = client.get(f"/platforms/{B}/openings/{platform_b['opening_id']}").json()["proposals"][0]["proposed"]
        assert proposed[0]["name"] == "Dominique Essai"
