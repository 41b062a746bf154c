"""The intake service's ASGI application (``uvicorn --factory services.intake.entrypoints.app:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.intake.bootstrap import bootstrap
from services.intake.entrypoints.http import router
from shared.service.app import build_app
from shared.settings import Settings


def create_app(settings: Settings | None = None) -> FastAPI:
    intake = bootstrap(settings)
    return build_app(
        title="Relais — intake",
        runtime=intake.runtime,
        routers=[router],
        registry=intake.registry,
        state={"handlers": intake.handlers, "tokens": intake.tokens, "vault": intake.vault},
        on_start=intake.vault.create_tables,
    )
