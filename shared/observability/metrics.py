"""Domain metrics of a service, counted from the events its outbox relay has published.

Names follow the Prometheus conventions: a ``relais_`` prefix, base units (``euros``), ``_total``
for counters. Labels are few and bounded: platform, channel, topic asked, reason, fee kind, event
type, consumer. Never a request, resident or provider id.

Each service counts only the events it publishes (intake: requests and information calls;
matching: assignments, orientations, deadlines missed, unmet demand; feedback: surveys; billing:
fees), so summing a metric over the services counts every event once. Counters start at zero when
the process starts; dashboards and alerts use ``rate``/``increase``. The label values an event type
can take are created at zero up front (for the events the service produces and the platforms it
serves), so that the first event of a kind shows up in ``increase`` too.

Fee adjustments (``FeeAdjusted``) may be negative and are not counted: a counter never goes down.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any, Protocol

from prometheus_client import CollectorRegistry, Counter
from pydantic import BaseModel

from shared.contracts.base import catalogue
from shared.contracts.events.feedback import AnswerChannel, SendChannel
from shared.contracts.events.intake import InformationTopic
from shared.contracts.events.matching import UnmetReason
from shared.contracts.topics import spec
from shared.contracts.types import Channel

PREFIX = "relais_"


class ObservedEvent(Protocol):
    """An :class:`~shared.contracts.envelope.Envelope` or a relay's ``PublishedEvent``."""

    @property
    def meta(self) -> Any: ...

    @property
    def payload(self) -> Any: ...


@dataclass(frozen=True)
class _Rule:
    """How one event type moves one counter."""

    metric: str
    label: str | None = None
    values: tuple[str, ...] = ()
    fixed: str | None = None
    amount: str | None = None


def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(member.value) for member in enum)


RULES: Mapping[str, _Rule] = {
    "RequestLogged": _Rule("requests_logged", "channel", _values(Channel)),
    "InformationCallLogged": _Rule("information_calls", "topic_asked", _values(InformationTopic)),
    "ProviderAssigned": _Rule("assignments"),
    "ProvidersOriented": _Rule("orientations"),
    "ContactDeadlineMissed": _Rule("deadlines_missed"),
    "RequestUnmet": _Rule("unmet_requests", "reason", _values(UnmetReason)),
    "VoicemailUnanswered": _Rule("unmet_requests", fixed=UnmetReason.OUT_OF_HOURS_NEVER_CALLED_BACK.value),
    "SurveySent": _Rule("surveys_sent", "channel", _values(SendChannel)),
    "SurveyAnswered": _Rule("surveys_answered", "channel", _values(AnswerChannel)),
    "FeeCharged": _Rule("fees_charged", fixed="intervention", amount="amount"),
    "MembershipFeeCharged": _Rule("fees_charged", fixed="membership", amount="amount"),
}
"""Event type -> the counter it increments (by 1, or by the payload's ``amount``)."""


class DomainMetrics:
    """The counters of one service, registered on its ``registry``."""

    def __init__(self, registry: CollectorRegistry) -> None:
        def counter(name: str, documentation: str, labels: Sequence[str]) -> Counter:
            return Counter(PREFIX + name, documentation, list(labels), registry=registry)

        self.requests_logged = counter("requests_logged_total", "Service requests logged.", ["platform", "channel"])
        self.information_calls = counter("information_calls_total", "Information-only calls logged.", ["platform", "topic"])
        self.assignments = counter("assignments_total", "Requests offered to the provider whose turn it was.", ["platform"])
        self.orientations = counter("orientations_total", "Callers given the nearest structures.", ["platform"])
        self.deadlines_missed = counter("deadlines_missed_total", "Contact deadlines missed by providers.", ["platform"])
        self.unmet_requests = counter("unmet_requests_total", "Requests nobody could serve.", ["platform", "reason"])
        self.surveys_sent = counter("surveys_sent_total", "Satisfaction surveys sent.", ["platform", "channel"])
        self.surveys_answered = counter("surveys_answered_total", "Satisfaction surveys answered.", ["platform", "channel"])
        self.fees_charged = counter("fees_charged_euros_total", "Fees charged to providers, in euros.", ["platform", "kind"])
        self.events_published = counter("events_published_total", "Events published by the outbox relay.", ["event_type"])
        self.dead_letters = counter("dead_letters_total", "Records sent to the dead-letter topic.", ["consumer"])

    def start_at_zero(self, service: str, platforms: Iterable[str], consumers: Iterable[str] = ()) -> None:
        """Create at zero every series ``service`` can move for ``platforms`` and its ``consumers``."""
        for consumer in consumers:
            self.dead_letters.labels(consumer)
        platforms = sorted(platforms)
        for event_type in produced_by(service):
            self.events_published.labels(event_type)
            rule = RULES.get(event_type)
            if rule is None:
                continue
            second = rule.values or ((rule.fixed,) if rule.fixed else ())
            for platform in platforms:
                for value in second or (None,):
                    self._series(rule, platform, value)

    def observe(self, event: ObservedEvent) -> None:
        """Count one published event."""
        meta = event.meta
        self.events_published.labels(meta.event_type).inc()
        rule = RULES.get(meta.event_type)
        if rule is None:
            return
        value = rule.fixed or (_field(event.payload, rule.label) if rule.label else None)
        amount = float(Decimal(str(_field(event.payload, rule.amount)))) if rule.amount else 1.0
        self._series(rule, meta.platform_id, value).inc(amount)

    def observe_published(self, events: Sequence[ObservedEvent]) -> None:
        """The outbox relay's ``on_published`` hook."""
        for event in events:
            self.observe(event)

    def count_dead_letters(self, consumer: str, count: int) -> None:
        self.dead_letters.labels(consumer).inc(count)

    def _series(self, rule: _Rule, platform: str, value: str | None) -> Any:
        counter: Counter = getattr(self, rule.metric)
        return counter.labels(platform, value) if value is not None else counter.labels(platform)


def observe(metrics: DomainMetrics, event: ObservedEvent) -> None:
    """Count one published event on ``metrics`` (see :data:`RULES`)."""
    metrics.observe(event)


def produced_by(service: str) -> list[str]:
    """The event types ``service`` publishes (the producer of their topic), sorted."""
    return [name for name, cls in catalogue().items() if spec(cls.topic).producer == service]


def _field(payload: Mapping[str, Any] | BaseModel, name: str) -> Any:
    value = payload[name] if isinstance(payload, Mapping) else getattr(payload, name)
    return value.value if isinstance(value, Enum) else value
