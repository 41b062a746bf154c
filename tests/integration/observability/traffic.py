"""Traffic that moves every metric the dashboards show, through the services' public HTTP APIs.

The demo federation (providers and example calls of the five platforms) gives requests by channel,
information calls, assignments, orientations and unmet demand. One limoges request then goes all
the way (contact, intervention: a fee and a survey, answered on a follow-up call), another misses
its callback deadline (the matching clock moves forward), and a record nobody can decode lands
on the requests topic (dead letters).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import date
from typing import Any

import httpx

from relais.devstack.demo import load_demo
from shared.contracts.topics import REQUESTS, physical
from shared.messaging.producer import create_producer
from shared.security.principals import Role
from shared.security.tokens import TokenRegistry
from shared.settings import Settings
from tests.polling import eventually

PLATFORM = "limoges"
CALL = {"channel": "walk_in", "activity": "gardening", "commune": "87085",
        "contact": {"name": "Résidente Métriques", "phone": "05 55 00 00 09"}}
ANSWERS = {"provider": {"punctuality": 5, "quality": 4, "would_recommend": True},
           "platform": {"would_call_platform_again": True, "platform_made_it_easier": True}}
THREE_DAYS_SECONDS = 3 * 24 * 3600


def checked(response: httpx.Response) -> Any:
    assert response.status_code < 400, f"{response.request.method} {response.request.url}: {response.status_code} {response.text}"
    return response.json() if response.content else None


class Traffic:
    """Drives the services at ``urls`` as a federation administrator."""

    def __init__(self, urls: dict[str, str], settings: Settings) -> None:
        assert settings.tokens_file is not None
        token, _ = TokenRegistry.load(settings.tokens_file).issue("*", Role.FEDERATION_ADMIN, "metrics-test")
        self.urls = urls
        self.settings = settings
        self.headers = {"Authorization": f"Bearer {token}"}

    def client(self, service: str) -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=self.urls[service], headers=self.headers, timeout=30)

    async def demo(self) -> None:
        await asyncio.to_thread(load_demo, self.urls, self.settings)

    async def log_request(self) -> str:
        async with self.client("intake") as intake:
            return checked(await intake.post(f"/platforms/{PLATFORM}/requests", json=CALL))["id"]

    async def match(self, request_id: str, ready: Callable[[dict[str, Any]], bool], what: str) -> dict[str, Any]:
        async with self.client("matching") as matching:
            async def read() -> Any:
                response = await matching.get(f"/platforms/{PLATFORM}/requests/{request_id}/match")
                return response.json() if response.status_code == 200 else None

            return await eventually(read, lambda body: body is not None and ready(body), what, interval=0.2)

    async def intervention_with_survey_answered(self) -> None:
        request_id = await self.log_request()
        await self.match(request_id, lambda body: body["status"] == "assigned", f"{request_id} assigned")
        async with self.client("matching") as matching:
            base = f"/platforms/{PLATFORM}/requests/{request_id}"
            checked(await matching.post(f"{base}/contact", json={}))
            checked(await matching.post(f"{base}/intervention", json={
                "done_on": date.today().isoformat(), "labour_hours": "3.00", "labour_amount_excl_tax": "75.00",
                "travel_amount_excl_tax": "8.00"}))
        async with self.client("feedback") as feedback:
            async def surveys() -> Any:
                return checked(await feedback.get(f"/platforms/{PLATFORM}/surveys"))

            listed = await eventually(surveys, lambda rows: any(row["request_id"] == request_id for row in rows),
                                      f"the survey of {request_id}", interval=0.2)
            survey_id = next(row["survey_id"] for row in listed if row["request_id"] == request_id)
            checked(await feedback.post(f"/platforms/{PLATFORM}/surveys/{survey_id}/phone-answers",
                                        json={"outcome": "satisfied", "answers": ANSWERS}))

    async def missed_deadline(self) -> None:
        request_id = await self.log_request()
        first = await self.match(request_id, lambda body: body["status"] == "assigned", f"{request_id} assigned")
        async with self.client("matching") as matching:
            checked(await matching.post("/admin/clock", json={"advance_seconds": THREE_DAYS_SECONDS}))
        await self.match(request_id, lambda body: body["attempt"] > first["attempt"] or body["status"] != "assigned",
                         f"{request_id} offered again after its deadline")

    async def undecodable_record(self, value: bytes = b"\x00 not an event") -> None:
        producer = create_producer(self.settings.kafka_bootstrap_servers)
        await producer.start()
        try:
            await producer.send_and_wait(physical(REQUESTS, self.settings.topic_prefix), value=value, key=b"garbage")
        finally:
            await producer.stop()
