"""The feedback service on a real store: the survey process manager, answers, the sweeper."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import orjson
import pytest

from services.feedback.domain.commands import Answers, RecordPhoneFollowUp
from services.feedback.domain.model import SurveyClosed
from services.feedback.domain.sending import token_hash
from services.feedback.service_layer.projections import survey_process
from shared.contracts.codec import from_json_dict
from shared.contracts.events.feedback import (
    FollowUpOutcome,
    PlatformAssessment,
    ProviderAssessment,
)
from shared.contracts.types import Sealed
from tests.integration.feedback.harness import (
    PREFIX,
    START,
    FeedbackStore,
    intervention_done,
)

pytestmark = pytest.mark.integration

ANSWERS = Answers(provider=ProviderAssessment(punctuality=5, quality=4, would_recommend=True),
                  platform=PlatformAssessment(would_call_platform_again=True, platform_made_it_easier=True),
                  comment="Madame Martin est très contente")


async def open_survey(store: FeedbackStore, request_id: str = "req-1") -> str:
    await store.deliver(survey_process(store.handlers, store.metadata, PREFIX), intervention_done(request_id))
    (survey,) = await store.rows("surveys", request_id=request_id)
    return str(survey["survey_id"])


async def test_an_intervention_delivered_twice_sends_one_survey_in_the_outbox(feedback_store: FeedbackStore) -> None:
    process = survey_process(feedback_store.handlers, feedback_store.metadata, PREFIX)
    done = intervention_done("req-1")

    first = await feedback_store.deliver(process, done)
    again = await feedback_store.deliver(process, done)

    assert (first.applied, again.duplicates) == (1, 1)
    (event,) = await feedback_store.rows("events", aggregate_id="req-1")
    assert (event["event_type"], event["topic"], event["published_at"]) == ("SurveySent", "it.relais.feedback", None)
    (survey,) = await feedback_store.rows("surveys", request_id="req-1")
    token = await feedback_store.token_of(survey["survey_id"])
    assert survey["token_hash"] == token_hash(token)
    (notification,) = await feedback_store.rows("notifications", reference=survey["survey_id"])
    assert (notification["kind"], notification["channel"]) == ("survey", "paper")
    assert token not in notification["message"]


async def test_a_double_submit_records_a_single_answer(feedback_store: FeedbackStore) -> None:
    token = await feedback_store.token_of(await open_survey(feedback_store))

    outcomes = await asyncio.gather(*(feedback_store.handlers.answer_online(token, ANSWERS) for _ in range(2)),
                                    return_exceptions=True)

    assert sorted(type(outcome).__name__ for outcome in outcomes) == ["SurveyClosed", "str"]
    assert await feedback_store.event_types("req-1") == ["SurveySent", "SurveyAnswered"]
    with pytest.raises(SurveyClosed):
        await feedback_store.handlers.survey_for_token(token)


async def test_the_comment_is_stored_sealed_with_the_residents_key(feedback_store: FeedbackStore) -> None:
    token = await feedback_store.token_of(await open_survey(feedback_store))
    await feedback_store.handlers.answer_online(token, ANSWERS)

    (answered,) = [row for row in await feedback_store.rows("events", aggregate_id="req-1")
                   if row["event_type"] == "SurveyAnswered"]
    assert "Martin" not in answered["document"]
    comment: Sealed = from_json_dict(orjson.loads(answered["document"])).payload.comment
    opened = await feedback_store.vault.unseal(comment, reader="system:test", purpose="read survey comment")
    assert opened == {"comment": "Madame Martin est très contente"}


async def test_the_sweeper_reminds_then_expires_on_the_real_store(feedback_store: FeedbackStore) -> None:
    survey_id = await open_survey(feedback_store)
    handlers, clock = feedback_store.handlers, feedback_store.clock

    clock.advance(timedelta(days=7))
    assert (await handlers.sweep()).reminded == 1
    assert (await handlers.sweep()).reminded == 0
    (survey,) = await feedback_store.rows("surveys", survey_id=survey_id)
    assert survey["reminders_sent"] == 1
    clock.advance(timedelta(days=23))
    result = await handlers.sweep()

    assert (result.reminded, result.expired) == (0, 1)
    assert await feedback_store.event_types("req-1") == ["SurveySent", "SurveyReminderSent", "SurveyExpired"]
    kinds = [row["kind"] for row in await feedback_store.rows("notifications", reference=survey_id)]
    assert sorted(kinds) == ["reminder", "survey"]
    assert (await handlers.sweep()).expired == 0


async def test_phone_answers_log_the_call_and_the_answer(feedback_store: FeedbackStore) -> None:
    survey_id = await open_survey(feedback_store)
    feedback_store.clock.advance(timedelta(days=2))

    answered = await feedback_store.handlers.record_phone_follow_up(RecordPhoneFollowUp(
        platform_id="limoges", survey_id=survey_id, operator="op-3", actor="operator:op-3",
        outcome=FollowUpOutcome.SATISFIED, called_at=START + timedelta(days=2), answers=ANSWERS))

    assert answered is True
    assert await feedback_store.event_types("req-1") == ["SurveySent", "FollowUpCallLogged", "SurveyAnswered"]
    (survey,) = await feedback_store.rows("surveys", survey_id=survey_id)
    assert survey["status"] == "answered"
