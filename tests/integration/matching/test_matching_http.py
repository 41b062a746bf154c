"""The matching HTTP API on a real database, without the broker (the app's routes and store only)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from services.matching.adapters.tables import metadata as matching_metadata
from services.matching.adapters.unit_of_work import MatchingStore
from services.matching.bootstrap import MIGRATIONS
from services.matching.entrypoints.app import create_app
from services.matching.service_layer.assignment import receive_request
from shared.clock import FixedClock
from shared.security.principals import Role
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.fixtures.services import issue_token
from tests.unit.matching.builders import (
    ISLE,
    LIMOGES,
    T0,
    limoges,
    request_logged,
    write_policies,
)

pytestmark = pytest.mark.integration
COMMITTEE = [{"body": "ccas", "label": "CCAS de Limoges"}, {"body": "cci", "label": "CCI Limoges"}]
ADMIT = {"decision": "admitted", "committee_on": "2026-02-01", "members": COMMITTEE, "charter_signed_at": "2026-02-01T10:00:00Z"}


@pytest.fixture
async def api(database_url: str, tmp_path: Path) -> AsyncIterator[tuple[httpx.AsyncClient, Settings, FastAPI]]:
    settings = Settings(data_dir=tmp_path, database_url=database_url, platforms_dir=write_policies(tmp_path / "platforms"),
                        tokens_file=tmp_path / "tokens.yaml", kafka_bootstrap_servers="127.0.0.1:1")
    await upgrade_async(database_url, MIGRATIONS)
    app = create_app(settings, clock=FixedClock(T0))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://relais.test") as client:
        yield client, settings, app


async def new_provider(client: httpx.AsyncClient, headers: dict[str, str], **body: Any) -> str:
    created = await client.post("/platforms/limoges/providers", headers=headers, json={
        "name": "Jardins du Limousin", "kind": "association", "siret": "12345678901234", "activities": ["gardening"],
        "communes": [LIMOGES], **body})
    assert created.status_code == 201, created.text
    return created.json()["id"]


async def test_the_directory_lifecycle_over_http(api: tuple[httpx.AsyncClient, Settings, FastAPI]) -> None:
    client, settings, _ = api
    co = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    pid = await new_provider(client, co)
    base = f"/platforms/limoges/providers/{pid}"
    steps: list[tuple[str, str, dict[str, Any], Callable[[dict[str, Any]], bool]]] = [
        ("post", "/committee-decision", ADMIT, lambda p: p["status"] == "admitted" and len(p["committee_members"]) == 2),
        ("post", "/accreditation", {"number": "N/1", "issued_on": "2024-01-01", "expires_on": "2026-01-01",
                                    "publics": ["elderly"]}, lambda p: p["accreditation"]["valid"] is False),
        ("put", "/availability", {"weekly": [{"weekday": "monday", "starts": "08:00", "ends": "12:00"}],
                                  "absences": [{"first_day": "2026-08-01", "last_day": "2026-08-15"}]},
         lambda p: p["weekly"][0]["weekday"] == "monday"),
        ("put", "/activities", {"activities": ["gardening", "childcare"]}, lambda p: p["activities"] == ["childcare", "gardening"]),
        ("put", "/communes", {"communes": [ISLE, LIMOGES]}, lambda p: p["base_commune"] == ISLE),
        ("post", "/suspension", {"since": "2026-03-01", "reason": "assurance expirée"}, lambda p: p["status"] == "suspended"),
        ("post", "/reinstatement", {"since": "2026-03-08"}, lambda p: p["status"] == "admitted"),
        ("post", "/withdrawal", {"since": "2026-04-01", "reason": "cessation"}, lambda p: p["status"] == "withdrawn"),
    ]
    for method, path, body, check in steps:
        response = await client.request(method, base + path, headers=co, json=body)
        assert response.status_code == 200 and check(response.json()), (path, response.text)
        assert response.json()["version"] == steps.index((method, path, body, check)) + 2

    listed = await client.get("/platforms/limoges/providers?status=withdrawn&activity=childcare", headers=co)
    assert [p["provider_id"] for p in listed.json()] == [pid]
    assert (await client.get("/platforms/limoges/providers?status=admitted", headers=co)).json() == []


async def test_clear_errors_and_access_rules(api: tuple[httpx.AsyncClient, Settings, FastAPI]) -> None:
    client, settings, _ = api
    co = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    pid = await new_provider(client, co)
    other = await new_provider(client, co, name="Autre")
    me = issue_token(settings, "limoges", Role.PROVIDER, pid)
    stranger = issue_token(settings, "brenne", Role.COORDINATOR, "co-b")
    analyst = issue_token(settings, "limoges", Role.ANALYST, "an-1")
    base = f"/platforms/limoges/providers/{pid}"

    assert (await client.post(f"{base}/committee-decision", headers=co, json=ADMIT)).status_code == 200
    again = await client.post(f"{base}/committee-decision", headers=co, json=ADMIT)
    assert again.status_code == 409 and again.json()["error"] == "already_decided"
    assert (await client.post(f"{base}/reinstatement", headers=co, json={"since": "2026-03-01"})).status_code == 409
    assert (await client.post("/platforms/limoges/providers", headers=co, json={
        "name": "X", "kind": "artisan", "activities": ["skydiving"], "communes": [LIMOGES]})).status_code == 422
    assert (await client.post(f"{base}/accreditation", headers=co, json={
        "number": "N", "issued_on": "2026-01-01", "expires_on": "2025-01-01", "publics": ["elderly"]})).status_code == 422
    assert (await client.post("/platforms/limoges/providers/prv-nobody/suspension", headers=co,
                              json={"since": "2026-03-01", "reason": "x"})).status_code == 404

    assert (await client.get(base, headers=me)).json()["provider_id"] == pid
    assert (await client.get(f"/platforms/limoges/providers/{other}", headers=me)).status_code == 404
    assert (await client.get("/platforms/limoges/providers", headers=me)).status_code == 403
    assert (await client.get(base, headers=stranger)).status_code == 403
    assert (await client.get("/platforms/limoges/fairness", headers=analyst)).json() == []
    assert (await client.get(base)).status_code == 401
    assert (await client.post("/admin/clock", headers=co, json={"advance_seconds": 1})).status_code == 404


async def test_provider_actions_over_http(api: tuple[httpx.AsyncClient, Settings, FastAPI], database_url: str) -> None:
    client, settings, _ = api
    co = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    first, second = await new_provider(client, co), await new_provider(client, co, name="B")
    for pid in (first, second):
        assert (await client.post(f"/platforms/limoges/providers/{pid}/committee-decision", headers=co,
                                  json=ADMIT)).status_code == 200
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await receive_request(MatchingStore(conn, matching_metadata()), limoges(), request_logged("req-1"), T0)
    finally:
        await engine.dispose()
    holder = (await client.get("/platforms/limoges/requests/req-1/match", headers=co)).json()["provider_id"]
    waiting = second if holder == first else first
    mine, theirs = (issue_token(settings, "limoges", Role.PROVIDER, pid) for pid in (holder, waiting))
    path = "/platforms/limoges/requests/req-1"

    assert (await client.get(f"{path}/match", headers=theirs)).status_code == 404
    assert (await client.post(f"{path}/contact", headers=theirs, json={})).status_code == 404
    assert (await client.post(f"{path}/quote-answer", headers=mine, json={"accepted": True})).status_code == 409
    for when, words in (("2030-01-01T10:00:00+01:00", "dans le futur"), ("0001-01-01T10:00:00+01:00", "entre les années"),
                        ("2026-03-02T09:00:00", "doit indiquer le fuseau horaire")):
        wrong = await client.post(f"{path}/contact", headers=mine, json={"contacted_at": when})
        assert wrong.status_code == 422 and words in wrong.text, wrong.text
    assert (await client.post(f"{path}/contact", headers=mine, json={})).status_code == 204
    assert (await client.post(f"{path}/contact", headers=mine, json={})).status_code == 409
    too_much = await client.post(f"{path}/quote", headers=mine, json={"amount_excl_tax": "99999999999999999999999999999.00"})
    assert too_much.status_code == 422 and "1000000" in too_much.text, too_much.text
    assert (await client.post(f"{path}/quote", headers=mine, json={"amount_excl_tax": "250.00"})).status_code == 204
    done_body = {"done_on": "2026-03-02", "labour_hours": "4.5", "labour_amount_excl_tax": "90", "travel_amount_excl_tax": "8.5"}
    assert (await client.post(f"{path}/intervention", headers=mine, json=done_body)).status_code == 409
    assert (await client.post(f"{path}/quote-answer", headers=co, json={"accepted": True})).status_code == 204
    future = await client.post(f"{path}/intervention", headers=mine, json={**done_body, "done_on": "2026-03-10"})
    assert future.status_code == 422 and "dans le futur" in future.text, future.text
    assert (await client.post(f"{path}/intervention", headers=mine, json=done_body)).status_code == 204
    shown = (await client.get(f"{path}/match", headers=mine)).json()
    assert (shown["status"], shown["provider_id"], shown["version"]) == ("done", holder, 5)
    offers = (await client.get(f"/platforms/limoges/providers/{holder}/offers", headers=mine)).json()
    assert [offer["request_id"] for offer in offers] == ["req-1"]
    assert (await client.post(f"{path}/decline", headers=mine, json={"reason": "bogus"})).status_code == 422


async def test_operators_read_the_provider_cards_not_the_full_records(api: tuple[httpx.AsyncClient, Settings, FastAPI]) -> None:
    client, settings, _ = api
    co = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-1")
    elsewhere = issue_token(settings, "herault", Role.OPERATOR, "op-2")
    provider = issue_token(settings, "limoges", Role.PROVIDER, "prv-x")
    analyst = issue_token(settings, "limoges", Role.ANALYST, "an-1")
    pid = await new_provider(client, co)

    cards = (await client.get("/platforms/limoges/provider-cards", headers=operator)).json()

    assert [(card["provider_id"], card["status"]) for card in cards] == [(pid, "applied")]
    assert set(cards[0]) == {"provider_id", "name", "kind", "status", "activities", "communes", "phone"}
    assert (await client.get("/platforms/limoges/providers", headers=operator)).status_code == 403
    assert (await client.get("/platforms/limoges/provider-cards", headers=elsewhere)).status_code == 403
    assert (await client.get("/platforms/limoges/provider-cards", headers=provider)).status_code == 403
    assert (await client.get("/platforms/limoges/provider-cards", headers=analyst)).status_code == 403
