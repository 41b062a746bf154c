"""The FastAPI application every service serves: its routes plus health, metrics and error mapping
(:mod:`shared.service.errors`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CollectorRegistry, make_asgi_app
from prometheus_client.core import Metric
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.service.errors import install_error_handlers
from shared.service.runtime import ServiceRuntime


def build_app(
    *,
    title: str,
    runtime: ServiceRuntime,
    routers: Sequence[APIRouter],
    registry: CollectorRegistry,
    state: dict[str, Any],
    on_start: Callable[[], Any] | None = None,
    background: Sequence[Callable[[asyncio.Event], Coroutine[Any, Any, None]]] = (),
) -> FastAPI:
    """A service app whose lifespan starts and stops ``runtime``; ``state`` lands on ``app.state``.

    Each of ``background`` (e.g. a sweeper's ``run(stop)``) runs while the app serves, after the
    runtime started; it gets an event that is set at shutdown and is awaited before the runtime stops.

    ``/metrics`` serves ``registry`` together with the runtime's own metrics (``runtime.registry``).
    """

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await runtime.start()
        if on_start is not None:
            await on_start()
        stop = asyncio.Event()
        tasks = [asyncio.create_task(run(stop), name=f"{runtime.name}-background-{i}") for i, run in enumerate(background)]
        try:
            yield
        finally:
            stop.set()
            try:
                await asyncio.gather(*tasks)
            finally:
                await runtime.stop()

    app = FastAPI(title=title, lifespan=lifespan, version="0.1.0")
    # The operator console (served by intake) reads the other services from the browser. Calls carry
    # a bearer token, never cookies, so allowing other origins exposes nothing without a token.
    app.add_middleware(CORSMiddleware, allow_origins=list(runtime.settings.cors_origins), allow_credentials=False,
                       allow_methods=["GET", "POST", "PUT"], allow_headers=["Authorization", "Content-Type"])
    for key, value in state.items():
        setattr(app.state, key, value)
    app.state.runtime = runtime
    for router in routers:
        app.include_router(router)
    if registry is not runtime.registry:
        registry.register(_Forward(runtime.registry))
    metrics = make_asgi_app(registry=registry)
    # A mount matches only "/metrics/..." (Starlette redirects "/metrics" with a 307 and no body):
    # the same app answers "/metrics" itself, where the README, the demo and Prometheus look.
    app.router.routes.append(Route("/metrics", _AsgiEndpoint(metrics), include_in_schema=False))
    app.mount("/metrics", metrics)

    @app.get("/health", tags=["ops"], summary="Liveness and readiness")
    async def health() -> dict[str, Any]:
        return {"service": runtime.name, "status": "ok", "relay_backlog": await runtime.relay.backlog()}

    install_error_handlers(app)
    return app


class _AsgiEndpoint:
    """An ASGI app as a route endpoint: Starlette wraps plain functions (``make_asgi_app``'s) as request
    handlers, and serves other callables as ASGI apps."""

    def __init__(self, app: ASGIApp) -> None:
        self._app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self._app(scope, receive, send)


class _Forward:
    """A collector serving every metric of another registry."""

    def __init__(self, source: CollectorRegistry) -> None:
        self._source = source

    def collect(self) -> Iterable[Metric]:
        return self._source.collect()
