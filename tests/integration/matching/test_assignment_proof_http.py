"""The assignment proof over HTTP on a real database: every candidate of the turn in order, who got the offer,
for the platform's operators only."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

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
from tests.unit.matching.builders import LIMOGES, T0, limoges, request_logged, write_policies

pytestmark = pytest.mark.integration
ADMIT = {"decision": "admitted", "committee_on": "2026-02-01", "charter_signed_at": "2026-02-01T10:00:00Z",
         "members": [{"body": "ccas", "label": "CCAS de Limoges"}, {"body": "cci", "label": "CCI Limoges"}]}


async def test_the_proof_names_the_turn_and_the_provider_offered(database_url: str, tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, database_url=database_url, platforms_dir=write_policies(tmp_path / "platforms"),
                        tokens_file=tmp_path / "tokens.yaml", kafka_bootstrap_servers="127.0.0.1:1")
    await upgrade_async(database_url, MIGRATIONS)
    app = create_app(settings, clock=FixedClock(T0))
    coordinator = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-1")
    analyst = issue_token(settings, "limoges", Role.ANALYST, "an-1")
    elsewhere = issue_token(settings, "herault", Role.OPERATOR, "op-2")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://relais.test") as client:
        providers = []
        for name in ("Jardins A", "Jardins B"):
            created = await client.post("/platforms/limoges/providers", headers=coordinator, json={
                "name": name, "kind": "association", "siret": "12345678901234", "activities": ["gardening"],
                "communes": [LIMOGES]})
            providers.append(created.json()["id"])
            assert (await client.post(f"/platforms/limoges/providers/{providers[-1]}/committee-decision",
                                      headers=coordinator, json=ADMIT)).status_code == 200
        engine = create_engine(database_url)
        try:
            async with engine.begin() as conn:
                await receive_request(MatchingStore(conn, matching_metadata()), limoges(), request_logged("req-1"), T0)
        finally:
            await engine.dispose()

        proof = await client.get("/platforms/limoges/requests/req-1/proof", headers=operator)
        missing = await client.get("/platforms/limoges/requests/req-nope/proof", headers=operator)
        refused = [(await client.get("/platforms/limoges/requests/req-1/proof", headers=who)).status_code
                   for who in (analyst, elsewhere)]
    assert proof.status_code == 200, proof.text
    [offer] = proof.json()
    assert offer["attempt"] == 1 and sorted(offer["candidates"]) == sorted(providers)
    assert offer["candidates"][offer["rotation_position"]] == offer["provider_id"]
    assert missing.status_code == 404
    assert refused == [403, 403]
