"""Every HTTP route answers 401 without a token, except the public pages (request form, surveys, ops)."""

from __future__ import annotations

import httpx
import pytest

from tests.security.federation import Federation
from tests.security.routes import fill, routes_of

pytestmark = pytest.mark.integration

SAMPLE = {"platform_id": "limoges", "year": "2026", "period": "2026-03"}


def test_every_route_needs_a_token_except_the_public_ones(federation: Federation) -> None:
    checked, public, holes = 0, [], []
    for service, server in federation.stack.servers.items():
        routes = routes_of(service, server.app)
        assert any(route.params for route in routes), f"{service}: no platform routes found"
        with httpx.Client(base_url=server.url, timeout=30) as anonymous:
            for route in routes:
                if route.is_public:
                    public.append(str(route))
                    if route.method == "GET" and not route.params:
                        assert anonymous.get(route.path).status_code == 200, f"{route} is public"
                    continue
                response = anonymous.request(route.method, fill(route.path, SAMPLE))
                checked += 1
                if response.status_code != 401 or "Bearer" not in response.headers.get("www-authenticate", ""):
                    holes.append(f"{route} -> {response.status_code}")
    print(f"\nroutes needing a token: {checked} checked, all 401; public: {len(public)}: {public}")
    assert not holes, "routes answering without a token:\n" + "\n".join(holes)
    assert checked >= 40
