"""In-memory stand-ins for the store, for unit tests of command handlers (no I/O)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from shared.contracts.envelope import Envelope
from shared.storage.eventstore import ConcurrencyError


class FakeEventStore:
    """Same contract as :class:`shared.storage.eventstore.EventStore`, kept in a list."""

    def __init__(self) -> None:
        self.events: list[Envelope[Any]] = []

    async def append(self, envelopes: Sequence[Envelope[Any]]) -> None:
        taken = {(e.meta.aggregate_type, e.meta.aggregate_id, e.meta.aggregate_version) for e in self.events}
        for envelope in envelopes:
            key = (envelope.meta.aggregate_type, envelope.meta.aggregate_id, envelope.meta.aggregate_version)
            if key in taken:
                raise ConcurrencyError(f"aggregate {key[0]}/{key[1]} was changed concurrently")
            taken.add(key)
        self.events.extend(envelopes)

    async def load(self, aggregate_type: str, aggregate_id: str) -> list[Envelope[Any]]:
        found = [e for e in self.events if (e.meta.aggregate_type, e.meta.aggregate_id) == (aggregate_type, aggregate_id)]
        return sorted(found, key=lambda e: e.meta.aggregate_version)

    async def current_version(self, aggregate_type: str, aggregate_id: str) -> int:
        return max((e.meta.aggregate_version for e in await self.load(aggregate_type, aggregate_id)), default=0)


class FakeUnitOfWork:
    """Commits by moving staged events into the shared fake store; an exception discards them."""

    def __init__(self, store: FakeEventStore) -> None:
        self.store = store
        self.events = FakeEventStore()
        self.committed = False

    async def __aenter__(self) -> FakeUnitOfWork:
        self.events.events = list(self.store.events)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.events = FakeEventStore()

    async def commit(self) -> None:
        self.store.events = list(self.events.events)
        self.committed = True
