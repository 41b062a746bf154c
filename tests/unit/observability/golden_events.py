"""The golden event of a type, at its current schema version, as an envelope or as the relay hands it over."""

from __future__ import annotations

from typing import Any

import orjson

from shared.contracts.base import event_class
from shared.contracts.codec import decode
from shared.contracts.envelope import Envelope, Metadata
from shared.messaging.relay import PublishedEvent
from tests.unit.contracts.golden import fixture_path


def golden_document(event_type: str) -> bytes:
    return fixture_path(event_type, event_class(event_type).schema_version).read_bytes()


def golden(event_type: str) -> Envelope[Any]:
    return decode(golden_document(event_type))


def as_published(event_type: str) -> PublishedEvent:
    document = orjson.loads(golden_document(event_type))
    return PublishedEvent(Metadata.model_validate(document["meta"]), document["payload"])
