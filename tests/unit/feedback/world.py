"""The feedback handlers' world on fakes: an in-memory store and survey index, a readable sealer, a fixed clock."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from services.feedback.service_layer.handlers import FeedbackHandlers
from services.feedback.service_layer.ports import BoundStore
from shared.clock import FixedClock
from shared.contracts.envelope import Envelope, new_envelope
from shared.contracts.events.matching import InterventionDone
from shared.platforms.model import PlatformPolicy
from shared.storage.fakes import FakeEventStore
from tests.unit.feedback.fakes import (
    FakeFeedbackUnitOfWork,
    FakeSealer,
    FakeSurveyIndex,
)

POLICIES = Path(__file__).resolve().parents[3] / "deploy" / "platforms"
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


class World:
    """Handlers plus everything they wrote, for assertions."""

    def __init__(self, policies: dict[str, PlatformPolicy]) -> None:
        self.events = FakeEventStore()
        self.index = FakeSurveyIndex()
        self.sealer = FakeSealer()
        self.clock = FixedClock(START)
        self.handlers = FeedbackHandlers(
            uow=lambda: FakeFeedbackUnitOfWork(self.events, self.index), sealer=self.sealer, policies=policies,
            clock=self.clock, public_url="https://avis.example.fr/",
        )

    def bound(self) -> BoundStore:
        """The store a projection batch would pass (writes land at once)."""
        return BoundStore(self.events, self.index)

    def types(self, request_id: str) -> list[str]:
        return [e.event_type for e in self.events.events if e.meta.aggregate_id == request_id]

    def payloads(self, request_id: str) -> list[Any]:
        return [e.payload for e in self.events.events if e.meta.aggregate_id == request_id]

    def token_of(self, survey_id: str) -> str:
        """The link token, as the resident receives it (opened from the sealed notification)."""
        first = next(n for n in self.index.sent if n.reference == survey_id)
        assert first.secret is not None
        return self.sealer.open(first.secret)["link"].rsplit("/", 1)[1]

    async def intervention_done(self, request_id: str = "req-1", *, platform_id: str = "limoges",
                                provider_id: str = "prv-1", resident_id: str = "res-1") -> str | None:
        return await self.handlers.open_survey(self.bound(), done(request_id, platform_id, provider_id, resident_id))


def done(request_id: str, platform_id: str = "limoges", provider_id: str = "prv-1",
         resident_id: str = "res-1") -> Envelope[Any]:
    payload = InterventionDone(
        request_id=request_id, provider_id=provider_id, resident_id=resident_id, activity="gardening",
        commune="87085", done_on=date(2026, 3, 1), labour_hours="2.00", labour_amount_excl_tax="60.00",
        travel_amount_excl_tax="5.00", amount_excl_tax="65.00",
    )
    return new_envelope(payload, platform_id=platform_id, aggregate_id=request_id, aggregate_version=5,
                        actor="provider:prv-1", occurred_at=START)
