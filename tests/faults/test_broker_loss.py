"""The broker loses everything (restarted empty: Kafka's storage wiped, Tansu's memory gone); ``relais restore`` republishes
the history from the services' own event stores; afterwards nothing is lost or doubled."""

from __future__ import annotations

import asyncio

import httpx
import orjson
import pytest
from sqlalchemy import func, select

from relais.ops.topic_reader import read_all
from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.entrypoints.app import create_app
from shared.contracts.topics import REQUESTS, physical
from shared.messaging.tracking import processed_count, wait_for
from shared.security.principals import Role
from shared.storage.engine import create_engine
from tests.faults.lag import wait_caught_up
from tests.faults.projections import CONSUMERS, intake_projections, rebuilt_checksums, table_checksums
from tests.faults.service import run_relais
from tests.fixtures.services import issue_token, serving

pytestmark = [pytest.mark.faults, pytest.mark.integration]

CONTACT = {"name": "Résidente Panne", "phone": "05 55 00 00 09"}


async def log_calls(client: httpx.AsyncClient, headers: dict[str, str], count: int) -> None:
    for number in range(count):
        if number % 4 == 3:
            response = await client.post("/platforms/limoges/information-calls", headers=headers, json={
                "channel": "phone", "topic_asked": "rates", "answer": "Tarifs donnés"})
        else:
            response = await client.post("/platforms/limoges/requests", headers=headers, json={
                "channel": "phone", "activity": "gardening", "commune": "87085", "contact": CONTACT})
        assert response.status_code == 201, response.text


async def test_restore_refills_a_wiped_broker_without_loss_or_double(  # type: ignore[no-untyped-def]
        broker_factory, topic_prefix, service_settings, database_url, dialect, scale, figures, tmp_path) -> None:
    broker = await asyncio.to_thread(broker_factory, topic_prefix=topic_prefix)
    settings = service_settings(kafka_bootstrap_servers=broker.bootstrap, database_url=database_url, vault_url=database_url)
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-panne")
    before, during = scale.restore_requests, scale.restore_requests // 2
    engine = create_engine(settings.service_database_url("intake"))
    metadata = intake_metadata()
    try:
        async with serving(create_app(settings)) as client:
            await log_calls(client, operator, before)
            for name in CONSUMERS:
                await wait_for(engine, name, count=before, timeout=60)

            await asyncio.to_thread(broker.restart)
            await log_calls(client, operator, during)
            restored = await run_relais(settings, "restore", "--service", "intake")
            assert f"{before + during} events in the store" in restored.output, restored.output

        # the runbook of a broker lost with everything: restore, then restart the services, whose consumer
        # groups were lost with it (on Apache Kafka a consumer that lived through the wipe can keep failing
        # to rejoin its vanished group and stop reading)
        async with serving(create_app(settings)):
            for name in CONSUMERS:
                await wait_for(engine, name, count=before + during, timeout=120)
            await wait_caught_up(engine, metadata, broker.bootstrap, topic_prefix, intake_projections(metadata))
            live = await table_checksums(engine, metadata)

        events = metadata.tables["events"]
        async with engine.connect() as conn:
            stored = set((await conn.execute(select(events.c.event_id))).scalars())
            requests_logged = await conn.scalar(select(func.count()).select_from(events)
                                                .where(events.c.event_type == "RequestLogged"))
            views = await conn.scalar(select(func.count()).select_from(metadata.tables["request_view"]))
        on_broker = [orjson.loads(record.value)["meta"]["event_id"]
                     for record in await read_all(broker.bootstrap, physical(REQUESTS, topic_prefix))]
        assert set(on_broker) == stored and len(stored) == before + during
        assert views == before + during
        assert requests_logged == sum(1 for number in range(before + during) if number % 4 != 3)
        assert [await processed_count(engine, name) for name in CONSUMERS] == [before + during] * len(CONSUMERS)
        assert live == await rebuilt_checksums(broker.bootstrap, topic_prefix, tmp_path)
    finally:
        await engine.dispose()
    figures.record(f"broker_loss[{dialect}]", runs=1, events=before + during, faults_injected=1, lost=0, doubled=0,
                   logged_before_loss=before, logged_after_loss=during, records_on_broker_after_restore=len(on_broker))
