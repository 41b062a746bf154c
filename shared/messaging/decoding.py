"""Kafka records to envelopes for the projections; those that do not decode become dead letters."""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from typing import Any

from shared.contracts.codec import DecodeError, decode
from shared.contracts.envelope import Envelope
from shared.messaging.projection import InboundRecord

Decoder = Callable[[InboundRecord, Collection[str] | None], Envelope[Any]]


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A record the projection could not decode or refused, and why."""

    record: InboundRecord
    reason: str


def decode_records(
    batch: Sequence[InboundRecord], platforms: Collection[str] | None = None, decoder: Decoder | None = None
) -> tuple[list[tuple[InboundRecord, Envelope[Any]]], list[DeadLetter]]:
    """Decode every record of ``batch``: (record, envelope) pairs, and dead letters for the rest.

    ``decoder(record, platforms)`` decodes one record or raises :class:`DecodeError`; by default
    :func:`shared.contracts.codec.decode` of its value.
    """
    decoded: list[tuple[InboundRecord, Envelope[Any]]] = []
    dead_letters: list[DeadLetter] = []
    for record in batch:
        try:
            envelope = (decode(record.value, platforms=platforms) if decoder is None
                        else decoder(record, platforms))
        except DecodeError as exc:
            dead_letters.append(DeadLetter(record, exc.reason))
        else:
            decoded.append((record, envelope))
    return decoded, dead_letters
