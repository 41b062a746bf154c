"""A sixth platform joins the federation by its policy file alone (tests/fixtures/platforms/combrailles.yaml: a rural
platform assigning in turn, 16 business hours to call back, fees that changed on 1 January 2026), and runs end to
end through intake, matching and billing on the real broker: tokens, directory, calls, rotation, business-hours
deadline, unmet demand in the observatory, fees by date, and isolation from the other platforms."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import pytest

from services.billing.entrypoints.app import create_app as billing_app
from services.intake.entrypoints.app import create_app as intake_app
from services.matching.entrypoints.app import create_app as matching_app
from shared.platforms.calendar import callback_deadline
from shared.platforms.loader import load_policies
from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.services import REPO, issue_token, serving
from tests.polling import get_when_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]
PLATFORM = "combrailles"
SAINT_GERVAIS, PIONSAT, PONTAUMUR = "63354", "63280", "63283"
COMMITTEE = {"decision": "admitted", "committee_on": "2026-01-15", "members": [{"body": "ccas", "label": "CCAS"}],
             "charter_signed_at": "2026-01-15T10:00:00+01:00"}


def federation_folder(tmp_path: Path) -> Path:
    """The five platforms of deploy/platforms and the sixth, which joins by copying its file in."""
    folder = tmp_path / "platforms"
    shutil.copytree(REPO / "deploy" / "platforms", folder)
    shutil.copy(REPO / "tests" / "fixtures" / "platforms" / f"{PLATFORM}.yaml", folder)
    return folder


@asynccontextmanager
async def services(settings: Settings) -> AsyncIterator[dict[str, httpx.AsyncClient]]:
    async with AsyncExitStack() as stack:
        yield {name: await stack.enter_async_context(serving(factory(settings)))
               for name, factory in (("intake", intake_app), ("matching", matching_app), ("billing", billing_app))}


async def test_a_platform_defined_only_by_its_policy_file_runs_end_to_end(
        service_settings: Callable[..., Settings], tmp_path: Path) -> None:
    settings = service_settings(platforms_dir=federation_folder(tmp_path))
    policy = load_policies(settings.platforms_dir)[PLATFORM]
    coordinator = issue_token(settings, PLATFORM, Role.COORDINATOR, "cmb-coord")
    operator = issue_token(settings, PLATFORM, Role.OPERATOR, "cmb-op-1")
    intruder = issue_token(settings, "limoges", Role.COORDINATOR, "lim-coord")
    base = f"/platforms/{PLATFORM}"
    async with services(settings) as http:
        intake, matching, billing = http["intake"], http["matching"], http["billing"]

        gardeners = []
        for name, kind in (("Jardins des Combrailles", "artisan"), ("Association Main Verte", "association")):
            created = await matching.post(f"{base}/providers", headers=coordinator, json={
                "name": name, "kind": kind, "activities": ["gardening"], "communes": [SAINT_GERVAIS, PIONSAT]})
            assert created.status_code == 201, created.text
            admitted = await matching.post(f"{base}/providers/{created.json()['id']}/committee-decision",
                                           headers=coordinator, json=COMMITTEE)
            assert admitted.status_code == 200, admitted.text
            gardeners.append(created.json()["id"])
        artisan = gardeners[0]

        request_ids = []
        for commune in (SAINT_GERVAIS, PIONSAT, SAINT_GERVAIS, SAINT_GERVAIS):
            logged = await intake.post(f"{base}/requests", headers=operator, json={
                "channel": "phone", "activity": "gardening", "commune": commune,
                "contact": {"name": "Marcel Auvergne", "phone": "04 73 00 00 01"}})
            assert logged.status_code == 201, logged.text
            request_ids.append(logged.json()["id"])
            # one call after the other, as on the phone: requests on different partitions may reach matching
            # in any order, and the turn is taken in the order matching receives them
            await get_when_ready(matching, f"{base}/requests/{request_ids[-1]}/match", coordinator,
                                 lambda body: body["status"] == "assigned")
        unmet = await intake.post(f"{base}/requests", headers=operator, json={
            "channel": "phone", "activity": "firewood", "commune": PONTAUMUR,
            "contact": {"name": "Lucienne Bois", "phone": "04 73 00 00 02"}})
        assert unmet.status_code == 201, unmet.text

        holders = []
        for request_id in request_ids:
            match = await get_when_ready(matching, f"{base}/requests/{request_id}/match", coordinator,
                                         lambda body: body["status"] == "assigned")
            holders.append(match["provider_id"])
            shown = await get_when_ready(intake, f"{base}/requests/{request_id}", operator,
                                         lambda body: body["status"] == "assigned")
            deadline = datetime.fromisoformat(match["deadline_at"])
            logged_at = datetime.fromisoformat(shown["logged_at"])
            assert deadline == callback_deadline(policy, logged_at)
            assert deadline - logged_at > timedelta(hours=16)  # business hours: at most 7 h 30 open a day
        proof = (await matching.get(f"{base}/requests/{request_ids[1]}/proof", headers=operator)).json()
        assert holders[0] != holders[1] and holders[2] == holders[0] and holders[3] == holders[1], proof  # in turn
        names = {gardeners[0]: "Jardins des Combrailles", gardeners[1]: "Association Main Verte"}
        assert [(c["position"], c["name"]) for c in proof[0]["turn"]] == [
            (position, names[c["provider_id"]]) for position, c in enumerate(proof[0]["turn"], 1)]
        assert [c["label"] for c in proof[0]["turn"] if c["provider_id"] == holders[1]] == ["offre confiée"]

        await get_when_ready(matching, f"{base}/requests/{unmet.json()['id']}/match", coordinator,
                             lambda body: body["status"] == "unmet")
        observatory = await get_when_ready(intake, f"{base}/observatory", coordinator, lambda body: body["unmet"])
        assert [(row["activity"], row["commune"], row["count"]) for row in observatory["unmet"]] == [
            ("firewood", PONTAUMUR, 1)]

        listed = await intake.get(f"{base}/requests?activity=firewood", headers=operator)
        assert [(row["request_id"], row["status"]) for row in listed.json()] == [(unmet.json()["id"], "unmet")]
        pages = [(await intake.get(f"{base}/requests?status=assigned&limit=3&offset={offset}", headers=operator)).json()
                 for offset in (0, 3)]
        assert [len(page) for page in pages] == [3, 1]
        assert {row["request_id"] for page in pages for row in page} == set(request_ids)
        today = datetime.now(policy.zone).date()
        for since, count in ((today, 5), (today + timedelta(days=1), 0)):
            logged = await intake.get(f"{base}/requests?since={since}&until={since}", headers=operator)
            assert len(logged.json()) == count
        directory = [(await matching.get(f"{base}/providers?limit=1&offset={offset}", headers=coordinator)).json()
                     for offset in (0, 1, 2)]
        assert [[p["provider_id"] for p in page] for page in directory] in ([[gardeners[0]], [gardeners[1]], []],
                                                                            [[gardeners[1]], [gardeners[0]], []])
        offered = await matching.get(f"{base}/providers/{artisan}/offers?status=assigned&activity=gardening",
                                     headers=coordinator)
        assert sorted(row["request_id"] for row in offered.json()) == sorted(
            request_id for request_id, holder in zip(request_ids, holders, strict=True) if holder == artisan)

        served = request_ids[holders.index(artisan)]
        provider = issue_token(settings, PLATFORM, Role.PROVIDER, artisan)
        assert (await matching.post(f"{base}/requests/{served}/contact", headers=provider, json={})).status_code == 204
        done = await matching.post(f"{base}/requests/{served}/intervention", headers=provider, json={
            "done_on": today.isoformat(), "labour_hours": "4", "labour_amount_excl_tax": "100.00", "travel_amount_excl_tax": "20.00"})
        assert done.status_code == 204, done.text
        account = await get_when_ready(billing, f"{base}/accounts/{artisan}", coordinator,
                                       lambda body: Decimal(body["balance"]) > 0)
        assert account["balance"] == "3.60"  # 3 % of 120.00: the entry of 2026-01-01, not the 2015 membership

        refused = await matching.get(f"{base}/providers", headers=intruder)
        assert (refused.status_code, refused.json()["error"]) == (403, "not_your_platform")
        assert (await intake.get(f"{base}/requests/{served}", headers=intruder)).status_code == 403
        assert (await billing.get(f"{base}/accounts/{artisan}", headers=intruder)).status_code == 403
