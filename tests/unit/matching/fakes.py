"""In-memory stand-ins for the matching store: same contracts as the SQL repositories, no I/O.

A :class:`FakeMatchingDatabase` holds the committed state; each :class:`FakeMatchingUnitOfWork`
works on a copy and only :meth:`~FakeMatchingUnitOfWork.commit` makes it the committed state.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Self

from services.matching.domain.match import Match, RequestContext
from services.matching.domain.rotation import RingKey, TurnKey
from services.matching.service_layer.ports import Turn
from shared.contracts.directory import ADMITTED, SUSPENDED, Provider
from shared.storage.eventstore import ConcurrencyError
from shared.storage.fakes import FakeEventStore


@dataclass
class FakeMatchingDatabase:
    events: list[Any] = field(default_factory=list)
    providers: dict[str, Provider] = field(default_factory=dict)
    turns: dict[TurnKey, Turn] = field(default_factory=dict)
    matches: dict[str, dict[str, Any]] = field(default_factory=dict)
    commits: int = 0
    fail_turn_advances: list[bool] = field(default_factory=list)
    """Pop one per turn advance: True simulates another instance moving the turn first."""

    def uow(self) -> FakeMatchingUnitOfWork:
        return FakeMatchingUnitOfWork(self)

    def of_type(self, cls: type) -> list[Any]:
        return [envelope.payload for envelope in self.events if isinstance(envelope.payload, cls)]


class FakeProviders:
    def __init__(self, rows: dict[str, Provider]) -> None:
        self.rows = rows

    async def get(self, provider_id: str) -> Provider | None:
        return self.rows.get(provider_id)

    async def save(self, provider: Provider) -> None:
        self.rows[provider.provider_id] = provider

    async def list(self, platform_id: str, *, statuses: tuple[str, ...] = ()) -> list[Provider]:
        return [p for _, p in sorted(self.rows.items())
                if p.platform_id == platform_id and (not statuses or p.status in statuses)]

    async def in_rotation(self, platform_id: str) -> list[Provider]:
        return await self.list(platform_id, statuses=(ADMITTED, SUSPENDED))


class FakeTurns:
    def __init__(self, rows: dict[TurnKey, Turn], fail_next: list[bool]) -> None:
        self.rows, self._fail_next = rows, fail_next

    async def get(self, key: TurnKey) -> Turn:
        return self.rows.get(key, Turn(None, 0))

    async def advance(self, key: TurnKey, cursor: RingKey, *, expected_version: int) -> None:
        if self._fail_next and self._fail_next.pop():
            raise ConcurrencyError(f"turn {key} moved (simulated)")
        if self.rows.get(key, Turn(None, 0)).version != expected_version:
            raise ConcurrencyError(f"turn {key} moved since version {expected_version}")
        self.rows[key] = Turn(cursor, expected_version + 1)


class FakeMatches:
    def __init__(self, rows: dict[str, dict[str, Any]]) -> None:
        self.rows = rows

    async def context(self, request_id: str) -> tuple[RequestContext, bool] | None:
        row = self.rows.get(request_id)
        return None if row is None else (row["context"], row["cancelled"])

    async def save(self, match: Match, *, expected_version: int) -> None:
        row = self.rows.get(match.request_id)
        if (row is None) != (expected_version == 0) or (row and (row["version"] != expected_version or row["cancelled"])):
            raise ConcurrencyError(f"request {match.request_id} changed since version {expected_version}")
        self.rows[match.request_id] = {
            "context": match.context, "cancelled": False, "status": match.status, "provider_id": match.provider_id,
            "deadline_at": match.deadline_at, "version": match.version, "excluded": dict(match.excluded)}

    async def cancel(self, request_id: str) -> bool:
        if request_id not in self.rows:
            return False
        self.rows[request_id].update(cancelled=True, status="cancelled")
        return True

    async def due(self, now: datetime, limit: int = 100) -> list[str]:
        due = [(row["deadline_at"], rid) for rid, row in self.rows.items()
               if row["status"] == "assigned" and row["deadline_at"] < now]
        return [rid for _, rid in sorted(due)[:limit]]


class FakeMatchingUnitOfWork:
    def __init__(self, db: FakeMatchingDatabase) -> None:
        self.db = db

    async def __aenter__(self) -> Self:
        self.events = FakeEventStore()
        self.events.events = list(self.db.events)
        self.providers = FakeProviders(dict(self.db.providers))
        self.turns = FakeTurns(dict(self.db.turns), self.db.fail_turn_advances)
        self.matches = FakeMatches(copy.deepcopy(self.db.matches))
        return self

    async def __aexit__(self, *exc: object) -> None:
        return None

    async def commit(self) -> None:
        db = self.db
        db.events, db.providers, db.turns = list(self.events.events), self.providers.rows, self.turns.rows
        db.matches, db.commits = self.matches.rows, db.commits + 1
