"""A three-broker Apache Kafka cluster (replication factor 3, ``min.insync.replicas=2``) losing brokers
while intake takes calls and its projections consume.

- The leader of the busiest partitions is killed (SIGKILL) under a steady load, then started again:
  every request logged is in the store, on the bus and in the projections, once; lag back to 0.
- Two brokers down, so no write can be acknowledged: intake keeps accepting calls (its store is the
  outbox), the relay resumes when a broker comes back, and nothing is lost or doubled.
"""

from __future__ import annotations

import asyncio
from collections import Counter

import httpx
import orjson
import pytest
from aiokafka.admin import AIOKafkaAdminClient
from sqlalchemy import func, select

from relais.devstack.kafka import KafkaCluster
from relais.ops.topic_reader import read_all
from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.entrypoints.app import create_app
from shared.contracts.topics import REQUESTS, physical
from shared.messaging.tracking import processed_count, wait_for
from shared.security.principals import Role
from shared.storage.engine import create_engine
from tests.faults.lag import wait_caught_up
from tests.faults.projections import CONSUMERS, intake_projections
from tests.fixtures.services import issue_token, serving

pytestmark = [pytest.mark.faults, pytest.mark.integration]

CONTACT = {"name": "Résident Grappe", "phone": "05 55 00 00 07"}


async def log_calls(client: httpx.AsyncClient, headers: dict[str, str], count: int, pause: float = 0.0) -> None:
    for _ in range(count):
        response = await client.post("/platforms/limoges/requests", headers=headers, json={
            "channel": "phone", "activity": "gardening", "commune": "87085", "contact": CONTACT})
        assert response.status_code == 201, response.text
        if pause:
            await asyncio.sleep(pause)


async def leader_of(bootstrap: str, topic: str, partition: int = 0) -> int:
    """Node id of the leader of ``topic``'s ``partition`` (every partition has 3 replicas)."""
    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap)
    await admin.start()
    try:
        (description,) = await admin.describe_topics([topic])
    finally:
        await admin.close()
    assert all(len(p["replicas"]) == 3 for p in description["partitions"]), "the bus topics need 3 replicas"
    return next(int(p["leader"]) for p in description["partitions"] if p["partition"] == partition)


async def check_nothing_lost_or_doubled(cluster: KafkaCluster, engine, metadata, topic_prefix: str,  # type: ignore[no-untyped-def]
                                        expected: int) -> tuple[int, float]:
    """Store, bus and projections hold each of the ``expected`` events once; returns (records on the bus, catch-up s)."""
    for name in CONSUMERS:
        await wait_for(engine, name, count=expected, timeout=180)
    catch_up = await wait_caught_up(engine, metadata, cluster.bootstrap, topic_prefix, intake_projections(metadata))
    events = metadata.tables["events"]
    async with engine.connect() as conn:
        stored = set((await conn.execute(select(events.c.event_id))).scalars())
        views = await conn.scalar(select(func.count()).select_from(metadata.tables["request_view"]))
    on_bus = Counter(orjson.loads(record.value)["meta"]["event_id"]
                     for record in await read_all(cluster.bootstrap, physical(REQUESTS, topic_prefix), timeout=60))
    assert len(stored) == expected, "an accepted call is missing from the store"
    assert set(on_bus) == stored, "the bus and the store disagree"
    assert max(on_bus.values()) == 1, f"doubled on the bus: {[e for e, n in on_bus.items() if n > 1][:5]}"
    assert views == expected
    assert [await processed_count(engine, name) for name in CONSUMERS] == [expected] * len(CONSUMERS)
    return sum(on_bus.values()), catch_up


async def test_the_leader_killed_under_load_loses_and_doubles_nothing(  # type: ignore[no-untyped-def]
        kafka_cluster_factory, topic_prefix, service_settings, database_url, dialect, figures) -> None:
    cluster = await asyncio.to_thread(kafka_cluster_factory, 3, topic_prefix=topic_prefix)
    settings = service_settings(kafka_bootstrap_servers=cluster.bootstrap, database_url=database_url,
                                vault_url=database_url)
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-grappe")
    engine = create_engine(settings.service_database_url("intake"))
    metadata = intake_metadata()
    before, during, after = 30, 60, 30
    try:
        async with serving(create_app(settings)) as client:
            await log_calls(client, operator, before)
            leader = await leader_of(cluster.bootstrap, physical(REQUESTS, topic_prefix))
            load = asyncio.create_task(log_calls(client, operator, during, pause=0.02))
            await asyncio.sleep(0.3)
            await asyncio.to_thread(cluster.kill_node, leader - 1)
            await load
            await asyncio.to_thread(cluster.start_node, leader - 1)
            await log_calls(client, operator, after)
            total = before + during + after
            records, catch_up = await check_nothing_lost_or_doubled(cluster, engine, metadata, topic_prefix, total)
    finally:
        await engine.dispose()
    figures.record(f"kafka_leader_killed[{dialect}]", runs=1, events=total, faults_injected=1, lost=0, doubled=0,
                   records_on_bus=records, caught_up_seconds=round(catch_up, 1))


async def test_two_brokers_down_intake_keeps_taking_calls_and_the_relay_resumes(  # type: ignore[no-untyped-def]
        kafka_cluster_factory, topic_prefix, service_settings, database_url, dialect, figures) -> None:
    cluster = await asyncio.to_thread(kafka_cluster_factory, 3, topic_prefix=topic_prefix)
    settings = service_settings(kafka_bootstrap_servers=cluster.bootstrap, database_url=database_url,
                                vault_url=database_url)
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-grappe")
    engine = create_engine(settings.service_database_url("intake"))
    metadata = intake_metadata()
    before, while_down = 20, 40
    try:
        async with serving(create_app(settings)) as client:
            await log_calls(client, operator, before)
            for name in CONSUMERS:
                await wait_for(engine, name, count=before, timeout=120)
            await asyncio.to_thread(cluster.kill_node, 1)
            await asyncio.to_thread(cluster.kill_node, 2)
            await asyncio.wait_for(log_calls(client, operator, while_down), timeout=60)
            await asyncio.to_thread(cluster.start_node, 1)
            await asyncio.to_thread(cluster.start_node, 2)
            total = before + while_down
            records, catch_up = await check_nothing_lost_or_doubled(cluster, engine, metadata, topic_prefix, total)
    finally:
        await engine.dispose()
    figures.record(f"kafka_two_brokers_down[{dialect}]", runs=1, events=total, faults_injected=2, lost=0, doubled=0,
                   accepted_while_down=while_down, records_on_bus=records, caught_up_seconds=round(catch_up, 1))
