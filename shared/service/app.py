"""The FastAPI application every service serves: its routes plus health, metrics and error mapping
(:mod:`shared.service.errors`)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable, Coroutine, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from prometheus_client import CollectorRegistry, make_asgi_app
from prometheus_client.core import Metric
from starlette.datastructures import Headers
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from shared.security.sessions import CSRF_HEADER
from shared.security.web import Identity, hide_link_tokens_in_access_log
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

    identity = state.get("identity") or Identity.from_settings(runtime.settings)
    hide_link_tokens_in_access_log()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await identity.store.migrate()
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
                await identity.store.close()

    app = FastAPI(title=title, lifespan=lifespan, version="0.1.0")
    # The console (served by intake) reads the other services from the browser: with a person's session cookie
    # from its own origin only (RELAIS_CONSOLE_URL, answered with Allow-Credentials), or with a bearer token from
    # the origins of RELAIS_CORS_ORIGINS (no cookies: other origins get nothing without a token).
    app.add_middleware(SessionAwareCors, console_origin=console_origin(runtime.settings.console_url),
                       token_origins=runtime.settings.cors_origins)
    for key, value in state.items():
        setattr(app.state, key, value)
    app.state.identity = identity
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


def console_origin(url: str) -> str:
    """The origin (scheme, host, port) of the console's URL, as a browser sends it in ``Origin``."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class SessionAwareCors:
    """CORS for two kinds of callers: the console's own origin may send the session cookie (its answers carry
    ``Access-Control-Allow-Credentials`` and that exact origin); every origin of ``token_origins`` may call with a
    bearer token, never with cookies."""

    def __init__(self, app: ASGIApp, *, console_origin: str, token_origins: Sequence[str]) -> None:
        methods = ["GET", "POST", "PUT"]
        headers = ["Authorization", "Content-Type", "Idempotency-Key"]  # the key: one creation per click, retried
        self._console_origin = console_origin
        self._with_cookies = CORSMiddleware(app, allow_origins=[console_origin], allow_credentials=True,
                                            allow_methods=methods, allow_headers=[*headers, CSRF_HEADER])
        self._with_tokens = CORSMiddleware(app, allow_origins=list(token_origins), allow_credentials=False,
                                           allow_methods=methods, allow_headers=headers)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and Headers(scope=scope).get("origin") == self._console_origin:
            await self._with_cookies(scope, receive, send)
        else:
            await self._with_tokens(scope, receive, send)


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
