"""Intake: calls logged by operators, the online form and the answering machine; visits logged at mediation desks."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import Field

from shared.contracts.base import Event, register
from shared.contracts.topics import REQUESTS
from shared.contracts.types import (
    ActivityCode,
    Channel,
    CommuneCode,
    FragilePublic,
    PartnerCode,
    Sealed,
    TimeWindow,
    TopicCode,
)
from shared.contracts.upcasting import upcaster


class RequestEvent(Event):
    aggregate_type = "request"
    topic = REQUESTS


@register
class RequestLogged(RequestEvent):
    """A resident asked for a home service; the request now waits for a provider."""

    schema_version = 2

    request_id: str = Field(description="Id of the request (the aggregate id).", examples=["req-7f3a"])
    channel: Channel = Field(description="How the request came in.")
    activity: ActivityCode
    commune: CommuneCode
    availability: list[TimeWindow] = Field(default_factory=list, description="When the resident is available.")
    fragile_publics: list[FragilePublic] = Field(
        default_factory=list, description="Fragile publics the request concerns, as the caller named them. The "
        "platform's policy decides, per activity, which of them need a provider holding an agrément."
    )
    resident_id: str = Field(description="Pseudonymous resident id (no personal data).")
    contact: Sealed = Field(description="Name, phone, address and email of the resident, encrypted.")


@upcaster("RequestLogged", 1)
def _request_logged_v1_to_v2(payload: dict) -> dict:
    """v1 had a single ``fragile_public: bool``; v2 names which fragile publics are concerned.

    A v1 ``True`` cannot say which public it was: it becomes ``["elderly"]``, the most common case
    in the platforms' records, which still routes the request to accredited providers only.
    """
    data = dict(payload)
    fragile = data.pop("fragile_public", False)
    data["fragile_publics"] = ["elderly"] if fragile else []
    return data


class InformationTopic(StrEnum):
    """The four topics every platform counted before topics became policy data (schema v1 of
    :class:`InformationCallLogged`); home-service platforms list them in their policy, group ``home_services``."""

    TAX_ADVANTAGES = "tax_advantages"
    RATES = "rates"
    EMPLOYER_STATUS = "employer_status"
    OTHER = "other"


HOME_SERVICES_GROUP = "home_services"
"""The policy group of the four :class:`InformationTopic` (where schema v1's calls count)."""


@register
class InformationCallLogged(RequestEvent):
    """A caller wanted information only; the answer was given and the call is counted."""

    schema_version = 2

    request_id: str = Field(description="Id of the call record (the aggregate id).")
    channel: Channel = Field(description="How the call came in.")
    topic_asked: TopicCode = Field(description="What the caller asked about: a topic of the platform's policy.")
    topic_group: TopicCode = Field(description="The group of that topic in the policy when the call was logged.",
                                   examples=["home_services"])
    answer: str = Field(max_length=2000, description="The answer given (no personal data).")
    commune: CommuneCode | None = Field(default=None, description="Caller's commune when known.")


@upcaster("InformationCallLogged", 1)
def _information_call_v1_to_v2(payload: dict) -> dict:
    """v1 named one of four fixed topics; v2 names a topic of the platform's policy and its group. The four
    fixed topics are the home-service platforms' policy entries, all in group ``home_services``."""
    return {**payload, "topic_group": HOME_SERVICES_GROUP}


@register
class VoicemailLogged(RequestEvent):
    """A message left on the answering machine out of hours; it waits in the callback queue."""

    request_id: str = Field(description="Id of the callback entry (the aggregate id).")
    resident_id: str = Field(description="Pseudonymous resident id.")
    contact: Sealed = Field(description="Caller's name, phone and message, encrypted.")
    left_at_local: str = Field(description="Local time the message was left, ISO 8601.")


@register
class RequestCancelled(RequestEvent):
    """The resident cancelled the request."""

    request_id: str = Field(description="Id of the cancelled request.")
    reason: str = Field(default="", max_length=500, description="Why, in the operator's words (no personal data).")


class CallbackOutcome(StrEnum):
    REQUEST_LOGGED = "request_logged"
    INFORMATION_GIVEN = "information_given"
    NO_ANSWER = "no_answer"
    NOT_NEEDED = "not_needed"


@register
class VoicemailCalledBack(RequestEvent):
    """An operator called back a caller from the answering-machine queue; the entry leaves the queue, unless
    nobody answered (``no_answer``: one more attempt, the entry stays to be called again)."""

    request_id: str = Field(description="Id of the callback entry (the aggregate id).")
    outcome: CallbackOutcome = Field(description="What came of the call back.")
    follow_up_id: str | None = Field(default=None, description="Request or information call logged during the call back.")


@register
class VoicemailUnanswered(RequestEvent):
    """Nobody called back a message of the answering machine before the platform's callback deadline.

    The observatory counts it as unmet demand (reason ``out_of_hours_never_called_back``); the entry stays
    in the callback queue, so a late call back is still recorded.
    """

    request_id: str = Field(description="Id of the callback entry (the aggregate id).")
    deadline_at: datetime = Field(description="The callback deadline that passed.")


class VisitAction(StrEnum):
    INFORMED = "informed"
    HELPED_WITH_PROCEDURE = "helped_with_procedure"
    HELPED_ONLINE = "helped_online"
    ORIENTED = "oriented"
    APPOINTMENT_MADE = "appointment_made"


@register
class VisitLogged(Event):
    """A visitor came to a mediation desk and a mediator dealt with their question; the visit is counted.

    No personal data: only when a follow-up is promised does ``follow_up_contact`` carry the visitor's
    contact, sealed with their own key.
    """

    aggregate_type = "visit"
    topic = REQUESTS

    visit_id: str = Field(description="Id of the visit (the aggregate id).", examples=["vis-3c9e"])
    visited_at: datetime = Field(description="When the visitor was received (timezone-aware).")
    topic_asked: TopicCode = Field(description="What the visit was about: a topic of the desk's policy.")
    topic_group: TopicCode = Field(description="The group of that topic in the policy when the visit was logged.",
                                   examples=["partner_services"])
    partner: PartnerCode | None = Field(default=None, description="Partner organisation the topic concerns, if one.")
    actions: list[VisitAction] = Field(min_length=1, description="What the mediator did, in the order done.")
    oriented_to: str | None = Field(default=None, max_length=200,
                                    description="The service the visitor was oriented to (with action oriented).")
    minutes_spent: int = Field(ge=1, le=480, description="Time the mediator spent, in minutes.")
    commune: CommuneCode | None = Field(default=None, description="Visitor's commune when they said it.")
    follow_up_contact: Sealed | None = Field(
        default=None, description="Visitor's name and phone or email, encrypted, when a follow-up was promised.")
