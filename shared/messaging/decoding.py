"""Kafka records to envelopes for the projections; those that do not decode become dead letters."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from shared.contracts.codec import DecodeError, decode
from shared.contracts.envelope import Envelope
from shared.messaging.projection import InboundRecord


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record the projection could not decode or refused, and why."""

    record: InboundRecord
    reason: str


def decode_records(
    batch: Sequence[InboundRecord], platforms: Collection[str] | None = None
) -> tuple[list[tuple[InboundRecord, Envelope[Any]]], list[DeadLetter]]:
    """Decode every record of ``batch`` (:func:`shared.contracts.codec.decode`): (record, envelope) pairs,
    and dead letters, with the decoder's reason, for the rest."""
    decoded: list[tuple[InboundRecord, Envelope[Any]]] = []
    dead_letters: list[DeadLetter] = []
    for record in batch:
        try:
            envelope = decode(record.value, platforms=platforms)
        except DecodeError as exc:
            dead_letters.append(DeadLetter(record, exc.reason))
        else:
            decoded.append((record, envelope))
    return decoded, dead_letters
