"""What every feedback use case shares: its dependencies and how a survey's new events are stored."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.feedback.domain.model import Survey
from services.feedback.service_layer.ports import Sealer, Store, SurveyRecord, UnitOfWorkFactory
from shared.clock import Clock
from shared.contracts.envelope import Envelope
from shared.errors import NotFound
from shared.platforms.loader import policy_of
from shared.platforms.model import PlatformPolicy

SYSTEM_ACTOR = "system:feedback"
SURVEY = "survey"


@dataclass
class FeedbackContext:
    """Dependencies bound by ``bootstrap``: ``uow()`` opens a :class:`Store` that commits with ``commit()``."""

    uow: UnitOfWorkFactory
    sealer: Sealer
    policies: Mapping[str, PlatformPolicy]
    clock: Clock
    public_url: str

    def policy(self, platform_id: str) -> PlatformPolicy:
        return policy_of(self.policies, platform_id)

    def link(self, token: str) -> str:
        """The public address of the survey page for ``token``."""
        return f"{self.public_url.rstrip('/')}/s/{token}"

    async def load(self, store: Store, request_id: str) -> tuple[Survey, list[Envelope[Any]]]:
        history = await store.events.load(SURVEY, request_id)
        return Survey.from_history(request_id, history), history

    async def save(self, store: Store, survey: Survey, cause: Envelope[Any], *, actor: str, now: datetime) -> None:
        """Append the survey's pending events after its current version and bring its index row up to date."""
        await store.events.append(survey.take_pending(cause, aggregate_id=survey.request_id, actor=actor,
                                                      occurred_at=now))
        reminder_days = self.policy(survey.platform_id or cause.platform_id).survey.reminder_days
        await store.surveys.update(survey.survey_id, status=survey.status, reminders_sent=survey.reminders_sent,
                                   next_reminder_at=survey.next_reminder_at(reminder_days))

    async def record_for(self, store: Store, platform_id: str, survey_id: str) -> SurveyRecord:
        record = await store.surveys.get(survey_id)
        if record is None or record.platform_id != platform_id:
            raise NotFound("Questionnaire")
        return record
