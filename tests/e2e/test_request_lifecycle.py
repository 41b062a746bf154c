"""A request's life on the demo federation, services as processes on the real broker (issue 3).

Three gardeners serve Limoges: nine gardening requests give each three, in turn; a decline goes
to the next in turn; a missed deadline (clock moved) re-offers the request; a request for a child
under 3 only goes to accredited providers and an expired agrément is skipped with that reason; a
commune nobody serves gives an unmet request; Brenne lists the nearest providers; information
calls are counted by topic in the observatory.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import httpx
import pytest

from shared.platforms.loader import load_policies
from tests.e2e.platform import Platform, assignments_on_the_bus, broker_address
from tests.e2e.processes import DemoStack
from tests.polling import wait_for

pytestmark = pytest.mark.e2e
POLICIES = load_policies(Path(__file__).resolve().parents[2] / "deploy" / "platforms")


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
    bootstrap = broker_address(demo)
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
    wait_for(lambda: limoges.intake("GET", "/observatory", headers=limoges.coordinator).json()["information_calls"],
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
