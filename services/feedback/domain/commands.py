"""Commands the feedback service accepts, and the answers a questionnaire collects."""

from __future__ import annotations

from pydantic import Field, model_validator

from shared.commands import Frozen
from shared.contracts.events.feedback import (
    FollowUpOutcome,
    PlatformAssessment,
    ProviderAssessment,
    SendChannel,
)
from shared.inputs import Moment

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
