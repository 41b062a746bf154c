"""A faster :func:`shared.contracts.codec.decode` for replays: same envelopes, same errors.

For an event at its type's current schema version, the work of
:func:`~shared.contracts.codec.from_json_dict` without its per-call overheads: the JSON is parsed
once, the metadata and the payload are validated by pydantic (full validation) and wrapped in
``Envelope[Any]`` as the codec does (without validating the two validated parts a second time). Anything else (an old version to upcast, an unknown type, any
validation error) goes through :func:`~shared.contracts.codec.decode`, which gives the usual
result or :class:`~shared.contracts.codec.DecodeError` with its reason.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from functools import cache
from typing import Any

import orjson
from pydantic import ValidationError

from shared.contracts.base import Event, catalogue
from shared.contracts.codec import DecodeError, decode
from shared.contracts.envelope import Envelope, Metadata
from shared.messaging.decoding import DeadLetter, decode_records
from shared.messaging.projection import InboundRecord

ENVELOPE = Envelope[Any]


@cache
def _classes() -> dict[str, type[Event]]:
    return catalogue()


def decode_fast(record: InboundRecord, platforms: Collection[str] | None = None) -> Envelope[Any]:
    """The record's envelope, exactly as ``decode(record.value, platforms=...)`` would return it."""
    try:
        data = orjson.loads(record.value or b"")
        raw_meta, payload = data["meta"], data["payload"]
        cls = _classes()[raw_meta["event_type"]]
        if raw_meta["schema_version"] != cls.schema_version or type(payload) is not dict:
            return decode(record.value, platforms=platforms)
        envelope = ENVELOPE.model_construct(meta=Metadata.model_validate(raw_meta), payload=cls.model_validate(payload))
    except (orjson.JSONDecodeError, KeyError, TypeError, ValidationError):
        return decode(record.value, platforms=platforms)
    if platforms is not None and envelope.meta.platform_id not in platforms:
        raise DecodeError(f"unknown platform {envelope.meta.platform_id!r}")
    return envelope


def decode_batch(
    batch: Sequence[InboundRecord], platforms: Collection[str] | None = None
) -> tuple[list[tuple[InboundRecord, Envelope[Any]]], list[DeadLetter]]:
    """Like :func:`shared.messaging.batches.decode_records`, with :func:`decode_fast`."""
    return decode_records(batch, platforms, decode_fast)
