"""The billing app in-process on the real broker: consume, charge, publish, then rebuild the ledger from offset 0."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from relais.replay.rebuilder import rebuild
from services.billing.bootstrap import MIGRATIONS, bootstrap
from services.billing.entrypoints.app import create_app
from shared.contracts.codec import encode
from shared.messaging.producer import create_producer
from shared.messaging.runner import wait_for
from shared.security.principals import Role
from shared.settings import Settings
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.fixtures.services import issue_token, serving
from tests.integration.billing.harness import ledger_rows
from tests.polling import eventually
from tests.unit.billing.factories import admitted, applied, corrected, done

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]


async def test_fees_charged_from_the_bus_and_the_ledger_rebuilt_cent_for_cent(
        service_settings: Callable[..., Settings], database_url: str, kafka_bootstrap: str, topic_prefix: str,
        tmp_path: Path) -> None:
    settings = service_settings(database_url=database_url)
    billing = bootstrap(settings)
    coordinator = issue_token(settings, "limoges", Role.COORDINATOR, "co-1")
    intervention = done("prv-art", labour="120.00", travel="15.00")
    inputs = [applied("prv-art", "artisan"), applied("prv-vdm", "company", "val-de-marne"),
              admitted("prv-vdm", date(2008, 2, 1), "val-de-marne"), intervention, intervention,
              corrected(intervention, labour="100.00"), done("prv-vdm", platform_id="val-de-marne")]

    async with serving(create_app(billing=billing)) as client:
        producer = create_producer(kafka_bootstrap)
        await producer.start()
        try:
            for envelope in inputs:
                record = encode(envelope, topic_prefix)
                await producer.send_and_wait(record.topic, record.value, key=record.key, headers=record.headers)
        finally:
            await producer.stop()
        await wait_for(billing.runtime.engine, "billing.fees", event_ids={e.event_id for e in inputs}, timeout=30)

        account = (await client.get("/platforms/limoges/accounts/prv-art", headers=coordinator)).json()
        assert [(e["kind"], e["amount"]) for e in account["entries"]] == [("fee", "6.75"), ("adjustment", "-1.00")]
        paid = await client.post("/platforms/limoges/accounts/prv-art/payments", headers=coordinator,
                                 json={"amount": "5.75", "paid_on": "2008-04-10", "method": "bank_transfer"})
        assert paid.status_code == 201, paid.text
        statement = await client.get("/platforms/limoges/accounts/prv-art/statements/2008-04.csv", headers=coordinator)
        assert statement.status_code == 200, statement.text
        assert (await client.get("/platforms/limoges/accounts/prv-art", headers=coordinator)).json()["balance"] == "0.00"
        await eventually(lambda: _published(billing), what="the relay to publish every billing event")
        live = await ledger_rows(billing.runtime.engine)

    fresh = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'rebuilt.db'}")
    try:
        await upgrade_async(str(fresh.url), MIGRATIONS)
        replayed = await rebuild(billing.ledger_rebuild, fresh, billing.runtime.metadata, kafka_bootstrap, topic_prefix,
                                 platforms=frozenset(billing.handlers.policies))
        rebuilt = await ledger_rows(fresh)
    finally:
        await fresh.dispose()

    assert replayed == 5  # fee, adjustment, membership, payment, statement
    assert rebuilt == live
    assert {row[0]: row[2] for row in live["accounts"]} == {"prv-art": 0, "prv-vdm": 15500}


async def _published(billing) -> bool:  # type: ignore[no-untyped-def]
    return await billing.runtime.relay.backlog() == 0
