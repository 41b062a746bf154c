"""The employment unit of work: the event store, the seeker and opening indexes and the outbox in one transaction."""

from __future__ import annotations

from services.employment.adapters.repository import SqlActivityIndex, SqlOpeningIndex, SqlOutbox, SqlSeekerIndex
from shared.storage.unit_of_work import SqlUnitOfWork


class EmploymentUnitOfWork(SqlUnitOfWork):
    seekers: SqlSeekerIndex
    openings: SqlOpeningIndex
    outbox: SqlOutbox
    activities: SqlActivityIndex

    def _open(self) -> None:
        self.seekers = SqlSeekerIndex(self.connection, self._metadata)
        self.openings = SqlOpeningIndex(self.connection, self._metadata)
        self.outbox = SqlOutbox(self.connection, self._metadata)
        self.activities = SqlActivityIndex(self.connection, self._metadata)
