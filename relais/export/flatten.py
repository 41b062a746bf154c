"""Events as flat rows for analysts: envelope columns, one table per event type, no personal data.

Sealed fields (personal data, encrypted) are left out entirely, at any depth. Residents' and job seekers'
ids are replaced by pseudonyms (:func:`shared.privacy.sealing.pseudonymise` with the export salt), so rows
of one person can be linked within an export but not traced back without the salt: fields named
``resident_id`` or ``seeker_id`` at any depth (the candidates of a proposal), the keys of a dict typed by
:class:`~shared.contracts.types.PersonId` (a session's attendance) and the ids of resident and seeker aggregates. Payload
fields become columns; lists become Arrow lists (of structs for lists of objects, e.g. ``skipped``),
a lone nested object JSON text. Event times are UTC timestamps, and ``occurred_local_date`` is the
day of the platform's local time on which the event occurred.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable
from datetime import date, datetime, tzinfo
from enum import Enum
from functools import cache
from typing import Any

import orjson
import pyarrow as pa
from pydantic import BaseModel

from shared.contracts.base import Event
from shared.contracts.envelope import Envelope
from shared.contracts.types import PersonId, Sealed
from shared.platforms.local_time import local_date

Pseudonym = Callable[[str], str]
PERSON_FIELDS = frozenset({"resident_id", "seeker_id"})
PERSON_AGGREGATES = frozenset({"resident", "seeker"})
UTC_TIMESTAMP = pa.timestamp("us", tz="UTC")

ENVELOPE_SCHEMA = pa.schema([
    ("event_id", pa.string()), ("event_type", pa.string()), ("schema_version", pa.int32()),
    ("platform_id", pa.string()), ("aggregate_type", pa.string()), ("aggregate_id", pa.string()),
    ("aggregate_version", pa.int64()), ("occurred_at", UTC_TIMESTAMP), ("recorded_at", UTC_TIMESTAMP),
    ("occurred_local_date", pa.date32()), ("correlation_id", pa.string()), ("causation_id", pa.string()), ("actor", pa.string()),
    ("service", pa.string()), ("topic", pa.string()),
])
KEY_COLUMNS = ("event_id", "platform_id", "aggregate_id", "occurred_at", "occurred_local_date")


def envelope_row(envelope: Envelope[Any], service: str, topic: str, pseudonym: Pseudonym,
                 zone: tzinfo | None = None) -> dict[str, Any]:
    """The ``events`` row of ``envelope``; ``zone`` is its platform's time zone (no local date without it)."""
    meta = envelope.meta
    aggregate_id = pseudonym(meta.aggregate_id) if meta.aggregate_type in PERSON_AGGREGATES else meta.aggregate_id
    return {
        "event_id": str(meta.event_id), "event_type": meta.event_type, "schema_version": meta.schema_version,
        "platform_id": meta.platform_id, "aggregate_type": meta.aggregate_type, "aggregate_id": aggregate_id,
        "aggregate_version": meta.aggregate_version, "occurred_at": meta.occurred_at, "recorded_at": meta.recorded_at,
        "occurred_local_date": None if zone is None else local_date(meta.occurred_at, zone),
        "correlation_id": str(meta.correlation_id),
        "causation_id": None if meta.causation_id is None else str(meta.causation_id),
        "actor": meta.actor, "service": service, "topic": topic,
    }


def payload_row(envelope: Envelope[Any], pseudonym: Pseudonym, zone: tzinfo | None = None) -> dict[str, Any]:
    """The event-type table row: key envelope columns then the payload's public fields."""
    envelope_columns = envelope_row(envelope, "", "", pseudonym, zone)
    row = {name: envelope_columns[name] for name in KEY_COLUMNS}
    payload: Event = envelope.payload
    for name, kind in payload_columns(type(payload)):
        value = getattr(envelope.payload, name)
        if isinstance(value, dict) and _keyed_by_person(type(payload).model_fields[name].annotation):
            value = {pseudonym(str(key)): item for key, item in value.items()}
        row[name] = _column_value(name, value, kind, pseudonym)
    return row


def _keyed_by_person(annotation: Any) -> bool:
    """Whether ``annotation`` is a dict whose keys are people's ids (typed with :class:`PersonId`)."""
    for option in _options(annotation):
        if typing.get_origin(option) is dict:
            key = typing.get_args(option)[0]
            if typing.get_origin(key) is typing.Annotated and any(isinstance(m, PersonId) for m in key.__metadata__):
                return True
    return False


@cache
def payload_columns(cls: type[Event]) -> tuple[tuple[str, pa.DataType], ...]:
    """(name, Arrow type) of each exported field of ``cls``: sealed fields are not among them."""
    columns = []
    for name, info in cls.model_fields.items():
        if _holds_only_sealed(info.annotation):
            continue
        columns.append((name, _arrow_type(info.annotation)))
    return tuple(columns)


def payload_schema(cls: type[Event]) -> pa.Schema:
    keys = [(name, ENVELOPE_SCHEMA.field(name).type) for name in KEY_COLUMNS]
    return pa.schema(keys + list(payload_columns(cls)))


def without_sealed(value: Any) -> Any:
    """Plain JSON-able data with every sealed value removed."""
    if isinstance(value, Sealed):
        return None
    if isinstance(value, BaseModel):
        return {name: without_sealed(getattr(value, name)) for name in type(value).model_fields
                if not isinstance(getattr(value, name), Sealed)}
    if isinstance(value, list | tuple):
        return [without_sealed(item) for item in value if not isinstance(item, Sealed)]
    if isinstance(value, dict):
        return {key: without_sealed(item) for key, item in value.items() if not isinstance(item, Sealed)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value if value is None or isinstance(value, str | int | float | bool) else str(value)


def _column_value(name: str, value: Any, kind: pa.DataType, pseudonym: Pseudonym) -> Any:
    if value is None:
        return None
    if name in PERSON_FIELDS and isinstance(value, str):
        return pseudonym(value)
    return _arrow_value(value, kind, pseudonym)


def _arrow_value(value: Any, kind: pa.DataType, pseudonym: Pseudonym) -> Any:
    """``value`` as Arrow takes it for a column of type ``kind`` (people's ids in structs pseudonymised)."""
    if value is None:
        return None
    if pa.types.is_list(kind):
        return [_arrow_value(item, kind.value_type, pseudonym) for item in value if not isinstance(item, Sealed)]
    if pa.types.is_struct(kind):
        return {item.name: _column_value(item.name, getattr(value, item.name), item.type, pseudonym) for item in kind}
    if pa.types.is_string(kind) and not isinstance(value, str | Enum):
        if isinstance(value, BaseModel | list | tuple | dict):
            return orjson.dumps(without_sealed(value)).decode()
        return str(value)
    return value.value if isinstance(value, Enum) else value


def _holds_only_sealed(annotation: Any) -> bool:
    options = [a for a in _options(annotation) if a is not type(None)]
    return bool(options) and all(isinstance(a, type) and issubclass(a, Sealed) for a in options)


def _options(annotation: Any) -> tuple[Any, ...]:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _options(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return tuple(a for arg in typing.get_args(annotation) for a in _options(arg))
    return (annotation,)


def _arrow_type(annotation: Any) -> pa.DataType:
    options = [a for a in _options(annotation) if a is not type(None)]
    if len(options) == 1 and typing.get_origin(options[0]) in (list, tuple, set, frozenset):
        element = next(arg for arg in typing.get_args(options[0]) if arg is not Ellipsis)
        return pa.list_(_element_type(element))
    if len(options) == 1 and isinstance(options[0], type):
        kind = options[0]
        if issubclass(kind, bool):
            return pa.bool_()
        if issubclass(kind, int) and not issubclass(kind, Enum):
            return pa.int64()
        if issubclass(kind, float):
            return pa.float64()
        if issubclass(kind, datetime):
            return UTC_TIMESTAMP
        if issubclass(kind, date):
            return pa.date32()
    return pa.string()


def _element_type(annotation: Any) -> pa.DataType:
    """The Arrow type of a list's items: a struct of its public fields for an object, else as a column."""
    options = [a for a in _options(annotation) if a is not type(None)]
    if len(options) == 1 and isinstance(options[0], type) and issubclass(options[0], BaseModel):
        return pa.struct([(name, _element_type(info.annotation)) for name, info in options[0].model_fields.items()
                          if not _holds_only_sealed(info.annotation)])
    return _arrow_type(annotation)
