"""Encoding events to Kafka records and back.

A record's value is the JSON of ``{"meta": ..., "payload": ...}``; its key is the aggregate id;
its headers repeat the event type, schema version, platform and ids so that ``kcat`` users can
filter without decoding. :func:`decode` upcasts old versions before validation and raises
:class:`DecodeError` with a human-readable reason for anything it cannot accept. It is the one decoder:
the live consumers, the event stores and the replays all use it. An event already at its type's
current schema version (nearly all of them) is validated once, its metadata and payload by pydantic,
then wrapped without validating them again; anything else takes the full path (upcasting, and the
reasons of a refusal).

Given the record's ``event_type`` header (:func:`event_type_of`), :func:`decode` validates the raw
bytes at once with that type's own envelope (``Envelope[RequestLogged]``, built once per type), which
skips building Python dicts first; the result is checked against the header and the type's current
version, and anything else takes the full path. Both paths give equal envelopes and the same reasons.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

import orjson
from pydantic import ValidationError

from shared.contracts.base import Event, UnknownEventType, catalogue, event_class
from shared.contracts.envelope import Envelope, Metadata
from shared.contracts.upcasting import UpcastError, upcast

Headers = list[tuple[str, bytes]]
_ENVELOPE = Envelope[Any]


class DecodeError(ValueError):
    """A record that is not a valid event; ``reason`` says why (goes to the dead-letter topic)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class EncodedEvent:
    topic: str
    key: bytes
    value: bytes
    headers: Headers


def to_json_dict(envelope: Envelope[Any]) -> dict[str, Any]:
    return {"meta": envelope.meta.model_dump(mode="json"), "payload": envelope.payload.model_dump(mode="json")}


def headers_for(meta: Metadata) -> Headers:
    return [
        ("event_type", meta.event_type.encode()),
        ("schema_version", str(meta.schema_version).encode()),
        ("platform_id", meta.platform_id.encode()),
        ("event_id", str(meta.event_id).encode()),
        ("correlation_id", str(meta.correlation_id).encode()),
        ("content-type", b"application/json"),
    ]


def encode(envelope: Envelope[Any], topic_prefix: str = "") -> EncodedEvent:
    """The Kafka record of an event (topic, key, value, headers)."""
    return EncodedEvent(
        topic=topic_prefix + envelope.payload.topic,
        key=envelope.meta.aggregate_id.encode(),
        value=orjson.dumps(to_json_dict(envelope)),
        headers=headers_for(envelope.meta),
    )


def from_json_dict(data: Any, *, platforms: Collection[str] | None = None) -> Envelope[Any]:
    """Validate a decoded JSON document into an envelope, upcasting the payload first."""
    envelope = _at_current_version(data)
    if envelope is None:
        envelope = _upcast_and_validate(data)
    if platforms is not None and envelope.meta.platform_id not in platforms:
        raise DecodeError(f"unknown platform {envelope.meta.platform_id!r}")
    return envelope


def decode(value: bytes | None, *, platforms: Collection[str] | None = None,
           event_type: str | None = None) -> Envelope[Any]:
    """Decode a Kafka record value into an envelope, or raise :class:`DecodeError`.

    ``event_type`` is the record's ``event_type`` header, when it has one: an event of that type at its
    current schema version is then validated straight from the bytes (a header that does not match the
    document only costs the full path).
    """
    if not value:
        raise DecodeError("empty record")
    if event_type is not None:
        envelope = _typed_from_bytes(event_type, value)
        if envelope is not None:
            if platforms is not None and envelope.meta.platform_id not in platforms:
                raise DecodeError(f"unknown platform {envelope.meta.platform_id!r}")
            return envelope
    try:
        data = orjson.loads(value)
    except orjson.JSONDecodeError as exc:
        raise DecodeError(f"not JSON: {exc}") from exc
    return from_json_dict(data, platforms=platforms)


def event_type_of(headers: Iterable[tuple[str, bytes]]) -> str | None:
    """The value of a record's ``event_type`` header (see :func:`headers_for`), or ``None``."""
    for name, value in headers:
        if name == "event_type":
            try:
                return value.decode()
            except (AttributeError, UnicodeDecodeError):
                return None
    return None


def is_known_type(event_type: str) -> bool:
    """Whether ``event_type`` is in the catalogue."""
    return event_type in _classes()


@cache
def _classes() -> dict[str, type[Event]]:
    return catalogue()


@cache
def _typed_envelopes() -> dict[str, tuple[type[Envelope[Any]], int]]:
    """Per event type: its own envelope class and its current schema version."""
    return {name: (Envelope[cls], cls.schema_version) for name, cls in _classes().items()}  # type: ignore[valid-type]


def _typed_from_bytes(event_type: str, value: bytes) -> Envelope[Any] | None:
    """The envelope of ``value`` validated by ``event_type``'s own envelope, if it is an event of that type at
    its current version; ``None`` for anything else (the full path decides, and gives the reason)."""
    typed = _typed_envelopes().get(event_type)
    if typed is None:
        return None
    model, version = typed
    try:
        envelope = model.model_validate_json(value)
    except ValidationError:
        return None
    meta = envelope.meta
    if meta.event_type != event_type or meta.schema_version != version:
        return None
    return envelope


def _at_current_version(data: Any) -> Envelope[Any] | None:
    """The envelope of an event at its type's current schema version; ``None`` for anything else
    (an old version, an unknown type, a validation error: :func:`_upcast_and_validate` decides)."""
    try:
        raw_meta, payload = data["meta"], data["payload"]
        cls = _classes()[raw_meta["event_type"]]
        if raw_meta["schema_version"] != cls.schema_version or type(payload) is not dict:
            return None
        return _ENVELOPE.model_construct(meta=Metadata.model_validate(raw_meta), payload=cls.model_validate(payload))
    except (KeyError, TypeError, ValidationError):
        return None


def _upcast_and_validate(data: Any) -> Envelope[Any]:
    catalogue()
    if not isinstance(data, Mapping) or not isinstance(data.get("meta"), Mapping):
        raise DecodeError("not an event: expected a JSON object with 'meta' and 'payload'")
    raw_meta = data["meta"]
    payload = data.get("payload")
    if not isinstance(payload, Mapping):
        raise DecodeError("not an event: 'payload' must be a JSON object")
    event_type = raw_meta.get("event_type")
    try:
        cls = event_class(str(event_type))
        version = int(raw_meta.get("schema_version", 0))
        current = upcast(cls.event_type, version, cls.schema_version, dict(payload))
        meta = Metadata.model_validate({**raw_meta, "schema_version": cls.schema_version})
        body = cls.model_validate(current)
    except UnknownEventType as exc:
        raise DecodeError(str(exc)) from exc
    except (UpcastError, TypeError, ValueError) as exc:
        reason = _validation_reason(exc) if isinstance(exc, ValidationError) else str(exc)
        raise DecodeError(f"invalid {event_type}: {reason}") from exc
    return _ENVELOPE(meta=meta, payload=body)


def _validation_reason(exc: ValidationError) -> str:
    parts: Sequence[str] = [
        f"{'.'.join(str(p) for p in err['loc']) or '(root)'}: {err['msg']}" for err in exc.errors()[:5]
    ]
    return "; ".join(parts)
