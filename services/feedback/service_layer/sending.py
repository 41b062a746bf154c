"""Outbound side: a survey after every intervention, reminders while unanswered, expiry.

Sending is a row of the service's ``notifications`` outbox (:mod:`shared.outgoing`), written in the
transaction of the survey's event: French text, the resident's sealed contact and the link sealed
with their key; the service's sender delivers it. See ``services/feedback/README.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from services.feedback.domain.model import SENT
from services.feedback.domain.sending import (
    NotificationKind,
    choose_channel,
    invitation,
    needs_follow_up_call,
    new_token,
    token_hash,
)
from services.feedback.service_layer.context import SYSTEM_ACTOR, FeedbackContext
from services.feedback.service_layer.ports import Store, SurveyRecord
from shared.contracts.envelope import Envelope
from shared.contracts.events.feedback import SendChannel
from shared.contracts.events.matching import InterventionDone
from shared.contracts.types import Sealed
from shared.ids import new_id
from shared.outgoing.outbox import OutgoingMessage
from shared.privacy.errors import ResidentErasedError
from shared.storage.eventstore import ConcurrencyError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SweepResult:
    reminded: int = 0
    expired: int = 0
    raced: int = 0
    """Surveys changed by someone else during the round (e.g. answered): looked at again next round."""


class SurveySending(FeedbackContext):
    async def open_survey(self, store: Store, cause: Envelope[InterventionDone]) -> str | None:
        """Send the survey of the intervention in ``cause``; ``None`` when it already has one or the resident was erased.

        Runs in the caller's transaction (the process manager's batch): nothing is committed here.
        """
        done = cause.payload
        survey, history = await self.load(store, done.request_id)
        if history:
            return None
        policy = self.policy(cause.platform_id).survey
        now = self.clock.now()
        channel = choose_channel(await store.surveys.preferred_channel(cause.platform_id, done.resident_id), policy)
        survey_id, token = new_id("srv"), new_token()
        try:
            message = await self.sealer.seal(done.resident_id, cause.platform_id,
                                             {"survey_id": survey_id, "link": self.link(token)})
        except ResidentErasedError:
            log.info("no survey for request %s: the resident's data was erased", done.request_id)
            return None
        survey.send(survey_id, done.provider_id, channel, now, policy.expiry_days)
        assert survey.expires_at is not None
        record = SurveyRecord(
            survey_id=survey_id, request_id=done.request_id, platform_id=cause.platform_id,
            resident_id=done.resident_id, provider_id=done.provider_id, activity=done.activity, done_on=done.done_on,
            channel=channel, token_hash=token_hash(token), status=SENT, sent_at=now, expires_at=survey.expires_at,
        )
        await store.surveys.add(record)
        await self.save(store, survey, cause, actor=SYSTEM_ACTOR, now=now)
        contact = await store.surveys.recipient(done.request_id)
        await self._notify(store, record, NotificationKind.SURVEY, channel, contact, message, now)
        if needs_follow_up_call(channel, policy):
            await self._notify(store, record, NotificationKind.FOLLOW_UP_CALL, SendChannel.PHONE, contact, None, now)
        return survey_id

    async def sweep(self, limit: int = 100) -> SweepResult:
        """Remind or expire every survey due at the clock's now (one transaction per survey; timed by the app)."""
        now = self.clock.now()
        async with self.uow() as store:
            due = await store.surveys.due(now, limit)
        counts = {"reminded": 0, "expired": 0, "raced": 0}
        for record in due:
            try:
                outcome = await self._sweep_one(record, now)
            except ConcurrencyError:
                outcome = "raced"
            if outcome is not None:
                counts[outcome] += 1
        result = SweepResult(**counts)
        if result.reminded or result.expired or result.raced:
            log.info("survey sweep: %d reminded, %d expired, %d changed meanwhile",
                     result.reminded, result.expired, result.raced)
        return result

    async def _sweep_one(self, record: SurveyRecord, now: datetime) -> str | None:
        async with self.uow() as store:
            survey, history = await self.load(store, record.request_id)
            outcome: str | None = None
            if survey.status == SENT and survey.is_expired_at(now):
                survey.expire(now)
                outcome = "expired"
            elif (number := survey.due_reminder(now, self.policy(record.platform_id).survey.reminder_days)) is not None:
                survey.remind(number)
                first = await self._first_message(store, record.survey_id)
                await self._notify(store, record, NotificationKind.REMINDER, record.channel,
                                   first.recipient if first else None, first.secret if first else None, now)
                outcome = "reminded"
            await self.save(store, survey, history[-1], actor=SYSTEM_ACTOR, now=now)
            await store.commit()
        return outcome

    async def _first_message(self, store: Store, survey_id: str) -> OutgoingMessage | None:
        for notification in await store.surveys.notifications(survey_id):
            if notification.kind == NotificationKind.SURVEY:
                return notification
        return None

    async def _notify(self, store: Store, record: SurveyRecord, kind: NotificationKind, channel: SendChannel,
                      contact: Any, message: Sealed | Mapping[str, Any] | None, now: datetime) -> None:
        """Queue ``kind`` for the resident: ``contact`` and ``message`` (the link) stay sealed with their key."""
        policy = self.policy(record.platform_id)
        activity = next((a.label for a in policy.activities if a.code == record.activity), record.activity)
        subject, body = invitation(kind, channel, policy.name, activity, record.done_on)
        await store.surveys.add_notification(OutgoingMessage(
            platform_id=record.platform_id, request_id=record.request_id, kind=kind.value, channel=channel,
            subject=subject, body=body, recipient=contact, secret=message, resident_id=record.resident_id,
            reference=record.survey_id,
        ), now)

