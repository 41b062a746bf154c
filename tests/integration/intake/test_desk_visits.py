"""A mediation desk on intake in-process, on the real broker and database (SQLite and PostgreSQL): mediators log
visits over HTTP; the dashboard, the network view and the partner report (CSV and printable page) show them;
a home-service platform's information calls still count under their own topics; nobody else sees the desk."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

import pytest

from services.intake.entrypoints.app import create_app
from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.services import issue_token, serving
from tests.polling import get_when_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]
DESK = "pimms-lyon"
BASE = f"/platforms/{DESK}"
VISITS = [
    {"topic_asked": "energy_bill", "actions": ["informed", "helped_online"], "minutes_spent": 15, "commune": "69123"},
    {"topic_asked": "energy_cheque", "actions": ["helped_with_procedure"], "minutes_spent": 25},
    {"topic_asked": "housing", "actions": ["oriented", "appointment_made"], "minutes_spent": 30,
     "oriented_to": "Maison de la Métropole, Lyon 8e", "follow_up_contact": {"name": "Awa Visiteuse", "phone": "04 78 00 00 01"}},
    {"topic_asked": "digital_access", "actions": ["helped_online"], "minutes_spent": 20},
]


async def test_visits_reach_the_dashboard_and_the_partner_report(
        service_settings: Callable[..., Settings], database_url: str) -> None:
    settings = service_settings(database_url=database_url, vault_url=database_url)
    mediator = issue_token(settings, DESK, Role.MEDIATOR, "lyon-med-1")
    coordinator = issue_token(settings, DESK, Role.COORDINATOR, "lyon-coord")
    limoges = issue_token(settings, "limoges", Role.COORDINATOR, "lim-coord")
    limoges_operator = issue_token(settings, "limoges", Role.OPERATOR, "lim-op")
    async with serving(create_app(settings)) as client:
        for index, visit in enumerate(VISITS):
            created = await client.post(f"{BASE}/visits", headers={**mediator, "Idempotency-Key": f"visit-key-{index:04}"},
                                        json=visit)
            assert created.status_code == 201, created.text
        again = await client.post(f"{BASE}/visits", headers={**mediator, "Idempotency-Key": "visit-key-0000"},
                                  json=VISITS[0])
        assert again.status_code == 201
        info = await client.post("/platforms/limoges/information-calls", headers=limoges_operator,
                                 json={"channel": "phone", "topic_asked": "rates", "answer": "Tarifs donnés"})
        assert info.status_code == 201

        board = await get_when_ready(client, f"{BASE}/desk/dashboard", mediator, lambda body: body["visits"] == 4)
        assert [(g["label"], g["visits"]) for g in board["by_group"]] == [
            ("Services des partenaires", 2), ("Accès aux services publics et lien social", 2)]
        assert board["per_day"][-1]["visits"] == 4 and board["follow_ups"] == 1
        assert {p["name"]: p["visits"] for p in board["by_partner"]} == {"EDF": 2}
        assert "Awa" not in str(board)
        network = (await client.get(f"{BASE}/desk/network", headers=coordinator)).json()
        assert network["network"] == "union-des-pimms" and network["desks"][0]["visits"] == 4

        month = board["until"][:7]
        report = await client.get(f"{BASE}/desk/partners/edf/report.csv", params={"month": month}, headers=coordinator)
        assert report.status_code == 200 and report.headers["content-type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(report.text)))
        assert rows[0] == ["Jour", "Sujet", "Ce qui a été fait", "Durée (min)", "Orienté vers", "Suivi promis"]
        assert sorted(row[1] for row in rows[1:]) == ["Chèque énergie et aides aux impayés", "Facture d'électricité"]
        page = await client.get(f"{BASE}/desk/partners/edf/report", params={"month": month}, headers=coordinator)
        assert page.status_code == 200 and "Visites concernant EDF" in page.text and "aidé en ligne" in page.text

        observatory = await get_when_ready(client, "/platforms/limoges/observatory", limoges,
                                           lambda body: body["information_calls"])
        assert observatory["information_calls"] == {"rates": 1}

        assert (await client.get(f"{BASE}/desk/dashboard", headers=limoges)).status_code == 403
        assert (await client.post(f"{BASE}/visits", headers=limoges_operator, json=VISITS[0])).status_code == 403
        assert (await client.get(f"{BASE}/desk/partners/edf/report.csv", params={"month": month},
                                 headers=mediator)).status_code == 403
        assert (await client.get("/platforms/limoges/desk/dashboard", headers=limoges)).json()["detail"] == (
            "Point de médiation introuvable.")
        unknown = await client.get(f"{BASE}/desk/partners/nobody/report.csv", params={"month": month}, headers=coordinator)
        assert unknown.status_code == 404
        wrong = await client.post(f"{BASE}/visits", headers=mediator, json={**VISITS[0], "topic_asked": "rates"})
        assert wrong.status_code == 422 and "Ce sujet ne figure pas" in wrong.json()["detail"]
