"""A request's life on the demo federation, services as processes on the real broker (issue 3).

Three gardeners serve Limoges: nine gardening requests give each three, in turn; a decline goes
to the next in turn; a missed deadline (clock moved) re-offers the request; a request for a child
under 3 only goes to accredited providers and an expired agrément is skipped with that reason; a
commune nobody serves gives an unmet request; Brenne lists the nearest providers; information
calls are counted by topic in the observatory.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiokafka import AIOKafkaConsumer

from shared.contracts.codec import decode
from shared.contracts.topics import MATCHING
from shared.platforms.loader import load_policies
from tests.e2e.processes import DemoStack

pytestmark = pytest.mark.e2e
POLICIES = load_policies(Path(__file__).resolve().parents[2] / "deploy" / "platforms")
CONTACT = {"name": "Résidente Bout-en-bout", "phone": "05 36 49 00 42"}


def poll(fetch: Callable[[], Any], ready: Callable[[Any], bool], what: str, timeout: float = 30.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = fetch()
        if ready(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}; last value: {value!r}")
        time.sleep(0.1)


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
        return poll(fetch, lambda r: r is not None and ready(r), f"request {request_id} in the console")

    def match(self, request_id: str) -> dict[str, Any]:
        response = self.matching("GET", f"/requests/{request_id}/match", headers=self.coordinator)
        assert response.status_code == 200, response.text
        return response.json()

    def settle(self) -> None:
        """Wait until no request of the platform waits for matching (the demo's own calls included)."""
        poll(lambda: self.intake("GET", "/requests?status=waiting&limit=500", headers=self.operator).json(),
             lambda waiting: waiting == [], f"{self.id} requests to be matched")


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
    return asyncio.run(read())


@pytest.fixture(scope="module")
def limoges(demo: DemoStack) -> Platform:
    platform = Platform(demo, "limoges", "lim-ecoutante-1", "lim-coordination")
    platform.settle()
    return platform


def test_nine_gardening_requests_give_each_gardener_three_in_turn(limoges: Platform) -> None:
    gardeners = limoges.matching("GET", "/providers?activity=gardening&status=admitted", headers=limoges.coordinator).json()
    serving = {g["provider_id"] for g in gardeners if "87085" in g["communes"]}
    assert len(serving) == 3
    request_ids = [limoges.log_request("gardening", "87085") for _ in range(9)]
    assigned = [limoges.shown(rid)["provider_id"] for rid in request_ids]
    assert Counter(assigned) == {provider: 3 for provider in serving}
    fairness = limoges.matching("GET", "/fairness?activity=gardening", headers=limoges.coordinator).json()
    assert {row["provider_id"] for row in fairness} >= serving


def test_a_decline_goes_to_the_next_in_turn(demo: DemoStack, limoges: Platform) -> None:
    request_id = limoges.log_request("gardening", "87085")
    first = limoges.shown(request_id)["provider_id"]
    declined = limoges.matching("POST", f"/requests/{request_id}/decline", headers=limoges.coordinator,
                                json={"reason": "unavailable"})
    assert declined.status_code == 204, declined.text
    shown = limoges.shown(request_id, lambda r: r["status"] == "assigned" and r["provider_id"] != first)
    match = limoges.match(request_id)
    assert match["attempt"] == 2 and match["excluded"] == {first: "declined"}
    assert [e["event_type"] for e in shown["timeline"]][-3:] == ["ProviderAssigned", "OfferDeclined", "ProviderAssigned"]


def test_childcare_for_a_child_under_3_only_goes_to_accredited_providers(demo: DemoStack, limoges: Platform) -> None:
    request_ids = {limoges.log_request("childcare", "87085", ["child_under_3"]) for _ in range(3)}
    providers = {limoges.shown(rid)["provider_id"] for rid in request_ids}
    accredited = [p for p in limoges.matching("GET", "/providers?activity=childcare", headers=limoges.coordinator).json()
                  if p["accreditation"] and p["accreditation"]["valid"] and "child_under_3" in p["accreditation"]["publics"]]
    assert providers == {accredited[0]["provider_id"]} and len(accredited) == 1
    bootstrap = _bootstrap(demo)
    reasons = {skip.reason.value for event in assignments_on_the_bus(bootstrap, request_ids).values()
               for skip in event.skipped}
    assert {"agrement_expired", "no_agrement"} <= reasons


def test_a_commune_nobody_serves_is_unmet_with_the_reason(limoges: Platform) -> None:
    request_id = limoges.log_request("gardening", "87117")
    shown = limoges.shown(request_id)
    assert (shown["status"], shown["unmet_reason"]) == ("unmet", "no_provider_for_activity_in_commune")
    observatory = limoges.intake("GET", "/observatory", headers=limoges.coordinator).json()
    assert any(row["commune"] == "87117" and row["activity"] == "gardening"
               and row["reason"] == "no_provider_for_activity_in_commune" for row in observatory["unmet"])


def test_brenne_lists_the_nearest_providers(demo: DemoStack) -> None:
    brenne = Platform(demo, "brenne", "bre-accueil", "bre-coordination")
    mezieres = next(c.code for c in POLICIES["brenne"].communes if c.name.startswith("Mézières"))
    shown = brenne.shown(brenne.log_request("gardening", mezieres))
    assert shown["status"] == "oriented"
    distances = [float(p["distance_km"]) for p in shown["oriented"]]
    assert len(distances) == POLICIES["brenne"].matching.orient_count and distances == sorted(distances)


def test_information_calls_are_counted_by_topic(limoges: Platform) -> None:
    before = limoges.intake("GET", "/observatory", headers=limoges.coordinator).json()["information_calls"]
    for topic in ("rates", "rates", "employer_status"):
        response = limoges.intake("POST", "/information-calls", headers=limoges.operator, json={
            "channel": "phone", "topic_asked": topic, "answer": "Réponse donnée au téléphone"})
        assert response.status_code == 201
    expected = {**before, "rates": before.get("rates", 0) + 2, "employer_status": before.get("employer_status", 0) + 1}
    poll(lambda: limoges.intake("GET", "/observatory", headers=limoges.coordinator).json()["information_calls"],
         lambda calls: calls == expected, "information calls in the observatory")


def test_a_missed_deadline_re_offers_the_request(demo: DemoStack, limoges: Platform) -> None:
    """Last: it moves the matching service's clock 25 hours forward."""
    waiting = limoges.log_request("gardening", "87085")
    first = limoges.shown(waiting)["provider_id"]
    moved = httpx.post(f"{demo.urls['matching']}/admin/clock", headers=demo.admin, json={"advance_seconds": 25 * 3600})
    assert moved.status_code == 200, moved.text
    shown = limoges.shown(waiting, lambda r: r["provider_id"] not in (None, first) or r["status"] == "unmet")
    assert "ContactDeadlineMissed" in [e["event_type"] for e in shown["timeline"]]
    assert limoges.match(waiting)["excluded"].get(first) == "missed_deadline"


def _bootstrap(demo: DemoStack) -> str:
    for line in demo.process.output.splitlines():
        if "127.0.0.1:" in line and "broker" in line:
            return next(word for word in line.replace("│", " ").split() if word.startswith("127.0.0.1:"))
    raise AssertionError("the demo did not print the broker address")
