"""Event records as the services would publish them, built without pydantic (the generator must be fast).

:class:`Recorder` numbers each aggregate's events per producing service, chains correlation and
causation ids, and returns :class:`Record` s whose value is the same JSON as
:func:`shared.contracts.codec.encode` writes (tests decode a sample to check it).
"""

from __future__ import annotations

import base64
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson

from shared.contracts.base import catalogue


@dataclass(frozen=True, slots=True)
class Record:
    topic: str
    key: bytes
    timestamp_ms: int
    value: bytes
    headers: list[tuple[str, bytes]]


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


class Recorder:
    """Builds records; ``emit`` returns the new event's id (the causation of what follows)."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._versions: dict[tuple[str, str, str], int] = {}
        self._classes = catalogue()

    def new_id(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def sealed(self, resident_id: str, size: int = 120) -> dict[str, str]:
        """A Sealed-shaped value (random bytes: the benchmark never opens it)."""
        raw = self._rng.randbytes(size)
        return {"resident_id": resident_id, "nonce": _b64(self._rng.randbytes(12)), "ciphertext": _b64(raw)}

    def emit(self, event_type: str, payload: dict[str, Any], *, service: str, platform_id: str, aggregate_id: str,
             at: datetime, actor: str, correlation_id: str | None = None, causation_id: str | None = None,
             ) -> tuple[str, Record]:
        cls = self._classes[event_type]
        version_key = (service, cls.aggregate_type, aggregate_id)
        version = self._versions.get(version_key, 0) + 1
        self._versions[version_key] = version
        event_id = self.new_id()
        meta = {
            "event_id": event_id, "event_type": event_type, "schema_version": cls.schema_version,
            "platform_id": platform_id, "aggregate_type": cls.aggregate_type, "aggregate_id": aggregate_id,
            "aggregate_version": version, "occurred_at": iso(at),
            "recorded_at": iso(at + timedelta(milliseconds=self._rng.randint(5, 900))),
            "correlation_id": correlation_id or event_id, "causation_id": causation_id, "actor": actor,
        }
        headers = [
            ("event_type", event_type.encode()), ("schema_version", str(cls.schema_version).encode()),
            ("platform_id", platform_id.encode()), ("event_id", event_id.encode()),
            ("correlation_id", meta["correlation_id"].encode()), ("content-type", b"application/json"),
        ]
        value = orjson.dumps({"meta": meta, "payload": payload})
        return event_id, Record(cls.topic, aggregate_id.encode(), int(at.timestamp() * 1000), value, headers)


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")
