"""Inbound side: answers from the survey page (by link token) and from operators' follow-up calls.

Every answer is appended with optimistic concurrency on the survey aggregate: of two concurrent
submissions one wins, the other is retried, finds the survey answered and is refused. Nothing is
ever recorded twice.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

from services.feedback.domain.commands import (
    Answers,
    RecordPhoneFollowUp,
    SetPreferredChannel,
)
from services.feedback.domain.model import ANSWERED, EXPIRED, Survey, SurveyClosed
from services.feedback.domain.sending import token_hash
from services.feedback.service_layer.context import FeedbackContext
from services.feedback.service_layer.ports import CallToMake, SurveyQuery, SurveyRecord
from shared.contracts.events.feedback import AnswerChannel
from shared.contracts.types import Sealed
from shared.errors import Conflict, NotFound
from shared.inputs import ensure_not_future
from shared.privacy.errors import ResidentErasedError
from shared.storage.eventstore import ConcurrencyError

ATTEMPTS = 3
RESIDENT_ACTOR = "resident"
T = TypeVar("T")


class SurveyAnswering(FeedbackContext):
    async def survey_for_token(self, token: str) -> SurveyRecord:
        """The survey a link opens; ``NotFound`` for an unknown token, ``SurveyClosed`` once answered or expired."""
        async with self.uow() as store:
            record = await store.surveys.by_token_hash(token_hash(token))
        if record is None:
            raise NotFound("Questionnaire")
        if record.status == ANSWERED:
            raise SurveyClosed("survey_answered", f"survey {record.survey_id} was already answered")
        if record.status == EXPIRED or self.clock.now() >= record.expires_at:
            raise SurveyClosed("survey_expired", f"survey {record.survey_id} has expired")
        return record

    async def answer_online(self, token: str, answers: Answers) -> str:
        """Record the answers given on the survey page; returns the survey id."""

        async def attempt() -> str:
            async with self.uow() as store:
                record = await store.surveys.by_token_hash(token_hash(token))
                if record is None:
                    raise NotFound("Questionnaire")
                survey, history = await self.load(store, record.request_id)
                await self._answer(survey, record, answers, AnswerChannel.WEB)
                await self.save(store, survey, history[-1], actor=RESIDENT_ACTOR, now=self.clock.now())
                await store.commit()
            return record.survey_id

        return await _retrying(attempt)

    async def record_phone_follow_up(self, cmd: RecordPhoneFollowUp) -> bool:
        """Log an operator's follow-up call, and the answers given on it; True when the survey got answered."""

        async def attempt() -> bool:
            now = self.clock.now()
            async with self.uow() as store:
                record = await self.record_for(store, cmd.platform_id, cmd.survey_id)
                if cmd.called_at is not None:
                    ensure_not_future("called_at", cmd.called_at, now)
                survey, history = await self.load(store, record.request_id)
                survey.log_follow_up(cmd.operator, cmd.outcome, cmd.called_at or now)
                await store.surveys.calls_made(record.survey_id, now)
                if cmd.answers is not None:
                    try:
                        await self._answer(survey, record, cmd.answers, AnswerChannel.PHONE)
                    except SurveyClosed as closed:
                        raise Conflict(closed.code, closed.message) from None
                await self.save(store, survey, history[-1], actor=cmd.actor, now=now)
                await store.commit()
            return cmd.answers is not None

        return await _retrying(attempt)

    async def set_preferred_channel(self, cmd: SetPreferredChannel) -> None:
        """Store how the resident wants their next surveys; ``NotFound`` only for an unknown platform.

        By design the resident need not be known here yet: the preference may be recorded before the resident's
        first survey (e.g. when the request is taken), and feedback learns residents only from RequestLogged and
        InterventionDone events, which may not have arrived. It is kept per (platform, resident id) and read when
        the resident's next survey is sent.
        """
        self.policy(cmd.platform_id)
        async with self.uow() as store:
            await store.surveys.set_preferred_channel(cmd.platform_id, cmd.resident_id, cmd.channel, self.clock.now())
            await store.commit()

    async def calls_to_make(self, platform_id: str, offset: int = 0, limit: int = 200) -> list[CallToMake]:
        """The operators' call list: surveys by phone and follow-up calls not made yet, oldest first."""
        self.policy(platform_id)
        async with self.uow() as store:
            return await store.surveys.calls_to_make(platform_id, offset, limit)

    async def list_surveys(self, platform_id: str, query: SurveyQuery) -> list[SurveyRecord]:
        self.policy(platform_id)
        async with self.uow() as store:
            return await store.surveys.listing(platform_id, query)

    async def _answer(self, survey: Survey, record: SurveyRecord, answers: Answers, channel: AnswerChannel) -> None:
        now = self.clock.now()
        survey.check_open(now)
        comment = await self._seal_comment(record, answers.comment_text)
        survey.answer(channel, answers.provider, answers.platform, comment, now)

    async def _seal_comment(self, record: SurveyRecord, text: str | None) -> Sealed | None:
        """The comment sealed with the resident's key; dropped when the resident's data was erased."""
        if text is None:
            return None
        try:
            return await self.sealer.seal(record.resident_id, record.platform_id, {"comment": text})
        except ResidentErasedError:
            return None


async def _retrying(attempt: Callable[[], Awaitable[T]]) -> T:
    for number in range(1, ATTEMPTS + 1):
        try:
            return await attempt()
        except ConcurrencyError:
            if number == ATTEMPTS:
                raise
    raise AssertionError("unreachable")
