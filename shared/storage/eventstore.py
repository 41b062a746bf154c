"""A service's own event store; it doubles as the outbox read by the relay.

Appends are guarded by the unique key (aggregate type, aggregate id, aggregate version):
two writers that both read version N and append N+1 cannot both succeed
(optimistic concurrency). The loser gets :class:`ConcurrencyError` and retries its command.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import orjson
from sqlalchemy import MetaData, select
from sqlalchemy.exc import IntegrityError

from shared.contracts.codec import from_json_dict, to_json_dict
from shared.contracts.envelope import Envelope
from shared.contracts.topics import physical
from shared.storage.ports import ProjectionConnection


class ConcurrencyError(RuntimeError):
    """Another writer appended to the same aggregate first."""


class EventStore:
    """Append and load events on an open connection (inside the caller's transaction)."""

    def __init__(self, connection: ProjectionConnection, metadata: MetaData, topic_prefix: str = "") -> None:
        self._connection = connection
        self._events = metadata.tables["events"]
        self._topic_prefix = topic_prefix

    async def append(self, envelopes: Sequence[Envelope[Any]]) -> None:
        """Append ``envelopes``; raise :class:`ConcurrencyError` if a version is already taken."""
        if not envelopes:
            return
        rows = [self._row(envelope) for envelope in envelopes]
        try:
            async with self._connection.begin_nested():
                await self._connection.execute(self._events.insert(), rows)
        except IntegrityError as exc:
            raise ConcurrencyError(
                f"aggregate {envelopes[0].meta.aggregate_type}/{envelopes[0].meta.aggregate_id} was changed concurrently"
            ) from exc

    async def load(self, aggregate_type: str, aggregate_id: str) -> list[Envelope[Any]]:
        """The aggregate's events in version order."""
        table = self._events
        result = await self._connection.execute(
            select(table.c.document)
            .where(table.c.aggregate_type == aggregate_type, table.c.aggregate_id == aggregate_id)
            .order_by(table.c.aggregate_version)
        )
        return [from_json_dict(orjson.loads(document)) for (document,) in result]

    async def current_version(self, aggregate_type: str, aggregate_id: str) -> int:
        table = self._events
        result = await self._connection.execute(
            select(table.c.aggregate_version)
            .where(table.c.aggregate_type == aggregate_type, table.c.aggregate_id == aggregate_id)
            .order_by(table.c.aggregate_version.desc())
            .limit(1)
        )
        return result.scalar() or 0

    def _row(self, envelope: Envelope[Any]) -> dict[str, Any]:
        meta = envelope.meta
        return {
            "event_id": str(meta.event_id),
            "event_type": meta.event_type,
            "schema_version": meta.schema_version,
            "platform_id": meta.platform_id,
            "aggregate_type": meta.aggregate_type,
            "aggregate_id": meta.aggregate_id,
            "aggregate_version": meta.aggregate_version,
            "occurred_at": meta.occurred_at,
            "correlation_id": str(meta.correlation_id),
            "topic": physical(envelope.payload.topic, self._topic_prefix),
            "document": orjson.dumps(to_json_dict(envelope)).decode(),
            "published_at": None,
        }
