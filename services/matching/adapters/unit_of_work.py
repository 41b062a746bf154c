"""The matching store's repositories on one connection: in a unit of work, or in a projection's batch."""

from __future__ import annotations

from sqlalchemy import MetaData

from services.matching.adapters.repositories import (
    MatchRepository,
    ProviderRepository,
    TurnRepository,
)
from shared.storage.eventstore import EventStore
from shared.storage.ports import ProjectionConnection
from shared.storage.unit_of_work import SqlUnitOfWork


class MatchingStore:
    """Event store plus the matching repositories, all on ``conn`` (the caller owns the transaction)."""

    def __init__(self, conn: ProjectionConnection, metadata: MetaData, topic_prefix: str = "") -> None:
        self.events = EventStore(conn, metadata, topic_prefix)
        self.providers = ProviderRepository(conn, metadata)
        self.turns = TurnRepository(conn, metadata)
        self.matches = MatchRepository(conn, metadata)


class MatchingUnitOfWork(SqlUnitOfWork):
    """A :class:`SqlUnitOfWork` with the matching repositories on its connection."""

    def _open(self) -> None:
        self.providers = ProviderRepository(self.connection, self._metadata)
        self.turns = TurnRepository(self.connection, self._metadata)
        self.matches = MatchRepository(self.connection, self._metadata)
