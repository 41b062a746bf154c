"""Every route of every service, from the apps themselves (OpenAPI plus routes hidden from it), and the bodies
the security tests send them."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import BaseRoute
from starlette.routing import Route as Route_

PUBLIC = (
    re.compile(r"^/public/"),  # intake: the online request form
    re.compile(r"^/s/"),  # feedback: the survey pages (the link's single-use token is the key)
    re.compile(r"^/d/"),  # feedback: a mediation desk's anonymous questionnaire (its printed QR code opens it)
    re.compile(r"^/[op]/"),  # matching: a provider's offer page and its offers (the signed, expiring link is the key)
    re.compile(r"^/(health|metrics|docs|redoc|openapi\.json)(/|$)"),
    # intake: people's sign-in pages and their own pages, reached without a token by design (the session cookie,
    # forms with a CSRF token; tests/e2e/test_people_sign_in.py, tests/security/test_session_isolation.py)
    re.compile(r"^/(connexion|deconnexion|deconnexion-partout|invitation|reinitialisation|compte|comptes)(/|$)"),
    re.compile(r"^/console(/console\.js|/employment\.(js|css)|/config)?$"),  # intake: the console's static files, config
)

DESK = "pimms-lyon"
"""The mediation desk of deploy/platforms: the desk's routes are tried on it (on B they only say it is no desk)."""
DESK_ROUTES = re.compile(r"/(visits|visit-answers)$|/desk/")
VALID_BODIES = {  # offer actions check the offer's holder in the handler, after the body is validated
    "decline": {"reason": "unavailable"},
    "quote": {"amount_excl_tax": "120.00"},
    "quote-answer": {"accepted": True},
    "intervention": {"done_on": "2026-03-10", "labour_hours": "2", "labour_amount_excl_tax": "60"},
    "interviews": {"seeker_id": "skr-x", "outcome": "retained"},  # an opening's: its provider's only
    "hires": {"seeker_id": "skr-x", "starts_on": "2026-04-01"},
    "placements": {"seeker_id": "skr-x", "months": 3, "in_post": True},
}
DESK_BODIES = {"visits": {"topic_asked": "water_bill", "actions": ["informed"], "minutes_spent": 10},
               "visit-answers": {"satisfied": True, "question_resolved": True, "would_come_back": True}}


@dataclass(frozen=True, order=True)
class Route:
    service: str
    method: str
    path: str
    in_openapi: bool

    @property
    def params(self) -> list[str]:
        return re.findall(r"{([^}]+)}", self.path)

    @property
    def is_public(self) -> bool:
        return any(pattern.search(self.path) for pattern in PUBLIC)

    def __str__(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def routes_of(service: str, app: FastAPI) -> list[Route]:
    """Every (method, path) the app answers: the OpenAPI operations and the routes left out of it."""
    documented = {(method.upper(), path) for path, item in app.openapi()["paths"].items() for method in item
                  if method in {"get", "post", "put", "patch", "delete"}}
    found = set(documented) | set(_walk(app.routes, ""))
    return sorted(Route(service, method, path, (method, path) in documented) for method, path in found)


def _walk(routes: list[BaseRoute], prefix: str) -> Iterator[tuple[str, str]]:
    """(method, path) of every route, through included routers (FastAPI keeps them nested)."""
    for route in routes:
        if isinstance(route, APIRoute | Route_):
            yield from ((method, prefix + route.path) for method in route.methods or () if method != "HEAD")
        elif hasattr(route, "original_router"):  # an included APIRouter
            yield from _walk(route.original_router.routes, prefix + route.include_context.prefix)


def fill(path: str, values: dict[str, str]) -> str:
    """``path`` with each ``{name}`` replaced by ``values[name]`` (a plausible id when absent)."""
    return re.sub(r"{([^}]+)}", lambda match: values.get(match.group(1), f"x-{match.group(1)}"), path)
