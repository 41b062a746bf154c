"""A FastStream application that only *describes* the federation bus, for the AsyncAPI document.

One publisher per topic of :data:`shared.contracts.topics.TOPICS`; its message schema is the
union of the envelopes of the events the topic carries. Nothing connects: the broker object is
never started, so importing this module has no side effect. Regenerate the document with
``python -m shared.contracts.docs`` (or ``faststream docs gen shared.contracts.asyncapi_app:app``).
"""

from __future__ import annotations

from typing import Any, Union

from faststream import FastStream
from faststream.kafka import KafkaBroker
from faststream.specification import AsyncAPI

from shared.contracts.base import Event, catalogue
from shared.contracts.envelope import Envelope
from shared.contracts.topics import TOPICS, TopicSpec

DESCRIPTION = """\
The event bus shared by the services of a federation of local home-service platforms.

Every record value is the JSON document `{"meta": ..., "payload": ...}` (see the envelope schemas);
the record key is the aggregate id (the topic's partition key); the headers repeat `event_type`,
`schema_version`, `platform_id`, `event_id` and `correlation_id`. Consumers upcast older schema
versions before validating, and send records they cannot decode to `relais.deadletter`.
Physical topic names carry the prefix `RELAIS_TOPIC_PREFIX` (empty in production).
"""


def events_of(topic: str) -> list[type[Event]]:
    """The event classes published on ``topic``, by name."""
    return [cls for cls in catalogue().values() if cls.topic == topic]


def envelope_model(cls: type[Event]) -> type[Envelope[Any]]:
    """``Envelope[cls]`` under the name ``<EventType>Envelope``, documented with the event's version."""
    summary = " ".join((cls.__doc__ or "").split())
    doc = f"A {cls.event_type} event (schema version {cls.schema_version}) in its envelope. {summary}"
    return type(f"{cls.event_type}Envelope", (Envelope[cls],),  # type: ignore[valid-type]  # a generic built at run time
                {"__doc__": doc, "__module__": __name__})


def envelope_union(events: list[type[Event]]) -> Any:
    """The type ``AEnvelope | BEnvelope | ...`` of the records of a topic."""
    return Union[tuple(envelope_model(cls) for cls in events)]  # noqa: UP007  (built at run time)


def describe(topic: TopicSpec, events: list[type[Event]]) -> str:
    carried = ", ".join(f"{cls.event_type} v{cls.schema_version}" for cls in events) or "records of any topic"
    return (f"{topic.description} Key: {topic.key}. Producer: {topic.producer}. "
            f"Consumers: {', '.join(topic.consumers)}. Carries: {carried}.")


def build_broker(bootstrap_servers: str = "kafka:9092") -> KafkaBroker:
    """A broker object with one documented publisher per topic (never connected)."""
    broker = KafkaBroker(bootstrap_servers)
    for topic in TOPICS:
        events = events_of(topic.name)
        broker.publisher(
            topic.name,
            title=topic.name,
            description=describe(topic, events),
            schema=envelope_union(events) if events else None,
        )
    return broker


def build_app(version: str = "0.1.0") -> FastStream:
    """The documentation-only application."""
    spec = AsyncAPI(title="Relais federation bus", version=version, description=DESCRIPTION)
    return FastStream(build_broker(), specification=spec)


app = build_app()
