"""Feedback: the satisfaction survey after an intervention, phone follow-ups, and the answers of the visitors of
mediation desks.

The aggregate is the survey of one request: its aggregate id (and Kafka key) is the request id,
so a request's feedback is ordered like its matching events. ``survey_id`` is the id printed on
paper questionnaires and in web links.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.base import Event, register
from shared.contracts.topics import FEEDBACK
from shared.contracts.types import Sealed


class FeedbackEvent(Event):
    aggregate_type = "survey"
    topic = FEEDBACK

    survey_id: str = Field(description="Id of the survey, as printed on the questionnaire.", examples=["srv-2k9d"])
    request_id: str = Field(description="Id of the request surveyed (the aggregate id).", examples=["req-7f3a"])


class SendChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PAPER = "paper"
    PHONE = "phone"


class AnswerChannel(StrEnum):
    WEB = "web"
    PHONE = "phone"
    PAPER = "paper"


@register
class SurveySent(FeedbackEvent):
    """The questionnaire was sent to the resident after the intervention."""

    provider_id: str = Field(description="The provider whose work is assessed.")
    channel: SendChannel = Field(description="How the questionnaire was sent.")
    expires_at: datetime = Field(description="After this the survey expires unanswered.")


@register
class SurveyReminderSent(FeedbackEvent):
    """The resident was reminded to answer."""

    channel: SendChannel = Field(description="How the reminder was sent.")
    reminder_number: int = Field(ge=1, description="1 for the first reminder, 2 for the second, ...")


@register
class SurveyExpired(FeedbackEvent):
    """The survey was not answered in time; it is no longer accepted."""

    expired_at: datetime = Field(description="When the survey expired.")


class ProviderAssessment(BaseModel):
    """The part of the questionnaire about the provider's work."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    punctuality: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    quality: int = Field(ge=1, le=5, description="1 (poor) to 5 (excellent).")
    would_recommend: bool = Field(description="Would recommend the provider.")


class PlatformAssessment(BaseModel):
    """The part of the questionnaire about the platform's service (the headline figures)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    would_call_platform_again: bool = Field(description="Would call the platform again.")
    platform_made_it_easier: bool = Field(description="The platform made finding a provider easier.")


@register
class SurveyAnswered(FeedbackEvent):
    """The resident answered the questionnaire."""

    provider_id: str = Field(description="The provider whose work is assessed.")
    channel: AnswerChannel = Field(description="How the answer came back.")
    provider: ProviderAssessment = Field(description="Assessment of the provider's work.")
    platform: PlatformAssessment = Field(description="Assessment of the platform's service.")
    comment: Sealed | None = Field(
        default=None, description="Free comment, encrypted with the resident's key (it may hold personal data)."
    )


class FollowUpOutcome(StrEnum):
    SATISFIED = "satisfied"
    ISSUE_REPORTED = "issue_reported"
    NO_ANSWER = "no_answer"
    REFUSED = "refused"


@register
class FollowUpCallLogged(FeedbackEvent):
    """An operator called the resident to follow up the intervention (quality follow-up by phone)."""

    operator: str = Field(min_length=1, max_length=60, description="Id of the operator who called.", examples=["op-3"])
    outcome: FollowUpOutcome = Field(description="How the call went.")
    called_at: datetime = Field(description="When the call was made.")


class VisitAnswerChannel(StrEnum):
    PAPER = "paper"
    QR_CODE = "qr_code"


@register
class VisitSurveyAnswered(Event):
    """A visitor of a mediation desk answered its short questionnaire (on paper, or on the page of the desk's
    QR code). Anonymous: no visitor is named."""

    aggregate_type = "visit_survey"
    topic = FEEDBACK

    answer_id: str = Field(description="Id of the answer (the aggregate id).", examples=["vsa-4e1b"])
    channel: VisitAnswerChannel = Field(description="How the answer came in.")
    visited_on: date = Field(description="Local day of the visit the answer is about.")
    satisfied: bool = Field(description="Satisfied with the welcome and the help received.")
    question_resolved: bool = Field(description="The visitor's question was answered or their procedure moved on.")
    would_come_back: bool = Field(description="Would come back to the desk.")
