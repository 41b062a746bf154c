"""Load through intake (a real uvicorn process on loopback): every accepted request ends up in the
store and in the read model, and the consumers' lag returns to zero."""

from __future__ import annotations

import asyncio
import os
import sys
from pathlib import Path

import aiohttp
import httpx
import pytest
from sqlalchemy import func, select

from relais.devstack.ports import free_port
from services.intake.adapters.tables import metadata as intake_metadata
from shared.security.principals import Role
from shared.storage.engine import create_engine
from tests.faults.lag import wait_caught_up
from tests.faults.load import generate
from tests.faults.projections import intake_projections
from tests.fixtures.services import issue_token

pytestmark = [pytest.mark.faults, pytest.mark.integration]

REPO = Path(__file__).resolve().parents[2]
COMMUNES = ("87085", "87114")
ACTIVITIES = ("gardening", "ironing")


def request_body(number: int) -> tuple[str, dict[str, object]]:
    return "/platforms/limoges/requests", {
        "channel": "phone", "activity": ACTIVITIES[number % 2], "commune": COMMUNES[number % 2],
        "contact": {"name": f"Résident {number}", "phone": "05 55 00 00 01"}}


async def start_intake(settings, port: int, log: Path) -> asyncio.subprocess.Process:  # type: ignore[no-untyped-def]
    env = {**os.environ, "RELAIS_KAFKA_BOOTSTRAP_SERVERS": settings.kafka_bootstrap_servers,
           "RELAIS_TOPIC_PREFIX": settings.topic_prefix, "RELAIS_DATA_DIR": str(settings.data_dir),
           "RELAIS_PLATFORMS_DIR": str(settings.platforms_dir), "RELAIS_TOKENS_FILE": str(settings.tokens_file),
           "RELAIS_CONSUMER_BATCH_SIZE": "500", "PYTHONUNBUFFERED": "1",
           "RELAIS_CONSUMER_FETCH_MAX_WAIT_MS": str(settings.consumer_fetch_max_wait_ms)}
    if settings.database_url:
        env.update(RELAIS_DATABASE_URL=settings.database_url, RELAIS_VAULT_URL=settings.database_url)
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "relais.cli.main", "serve", "intake", "--host", "127.0.0.1", "--port", str(port),
        cwd=REPO, env=env, stdout=log.open("ab"), stderr=asyncio.subprocess.STDOUT)


async def until_healthy(client: httpx.AsyncClient, process: asyncio.subprocess.Process, timeout: float = 60.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        assert process.returncode is None, f"intake exited with {process.returncode}"
        try:
            if (await client.get("/health")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        assert loop.time() < deadline, f"intake not healthy within {timeout}s"
        await asyncio.sleep(0.2)


async def test_load_through_intake_every_request_accounted_for_and_lag_back_to_zero(  # type: ignore[no-untyped-def]
        kafka_bootstrap, broker_name, topic_prefix, topics, service_settings, database_url, dialect, scale, figures,
        tmp_path) -> None:
    settings = service_settings(database_url=database_url, vault_url=database_url)
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-load")
    port = free_port()
    log = tmp_path / "intake.log"
    process = await start_intake(settings, port, log)
    base_url = f"http://127.0.0.1:{port}"
    connector = aiohttp.TCPConnector(limit=scale.load_concurrency)
    try:
        async with httpx.AsyncClient(base_url=base_url, timeout=10.0) as probe:
            await until_healthy(probe, process)
        async with aiohttp.ClientSession(base_url, headers=operator, connector=connector,
                                         timeout=aiohttp.ClientTimeout(total=60)) as client:
            report = await generate(client, request_body, rps=scale.load_rps, seconds=scale.load_seconds,
                                    concurrency=scale.load_concurrency)
        engine = create_engine(settings.service_database_url("intake"))
        metadata = intake_metadata()
        try:
            drained = await wait_caught_up(engine, metadata, kafka_bootstrap, topic_prefix,
                                           intake_projections(metadata), timeout=300)
            events, views = metadata.tables["events"], metadata.tables["request_view"]
            async with engine.connect() as conn:
                stored = await conn.scalar(select(func.count()).select_from(events)
                                           .where(events.c.event_type == "RequestLogged"))
                projected = await conn.scalar(select(func.count()).select_from(views))
                unpublished = await conn.scalar(select(func.count()).select_from(events)
                                                .where(events.c.published_at.is_(None)))
        finally:
            await engine.dispose()
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert report.sent == report.accepted, report.summary()
    assert stored == report.accepted == projected, (stored, report.accepted, projected)
    assert unpublished == 0
    figures.record(f"load[{broker_name}-{dialect}]", runs=1, events=report.accepted, faults_injected=0,
                   lost=report.accepted - projected, doubled=projected - report.accepted,
                   seconds_to_zero_lag_after_load=round(drained, 1), **report.summary())
