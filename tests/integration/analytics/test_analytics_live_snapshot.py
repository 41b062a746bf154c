"""The live side of a replay, read in one transaction on SQLite and PostgreSQL: a consumer-fed
projection's checkpoints and checksums; a store-written one's event ids and unpublished events."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import update

from relais.replay.live import snapshot_live
from relais.services import described_services
from shared.contracts.envelope import new_envelope
from shared.contracts.events.billing import PaymentRecorded
from shared.messaging.tracking import save_checkpoints
from shared.storage.engine import create_engine
from shared.storage.eventstore import EventStore

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.slow]


def read_models(service: str):
    return next(models for models in described_services() if models.service == service)


async def test_a_consumer_fed_projection_is_read_with_its_checkpoints(database_url: str) -> None:
    models = read_models("matching")
    metadata = models.metadata()
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await conn.execute(metadata.tables["fairness_requests"].insert().values(
                request_id="req-1", platform_id="limoges", activity="gardening", sector="limoges-ville"))
            await save_checkpoints(conn, metadata, "matching.fairness", {("t.relais.matching", 0): 41})
    finally:
        await engine.dispose()

    live = (await snapshot_live(database_url, metadata, models.projections))["matching.fairness"]

    assert live.checkpoints == {("t.relais.matching", 0): 41} and live.event_ids is None
    assert live.checksums["fairness_requests"].rows == 1 and live.checksums["fairness_counts"].rows == 0


async def test_a_store_written_projection_is_read_with_its_events_and_waits_for_the_relay(database_url: str) -> None:
    models = read_models("billing")
    metadata = models.metadata()
    payments = [new_envelope(PaymentRecorded(provider_id="prv-1", amount=amount, paid_on=date(2026, 3, 1), method="cheque",
                                             reference=f"virement {number}"),
                             platform_id="limoges", aggregate_id="prv-1", aggregate_version=number, actor="operator:co-1")
                for number, amount in ((1, "10.00"), (2, "12.50"))]
    engine = create_engine(database_url)
    try:
        async with engine.begin() as conn:
            await conn.run_sync(metadata.create_all)
            await EventStore(conn, metadata).append(payments)
            events = metadata.tables["events"]
            await conn.execute(update(events).where(events.c.event_id == str(payments[0].event_id))
                               .values(published_at=datetime.now(UTC)))
        spec = models.projection("billing.ledger")

        live = (await snapshot_live(database_url, metadata, [spec], wait_for_relay=0.3))["billing.ledger"]

        assert live.checkpoints is None and live.unpublished == 1
        assert live.event_ids == {str(payment.event_id) for payment in payments}
        async with engine.begin() as conn:
            await conn.execute(update(events).values(published_at=datetime.now(UTC)))
        assert (await snapshot_live(database_url, metadata, [spec]))["billing.ledger"].unpublished == 0
    finally:
        await engine.dispose()
