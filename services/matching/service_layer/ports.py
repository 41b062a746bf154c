"""What matching's use cases need from the outside world, as protocols (SQL adapters or fakes).

A :class:`Store` is the event store and the three repositories on one transaction: a unit of work
(commands, the deadline sweeper) or a projection batch's connection (the assignment process manager).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from services.matching.domain.match import Match, RequestContext
from services.matching.domain.rotation import RingKey, TurnKey
from shared.contracts.directory import Provider
from shared.storage.ports import EventLog, UnitOfWork


@dataclass(frozen=True)
class Turn:
    """Where a rotation stands: the last provider offered (``None`` before the first) and the row's version."""

    cursor: RingKey | None
    version: int


@dataclass(frozen=True)
class OfferKey:
    """One offer: the request offered to the provider, on its platform (what an offer's link opens)."""

    platform_id: str
    request_id: str
    provider_id: str


class Links(Protocol):
    """Makes the link of an offer's page (signed by :class:`services.matching.adapters.offer_links.OfferLinks`)."""

    def link(self, key: OfferKey) -> str: ...


class Providers(Protocol):
    """Each provider's current state, rewritten with every event it gets."""

    async def get(self, provider_id: str) -> Provider | None: ...

    async def save(self, provider: Provider) -> None: ...

    async def list(self, platform_id: str, *, statuses: tuple[str, ...] = ()) -> list[Provider]: ...

    async def in_rotation(self, platform_id: str) -> builtins.list[Provider]:
        """Admitted and suspended providers (suspended ones stay in the turn, skipped with a reason)."""
        ...


class Turns(Protocol):
    """The cursor of each rotation, moved with optimistic concurrency."""

    async def get(self, key: TurnKey) -> Turn: ...

    async def advance(self, key: TurnKey, cursor: RingKey, *, expected_version: int) -> None:
        """Move the cursor; :class:`~shared.storage.eventstore.ConcurrencyError` if it moved since ``expected_version``."""
        ...


class Matches(Protocol):
    """Each request's context and where its match stands."""

    async def context(self, request_id: str) -> tuple[RequestContext, bool] | None:
        """The request's context and whether it was cancelled; ``None`` if matching never received it."""
        ...

    async def save(self, match: Match, *, expected_version: int) -> None: ...

    async def cancel(self, request_id: str) -> bool: ...

    async def due(self, now: datetime, limit: int = 100) -> list[str]:
        """Ids of assigned requests whose callback deadline passed before ``now``, oldest deadline first."""
        ...

    async def deadlines_between(self, platform_id: str, start: datetime, end: datetime, limit: int = 100) -> list[str]:
        """Ids of ``platform_id``'s assigned requests whose callback deadline falls in ``(start, end]``."""
        ...


class Store(Protocol):
    """The event store and the matching repositories, on one transaction."""

    @property
    def events(self) -> EventLog: ...

    @property
    def providers(self) -> Providers: ...

    @property
    def turns(self) -> Turns: ...

    @property
    def matches(self) -> Matches: ...


class MatchingUnitOfWork(Store, UnitOfWork, Protocol):
    """A :class:`Store` of its own transaction, made durable by ``commit()``."""


UnitOfWorkFactory = Callable[[], MatchingUnitOfWork]
