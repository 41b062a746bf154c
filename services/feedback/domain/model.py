"""The Survey aggregate: one questionnaire per intervention, rebuilt from its events.

Its id is the request id (the Kafka key of every feedback event); ``survey_id`` is the id printed
on paper questionnaires and used in the operators' routes. A survey is sent once, reminded while
unanswered, answered at most once and expires when unanswered at ``expires_at``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from shared.aggregate import Aggregate
from shared.contracts.base import Event
from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import (
    AnswerChannel,
    FollowUpCallLogged,
    FollowUpOutcome,
    PlatformAssessment,
    ProviderAssessment,
    SendChannel,
    SurveyAnswered,
    SurveyExpired,
    SurveyReminderSent,
    SurveySent,
)
from shared.contracts.types import Sealed
from shared.errors import Conflict, DomainError, NotFound

NEW, SENT, ANSWERED, EXPIRED = "new", "sent", "answered", "expired"


class SurveyClosed(DomainError):
    """The survey no longer takes answers: ``code`` is ``survey_answered`` or ``survey_expired`` (HTTP 410)."""

    status = 410


@dataclass
class Survey(Aggregate):
    request_id: str
    survey_id: str = ""
    platform_id: str = ""
    provider_id: str = ""
    channel: SendChannel | None = None
    status: str = NEW
    sent_at: datetime | None = None
    expires_at: datetime | None = None
    reminders_sent: int = 0

    @classmethod
    def from_history(cls, request_id: str, envelopes: Iterable[Envelope[Any]]) -> Survey:
        return cls(request_id).replay(envelopes)

    def _observe(self, envelope: Envelope[Any]) -> None:
        self.platform_id = envelope.meta.platform_id
        if isinstance(envelope.payload, SurveySent):
            self.sent_at = envelope.meta.occurred_at

    @property
    def exists(self) -> bool:
        return self.status != NEW

    def send(self, survey_id: str, provider_id: str, channel: SendChannel, sent_at: datetime, expiry_days: int) -> None:
        if self.exists:
            raise Conflict("survey_exists", "Cette demande a déjà un questionnaire.")
        self.sent_at = sent_at
        self.record(SurveySent(
            survey_id=survey_id, request_id=self.request_id, provider_id=provider_id, channel=channel,
            expires_at=sent_at + timedelta(days=expiry_days),
        ))

    def is_expired_at(self, now: datetime) -> bool:
        return self.status == EXPIRED or (self.status == SENT and self.expires_at is not None and now >= self.expires_at)

    def due_reminder(self, now: datetime, reminder_days: Sequence[int]) -> int | None:
        """The number of the latest reminder due at ``now`` and not sent yet (overdue ones are merged)."""
        if self.status != SENT or self.sent_at is None or self.is_expired_at(now):
            return None
        due = sum(1 for day in reminder_days if now >= self.sent_at + timedelta(days=day))
        return due if due > self.reminders_sent else None

    def next_reminder_at(self, reminder_days: Sequence[int]) -> datetime | None:
        if self.status != SENT or self.sent_at is None or self.reminders_sent >= len(reminder_days):
            return None
        return self.sent_at + timedelta(days=reminder_days[self.reminders_sent])

    def remind(self, reminder_number: int) -> None:
        assert self.channel is not None
        self.record(SurveyReminderSent(
            survey_id=self.survey_id, request_id=self.request_id, channel=self.channel, reminder_number=reminder_number,
        ))

    def expire(self, now: datetime) -> None:
        if not self.is_expired_at(now) or self.status == EXPIRED:
            raise Conflict("not_expired", "Ce questionnaire n'est pas encore arrivé à expiration.")
        self.record(SurveyExpired(survey_id=self.survey_id, request_id=self.request_id, expired_at=now))

    def answer(self, channel: AnswerChannel, provider: ProviderAssessment, platform: PlatformAssessment,
               comment: Sealed | None, now: datetime) -> None:
        self.check_open(now)
        self.record(SurveyAnswered(
            survey_id=self.survey_id, request_id=self.request_id, provider_id=self.provider_id, channel=channel,
            provider=provider, platform=platform, comment=comment,
        ))

    def log_follow_up(self, operator: str, outcome: FollowUpOutcome, called_at: datetime) -> None:
        if not self.exists:
            raise NotFound("Questionnaire")
        self.record(FollowUpCallLogged(
            survey_id=self.survey_id, request_id=self.request_id, operator=operator, outcome=outcome, called_at=called_at,
        ))

    def check_open(self, now: datetime) -> None:
        """Raise unless the survey takes answers at ``now``."""
        if not self.exists:
            raise NotFound("Questionnaire")
        if self.status == ANSWERED:
            raise SurveyClosed("survey_answered", f"survey {self.survey_id} was already answered")
        if self.is_expired_at(now):
            raise SurveyClosed("survey_expired", f"survey {self.survey_id} has expired")

    def _apply(self, event: Event) -> None:
        if isinstance(event, SurveySent):
            self.survey_id, self.provider_id, self.channel = event.survey_id, event.provider_id, event.channel
            self.expires_at, self.status = event.expires_at, SENT
        elif isinstance(event, SurveyReminderSent):
            self.reminders_sent = event.reminder_number
        elif isinstance(event, SurveyExpired):
            self.status = EXPIRED
        elif isinstance(event, SurveyAnswered):
            self.status = ANSWERED
