"""The console's callback queue and the observatory on a real database, fed the golden events."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.bootstrap import MIGRATIONS
from services.intake.service_layer.projections import console_projection, observatory_projection
from shared.contracts.codec import encode
from shared.contracts.envelope import new_envelope
from shared.contracts.events import intake as ie
from shared.contracts.events import matching as me
from shared.messaging.batches import apply_batch
from shared.messaging.projection import InboundRecord
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async
from tests.unit.contracts.golden import load_bytes


async def test_an_unanswered_message_stays_in_the_queue_and_counts_as_unmet(database_url: str) -> None:
    await upgrade_async(database_url, MIGRATIONS)
    engine, metadata = create_engine(database_url), intake_metadata()
    records = [InboundRecord("relais.requests", 0, offset, b"k", load_bytes(kind, 1))
               for offset, kind in enumerate(["VoicemailLogged", "VoicemailUnanswered"])]
    try:
        for projection in (console_projection(metadata), observatory_projection(metadata)):
            assert (await apply_batch(engine, metadata, projection, records)).dead_letters == ()
        async with engine.connect() as conn:
            queue = metadata.tables["callback_queue"]
            statuses = (await conn.execute(select(queue.c.entry_id, queue.c.status))).all()
            unmet = metadata.tables["unmet_demand"]
            counted = (await conn.execute(select(unmet.c.reason, unmet.c.count))).all()
    finally:
        await engine.dispose()
    assert [status for _, status in statuses] == ["unanswered"]
    assert counted == [("out_of_hours_never_called_back", 1)]


async def test_the_observatory_counts_in_the_platforms_month(database_url: str) -> None:
    """Unmet at 00:30 on 1 January in Limoges (23:30 UTC on 31 December) counts in January."""
    await upgrade_async(database_url, MIGRATIONS)
    engine, metadata = create_engine(database_url), intake_metadata()
    first_of_january = datetime(2026, 12, 31, 23, 30, tzinfo=UTC)
    unmet = me.RequestUnmet(request_id="req-1", reason=me.UnmetReason.ALL_DECLINED, activity="gardening", commune="87085")
    asked = ie.InformationCallLogged(request_id="inf-1", channel="phone", topic_asked="rates",
                                     topic_group="home_services", answer="Tarifs")
    encoded = [encode(new_envelope(event, platform_id="limoges", aggregate_id=event.request_id, aggregate_version=1,
                                   actor="system:test", occurred_at=first_of_january)) for event in (unmet, asked)]
    records = [InboundRecord(topic, 0, 0, one.key, one.value, one.headers)
               for topic, one in zip(("relais.matching", "relais.requests"), encoded, strict=True)]
    try:
        assert (await apply_batch(engine, metadata, observatory_projection(metadata), records)).dead_letters == ()
        async with engine.connect() as conn:
            months = [(await conn.execute(select(metadata.tables[name].c.month))).scalar_one()
                      for name in ("unmet_demand", "information_calls")]
    finally:
        await engine.dispose()
    assert months == ["2027-01", "2027-01"]
