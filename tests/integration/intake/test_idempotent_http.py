"""One request per call over HTTP, on a real database: the same Idempotency-Key sent twice, even at the same
moment, answers the first id and records one request (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from services.intake.entrypoints.app import create_app
from shared.security.principals import Role
from shared.settings import Settings
from tests.fixtures.services import issue_token, serving

pytestmark = pytest.mark.integration
REQUEST = {"channel": "phone", "activity": "gardening", "commune": "87085",
           "contact": {"name": "Jeanne Deuxclics", "phone": "05 55 00 00 03"}}


async def test_a_doubled_post_records_one_request(service_settings: Callable[..., Settings], database_url: str) -> None:
    settings = service_settings(database_url=database_url, vault_url=database_url)
    operator = issue_token(settings, "limoges", Role.OPERATOR, "op-1")
    app = create_app(settings)
    async with serving(app) as client:
        keyed = {**operator, "Idempotency-Key": "4f1c2a9e-0b7d-4d55-9a3e-2f7c1d0e8b61"}
        answers = await asyncio.gather(*(client.post("/platforms/limoges/requests", headers=keyed, json=REQUEST)
                                         for _ in range(3)))
        again = await client.post("/platforms/limoges/requests", headers=keyed, json=REQUEST)
        other = await client.post("/platforms/limoges/requests", headers=operator, json=REQUEST)
        short = await client.post("/platforms/limoges/requests", headers={**operator, "Idempotency-Key": "x"}, json=REQUEST)

        runtime = app.state.runtime
        async with runtime.engine.connect() as conn:
            events = runtime.metadata.tables["events"]
            stored = (await conn.execute(select(func.count()).select_from(events)
                                         .where(events.c.event_type == "RequestLogged"))).scalar_one()
    assert {answer.status_code for answer in answers} == {201}, [answer.text for answer in answers]
    assert len({answer.json()["id"] for answer in [*answers, again]}) == 1
    assert other.json()["id"] != again.json()["id"]
    assert short.status_code == 422
    assert stored == 2
