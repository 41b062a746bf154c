"""The billing service's ASGI application (``uvicorn --factory services.billing.entrypoints.app:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.billing.bootstrap import Billing, bootstrap
from services.billing.entrypoints.http import router
from shared.service.app import build_app
from shared.settings import Settings


def create_app(settings: Settings | None = None, *, billing: Billing | None = None) -> FastAPI:
    billing = billing or bootstrap(settings)
    return build_app(
        title="Relais — billing",
        runtime=billing.runtime,
        routers=[router],
        registry=billing.registry,
        state={"handlers": billing.handlers, "tokens": billing.tokens, "billing": billing},
    )
