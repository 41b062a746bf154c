"""The service apps of services/*/entrypoints/app.py served by uvicorn on free ports, in the test's event loop."""

from __future__ import annotations

import asyncio
import importlib
import importlib.util
from collections.abc import AsyncIterator, Iterable
from contextlib import AsyncExitStack, asynccontextmanager

import uvicorn
from fastapi import FastAPI

from relais.devstack.ports import free_port
from shared.settings import SERVICES, Settings

START_TIMEOUT_SECONDS = 60.0


def available_services() -> list[str]:
    """The services whose app module exists (services are added one by one)."""
    return [name for name in SERVICES if importlib.util.find_spec(f"services.{name}.entrypoints.app") is not None]


def create_app(service: str, settings: Settings) -> FastAPI:
    return importlib.import_module(f"services.{service}.entrypoints.app").create_app(settings)


@asynccontextmanager
async def served(app: FastAPI, name: str) -> AsyncIterator[str]:
    """Serve ``app`` (lifespan included) on a free port of 127.0.0.1; yields its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(), name=f"uvicorn-{name}")
    deadline = asyncio.get_running_loop().time() + START_TIMEOUT_SECONDS
    while not server.started:
        if task.done():
            task.result()
            raise AssertionError(f"{name} stopped while starting (see its log above)")
        if asyncio.get_running_loop().time() > deadline:
            server.should_exit = True
            await task
            raise AssertionError(f"{name} did not start within {START_TIMEOUT_SECONDS}s")
        await asyncio.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def serving_all(names: Iterable[str], settings: Settings) -> AsyncIterator[dict[str, str]]:
    """Every service of ``names`` served at once; yields service -> base URL."""
    async with AsyncExitStack() as stack:
        urls = {}
        for name in names:
            urls[name] = await stack.enter_async_context(served(create_app(name, settings), name))
        yield urls
