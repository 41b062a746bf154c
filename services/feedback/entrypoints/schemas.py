"""Response bodies of the feedback HTTP API."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import BaseModel, Field

from services.feedback.domain.satisfaction import Tally
from services.feedback.service_layer.ports import CallToMake, SurveyRecord
from shared.contracts.events.feedback import SendChannel


class CallToMakeOut(BaseModel):
    """A call on the operators' list; recording it (``POST .../surveys/{survey_id}/phone-answers``) takes it off."""

    survey_id: str
    request_id: str
    reason: str = Field(description="In French: the survey to take by phone, or the follow-up call after it.")
    queued_at: datetime

    @classmethod
    def of(cls, call: CallToMake) -> CallToMakeOut:
        reason = ("questionnaire à recueillir par téléphone" if call.kind == "survey"
                  else "relance du questionnaire par téléphone" if call.kind == "reminder"
                  else "appel de suivi après l'intervention")
        return cls(survey_id=call.survey_id, request_id=call.request_id, reason=reason, queued_at=call.queued_at)


class SurveySummary(BaseModel):
    survey_id: str
    request_id: str
    provider_id: str
    activity: str
    done_on: date
    channel: SendChannel
    status: str = Field(description="sent, answered or expired.")
    sent_at: datetime
    expires_at: datetime
    reminders_sent: int

    @classmethod
    def of(cls, record: SurveyRecord) -> SurveySummary:
        return cls(**{name: getattr(record, name) for name in cls.model_fields})


class PhoneFollowUpRecorded(BaseModel):
    survey_id: str
    answered: bool = Field(description="True when the questionnaire was answered on the call.")


class Figures(BaseModel):
    """Satisfaction figures of a set of answers; rates are fractions (0.9333 = 93.33 %), null without answers."""

    answers: int
    satisfaction_rate: Decimal | None = Field(description="Share of satisfied answers (would recommend, both scores >= 3).")
    would_call_platform_again_rate: Decimal | None = Field(description="Headline: would call the platform again.")
    platform_made_it_easier_rate: Decimal | None = Field(description="Headline: the platform made it easier.")
    would_recommend_rate: Decimal | None
    punctuality_average: Decimal | None = Field(description="Average punctuality score, 1-5.")
    quality_average: Decimal | None = Field(description="Average quality score, 1-5.")

    @classmethod
    def of(cls, tally: Tally) -> Figures:
        return cls(answers=tally.answers, **{name: getattr(tally, name) for name in list(cls.model_fields)[1:]})


class MonthFigures(Figures):
    month: str = Field(description="YYYY-MM, in the platform's time zone.")


class ProviderFigures(Figures):
    provider_id: str
    months: list[MonthFigures]


class SatisfactionReport(BaseModel):
    platform_id: str
    since: str | None
    until: str | None
    platform: Figures = Field(description="The whole platform over the period.")
    months: list[MonthFigures]
    providers: list[ProviderFigures]


class Alert(BaseModel):
    """A provider whose satisfaction fell below the platform's threshold: for the committee, never a suspension."""

    provider_id: str
    status: str = Field(description="open, or cleared once satisfaction came back above the threshold.")
    satisfaction_rate: Decimal
    threshold: Decimal
    answers: int = Field(description="Answers of the last 12 months counted.")
    raised_at: datetime
    updated_at: datetime
    cleared_at: datetime | None
