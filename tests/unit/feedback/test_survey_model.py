"""The Survey aggregate: sent once, reminded, answered at most once, expired."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.feedback.domain.model import ANSWERED, EXPIRED, SENT, Survey, SurveyClosed
from shared.contracts.envelope import new_envelope
from shared.contracts.events.feedback import (
    AnswerChannel,
    FollowUpCallLogged,
    FollowUpOutcome,
    PlatformAssessment,
    ProviderAssessment,
    SendChannel,
    SurveyAnswered,
)
from shared.errors import Conflict, NotFound

SENT_AT = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
GOOD = ProviderAssessment(punctuality=5, quality=4, would_recommend=True)
EASY = PlatformAssessment(would_call_platform_again=True, platform_made_it_easier=True)


def sent_survey() -> Survey:
    survey = Survey("req-1")
    survey.send("srv-1", "prv-1", SendChannel.EMAIL, SENT_AT, expiry_days=30)
    history = [new_envelope(event, platform_id="limoges", aggregate_id="req-1", aggregate_version=i + 1,
                            actor="system:feedback", occurred_at=SENT_AT) for i, event in enumerate(survey.pending)]
    return Survey.from_history("req-1", history)


def test_a_sent_survey_is_rebuilt_from_its_history() -> None:
    survey = sent_survey()

    assert (survey.status, survey.version, survey.survey_id, survey.provider_id) == (SENT, 1, "srv-1", "prv-1")
    assert survey.sent_at == SENT_AT
    assert survey.expires_at == SENT_AT + timedelta(days=30)


def test_a_request_gets_one_survey_only() -> None:
    with pytest.raises(Conflict):
        sent_survey().send("srv-2", "prv-1", SendChannel.EMAIL, SENT_AT, expiry_days=30)


def test_reminders_fall_due_on_the_policy_days_and_overdue_ones_are_merged() -> None:
    survey = sent_survey()
    days = [7, 14]

    assert survey.due_reminder(SENT_AT + timedelta(days=6, hours=23), days) is None
    assert survey.due_reminder(SENT_AT + timedelta(days=7), days) == 1
    assert survey.due_reminder(SENT_AT + timedelta(days=15), days) == 2
    survey.remind(1)
    assert survey.next_reminder_at(days) == SENT_AT + timedelta(days=14)
    assert survey.due_reminder(SENT_AT + timedelta(days=8), days) is None
    survey.remind(2)
    assert survey.next_reminder_at(days) is None


def test_an_answer_closes_the_survey_and_a_second_one_is_refused() -> None:
    survey = sent_survey()
    survey.answer(AnswerChannel.WEB, GOOD, EASY, None, SENT_AT + timedelta(days=1))

    assert survey.status == ANSWERED
    assert isinstance(survey.pending[-1], SurveyAnswered)
    assert survey.pending[-1].provider_id == "prv-1"
    with pytest.raises(SurveyClosed) as refused:
        survey.answer(AnswerChannel.WEB, GOOD, EASY, None, SENT_AT + timedelta(days=1))
    assert (refused.value.code, refused.value.status) == ("survey_answered", 410)
    assert survey.due_reminder(SENT_AT + timedelta(days=8), [7]) is None


def test_a_survey_past_its_expiry_takes_no_answer_and_expires() -> None:
    survey = sent_survey()
    late = SENT_AT + timedelta(days=30)

    with pytest.raises(SurveyClosed) as refused:
        survey.answer(AnswerChannel.WEB, GOOD, EASY, None, late)
    assert refused.value.code == "survey_expired"
    survey.expire(late)
    assert survey.status == EXPIRED
    assert survey.due_reminder(late, [7, 14]) is None


def test_expiring_before_the_expiry_date_is_a_mistake() -> None:
    survey = sent_survey()

    with pytest.raises(Exception, match="pas encore arrivé à expiration"):
        survey.expire(SENT_AT + timedelta(days=29))


def test_a_follow_up_call_is_logged_on_an_existing_survey_only() -> None:
    survey = sent_survey()
    survey.log_follow_up("op-3", FollowUpOutcome.NO_ANSWER, SENT_AT)

    assert isinstance(survey.pending[-1], FollowUpCallLogged)
    assert survey.status == SENT
    with pytest.raises(NotFound):
        Survey("req-unknown").log_follow_up("op-3", FollowUpOutcome.SATISFIED, SENT_AT)
