"""The feedback service's ASGI application (``uvicorn --factory services.feedback.entrypoints.app:create_app``)."""

from __future__ import annotations

from fastapi import FastAPI

from services.feedback.bootstrap import Feedback, bootstrap
from services.feedback.entrypoints import desk_http
from services.feedback.entrypoints.http import router
from services.feedback.entrypoints.page import router as page_router
from shared.service.app import build_app
from shared.service.periodic import Periodic
from shared.service.test_clock import clock_router
from shared.settings import Settings


def create_app(settings: Settings | None = None, *, feedback: Feedback | None = None) -> FastAPI:
    """The app; ``feedback`` lets tests pass a bootstrap of their own (e.g. with a fixed clock)."""
    feedback = feedback or bootstrap(settings)
    surveys = Periodic(feedback.handlers.sweep, interval=feedback.sweep_interval, name="survey sweep")
    routers = [router, desk_http.router, page_router, desk_http.page_router]
    if feedback.settings.test_clock:
        routers.append(clock_router(feedback.clock, wake=[surveys.wake]))
    app = build_app(
        title="Relais — feedback",
        runtime=feedback.runtime,
        routers=routers,
        registry=feedback.registry,
        state={"handlers": feedback.handlers, "tokens": feedback.tokens, "vault": feedback.vault},
        on_start=feedback.vault.create_tables,
        background=[surveys.run, feedback.outgoing.run],
    )
    return app
