"""A faster :func:`shared.contracts.codec.decode` for replays: same envelopes, same errors.

The record's headers name the event type and schema version, so an event at the current version
is validated straight from the JSON bytes by pydantic-core into ``Envelope[<its class>]`` (one
pass, full validation). Anything else (no headers, an old version to upcast, a header that
disagrees with the body, any validation error) goes through :func:`~shared.contracts.codec.decode`,
which gives the usual result or :class:`~shared.contracts.codec.DecodeError` with its reason.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

from pydantic import ValidationError

from shared.contracts.base import Event, catalogue
from shared.contracts.codec import DecodeError, decode
from shared.contracts.envelope import Envelope
from shared.messaging.projection import DeadLetter, InboundRecord


@cache
def _envelope_classes() -> dict[tuple[bytes, bytes], type[Envelope[Any]]]:
    return {
        (name.encode(), str(cls.schema_version).encode()): Envelope[cls]  # type: ignore[valid-type]
        for name, cls in catalogue().items()
    }


def _header(headers: Sequence[tuple[str, bytes]], name: str) -> bytes | None:
    for key, value in headers:
        if key == name:
            return value
    return None


def decode_fast(record: InboundRecord, platforms: Collection[str] | None = None) -> Envelope[Any]:
    """The record's envelope, exactly as ``decode(record.value, platforms=...)`` would return it."""
    headers = record.headers
    model = _envelope_classes().get((_header(headers, "event_type") or b"", _header(headers, "schema_version") or b""))
    if model is None or not record.value:
        return decode(record.value, platforms=platforms)
    try:
        envelope = model.model_validate_json(record.value)
    except ValidationError:
        return decode(record.value, platforms=platforms)
    payload: Event = envelope.payload
    if envelope.meta.event_type != payload.event_type or envelope.meta.schema_version != payload.schema_version:
        return decode(record.value, platforms=platforms)
    if platforms is not None and envelope.meta.platform_id not in platforms:
        raise DecodeError(f"unknown platform {envelope.meta.platform_id!r}")
    return envelope


def decode_batch(
    batch: Sequence[InboundRecord], platforms: Collection[str] | None = None
) -> tuple[list[tuple[InboundRecord, Envelope[Any]]], list[DeadLetter]]:
    """Like :func:`shared.messaging.projection.decode_records`, with :func:`decode_fast`."""
    decoded: list[tuple[InboundRecord, Envelope[Any]]] = []
    dead_letters: list[DeadLetter] = []
    for record in batch:
        try:
            decoded.append((record, decode_fast(record, platforms)))
        except DecodeError as error:
            dead_letters.append(DeadLetter(record, error.reason))
    return decoded, dead_letters
