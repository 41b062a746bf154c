"""The employment service's ASGI application (``uvicorn --factory services.employment.entrypoints.app:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.employment.bootstrap import Employment, bootstrap
from services.employment.entrypoints.http import router
from services.employment.entrypoints.pages import router as pages_router
from shared.service.app import build_app
from shared.service.test_clock import clock_router
from shared.settings import Settings


def create_app(settings: Settings | None = None, *, employment: Employment | None = None) -> FastAPI:
    """The app; ``employment`` lets tests pass a bootstrap of their own (e.g. with a fixed clock)."""
    employment = employment or bootstrap(settings)
    routers = [router, pages_router]
    if employment.settings.test_clock:
        routers.append(clock_router(employment.clock))
    return build_app(
        title="Relais — employment",
        runtime=employment.runtime,
        routers=routers,
        registry=employment.registry,
        state={"handlers": employment.handlers, "tokens": employment.tokens, "vault": employment.vault},
        on_start=employment.vault.create_tables,
        background=[employment.outgoing.run],
    )
