"""The feedback store on a real database for the integration tests, and the events they feed it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from itertools import count
from pathlib import Path
from typing import Any

from sqlalchemy import MetaData, select
from sqlalchemy.ext.asyncio import AsyncEngine

from services.feedback.service_layer.handlers import FeedbackHandlers
from shared.clock import FixedClock
from shared.contracts.codec import encode
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.feedback import (
    AnswerChannel,
    PlatformAssessment,
    ProviderAssessment,
    SurveyAnswered,
)
from shared.contracts.events.matching import InterventionDone
from shared.contracts.types import Sealed
from shared.messaging.batches import BatchResult, apply_batch
from shared.messaging.projection import InboundRecord, Projection
from shared.privacy.vault import Vault

POLICY_DIR = Path(__file__).resolve().parents[3] / "deploy" / "platforms"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PREFIX = "it."


@dataclass
class FeedbackStore:
    engine: AsyncEngine
    metadata: MetaData
    handlers: FeedbackHandlers
    clock: FixedClock
    vault: Vault
    offsets: Any

    async def deliver(self, projection: Projection, *envelopes: Envelope[Any]) -> BatchResult:
        """Apply ``envelopes`` to ``projection`` as one batch of Kafka records."""
        records = []
        for envelope in envelopes:
            encoded = encode(envelope, PREFIX)
            records.append(InboundRecord(encoded.topic, 0, next(self.offsets), encoded.key, encoded.value,
                                         tuple(encoded.headers)))
        return await apply_batch(self.engine, self.metadata, projection, records)

    async def rows(self, table: str, **where: Any) -> list[dict[str, Any]]:
        target = self.metadata.tables[table]
        query = select(target).where(*(target.c[name] == value for name, value in where.items()))
        async with self.engine.connect() as conn:
            return [dict(row) for row in (await conn.execute(query)).mappings()]

    async def event_types(self, request_id: str) -> list[str]:
        rows = await self.rows("events", aggregate_type="survey", aggregate_id=request_id)
        return [row["event_type"] for row in sorted(rows, key=lambda row: row["aggregate_version"])]

    async def token_of(self, survey_id: str) -> str:
        """The link token, as the sender would open it from the notification."""
        (first, *_) = [row for row in await self.rows("notifications", reference=survey_id) if row["kind"] == "survey"]
        link = await self.vault.unseal(Sealed.model_validate_json(first["message"]), reader="system:test-sender",
                                       purpose=f"send survey {survey_id}")
        return str(link["link"]).rsplit("/", 1)[1]


def intervention_done(request_id: str, *, provider_id: str = "prv-1", resident_id: str = "res-1",
                      platform_id: str = "limoges") -> Envelope[Any]:
    payload = InterventionDone(
        request_id=request_id, provider_id=provider_id, resident_id=resident_id, activity="gardening",
        commune="87085", done_on=date(2026, 3, 1), labour_hours="2.00", labour_amount_excl_tax="60.00",
        travel_amount_excl_tax="5.00", amount_excl_tax="65.00",
    )
    return new_envelope(payload, platform_id=platform_id, aggregate_id=request_id, aggregate_version=4,
                        actor=f"provider:{provider_id}", occurred_at=START)


_answer_numbers = count()


def survey_answered(provider_id: str, *, happy: bool, at: datetime = START, call_again: bool = True,
                    easier: bool = True) -> Envelope[Any]:
    """A SurveyAnswered of Limoges: happy is 5/4 and recommended, unhappy 2/2 and not recommended."""
    number = next(_answer_numbers)
    payload = SurveyAnswered(
        survey_id=f"srv-{number}", request_id=f"req-{number}", provider_id=provider_id, channel=AnswerChannel.WEB,
        provider=ProviderAssessment(punctuality=5 if happy else 2, quality=4 if happy else 2, would_recommend=happy),
        platform=PlatformAssessment(would_call_platform_again=call_again, platform_made_it_easier=easier),
    )
    return new_envelope(payload, platform_id="limoges", aggregate_id=f"req-{number}", aggregate_version=2,
                        actor="resident", occurred_at=at)
