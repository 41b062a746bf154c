"""Commands the intake service accepts (imperative: what someone asks it to do).

Each command is the details a caller gives (``*Details``, also the HTTP body) plus who asks
and for which platform (from the caller's token, never from the body).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from shared.commands import Command, Frozen
from shared.contracts.events.intake import CallbackOutcome, VisitAction
from shared.contracts.types import (
    ActivityCode,
    Channel,
    CommuneCode,
    FragilePublic,
    TopicCode,
)
from shared.inputs import AvailabilityWindow, LocalMoment
from shared.privacy.contact import ResidentContact


class RequestDetails(Frozen):
    """A service request as the operator (or the online form) takes it."""

    channel: Channel = Field(description="How the request came in.")
    activity: ActivityCode
    commune: CommuneCode
    availability: list[AvailabilityWindow] = Field(
        default_factory=list, max_length=20,
        description="When the resident is available: timezone-aware windows of at most 31 days, years 2000-2100.")
    fragile_publics: list[FragilePublic] = Field(
        default_factory=list, description="Fragile publics the request concerns (elderly, disabled, child_under_3), "
                                          "as the caller says; the policy decides which need an agrément.")
    contact: ResidentContact = Field(description="Resident's contact details.")
    resident_id: str | None = Field(default=None, max_length=60, description="Known resident id (a returning caller).")


class InformationCallDetails(Frozen):
    """An information-only call: what was asked and the answer given."""

    channel: Channel = Field(description="How the call came in.")
    topic_asked: TopicCode = Field(description="What the caller asked about: a topic of the platform's policy.")
    answer: str = Field(min_length=1, max_length=2000, description="The answer given (no personal data).")
    commune: CommuneCode | None = Field(default=None, description="Caller's commune when known.")


class VoicemailDetails(Frozen):
    """A message left on the answering machine, as transcribed."""

    contact: ResidentContact = Field(description="Caller's contact details and message.")
    left_at_local: LocalMoment = Field(description="Local time the message was left, ISO 8601 (e.g. 2026-12-05T18:40:00); "
                                                   "not in the future.")


class VisitDetails(Frozen):
    """A visit to a mediation desk as the mediator logs it, in a few keystrokes: no personal data needed."""

    topic_asked: TopicCode = Field(description="What the visit was about: a topic of the desk's policy.")
    actions: list[VisitAction] = Field(min_length=1, max_length=5, description="What the mediator did: informed, "
                                       "helped_with_procedure, helped_online, oriented, appointment_made.")
    oriented_to: str | None = Field(default=None, min_length=1, max_length=200,
                                    description="The service the visitor was oriented to (required with oriented).")
    minutes_spent: int = Field(ge=1, le=480, description="Time spent with the visitor, in minutes.")
    commune: CommuneCode | None = Field(default=None, description="Visitor's commune when they said it.")
    visited_at_local: LocalMoment | None = Field(
        default=None, description="When the visitor was received, local time (e.g. 2026-12-05T10:40:00); now if absent.")
    follow_up_contact: ResidentContact | None = Field(
        default=None, description="Visitor's name and phone or email when a follow-up is promised (kept sealed).")

    @model_validator(mode="after")
    def _orientation_named(self) -> VisitDetails:
        if (VisitAction.ORIENTED in self.actions) != (self.oriented_to is not None):
            raise ValueError("oriented_to : nommez le service vers lequel le visiteur est orienté, et seulement "
                             "quand il l'est (action « orienté vers un service »)")
        if len(set(self.actions)) != len(self.actions):
            raise ValueError("actions : une même action est indiquée deux fois")
        return self


class CancellationDetails(Frozen):
    reason: str = Field(default="", max_length=500, description="Why (no personal data).")


class Idempotent(Command):
    idempotency_key: str | None = Field(
        default=None, min_length=8, max_length=200,
        description="The caller's key for this one call (HTTP header Idempotency-Key; the public form's stamp): a "
                    "retried or doubled command with the same key records nothing new and returns the first id.")


class LogRequest(Idempotent, RequestDetails):
    pass


class LogInformationCall(Idempotent, InformationCallDetails):
    pass


class LogVoicemail(Idempotent, VoicemailDetails):
    pass


class LogVisit(Idempotent, VisitDetails):
    pass


class CancelRequest(Command, CancellationDetails):
    request_id: str = Field(description="Request to cancel.")


class CallbackDetails(Frozen):
    outcome: CallbackOutcome = Field(description="What came of the call back.")
    follow_up_id: str | None = Field(default=None, max_length=60, description="Request or call logged meanwhile.")


class CompleteCallback(Command, CallbackDetails):
    entry_id: str = Field(description="Callback queue entry (the voicemail id).")
