"""Billing on a real database (SQLite and PostgreSQL): fees, ledger, HTTP API, statements, totals, replay."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from services.billing.adapters.ledger import Ledger
from services.billing.adapters.tables import metadata as billing_metadata
from services.billing.bootstrap import MIGRATIONS
from services.billing.service_layer.projections import ledger_projection
from shared.clock import FixedClock
from shared.contracts.events.billing import FeeAdjusted, FeeCharged, StatementIssued
from shared.security.principals import Role
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.integration.billing.harness import (
    Harness,
    billing_service,
    ledger_rows,
    replay_into,
)
from tests.unit.billing.factories import admitted, applied, corrected, done, policies, statement_rows

pytestmark = pytest.mark.integration
TODAY = datetime(2008, 5, 15, 9, 0, tzinfo=UTC)


def at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 10, tzinfo=UTC)


async def balance(harness: Harness, platform_id: str, provider_id: str) -> str:
    response = await harness.client.get(f"/platforms/{platform_id}/accounts/{provider_id}", headers=harness.admin())
    assert response.status_code == 200, response.text
    return response.json()["balance"]


async def test_each_policy_charges_its_exact_amounts_once(database_url: str, tmp_path: Path) -> None:
    async with billing_service(database_url, tmp_path, FixedClock(TODAY)) as harness:
        providers = [applied("prv-art", "artisan"), applied("prv-asso", "association"),
                     applied("prv-vdm", "association", "val-de-marne"), admitted("prv-vdm", date(2008, 2, 1), "val-de-marne"),
                     applied("prv-mons", "company", "mons-borinage"), admitted("prv-mons", date(2008, 2, 1), "mons-borinage")]
        work = [done("prv-art", labour="120.00", travel="15.00"),
                done("prv-asso", resident_id="res-a", hours="10.00", labour="150.00", travel="0.00"),
                done("prv-asso", resident_id="res-a", hours="15.00", labour="225.00", travel="0.00"),
                done("prv-asso", resident_id="res-a", hours="4.00", labour="60.00", travel="0.00"),
                done("prv-vdm", platform_id="val-de-marne"), done("prv-vdm", platform_id="val-de-marne"),
                done("prv-mons", platform_id="mons-borinage")]

        first = await harness.feed(*providers, *work[:2])
        again = await harness.feed(*providers, *work)

        assert (first.applied, again.duplicates, again.applied) == (8, 8, 5)
        assert await balance(harness, "limoges", "prv-art") == "6.75"
        assert await balance(harness, "limoges", "prv-asso") == "2.00"
        assert await balance(harness, "val-de-marne", "prv-vdm") == "155.00"
        assert await balance(harness, "mons-borinage", "prv-mons") == "0.00"
        events = await harness.billing_events()
        assert sorted(e.event_type for e in events) == ["FeeCharged", "FeeCharged", "FeeCharged", "MembershipFeeCharged"]
        association = (await harness.client.get("/platforms/limoges/accounts/prv-asso", headers=harness.admin())).json()
        assert [(e["kind_label"], e["amount"], e["description"]) for e in association["entries"]] == [
            ("frais", "1.00", "10 h × 0,10\xa0€ (heures d'un nouveau client)")] * 2


async def test_corrections_payments_statements_and_totals(database_url: str, tmp_path: Path) -> None:
    async with billing_service(database_url, tmp_path, FixedClock(TODAY)) as harness:
        intervention = done("prv-art", labour="120.00", travel="15.00", done_on=date(2008, 3, 12))
        await harness.feed(applied("prv-art", "artisan"), intervention)
        await harness.feed(corrected(intervention, labour="100.00", reason="main-d'œuvre de 100,00 €",
                                     occurred_at=at(date(2008, 4, 3))))
        coordinator = harness.token("limoges", Role.COORDINATOR, "co-1")
        paid = await harness.client.post("/platforms/limoges/accounts/prv-art/payments", headers=coordinator,
                                         json={"amount": "5.00", "paid_on": "2008-04-10", "method": "cheque",
                                               "reference": "CHQ 881"})
        assert paid.status_code == 201, paid.text

        account = (await harness.client.get("/platforms/limoges/accounts/prv-art", headers=coordinator)).json()
        assert (account["balance"], account["credit"], account["position"]) == ("0.75", "0.00", "Solde dû : 0,75\xa0€")
        assert [(e["kind"], e["amount"], e["booked_on"], e["description"]) for e in account["entries"]] == [
            ("fee", "6.75", "2008-03-12", "5 % de 135,00\xa0€ (main-d'œuvre et déplacement, HT)"),
            ("adjustment", "-1.00", "2008-04-03", "Après correction de l'intervention : main-d'œuvre de 100,00 €"),
            ("payment", "-5.00", "2008-04-10", "Chèque, réf. CHQ 881")]
        [adjusted] = [e.payload for e in await harness.billing_events() if isinstance(e.payload, FeeAdjusted)]
        [charged] = [e for e in await harness.billing_events() if isinstance(e.payload, FeeCharged)]
        assert adjusted.adjusts_event_id == charged.event_id and adjusted.amount == "-1.00"

        march = await harness.client.get("/platforms/limoges/accounts/prv-art/statements/2008-03.csv", headers=coordinator)
        assert march.status_code == 200 and march.headers["content-type"].startswith("text/csv")
        rows = statement_rows(march.text)
        assert rows[0][:2] == ["Relevé de compte — mars 2008", "Proximain (Limoges)"]
        assert rows[2][1:] == ["Solde dû en début de mois", "", "", "0,00"]
        assert rows[3][:3] == ["12/03/2008", "frais", intervention.payload.request_id] and rows[3][4] == "6,75"
        assert [row[4] for row in rows[-3:]] == ["6,75", "0,00", "6,75"]
        april = await harness.client.get("/platforms/limoges/accounts/prv-art/statements/2008-04.html", headers=coordinator)
        assert april.status_code == 200 and 'id="opening">6,75\xa0€<' in april.text
        assert 'id="charged">-1,00\xa0€<' in april.text and 'id="paid">5,00\xa0€<' in april.text
        assert 'id="closing">0,75\xa0€<' in april.text and "Relevé de compte — avril 2008" in april.text
        again = await harness.client.get("/platforms/limoges/accounts/prv-art/statements/2008-04.csv", headers=coordinator)
        assert again.status_code == 200

        statements = [e.payload for e in await harness.billing_events() if isinstance(e.payload, StatementIssued)]
        assert [(s.statement_id, s.closing_balance) for s in statements] == [
            ("stm-2008-03-prv-art", "6.75"), ("stm-2008-04-prv-art", "0.75")]

        late = await harness.client.post("/platforms/limoges/accounts/prv-art/payments", headers=coordinator,
                                         json={"amount": "0.75", "paid_on": "2008-03-31", "method": "cash"})
        assert late.status_code == 201
        await harness.client.get("/platforms/limoges/accounts/prv-art/statements/2008-03.csv", headers=coordinator)
        statements = [e.payload for e in await harness.billing_events() if isinstance(e.payload, StatementIssued)]
        assert statements[-1].statement_id == "stm-2008-03-prv-art-r2" and statements[-1].closing_balance == "6.00"

        totals = await harness.client.get("/platforms/limoges/totals/2008", headers=coordinator)
        assert totals.json() == {"platform_id": "limoges", "year": 2008, "fees": "6.75", "memberships": "0.00",
                                 "adjustments": "-1.00", "charged": "5.75", "paid": "5.75", "accounts": 1, "lines": [
                                     {"code": "fees", "label": "Frais", "amount": "6.75"},
                                     {"code": "memberships", "label": "Adhésions", "amount": "0.00"},
                                     {"code": "adjustments", "label": "Régularisations", "amount": "-1.00"},
                                     {"code": "charged", "label": "Total facturé", "amount": "5.75"},
                                     {"code": "paid", "label": "Total payé", "amount": "5.75"}]}
        current_month = await harness.client.get("/platforms/limoges/accounts/prv-art/statements/2008-05.csv",
                                                 headers=coordinator)
        assert current_month.status_code == 422 and "period_not_over" in current_month.text


async def test_who_may_see_and_pay(database_url: str, tmp_path: Path) -> None:
    async with billing_service(database_url, tmp_path, FixedClock(TODAY)) as harness:
        await harness.feed(applied("prv-art", "artisan"), applied("prv-other", "artisan"), done("prv-art"))
        own = harness.token("limoges", Role.PROVIDER, "prv-art")
        other = harness.token("limoges", Role.PROVIDER, "prv-other")
        operator = harness.token("limoges", Role.OPERATOR, "op-1")
        elsewhere = harness.token("herault", Role.COORDINATOR, "co-h")
        coordinator = harness.token("limoges", Role.COORDINATOR, "co-1")
        account = "/platforms/limoges/accounts/prv-art"
        payment = {"amount": "1.00", "paid_on": "2008-04-01", "method": "cash"}

        assert (await harness.client.get(account, headers=own)).json()["balance"] == "6.75"
        assert (await harness.client.get(f"{account}/statements/2008-03.html", headers=own)).status_code == 200
        assert (await harness.client.get(account, headers=other)).status_code == 404
        assert (await harness.client.get(account, headers=elsewhere)).status_code == 403
        assert (await harness.client.get(account, headers=operator)).status_code == 403
        assert (await harness.client.get(account)).status_code == 401
        assert (await harness.client.post(f"{account}/payments", headers=own, json=payment)).status_code == 403
        assert (await harness.client.get("/platforms/limoges/totals/2008", headers=own)).status_code == 403
        assert (await harness.client.get("/platforms/limoges/accounts/prv-nobody", headers=coordinator)).status_code == 404
        assert (await harness.client.get("/platforms/herault/accounts/prv-art", headers=harness.admin())).status_code == 404
        for bad, words in (({**payment, "amount": "-1.00"}, "positif"), ({**payment, "amount": "1.005"}, "format invalide"),
                           ({**payment, "amount": 1.5}, "doit être un texte"), ({**payment, "method": "bitcoin"}, "method"),
                           ({**payment, "amount": "99999999999999999999999999999.00"}, "au plus 1000000.00"),
                           ({**payment, "amount": "1000000.01"}, "au plus 1000000.00"),
                           ({**payment, "paid_on": "0001-01-01"}, "entre les années 2000 et 2100"),
                           ({**payment, "paid_on": "2099-01-01"}, "dans le futur"),
                           ({**payment, "paid_on": "2008-05-16"}, "dans le futur")):
            response = await harness.client.post(f"{account}/payments", headers=coordinator, json=bad)
            assert response.status_code == 422 and words in response.text, (bad, response.text)
        paid_today = await harness.client.post(f"{account}/payments", headers=coordinator,
                                               json={**payment, "amount": "1000000.00", "paid_on": "2008-05-15"})
        assert paid_today.status_code == 201, paid_today.text
        in_credit = (await harness.client.get(account, headers=coordinator)).json()
        assert (in_credit["balance"], in_credit["credit"]) == ("0.00", "999993.25")
        assert in_credit["position"] == "Crédit en faveur du prestataire : 999\u202f993,25\xa0€"


async def test_replaying_the_billing_events_into_a_fresh_database_gives_the_same_ledger(
        database_url: str, tmp_path: Path) -> None:
    async with billing_service(database_url, tmp_path, FixedClock(TODAY)) as harness:
        intervention = done("prv-art", labour="333.33", travel="12.34")
        await harness.feed(applied("prv-art", "artisan"), applied("prv-asso", "association"),
                           applied("prv-vdm", "artisan", "val-de-marne"), admitted("prv-vdm", date(2008, 1, 20), "val-de-marne"),
                           intervention, done("prv-asso", hours="7.25"), done("prv-asso", hours="19.50"),
                           done("prv-vdm", platform_id="val-de-marne", done_on=date(2009, 2, 2)))
        await harness.feed(corrected(intervention, labour="310.10", occurred_at=at(date(2008, 4, 1))))
        coordinator = harness.token("limoges", Role.COORDINATOR, "co-1")
        await harness.client.post("/platforms/limoges/accounts/prv-art/payments", headers=coordinator,
                                  json={"amount": "10.00", "paid_on": "2008-04-02", "method": "bank_transfer"})
        await harness.client.get("/platforms/limoges/accounts/prv-art/statements/2008-03.csv", headers=coordinator)
        live = await ledger_rows(harness.engine)
        recorded = await harness.billing_events()

    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'replayed.db'}")
    try:
        await upgrade_async(str(fresh.url), MIGRATIONS)
        zones = {platform_id: policy.zone for platform_id, policy in policies().items()}
        await replay_into(fresh, ledger_projection(Ledger(billing_metadata(), zones)), recorded)
        replayed = await ledger_rows(fresh)
    finally:
        await fresh.dispose()

    assert replayed == live
    assert len(live["ledger_entries"]) == 7 and len(live["statements"]) == 1
    # 5 % of 345.67 = 17.2835 -> 17.28; of 322.44 = 16.122 -> 16.12 (-1.16); 7.25 h -> 0.725 -> 0.73; 12.75 h -> 1.275 -> 1.28
    assert {row[0]: row[2] for row in live["accounts"]} == {"prv-art": 1728 - 116 - 1000, "prv-asso": 73 + 128,
                                                            "prv-vdm": 15500 + 15500}
