"""The demo federation's platforms as the end-to-end tests see them: their HTTP APIs, and what they put on the bus."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
from aiokafka import AIOKafkaConsumer

from shared.blocking import run_blocking
from shared.contracts.codec import decode
from shared.contracts.topics import MATCHING
from shared.platforms.loader import load_policies
from shared.platforms.local_time import local_date
from tests.e2e.processes import DemoStack
from tests.polling import wait_for

PLATFORMS = Path(__file__).resolve().parents[2] / "deploy" / "platforms"
CONTACT = {"name": "Résidente Bout-en-bout", "phone": "05 36 49 00 42"}


class Platform:
    """One platform seen through the services' HTTP APIs, with its demo users' tokens."""

    def __init__(self, demo: DemoStack, platform_id: str, operator: str, coordinator: str) -> None:
        self.demo, self.id = demo, platform_id
        self.operator, self.coordinator = demo.headers(platform_id, operator), demo.headers(platform_id, coordinator)

    def intake(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.demo.urls['intake']}/platforms/{self.id}{path}", timeout=10, **kwargs)

    def matching(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return httpx.request(method, f"{self.demo.urls['matching']}/platforms/{self.id}{path}", timeout=10, **kwargs)

    def log_request(self, activity: str, commune: str, fragile: list[str] | None = None) -> str:
        response = self.intake("POST", "/requests", headers=self.operator, json={
            "channel": "phone", "activity": activity, "commune": commune, "fragile_publics": fragile or [],
            "contact": CONTACT})
        assert response.status_code == 201, response.text
        return response.json()["id"]

    def shown(self, request_id: str, ready: Callable[[dict[str, Any]], bool] = lambda r: r["status"] != "waiting") -> dict:
        def fetch() -> dict[str, Any] | None:
            response = self.intake("GET", f"/requests/{request_id}", headers=self.operator)
            return response.json() if response.status_code == 200 else None
        return wait_for(fetch, lambda r: r is not None and ready(r), f"request {request_id} in the console")

    def day_logged(self, request_id: str) -> str:
        """The platform's local day the request was logged (no intervention can be dated before it)."""
        logged = datetime.fromisoformat(self.shown(request_id)["logged_at"])
        return local_date(logged, load_policies(PLATFORMS)[self.id].zone).isoformat()

    def match(self, request_id: str) -> dict[str, Any]:
        response = self.matching("GET", f"/requests/{request_id}/match", headers=self.coordinator)
        assert response.status_code == 200, response.text
        return response.json()

    def settle(self) -> None:
        """Wait until no request of the platform waits for matching (the demo's own calls included)."""
        wait_for(lambda: self.intake("GET", "/requests?status=waiting&limit=500", headers=self.operator).json(),
                 lambda waiting: waiting == [], f"{self.id} requests to be matched")


def broker_address(demo: DemoStack) -> str:
    """The broker address the demo printed."""
    for line in demo.process.output.splitlines():
        if "127.0.0.1:" in line and "broker" in line:
            return next(word for word in line.replace("│", " ").split() if word.startswith("127.0.0.1:"))
    raise AssertionError("the demo did not print the broker address")


def assignments_on_the_bus(bootstrap: str, request_ids: set[str]) -> dict[str, Any]:
    """Every ProviderAssigned of ``request_ids`` read from the matching topic, as analysts would, by event id
    (the bus is at-least-once: a record published twice is one event)."""
    async def read() -> dict[str, Any]:
        consumer = AIOKafkaConsumer(MATCHING, bootstrap_servers=bootstrap, auto_offset_reset="earliest",
                                    enable_auto_commit=False, group_id=None)
        await consumer.start()
        found = {}
        try:
            batches = await consumer.getmany(timeout_ms=3000, max_records=100_000)
            while batches:
                for records in batches.values():
                    for record in records:
                        envelope = decode(record.value)
                        if envelope.event_type == "ProviderAssigned" and envelope.meta.aggregate_id in request_ids:
                            found[str(envelope.event_id)] = envelope.payload
                batches = await consumer.getmany(timeout_ms=1000, max_records=100_000)
        finally:
            await consumer.stop()
        return found
    return run_blocking(read())
