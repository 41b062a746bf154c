"""Commands the feedback service accepts, and the answers a questionnaire collects."""

from __future__ import annotations

from pydantic import Field, model_validator

from shared.commands import Frozen
from shared.contracts.events.feedback import (
    FollowUpOutcome,
    PlatformAssessment,
    ProviderAssessment,
    SendChannel,
    VisitAnswerChannel,
)
from shared.inputs import Day, Moment

COMMENT_MAX = 2000




class Answers(Frozen):
    """Both parts of the questionnaire plus the free comment (which may hold personal data: it gets sealed)."""

    provider: ProviderAssessment = Field(description="The provider's work.")
    platform: PlatformAssessment = Field(description="The platform's service.")
    comment: str | None = Field(default=None, max_length=COMMENT_MAX, description="Free comment, in the resident's words.")

    @property
    def comment_text(self) -> str | None:
        text = (self.comment or "").strip()
        return text or None


class PhoneFollowUpDetails(Frozen):
    """What the operator noted on the follow-up call; ``answers`` only when the resident answered the questionnaire."""

    outcome: FollowUpOutcome = Field(description="How the call went.")
    called_at: Moment | None = Field(default=None, description="When the call was made, with its time zone "
                                                              "(default: now); not in the future.")
    answers: Answers | None = Field(default=None, description="The questionnaire, as answered on the phone.")

    @model_validator(mode="after")
    def _answers_need_a_conversation(self) -> PhoneFollowUpDetails:
        if self.answers is not None and self.outcome in (FollowUpOutcome.NO_ANSWER, FollowUpOutcome.REFUSED):
            raise ValueError("aucune réponse ne peut être enregistrée quand l'usager n'a pas répondu ou a refusé")
        return self


class RecordPhoneFollowUp(PhoneFollowUpDetails):
    platform_id: str = Field(description="Platform (from the caller's token).")
    survey_id: str = Field(description="Survey followed up.")
    operator: str = Field(min_length=1, max_length=60, description="Operator who called.")
    actor: str = Field(description="Actor of the events, e.g. operator:op-3.")


class ChannelPreference(Frozen):
    channel: SendChannel = Field(description="How the resident wants to receive questionnaires.")


class SetPreferredChannel(ChannelPreference):
    platform_id: str
    resident_id: str = Field(min_length=1, max_length=60)


class VisitAnswers(Frozen):
    """The short questionnaire of a mediation desk's visitors, anonymous: three yes-or-no questions."""

    satisfied: bool = Field(description="Satisfied with the welcome and the help received.")
    question_resolved: bool = Field(description="The question was answered or the procedure moved on.")
    would_come_back: bool = Field(description="Would come back to the desk.")
    visited_on: Day | None = Field(default=None, description="Local day of the visit (default: today); not in the "
                                                              "future.")


class RecordVisitAnswer(VisitAnswers):
    platform_id: str = Field(description="The desk (from the caller's token, or the QR code's page).")
    channel: VisitAnswerChannel = Field(description="paper (typed in by the desk) or qr_code (the visitor's own).")
    actor: str = Field(description="Actor of the event, e.g. mediator:lyon-med-1, or visitor.")
