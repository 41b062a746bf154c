"""Base class of every event payload and the registry of event types.

An event type is a past-tense fact (``RequestLogged``). Each payload class declares:

- ``event_type``: the stable name written in the envelope and the Kafka headers;
- ``schema_version``: the current version; older stored versions are upcast
  (see :mod:`shared.contracts.upcasting`) before validation;
- ``aggregate_type``: the kind of aggregate the event belongs to;
- ``topic``: the logical topic it is published on (see :mod:`shared.contracts.topics`).
"""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict


class Event(BaseModel):
    """Payload of a domain event. Subclasses are registered by :func:`register`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    event_type: ClassVar[str]
    schema_version: ClassVar[int] = 1
    aggregate_type: ClassVar[str]
    topic: ClassVar[str]


class UnknownEventType(LookupError):
    """Raised when an event type is not in the catalogue."""


_REGISTRY: dict[str, type[Event]] = {}


def register(cls: type[Event]) -> type[Event]:
    """Class decorator: add an event payload class to the catalogue."""
    name = cls.__name__
    cls.event_type = name
    existing = _REGISTRY.get(name)
    if existing is not None and existing is not cls:
        raise ValueError(f"event type {name} registered twice")
    _REGISTRY[name] = cls
    return cls


def event_class(event_type: str) -> type[Event]:
    """Return the payload class for ``event_type`` or raise :class:`UnknownEventType`."""
    try:
        return _REGISTRY[event_type]
    except KeyError:
        raise UnknownEventType(f"unknown event type {event_type!r}") from None


def catalogue() -> dict[str, type[Event]]:
    """Every registered event type, by name (imports the whole catalogue first)."""
    import shared.contracts.events  # noqa: F401  (registers every event class)

    return dict(sorted(_REGISTRY.items()))
