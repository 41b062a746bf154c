"""The console's callback queue and the observatory on a real database, fed the golden events."""

from __future__ import annotations

from sqlalchemy import select

from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.bootstrap import MIGRATIONS
from services.intake.service_layer.projections import console_projection, observatory_projection
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
