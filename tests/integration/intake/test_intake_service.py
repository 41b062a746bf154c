"""The intake service in-process on the real broker and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from services.intake.entrypoints.app import create_app
from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.services import issue_token, serving
from tests.polling import get_when_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]
CONTACT = {"name": "Jeanne Intégration", "phone": "05 55 00 00 02"}
REQUEST = {"channel": "phone", "activity": "gardening", "commune": "87085", "contact": CONTACT}


async def test_calls_are_logged_projected_and_isolated_by_platform(
        service_settings: Callable[..., Settings], database_url: str) -> None:
    settings = service_settings(database_url=database_url, vault_url=database_url)
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-1")
    coordinator = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    stranger = issue_token(settings, "herault", Role.OPERATOR, "op-h")
    async with serving(create_app(settings)) as client:
        created = await client.post("/platforms/limoges/requests", headers=operator, json={
            "channel": "phone", "activity": "gardening", "commune": "87085", "contact": CONTACT})
        assert created.status_code == 201, created.text
        request_id = created.json()["id"]
        info = await client.post("/platforms/limoges/information-calls", headers=operator, json={
            "channel": "phone", "topic_asked": "tax_advantages", "answer": "Crédit d'impôt de 50 %"})
        assert info.status_code == 201

        shown = await get_when_ready(client, f"/platforms/limoges/requests/{request_id}", operator,
                                     lambda body: body["status"] == "waiting")
        assert shown["activity"] == "gardening" and shown["timeline"][0]["event_type"] == "RequestLogged"
        assert "Jeanne" not in str(shown)
        observatory = await get_when_ready(client, "/platforms/limoges/observatory", coordinator,
                                           lambda body: body["information_calls"])
        assert observatory["information_calls"] == {"tax_advantages": 1}

        assert (await client.get(f"/platforms/limoges/requests/{request_id}", headers=stranger)).status_code == 403
        missing = await client.get("/platforms/limoges/requests/req-nope", headers=operator)
        assert (missing.status_code, missing.json()) == (404, {"error": "not_found", "detail": "Demande introuvable.", "fields": []})
        assert (await client.post("/platforms/limoges/requests", headers=stranger, json={})).status_code == 403
        assert (await client.get("/platforms/limoges/requests")).status_code == 401
        assert (await client.get("/platforms/limoges/observatory", headers=operator)).status_code == 403


async def test_bad_input_gets_a_clear_4xx_and_writes_nothing(service_settings: Callable[..., Settings]) -> None:
    settings = service_settings()
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-1")
    async with serving(create_app(settings)) as client:
        cases = [
            ({"channel": "phone", "activity": "skydiving", "commune": "87085", "contact": CONTACT}, 422, "pas proposée"),
            ({"channel": "phone", "activity": "gardening", "commune": "87085", "contact": {"name": "X"}}, 422, "phone"),
            ({"channel": "fax", "activity": "gardening", "commune": "87085", "contact": CONTACT}, 422, "channel"),
            ({"channel": "phone", "activity": "gardening", "commune": "99999", "contact": CONTACT}, 422, "pas desservie"),
            ({**REQUEST, "availability": [{"starts_at": "2026-12-05T10:00:00", "ends_at": "2026-12-05T09:00:00+01:00"}]},
             422, "doit indiquer le fuseau horaire"),
            ({**REQUEST, "availability": [{"starts_at": "2026-12-05T10:00:00", "ends_at": "2026-12-05T12:00:00"}]},
             422, "doit indiquer le fuseau horaire"),
            ({**REQUEST, "availability": [{"starts_at": "0001-01-01T00:00:00+01:00",
                                           "ends_at": "9999-12-31T23:59:59-01:00"}]}, 422, "entre les années 2000 et 2100"),
            ({**REQUEST, "availability": [{"starts_at": "2026-12-01T08:00:00+01:00",
                                           "ends_at": "2027-06-01T08:00:00+01:00"}]}, 422, "au plus 31 jours"),
        ]
        for body, status, words in cases:
            response = await client.post("/platforms/limoges/requests", headers=operator, json=body)
            assert response.status_code == status and words in response.text, response.text
        brenne = issue_token(settings, "brenne", Role.OPERATOR, "op-b")
        for left_at, words in (("yesterday", "ISO 8601"), ("0001-01-01T10:00:00", "entre les années"),
                               ("2099-01-01T10:00:00", "dans le futur")):
            voicemail = await client.post("/platforms/brenne/voicemails", headers=brenne,
                                          json={"contact": CONTACT, "left_at_local": left_at})
            assert voicemail.status_code == 422 and words in voicemail.text, voicemail.text
        no_machine = await client.post("/platforms/limoges/voicemails", headers=operator,
                                       json={"contact": CONTACT, "left_at_local": "2026-01-05T19:00:00"})
        assert no_machine.status_code == 422 and "n'a pas de répondeur" in no_machine.json()["detail"], no_machine.text
        not_json = await client.post("/platforms/limoges/requests", headers={**operator, "content-type": "application/json"},
                                     content=b"{not json")
        assert not_json.status_code == 422
        assert (await client.get("/platforms/limoges/requests", headers=operator)).json() == []
        assert (await client.get("/health")).json()["relay_backlog"] == 0


async def test_the_test_clock_drives_the_never_called_back_sweep(service_settings: Callable[..., Settings]) -> None:
    settings = service_settings(test_clock=True)
    operator = issue_token(settings, "brenne", Role.OPERATOR, "op-b")
    coordinator = issue_token(settings, "brenne", Role.COORDINATOR, "co-b")
    admin = issue_token(settings, "*", Role.FEDERATION_ADMIN, "ops-1")
    async with serving(create_app(settings)) as client:
        just_now = (datetime.now(UTC) - timedelta(minutes=5)).isoformat()
        left = await client.post("/platforms/brenne/voicemails", headers=operator,
                                 json={"contact": CONTACT, "left_at_local": just_now})
        assert left.status_code == 201, left.text
        await get_when_ready(client, "/platforms/brenne/callbacks", operator, lambda queue: len(queue) == 1)
        assert (await client.get("/platforms/brenne/observatory", headers=coordinator)).json()["unmet"] == []
        moved = await client.post("/admin/clock", headers=admin, json={"advance_seconds": 14 * 86400})
        assert moved.status_code == 200, moved.text
        observatory = await get_when_ready(client, "/platforms/brenne/observatory", coordinator,
                                           lambda body: body["unmet"])
    assert [(row["reason"], row["count"]) for row in observatory["unmet"]] == [("out_of_hours_never_called_back", 1)]
