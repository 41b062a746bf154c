"""A call back that got no answer leaves the message in the queue with its attempts counted; any other outcome
takes it out (console projection and queue query on a real database)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.intake.adapters.tables import metadata as intake_metadata
from services.intake.adapters.views import IntakeViews
from services.intake.bootstrap import MIGRATIONS
from services.intake.service_layer.projections import console_projection
from shared.contracts.codec import encode
from shared.contracts.envelope import new_envelope
from shared.contracts.events import intake as ie
from shared.contracts.types import Sealed
from shared.messaging.batches import apply_batch
from shared.messaging.projection import InboundRecord
from shared.storage.engine import create_engine
from shared.storage.migrate import upgrade_async

LEFT = datetime(2026, 3, 2, 18, 40, tzinfo=UTC)
SEALED = Sealed(resident_id="res-1", nonce="bm9uY2U", ciphertext="c2VhbGVk")


def records(*events: ie.RequestEvent) -> list[InboundRecord]:
    encoded = [encode(new_envelope(event, platform_id="brenne", aggregate_id="vm-1", aggregate_version=version,
                                   actor="operator:op-1", occurred_at=LEFT + timedelta(minutes=version)))
               for version, event in enumerate(events, start=1)]
    return [InboundRecord("relais.requests", 0, offset, one.key, one.value, one.headers)
            for offset, one in enumerate(encoded)]


async def test_no_answer_keeps_the_message_and_counts_the_attempt_then_not_needed_removes_it(database_url: str) -> None:
    await upgrade_async(database_url, MIGRATIONS)
    engine, metadata = create_engine(database_url), intake_metadata()
    views = IntakeViews(engine, metadata)
    logged = ie.VoicemailLogged(request_id="vm-1", resident_id="res-1", contact=SEALED, left_at_local="2026-03-02T19:40:00")
    no_answer = ie.VoicemailCalledBack(request_id="vm-1", outcome=ie.CallbackOutcome.NO_ANSWER)
    not_needed = ie.VoicemailCalledBack(request_id="vm-1", outcome=ie.CallbackOutcome.NOT_NEEDED)
    try:
        batch = records(logged, no_answer, no_answer, not_needed)
        assert (await apply_batch(engine, metadata, console_projection(metadata), batch[:3])).dead_letters == ()
        [waiting] = await views.callback_queue("brenne")
        assert waiting["status"] == "waiting" and waiting["attempts"] == 2
        assert (await apply_batch(engine, metadata, console_projection(metadata), batch[3:])).dead_letters == ()
        assert await views.callback_queue("brenne") == []
    finally:
        await engine.dispose()
