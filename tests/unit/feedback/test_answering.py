"""Answers online (by token) and by phone (operators), on fakes."""

from __future__ import annotations

from datetime import timedelta

import pytest

from services.feedback.domain.commands import (
    Answers,
    PhoneFollowUpDetails,
    RecordPhoneFollowUp,
    SetPreferredChannel,
)
from services.feedback.domain.model import SurveyClosed
from shared.contracts.events.feedback import (
    AnswerChannel,
    FollowUpCallLogged,
    FollowUpOutcome,
    PlatformAssessment,
    ProviderAssessment,
    SendChannel,
    SurveyAnswered,
)
from shared.errors import Conflict, DomainError, NotFound
from tests.unit.feedback.world import World

ANSWERS = Answers(provider=ProviderAssessment(punctuality=4, quality=5, would_recommend=True),
                  platform=PlatformAssessment(would_call_platform_again=True, platform_made_it_easier=False),
                  comment="  Très bien, merci à Jean  ")


def phone(survey_id: str, outcome: FollowUpOutcome = FollowUpOutcome.SATISFIED, answers: Answers | None = ANSWERS,
          platform_id: str = "limoges") -> RecordPhoneFollowUp:
    return RecordPhoneFollowUp(platform_id=platform_id, survey_id=survey_id, operator="op-3",
                               actor="operator:op-3", outcome=outcome, answers=answers)


async def test_an_online_answer_is_recorded_once_with_its_comment_sealed(world: World) -> None:
    survey_id = await world.intervention_done("req-1")
    token = world.token_of(survey_id)

    assert (await world.handlers.survey_for_token(token)).survey_id == survey_id
    assert await world.handlers.answer_online(token, ANSWERS) == survey_id

    answered = world.payloads("req-1")[-1]
    assert isinstance(answered, SurveyAnswered)
    assert (answered.channel, answered.provider_id, answered.platform.platform_made_it_easier) == (
        AnswerChannel.WEB, "prv-1", False)
    assert answered.comment is not None and answered.comment.resident_id == "res-1"
    assert world.sealer.open(answered.comment) == {"comment": "Très bien, merci à Jean"}
    assert world.events.events[-1].meta.actor == "resident"
    assert world.index.surveys[survey_id].status == "answered"


async def test_a_used_link_is_refused_and_nothing_is_recorded_twice(world: World) -> None:
    token = world.token_of(await world.intervention_done("req-1"))
    await world.handlers.answer_online(token, ANSWERS)

    with pytest.raises(SurveyClosed) as refused:
        await world.handlers.answer_online(token, ANSWERS)
    with pytest.raises(SurveyClosed):
        await world.handlers.survey_for_token(token)

    assert refused.value.code == "survey_answered"
    assert world.types("req-1") == ["SurveySent", "SurveyAnswered"]


async def test_an_unknown_token_is_not_found(world: World) -> None:
    await world.intervention_done("req-1")

    with pytest.raises(NotFound):
        await world.handlers.survey_for_token("not-a-token")
    with pytest.raises(NotFound):
        await world.handlers.answer_online("not-a-token", ANSWERS)


async def test_an_expired_link_is_refused_even_before_the_sweeper_ran(world: World) -> None:
    token = world.token_of(await world.intervention_done("req-1"))
    world.clock.advance(timedelta(days=30))

    with pytest.raises(SurveyClosed) as refused:
        await world.handlers.answer_online(token, ANSWERS)
    assert refused.value.code == "survey_expired"
    assert world.types("req-1") == ["SurveySent"]


async def test_an_empty_comment_is_not_sealed(world: World) -> None:
    token = world.token_of(await world.intervention_done("req-1"))

    await world.handlers.answer_online(token, ANSWERS.model_copy(update={"comment": "   "}))

    assert world.payloads("req-1")[-1].comment is None


async def test_answers_by_phone_log_the_call_then_the_answer(world: World) -> None:
    survey_id = await world.intervention_done("req-1", platform_id="herault")

    assert await world.handlers.record_phone_follow_up(phone(survey_id, platform_id="herault")) is True

    call, answered = world.payloads("req-1")[1:]
    assert isinstance(call, FollowUpCallLogged) and (call.operator, call.outcome) == ("op-3", FollowUpOutcome.SATISFIED)
    assert isinstance(answered, SurveyAnswered) and answered.channel is AnswerChannel.PHONE
    assert {e.meta.actor for e in world.events.events[1:]} == {"operator:op-3"}
    assert [e.meta.aggregate_version for e in world.events.events] == [1, 2, 3]


async def test_a_call_without_answer_only_logs_the_call(world: World) -> None:
    survey_id = await world.intervention_done("req-1")

    assert await world.handlers.record_phone_follow_up(phone(survey_id, FollowUpOutcome.NO_ANSWER, None)) is False

    assert world.types("req-1") == ["SurveySent", "FollowUpCallLogged"]
    assert world.index.surveys[survey_id].status == "sent"


def test_no_answers_can_come_with_a_call_nobody_took() -> None:
    with pytest.raises(ValueError, match="aucune réponse"):
        PhoneFollowUpDetails(outcome=FollowUpOutcome.NO_ANSWER, answers=ANSWERS)


@pytest.mark.parametrize(("called_at", "words"), [
    ("2026-03-02T10:00:00", "doit indiquer le fuseau horaire"),
    ("9999-12-31T23:59:59-05:00", "entre les années 2000 et 2100"),
    ("0001-01-01T00:00:00Z", "entre les années 2000 et 2100"),
])
def test_a_call_time_carries_a_time_zone_and_a_sane_year(called_at: str, words: str) -> None:
    with pytest.raises(ValueError, match=words):
        PhoneFollowUpDetails(outcome=FollowUpOutcome.NO_ANSWER, called_at=called_at)


async def test_a_call_cannot_be_logged_in_the_future_of_the_service_clock(world: World) -> None:
    survey_id = await world.intervention_done("req-1")
    later = phone(survey_id, FollowUpOutcome.NO_ANSWER, None).model_copy(
        update={"called_at": world.clock.now() + timedelta(hours=2)})

    with pytest.raises(DomainError, match=r"called_at .* est dans le futur"):
        await world.handlers.record_phone_follow_up(later)
    assert world.types("req-1") == ["SurveySent"]
    just_now = later.model_copy(update={"called_at": world.clock.now() + timedelta(minutes=5)})
    assert await world.handlers.record_phone_follow_up(just_now) is False


async def test_phone_answers_to_an_answered_survey_conflict_and_record_nothing(world: World) -> None:
    survey_id = await world.intervention_done("req-1")
    await world.handlers.answer_online(world.token_of(survey_id), ANSWERS)

    with pytest.raises(Conflict) as conflict:
        await world.handlers.record_phone_follow_up(phone(survey_id))

    assert conflict.value.code == "survey_answered"
    assert world.types("req-1") == ["SurveySent", "SurveyAnswered"]


async def test_a_survey_of_another_platform_is_not_found(world: World) -> None:
    survey_id = await world.intervention_done("req-1")

    with pytest.raises(NotFound):
        await world.handlers.record_phone_follow_up(phone(survey_id, platform_id="herault"))


async def test_a_preferred_channel_is_kept_for_the_next_surveys(world: World) -> None:
    await world.handlers.set_preferred_channel(SetPreferredChannel(platform_id="limoges", resident_id="res-1",
                                                                   channel=SendChannel.SMS))
    await world.intervention_done("req-1")

    assert world.payloads("req-1")[0].channel is SendChannel.SMS
    with pytest.raises(NotFound):
        await world.handlers.set_preferred_channel(SetPreferredChannel(platform_id="nowhere", resident_id="res-1",
                                                                       channel=SendChannel.SMS))
