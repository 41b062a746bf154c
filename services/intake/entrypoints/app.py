"""The intake service's ASGI application (``uvicorn --factory services.intake.entrypoints.app:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.bootstrap import bootstrap
from services.intake.entrypoints import console_http, http, views_http
from shared.service.app import build_app
from shared.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    intake = bootstrap(settings)
    return build_app(
        title="Relais — intake",
        runtime=intake.runtime,
        routers=[http.router, views_http.router, console_http.router],
        registry=intake.registry,
        state={"settings": intake.settings, "handlers": intake.handlers, "views": intake.views, "tokens": intake.tokens, "vault": intake.vault},
        on_start=intake.vault.create_tables,
    )
