"""The Request aggregate: rebuilt from its events, it decides which new events a command yields."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from shared.aggregate import Aggregate
from shared.contracts.base import Event
from shared.contracts.envelope import Envelope
from shared.contracts.events.intake import (
    CallbackOutcome,
    InformationCallLogged,
    RequestCancelled,
    RequestLogged,
    VoicemailCalledBack,
    VoicemailLogged,
    VoicemailUnanswered,
)
from shared.errors import Conflict, DomainError
from shared.platforms.model import PlatformPolicy
from shared.platforms.topics import Topic, TopicGroup

OPEN, CANCELLED, ANSWERED = "open", "cancelled", "answered"
WAITING_CALLBACK, CALLED_BACK, UNANSWERED = "waiting_callback", "called_back", "unanswered"


@dataclass
class Request(Aggregate):
    request_id: str
    platform_id: str = ""
    status: str = OPEN
    callback_attempts: int = 0

    @classmethod
    def from_history(cls, request_id: str, events: Iterable[Envelope[Any]]) -> Request:
        return cls(request_id).replay(events)

    def _observe(self, envelope: Envelope[Any]) -> None:
        self.platform_id = envelope.meta.platform_id

    def cancel(self, reason: str) -> None:
        if self.status == CANCELLED:
            raise Conflict("already_cancelled", "La demande est déjà annulée.")
        if self.status in (ANSWERED, WAITING_CALLBACK, CALLED_BACK, UNANSWERED):
            raise DomainError("not_cancellable", "Seule une demande de service peut être annulée.")
        self.record(RequestCancelled(request_id=self.request_id, reason=self.reason_text(reason)))

    def complete_callback(self, outcome: str, follow_up_id: str | None) -> None:
        """Record a call back; one that got no answer counts an attempt and leaves the message in the queue."""
        if self.status not in (WAITING_CALLBACK, UNANSWERED):
            raise Conflict("not_waiting", "Ce message n'attend plus de rappel.")
        self.record(VoicemailCalledBack(request_id=self.request_id, outcome=outcome, follow_up_id=follow_up_id))

    def miss_callback_deadline(self, deadline_at: datetime) -> None:
        """Record that nobody called back in time; does nothing if the entry left the queue meanwhile."""
        if self.status == WAITING_CALLBACK:
            self.record(VoicemailUnanswered(request_id=self.request_id, deadline_at=deadline_at))

    @staticmethod
    def reason_text(reason: str) -> str:
        return " ".join(reason.split())

    def _apply(self, event: Event) -> None:
        if isinstance(event, RequestLogged):
            self.status = OPEN
        elif isinstance(event, InformationCallLogged):
            self.status = ANSWERED
        elif isinstance(event, VoicemailLogged):
            self.status = WAITING_CALLBACK
        elif isinstance(event, VoicemailUnanswered):
            self.status = UNANSWERED
        elif isinstance(event, VoicemailCalledBack):
            if event.outcome is CallbackOutcome.NO_ANSWER:
                self.callback_attempts += 1
            else:
                self.status = CALLED_BACK
        elif isinstance(event, RequestCancelled):
            self.status = CANCELLED


def topic_of(policy: PlatformPolicy, code: str) -> tuple[TopicGroup, Topic]:
    """The topic ``code`` of the platform's policy and its group; :class:`DomainError` if the policy does not list it."""
    try:
        return policy.topic(code)
    except KeyError:
        raise DomainError("unknown_topic", "Ce sujet ne figure pas parmi les sujets d'information de la plateforme.",
                          field="topic_asked") from None


def check_request_fits_policy(policy: PlatformPolicy, activity: str, commune: str) -> None:
    """Raise :class:`DomainError` unless the platform offers ``activity`` and knows ``commune``."""
    if activity not in policy.activity_codes():
        raise DomainError("unknown_activity", "Cette activité n'est pas proposée par la plateforme.")
    if commune not in policy.commune_codes():
        raise DomainError("unknown_commune", "Cette commune n'est pas desservie par la plateforme.")
