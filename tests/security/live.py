"""The services served by uvicorn in threads of the test process: real HTTP, real broker, real stores.

Each server gets its own event loop (uvicorn runs the app's lifespan there), so tests can stay
synchronous (``httpx.Client``, hypothesis, schemathesis) while the services run concurrently.
"""

from __future__ import annotations

import asyncio
import importlib
import socket
import threading
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import alembic.command
import httpx
import uvicorn
from fastapi import FastAPI

from shared.privacy.vault import Vault
from shared.security.principals import Role
from shared.security.tokens import TokenRegistry
from shared.settings import SERVICES, Settings
from shared.storage.engine import create_engine

REPO = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def stack_settings(data_dir: Path, kafka_bootstrap: str, **overrides: Any) -> Settings:
    """Settings of one stack: its own topics (a fresh prefix), data folder and tokens file."""
    values: dict[str, Any] = {
        "data_dir": data_dir, "kafka_bootstrap_servers": kafka_bootstrap, "topic_prefix": f"t{uuid.uuid4().hex[:8]}.",
        "platforms_dir": REPO / "deploy" / "platforms", "tokens_file": data_dir / "tokens.yaml",
        "consumer_batch_size": 100,
    }
    return Settings(**{**values, **overrides})


def create_service_app(service: str, settings: Settings) -> FastAPI:
    """``services.<service>.entrypoints.app:create_app(settings)``."""
    return importlib.import_module(f"services.{service}.entrypoints.app").create_app(settings)


class LiveServer:
    """One app served on a free 127.0.0.1 port by uvicorn, in a thread of its own."""

    def __init__(self, name: str, app: FastAPI, *, access_log: bool = False) -> None:
        self.name = name
        self.app = app
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind(("127.0.0.1", 0))
        self.port = self._socket.getsockname()[1]
        config = uvicorn.Config(app, lifespan="on", log_config=None, log_level="info", access_log=access_log)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [self._socket]},
                                        name=f"uvicorn-{name}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 120.0) -> LiveServer:
        self.launch()
        return self.wait_started(timeout)

    def launch(self) -> None:
        self._thread.start()

    def wait_started(self, timeout: float = 120.0) -> LiveServer:
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive():
                raise RuntimeError(f"{self.name} did not start (see the log of its lifespan)")
            if time.monotonic() > deadline:
                raise TimeoutError(f"{self.name} not started after {timeout} s")
            time.sleep(0.05)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        self._server.should_exit = True
        self._thread.join(timeout)
        self._socket.close()
        if self._thread.is_alive():
            raise RuntimeError(f"{self.name} did not stop within {timeout} s")


class LiveStack:
    """Some of the services, sharing one settings (broker, topics, data folder, tokens file)."""

    def __init__(self, settings: Settings, services: Iterable[str] = SERVICES, *, access_log: bool = False) -> None:
        self.settings = settings
        self.servers = {name: LiveServer(name, create_service_app(name, settings), access_log=access_log)
                        for name in services}

    def start(self) -> LiveStack:
        self.settings.data_dir.mkdir(parents=True, exist_ok=True)
        asyncio.run(_create_vault_tables(self.settings))
        try:
            with _alembic_one_at_a_time():
                for server in self.servers.values():
                    server.launch()
                for server in self.servers.values():
                    server.wait_started()
        except BaseException:
            self.stop()
            raise
        return self

    def stop(self) -> None:
        for server in reversed(self.servers.values()):
            if server._thread.is_alive():
                server.stop()

    @property
    def urls(self) -> dict[str, str]:
        return {name: server.url for name, server in self.servers.items()}

    def client(self, service: str, headers: dict[str, str] | None = None) -> httpx.Client:
        return httpx.Client(base_url=self.servers[service].url, headers=headers, timeout=30)

    def token(self, platform_id: str, role: Role | str, subject: str) -> dict[str, str]:
        """An Authorization header for a fresh token."""
        assert self.settings.tokens_file is not None
        plaintext, _ = TokenRegistry.load(self.settings.tokens_file).issue(platform_id, role, subject)
        return {"Authorization": f"Bearer {plaintext}"}

    def admin(self) -> dict[str, str]:
        return self.token("*", Role.FEDERATION_ADMIN, "security-tests")


async def _create_vault_tables(settings: Settings) -> None:
    """Create the shared vault's tables once, before intake and feedback race to do it on start."""
    engine = create_engine(settings.vault_database_url())
    try:
        await Vault(engine).create_tables()
    finally:
        await engine.dispose()


@contextmanager
def _alembic_one_at_a_time() -> Iterator[None]:
    """Serialise ``alembic.command.upgrade`` while services start in parallel threads.

    Alembic keeps the running migration context in module globals (``alembic.context``), so two
    upgrades in two threads at once break each other; everything else starts concurrently.
    """
    original = alembic.command.upgrade
    lock = threading.Lock()

    def upgrade(*args: Any, **kwargs: Any) -> None:
        with lock:
            original(*args, **kwargs)

    alembic.command.upgrade = upgrade
    try:
        yield
    finally:
        alembic.command.upgrade = original
