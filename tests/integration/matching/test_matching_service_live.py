"""The matching service in-process on the real broker: requests logged on the bus get offered in turn."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

import orjson
import pytest
from aiokafka import AIOKafkaConsumer

from services.matching.entrypoints.app import create_app
from shared.contracts.codec import encode
from shared.contracts.topics import MATCHING, physical
from shared.messaging.admin import partitions_of
from shared.messaging.producer import create_producer
from shared.security.principals import ALL_PLATFORMS, Role
from shared.settings import Settings
from tests.fixtures.services import issue_token, serving
from tests.polling import get_when_ready
from tests.unit.matching.builders import (
    LIMOGES,
    SAINT_YRIEIX,
    request_logged,
    write_policies,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]
COMMITTEE = [{"body": "ccas", "label": "CCAS de Limoges"}]


async def produce(bootstrap: str, prefix: str, envelopes: list[Any]) -> None:
    producer = create_producer(bootstrap)
    await producer.start()
    try:
        for envelope in envelopes:
            record = encode(envelope, prefix)
            await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
    finally:
        await producer.stop()


async def matching_events(bootstrap: str, prefix: str, count: int, timeout: float = 20.0) -> list[dict[str, Any]]:
    """The first ``count`` events of the matching topic (all partitions), decoded as JSON."""
    consumer = AIOKafkaConsumer(bootstrap_servers=bootstrap, group_id=None, enable_auto_commit=False,
                                auto_offset_reset="earliest")
    await consumer.start()
    try:
        topic = physical(MATCHING, prefix)
        consumer.assign(await partitions_of(bootstrap, [topic]))
        found: list[dict[str, Any]] = []
        async with asyncio.timeout(timeout):
            while len(found) < count:
                batches = await consumer.getmany(timeout_ms=200)
                found.extend(orjson.loads(record.value) for batch in batches.values() for record in batch)
        return found
    finally:
        await consumer.stop()


async def test_requests_on_the_bus_are_offered_in_turn_declined_and_reoffered_after_the_deadline(
        service_settings: Callable[..., Settings], database_url: str, kafka_bootstrap: str, topic_prefix: str,
        tmp_path) -> None:
    settings = service_settings(database_url=database_url, platforms_dir=write_policies(tmp_path / "platforms"),
                                test_clock=True)
    coordinator = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    admin = issue_token(settings, ALL_PLATFORMS, Role.FEDERATION_ADMIN, "ops")
    async with serving(create_app(settings)) as client:
        gardeners = []
        for name in ("Jardins A", "Jardins B", "Jardins C"):
            created = await client.post("/platforms/limoges/providers", headers=coordinator, json={
                "name": name, "kind": "association", "activities": ["gardening"], "communes": [LIMOGES]})
            assert created.status_code == 201, created.text
            pid = created.json()["id"]
            admitted = await client.post(f"/platforms/limoges/providers/{pid}/committee-decision", headers=coordinator,
                                         json={"decision": "admitted", "committee_on": "2026-02-01", "members": COMMITTEE,
                                               "charter_signed_at": "2026-02-01T10:00:00Z"})
            assert admitted.status_code == 200 and admitted.json()["status"] == "admitted", admitted.text
            gardeners.append(pid)
        tokens = {pid: issue_token(settings, "limoges", Role.PROVIDER, pid) for pid in gardeners}

        await produce(kafka_bootstrap, topic_prefix, [request_logged(f"req-{i}") for i in range(3)]
                      + [request_logged("req-nowhere", commune=SAINT_YRIEIX)])
        holders = {}
        for index in range(3):
            shown = await get_when_ready(client, f"/platforms/limoges/requests/req-{index}/match", coordinator,
                                         lambda body: body["status"] == "assigned")
            holders[f"req-{index}"] = shown["provider_id"]
        assert sorted(holders.values()) == sorted(gardeners)
        await get_when_ready(client, "/platforms/limoges/requests/req-nowhere/match", coordinator,
                             lambda body: body["status"] == "unmet")

        first = holders["req-0"]
        other = next(pid for pid in gardeners if pid != first)
        path = "/platforms/limoges/requests/req-0"
        assert (await client.post(f"{path}/contact", headers=tokens[other], json={})).status_code == 404
        early = await client.post(f"{path}/intervention", headers=tokens[first], json={
            "done_on": "2026-03-03", "labour_hours": "2", "labour_amount_excl_tax": "40"})
        assert (early.status_code, early.json()["error"]) == (409, "contact_first"), early.text
        declined = await client.post(f"{path}/decline", headers=tokens[first], json={"reason": "unavailable"})
        assert declined.status_code == 204, declined.text
        after_decline = (await client.get(f"{path}/match", headers=coordinator)).json()
        assert after_decline["provider_id"] not in (None, first) and after_decline["attempt"] == 2

        moved = await client.post("/admin/clock", headers=admin, json={"advance_seconds": 25 * 3600})
        assert moved.status_code == 200, moved.text
        reoffered = await get_when_ready(client, f"{path}/match", coordinator, lambda body: body["attempt"] == 3)
        assert reoffered["excluded"] == {first: "declined", after_decline["provider_id"]: "missed_deadline"}

        events = await matching_events(kafka_bootstrap, topic_prefix, 12)  # every deadline passed: 3 re-offers
        assert Counter(e["meta"]["event_type"] for e in events) == {
            "ProviderAssigned": 7, "RequestUnmet": 1, "OfferDeclined": 1, "ContactDeadlineMissed": 3}
        assigned = [e["payload"] for e in events if e["meta"]["event_type"] == "ProviderAssigned"]
        assert all(a["candidates"][a["rotation_position"]] == a["provider_id"] for a in assigned)

        fairness = await get_when_ready(client, "/platforms/limoges/fairness", coordinator,
                                        lambda rows: sum(row["offers"] for row in rows) == 7 and sum(row["missed"] for row in rows) == 3)
        assert {row["provider_id"] for row in fairness} == set(gardeners)
        assert (await client.get("/platforms/limoges/fairness", headers=tokens[first])).status_code == 403
