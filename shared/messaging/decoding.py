"""Kafka records to envelopes for the projections; those that do not decode become dead letters."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from shared.contracts.codec import DecodeError, decode, event_type_of, is_known_type
from shared.contracts.envelope import Envelope
from shared.messaging.projection import InboundRecord


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record the projection could not decode or refused, and why."""

    record: InboundRecord
    reason: str


def decode_records(
    batch: Sequence[InboundRecord], platforms: Collection[str] | None = None, *,
    handled: Collection[str] | None = None,
) -> tuple[list[tuple[InboundRecord, Envelope[Any]]], list[DeadLetter]]:
    """Decode every record of ``batch`` (:func:`shared.contracts.codec.decode`, told the record's
    ``event_type`` header): (record, envelope) pairs, and dead letters, with the decoder's reason, for the rest.

    With ``handled`` (the event types some projection fed by the batch has a handler for), a record
    whose header names another type of the catalogue is left out, neither decoded nor a dead letter:
    no projection would do anything with it. Records without that header, or naming a type the
    catalogue does not know, are decoded (and become dead letters if they are not events).
    """
    decoded: list[tuple[InboundRecord, Envelope[Any]]] = []
    dead_letters: list[DeadLetter] = []
    for record in batch:
        event_type = event_type_of(record.headers)
        if handled is not None and event_type is not None and event_type not in handled and is_known_type(event_type):
            continue
        try:
            envelope = decode(record.value, platforms=platforms, event_type=event_type)
        except DecodeError as exc:
            dead_letters.append(DeadLetter(record, exc.reason))
        else:
            decoded.append((record, envelope))
    return decoded, dead_letters
